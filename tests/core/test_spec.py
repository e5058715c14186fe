"""The spec language: every grammar form resolves to the expected IR node (compared by identity,
since nodes are interned), every fault is a `SpecError` with a caret under it and a fix, and no
text, however hostile, raises anything else."""

from __future__ import annotations

import inspect
import pickle
import sys
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tnp_runtime.core import ir
from tnp_runtime.core.diagnostics import Code
from tnp_runtime.core.dims import DimType, FullDim, Interval, Sliced
from tnp_runtime.core.ir import BinaryOp, ReduceOp, UnaryOp
from tnp_runtime.core.spec import (
    MAX_NESTING,
    BinOp,
    Contraction,
    Func,
    InfLit,
    Max2,
    Neg,
    Number,
    Reduction,
    ResolvedSpec,
    SpecDim,
    SpecError,
    SpecInput,
    Tensor,
    parse_dims,
    parse_spec,
    resolve_dims,
    resolve_spec,
)

M, N, K = FullDim("M", 10), FullDim("N", 8), FullDim("K", 6)
QCTX, NCTX, DHEAD = FullDim("qctx", 32), FullDim("nctx", 64), FullDim("dhead", 16)
EXPERTS = FullDim("experts", 4)

DIMS = {d.name: d for d in (M, N, K, QCTX, NCTX, DHEAD)}
def _input(name: str, dims: DimType, anonymous: bool = False) -> SpecInput:
    """The input `ir.input_leaf(name, ...)` as a spec sees it."""
    leaf = ir.input_leaf(name, tuple(s.name for s in dims), anonymous)
    assert isinstance(leaf, ir.Input)
    return SpecInput(leaf, dims)


INPUT_A = _input("A", (M.full, N.full))
INPUT_B = _input("B", (N.full, K.full))
INPUT_Q = _input("Q", (QCTX.full, DHEAD.full))
INPUT_K = _input("K", (NCTX.full, DHEAD.full))
INPUT_V = _input("V", (NCTX.full, DHEAD.full))
INPUTS = (INPUT_A, INPUT_B, INPUT_Q, INPUT_K, INPUT_V)

A = ir.input_leaf("A", ("M", "N"))
B = ir.input_leaf("B", ("N", "K"))
Q = ir.input_leaf("Q", ("qctx", "dhead"))
KEY = ir.input_leaf("K", ("nctx", "dhead"))
VALUE = ir.input_leaf("V", ("nctx", "dhead"))

# The corrected flash-attention spec of docs/DESIGN.md §4.2.
FLASH = (
    "(softmax[nctx]((qctx dhead, K:nctx dhead -> qctx nctx) / sqrt(16)), "
    "V:nctx dhead -> qctx dhead)"
)


def resolve(text: str) -> ResolvedSpec:
    return resolve_spec(text, DIMS, INPUTS)


def full(n: int) -> Interval:
    return Interval(0, n)


def dims(*items: Sliced | FullDim) -> DimType:
    return tuple(item.full if isinstance(item, FullDim) else item for item in items)


# ---------------------------------------------------------------------------------------------
# Grammar forms -> IR


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2", Fraction(2)),
        ("0.1", Fraction(1, 10)),
        ("1e-3", Fraction(1, 1000)),
        ("2.5E2", Fraction(250)),
        (".5", Fraction(1, 2)),
        ("3.", Fraction(3)),
        ("1e+2", Fraction(100)),
    ],
)
def test_numbers_are_exact_rationals(text: str, value: Fraction) -> None:
    assert parse_spec(text) == Number(value, 0)
    resolved = resolve(text)
    assert resolved.expr is ir.const(value)
    assert resolved.dims == ()


def test_inf_and_unary_minus_stay_structural() -> None:
    assert resolve("inf").expr is ir.inf(False)
    assert resolve("-inf").expr is ir.unary(UnaryOp.NEG, ir.inf(False))
    assert resolve("--2").expr is ir.unary(UnaryOp.NEG, ir.unary(UnaryOp.NEG, ir.const(2)))
    negated = resolve("-M N")
    assert negated.expr is ir.unary(UnaryOp.NEG, A)
    assert negated.dims == dims(M, N)


def test_leaf_is_the_runtime_node_and_keeps_the_written_order() -> None:
    assert resolve("M N").expr is A
    transposed = resolve("N M")
    # The term is the input whatever order the dims are written in; the DimType follows the text.
    assert transposed.expr is A
    assert transposed.dims == dims(N, M)


def test_named_leaf_and_sliced_leaf() -> None:
    named = resolve("A:N M")
    assert named.expr is A
    assert named.dims == dims(N, M)
    sliced = resolve("M[0:5] N[2:4]")
    assert sliced.expr is A
    assert sliced.dims == (M[0:5], N[2:4])


def test_anonymous_input_is_the_same_node_the_runtime_builds() -> None:
    anonymous = _input("#7", (K.full, M.full), True)
    resolved = resolve_spec("M K", DIMS, (anonymous,))
    assert resolved.expr is ir.input_leaf("#7", ("K", "M"), True)
    assert resolved.dims == dims(M, K)


@pytest.mark.parametrize(
    ("op", "binary"),
    [("+", BinaryOp.ADD), ("-", BinaryOp.SUB), ("*", BinaryOp.MUL), ("/", BinaryOp.DIV)],
)
def test_arithmetic(op: str, binary: BinaryOp) -> None:
    both = resolve(f"M N {op} N M")
    assert both.expr is ir.binary(binary, A, A)
    assert both.dims == dims(M, N)  # the left operand's order
    scaled = resolve(f"2 {op} N M")
    assert scaled.expr is ir.binary(binary, ir.const(2), A)
    assert scaled.dims == dims(N, M)  # the non-number operand's order
    assert resolve(f"N M {op} 2").dims == dims(N, M)


def test_precedence_associativity_and_grouping() -> None:
    two, three = ir.const(2), ir.const(3)
    assert resolve("1 + 2 * M N").expr is ir.binary(
        BinaryOp.ADD, ir.const(1), ir.binary(BinaryOp.MUL, two, A)
    )
    assert resolve("(1 + 2) * M N").expr is ir.binary(
        BinaryOp.MUL, ir.binary(BinaryOp.ADD, ir.const(1), two), A
    )
    assert resolve("M N - 2 - 3").expr is ir.binary(
        BinaryOp.SUB, ir.binary(BinaryOp.SUB, A, two), three
    )
    assert resolve("M N / 2 / 3").expr is ir.binary(
        BinaryOp.DIV, ir.binary(BinaryOp.DIV, A, two), three
    )
    assert resolve("2 * -M N").expr is ir.binary(BinaryOp.MUL, two, ir.unary(UnaryOp.NEG, A))


@pytest.mark.parametrize(
    ("name", "op"),
    [
        ("exp", UnaryOp.EXP),
        ("log", UnaryOp.LOG),
        ("sqrt", UnaryOp.SQRT),
        ("sin", UnaryOp.SIN),
        ("cos", UnaryOp.COS),
    ],
)
def test_functions(name: str, op: UnaryOp) -> None:
    resolved = resolve(f"{name}(N M)")
    assert resolved.expr is ir.unary(op, A)
    assert resolved.dims == dims(N, M)
    assert resolve(f"{name}(16)").dims == ()


def test_reductions() -> None:
    assert resolve("sum[N](M N)") == ResolvedSpec(ir.reduce(ReduceOp.SUM, "N", full(8), A), dims(M))
    assert resolve("max[M](M N)") == ResolvedSpec(
        ir.reduce(ReduceOp.MAX, "M", full(10), A), dims(N)
    )
    part = resolve("sum[N[2:6]](M N)")
    assert part.expr is ir.reduce(ReduceOp.SUM, "N", Interval(2, 6), A)
    assert part.dims == dims(M)
    # A reduction over a slice of a sliced leaf uses the leaf's slice.
    assert resolve("sum[N](M N[0:4])").expr is ir.reduce(ReduceOp.SUM, "N", Interval(0, 4), A)


def test_softmax_shares_the_exp_node() -> None:
    resolved = resolve("softmax[N](M N)")
    exp = ir.unary(UnaryOp.EXP, A)
    assert resolved.expr is ir.binary(BinaryOp.DIV, exp, ir.reduce(ReduceOp.SUM, "N", full(8), exp))
    assert resolved.dims == dims(M, N)
    sliced = resolve("softmax[N[0:4]](M N)")
    assert sliced.expr is ir.binary(
        BinaryOp.DIV, exp, ir.reduce(ReduceOp.SUM, "N", Interval(0, 4), exp)
    )
    # Normalized over N[0:4], the result only exists there.
    assert sliced.dims == (M.full, N[0:4])


def test_contractions() -> None:
    product = ir.binary(BinaryOp.MUL, A, B)
    matmul = ResolvedSpec(ir.reduce(ReduceOp.SUM, "N", full(8), product), dims(M, K))
    assert resolve("(M N, N K -> M K)") == matmul
    assert resolve("(M N, N K -> M K)").expr is matmul.expr
    assert resolve("sum(M N, N K -> M K)").expr is matmul.expr
    assert resolve("max(M N, N K -> M K)").expr is ir.reduce(ReduceOp.MAX, "N", full(8), product)
    assert resolve("6 * (M N, N K -> M K)").expr is ir.binary(
        BinaryOp.MUL, ir.const(6), matmul.expr
    )
    # Several dropped dims: one reduce each, innermost first in sorted name order.
    assert resolve("(M N, N K -> K)").expr is ir.reduce(
        ReduceOp.SUM, "N", full(8), ir.reduce(ReduceOp.SUM, "M", full(10), product)
    )
    # Three operands fold left.
    assert resolve("(M N, N K, 2 -> M N K)").expr is ir.binary(BinaryOp.MUL, product, ir.const(2))


def test_contraction_transposes_and_broadcasts() -> None:
    transposed = resolve("(M N -> N M)")
    assert transposed.expr is A
    assert transposed.dims == dims(N, M)
    broadcast = resolve("(M N -> M K N)")
    assert broadcast.expr is A
    assert broadcast.dims == dims(M, K, N)
    assert resolve("(M N -> M K[1:3] N)").dims == (M.full, K[1:3], N.full)
    # A dim only the table declares can still be broadcast.
    assert resolve("(M N -> M qctx N)").dims == dims(M, QCTX, N)


def test_contraction_keeps_operand_slices() -> None:
    resolved = resolve("(M[0:5] N[0:4], N[0:4] K -> M K)")
    assert resolved.expr is ir.reduce(
        ReduceOp.SUM, "N", Interval(0, 4), ir.binary(BinaryOp.MUL, A, B)
    )
    assert resolved.dims == (M[0:5], K.full)
    assert resolve("(M[0:5] N -> M[0:5])").dims == (M[0:5],)


def test_elementwise_max() -> None:
    assert resolve("max(M N, N M)").expr is ir.binary(BinaryOp.MAX, A, A)
    zero = resolve("max(M N, 0)")
    assert zero.expr is ir.binary(BinaryOp.MAX, A, ir.const(0))
    assert zero.dims == dims(M, N)


def test_contraction_directly_inside_calls() -> None:
    assert resolve("exp(M N -> M)").expr is ir.unary(
        UnaryOp.EXP, ir.reduce(ReduceOp.SUM, "N", full(8), A)
    )
    logits = ir.reduce(ReduceOp.SUM, "dhead", full(16), ir.binary(BinaryOp.MUL, Q, KEY))
    exp = ir.unary(UnaryOp.EXP, logits)
    resolved = resolve("softmax[nctx](qctx dhead, K:nctx dhead -> qctx nctx)")
    assert resolved.expr is ir.binary(
        BinaryOp.DIV, exp, ir.reduce(ReduceOp.SUM, "nctx", full(64), exp)
    )
    assert resolved.dims == dims(QCTX, NCTX)
    assert resolve("sum[N](M N, N K -> M N K)").dims == dims(M, K)


def test_flash_attention() -> None:
    logits = ir.reduce(ReduceOp.SUM, "dhead", full(16), ir.binary(BinaryOp.MUL, Q, KEY))
    scaled = ir.binary(BinaryOp.DIV, logits, ir.unary(UnaryOp.SQRT, ir.const(16)))
    exp = ir.unary(UnaryOp.EXP, scaled)
    softmax = ir.binary(BinaryOp.DIV, exp, ir.reduce(ReduceOp.SUM, "nctx", full(64), exp))
    expected = ir.reduce(ReduceOp.SUM, "nctx", full(64), ir.binary(BinaryOp.MUL, softmax, VALUE))
    resolved = resolve(FLASH)
    assert resolved.expr is expected
    assert resolved.dims == dims(QCTX, DHEAD)


def test_keywords_match_whole_words_only() -> None:
    table = {**DIMS, "experts": EXPERTS}
    routing = _input("R", (EXPERTS.full, M.full))
    leaf = ir.input_leaf("R", ("experts", "M"))
    assert resolve_spec("exp(experts M)", table, (routing,)).expr is ir.unary(UnaryOp.EXP, leaf)
    assert resolve_spec("sum[experts](M experts)", table, (routing,)).expr is ir.reduce(
        ReduceOp.SUM, "experts", full(4), leaf
    )
    prefixed = {name: FullDim(name, 3) for name in ("maxima", "sums", "expo", "cosine")}
    tile = _input("T", tuple(d.full for d in prefixed.values()))
    assert resolve_spec("cosine expo sums maxima", prefixed, (tile,)).expr is ir.input_leaf(
        "T", ("maxima", "sums", "expo", "cosine")
    )
    with pytest.raises(SpecError) as caught:
        resolve_spec("exp(experts M)", DIMS, INPUTS)
    assert caught.value.diagnostic.message == "bad spec: unknown dim 'experts'"
    assert caret(caught.value) == "exp(experts M)".index("experts")


def test_parse_tree_positions() -> None:
    assert parse_spec("2 * M N") == BinOp(
        "*",
        Number(Fraction(2), 0),
        Tensor(None, (SpecDim("M", None, 4), SpecDim("N", None, 6)), 4),
        2,
    )
    assert parse_spec("K:nctx dhead[0:4]") == Tensor(
        "K", (SpecDim("nctx", None, 2), SpecDim("dhead", Interval(0, 4), 7)), 0
    )
    assert parse_spec("-inf") == Neg(InfLit(1), 0)
    assert parse_spec("sum[N](M N)") == Reduction(
        "sum",
        SpecDim("N", None, 4),
        Tensor(None, (SpecDim("M", None, 7), SpecDim("N", None, 9)), 7),
        0,
    )
    tree = parse_spec("exp(max(M, N -> M)) + max(M, N)")
    assert isinstance(tree, BinOp) and tree.pos == 20
    assert isinstance(tree.left, Func) and isinstance(tree.left.body, Contraction)
    assert tree.left.body.reducer == "max" and tree.left.body.pos == 4
    assert isinstance(tree.right, Max2) and tree.right.pos == 22
    paren = parse_spec("(M N, N K -> M K)")
    assert isinstance(paren, Contraction) and paren.reducer == "sum" and paren.pos == 0
    assert [d.name for d in paren.out_dims] == ["M", "K"]


# ---------------------------------------------------------------------------------------------
# Errors


def caret(err: SpecError) -> int:
    """The offset the caret points at, read off the rendered text as a user sees it."""
    lines = str(err).splitlines()
    spec_line, caret_line = lines[1], lines[2]
    column = caret_line.index("^")
    assert caret_line.strip() == "^"
    assert spec_line.startswith("    ") and column >= 4
    return column - 4


def check_error(err: SpecError, text: str) -> None:
    """The invariants every `SpecError` keeps."""
    assert isinstance(err, ValueError)
    assert err.code == "tnp-bad-spec"
    assert err.diagnostic.code is Code.BAD_SPEC
    assert err.text == text
    lines = str(err).splitlines()
    assert lines[0] == err.diagnostic.message
    assert err.diagnostic.message.startswith("bad spec: ")
    assert "\n" not in err.diagnostic.message
    assert tuple(lines[1:]) == err.diagnostic.notes
    assert err.diagnostic.notes[-1].startswith("fix: ")
    assert len(err.diagnostic.notes[-1]) > len("fix: ")
    if err.position is not None:
        assert len(lines) == 4
        assert 0 <= err.position <= len(text)


# Each spec marks the fault with "@" (never valid in a spec): the caret must sit there.
ERROR_CASES = [
    ("6 * (M N, @Q K -> M K)", "unknown dim 'Q'", "use one of the known dims: K, M, N"),
    ("M N + @xyz", "unknown dim 'xyz'", 'declare xyz = FullDim("xyz", size)'),
    ("(M N -> M @dheads)", "unknown dim 'dheads'", "did you mean dhead?"),
    ("M N @)", "unexpected ')' after a complete expression", "matching '('"),
    ("M N @exp(M N)", "unexpected 'exp' after a complete expression", "operator"),
    ("M N @K:N M", "unexpected 'K' after a complete expression", "operator"),
    ("M N @-> M", "unexpected '->' after a complete expression", "in parentheses"),
    ("M N @, N K", "unexpected ',' after a complete expression", "in parentheses"),
    ("2 * @(M N, N K -> M K", "unclosed '('", "add ')'"),
    ("exp@(M N", "unclosed '('", "add ')'"),
    ("(M N @exp(M N))", "expected ',', '->' or ')', found 'exp'", "operator"),
    ("M N +@", "the spec ends where an expression is expected", "write a value"),
    ("M N + @)", "expected an expression before ')'", "write a value"),
    ("M N + @* 2", "expected an expression, found '*'", "write a value"),
    ("(M N, @-> M)", "expected an expression, found '->'", "write a value"),
    ("M N[@4:2]", "bad slice N[4:2]: it is empty", "e.g. N[2:4]"),
    ("M N[@3:3]", "bad slice N[3:3]: it is empty", "start < stop"),
    ("M N[@a:b]", "bad slice of N: 'a' is not a non-negative integer", "N[0:4]"),
    ("M N[0:@b]", "bad slice of N: 'b' is not a non-negative integer", "N[0:4]"),
    ("M N[@-1:2]", "bad slice of N: '-' is not a non-negative integer", "N[0:4]"),
    ("M N[@0.5:2]", "bad slice of N: '0.5' is not a non-negative integer", "N[0:4]"),
    # In a leaf, `N[0]` is a read at position 0 (tests/core/test_reads.py); elsewhere a slice.
    ("sum[N[0@]](M N)", "bad slice of N: expected ':', found ']'", "N[start:stop]"),
    ("M N@[0:4", "unclosed '['", "N[0:4]"),
    (
        "max(M N, N M, @M N)",
        "max(...) without '->' takes two arguments, got 3",
        "max(max(a, b), c)",
    ),
    ("max(M N@)", "max(x) needs a second argument or '-> dims'", "max[D](x)"),
    ("sum(M N@)", "sum(...) needs '-> dims' before ')'", "sum[D](x)"),
    ("(M N, N K @->)", "nothing after '->'", "-> M K"),
    ("(M N, N K @->", "nothing after '->'", "-> M K"),
    ("(M N @-> 2)", "expected the output dims after '->', found '2'", "-> M K"),
    ("(M N -> @A:M N)", "'A:' names an input, but an output lists dims only", "dim names"),
    ("M N @N", "dim N appears twice in one leaf", "remove the second N"),
    ("(M N -> M @M)", "dim M appears twice in the output", "remove the second M"),
    ("(M N, N K@)", "2 operands separated by ',' need '-> dims'", "(M N, N K -> M K)"),
    ("exp(M N, @N K)", "exp(...) takes one argument, got 2", "exp(a, b -> dims)"),
    ("sum[N](M N, @N K)", "sum[N](...) takes one argument, got 2", "->"),
    ("M @sum", "'sum' is a keyword, not a dim name", "rename it"),
    ("@sum N", "'sum' is a keyword, not a dim name", "sum[D](x)"),
    ("@exp + 1", "'exp' is a keyword, not a dim name", "exp(x)"),
    ("(M N -> M @max)", "'max' is a keyword, not a dim name", "rename it"),
    ("sum[@softmax](M N)", "'softmax' is a keyword, not a dim name", "rename it"),
    ("A:@inf N", "'inf' is a keyword, not a dim name", "rename it"),
    ("softmax@(M N)", "softmax needs the dim it normalizes over, found '('", "softmax[D](x)"),
    ("sum[N @M](M N)", "sum[...] reduces over one dim", "sum[N](sum[M](x))"),
    ("sum[N] @M N", "sum[N] needs its argument in parentheses, found 'M'", "sum[N](x)"),
    ("sum@[N", "unclosed '['", "sum[N](x)"),
    ("A:@)", "expected the dims of input A after 'A:'", "A:M N"),
    ("1 @> 2", "unexpected '>' after a complete expression", "did you mean '->'?"),
    ("1 @= 2", "unexpected character '='", "did you mean '->' or '>='?"),
    ("M N @% 2", "unexpected character '%'", "a spec is made of"),
    ("2 * @2M N", "bad number '2M'", "2 * M N"),
    ("@1e999", "exponent of '1e999' is out of range", "between -300 and 300"),
    ("@" + "1" * 200, "number longer than 100 characters", "exponent"),
    ("M N @+ N K", "operands of '+' have different dims: left M N, right N K", "same dims"),
    (
        "M[0:5] N @* M N",
        "operands of '*' take different slices of M: left M[0:5], right M[0:10]",
        "slice M alike",
    ),
    (
        "@max(M N, N K)",
        "operands of max(a, b) have different dims: left M N, right N K",
        "same dims",
    ),
    (
        "(M N, @N[0:4] K -> M K)",
        "operands of the contraction take different slices of N: N[0:8] and N[0:4]",
        "slice N alike",
    ),
    ("(M N -> M @N[0:4])", "output N[0:4] differs from the operands' N[0:8]", "slice the operand"),
    ("(M N -> M N @K[0:9])", "slice K[0:9] lies outside K, whose size is 6", "K[0:6]"),
    ("M @N[0:20]", "slice N[0:20] lies outside N, whose size is 8", "N[0:8]"),
    ("sum[@N[2:4]](M N[4:8])", "slice N[2:4] lies outside the N[4:8] that the argument", "N[4:8]"),
    ("sum[@K](M N)", "sum[K] of a value without K: its dims are M N", "one of its dims"),
    (
        "softmax[@K](2)",
        "softmax[K] of a value without K: its dims are no dims",
        "give the argument",
    ),
    ("@M K", "no input has dims `M K`", "the inputs are A (M N), B (N K), Q (qctx dhead)"),
    ("@B:M N", "input B has dims N K, not M N", "write B:N K"),
    ("@X:M N", "no input named 'X'", "the inputs are A (M N)"),
    (
        "2 * (@nctx dhead, qctx dhead -> qctx nctx)",
        "ambiguous leaf `nctx dhead`: inputs K and V both have dims nctx dhead",
        "name it: `K:nctx dhead` or `V:nctx dhead`",
    ),
]


@pytest.mark.parametrize(("marked", "message", "fix"), ERROR_CASES)
def test_error_message_caret_and_fix(marked: str, message: str, fix: str) -> None:
    assert marked.count("@") == 1
    text, at = marked.replace("@", ""), marked.index("@")
    with pytest.raises(SpecError) as caught:
        resolve(text)
    err = caught.value
    check_error(err, text)
    assert err.diagnostic.message.startswith(f"bad spec: {message}")
    assert fix in err.diagnostic.notes[-1]
    assert err.position == at
    assert caret(err) == at


def test_unknown_dim_renders_exactly() -> None:
    with pytest.raises(SpecError) as caught:
        resolve_spec("6 * (M N, Q K -> M K)", {"M": M, "N": N, "K": K}, (INPUT_A, INPUT_B))
    assert str(caught.value) == "\n".join(
        [
            "bad spec: unknown dim 'Q'",
            "    6 * (M N, Q K -> M K)",
            "              ^",
            'fix: declare Q = FullDim("Q", size) in the kernel\'s module, '
            "or use one of the known dims: K, M, N",
        ]
    )


def test_ambiguous_leaf_in_the_seed_flash_spec() -> None:
    text = FLASH.replace("K:nctx", "nctx")
    with pytest.raises(SpecError) as caught:
        resolve(text)
    err = caught.value
    check_error(err, text)
    assert err.diagnostic.message == (
        "bad spec: ambiguous leaf `nctx dhead`: inputs K and V both have dims nctx dhead"
    )
    assert err.diagnostic.notes[-1] == (
        "fix: name it: `K:nctx dhead` or `V:nctx dhead` (fix: `tnp fix`)"
    )
    assert err.position == caret(err) == text.index("nctx dhead ->")


def test_ambiguous_leaf_with_an_unnamed_input() -> None:
    unnamed = _input("#3", (NCTX.full, DHEAD.full), True)
    with pytest.raises(SpecError) as caught:
        resolve_spec("dhead nctx", DIMS, (INPUT_K, unnamed))
    err = caught.value
    assert "inputs K and an unnamed input both have dims dhead nctx" in err.diagnostic.message
    assert "name=" in err.diagnostic.notes[-1] and "`K:dhead nctx`" in err.diagnostic.notes[-1]


def test_empty_spec() -> None:
    for text in ("", "   ", "\n\t"):
        with pytest.raises(SpecError) as caught:
            resolve(text)
        err = caught.value
        check_error(err, text)
        assert err.diagnostic.message == "bad spec: empty spec"
        assert err.position is None
        assert err.diagnostic.notes[0] == '    ""'


def test_deep_nesting_is_a_spec_error_not_a_recursion_error() -> None:
    # The caret sits on the opener one level too deep.
    cases = [
        ("(" * 10000, MAX_NESTING),
        ("(" * 10000 + "M N" + ")" * 10000, MAX_NESTING),
        ("exp(" * 10000, 4 * MAX_NESTING + 3),
        ("sum[N](" * 5000, 7 * MAX_NESTING + 3),
    ]
    for text, at in cases:
        with pytest.raises(SpecError) as caught:
            resolve(text)
        check_error(caught.value, text)
        assert "nests more than" in caught.value.diagnostic.message
        assert caught.value.position == at
        # The line is cut to a window around the fault; the caret still sits on the opener.
        spec_line = str(caught.value).splitlines()[1]
        assert spec_line[caret(caught.value) + 4] == text[at]
    nested = "(" * MAX_NESTING + "M N" + ")" * MAX_NESTING
    assert resolve(nested).expr is A


def test_long_chains_do_not_recurse() -> None:
    # A parser that recursed once per term or per sign would need 20,000 frames: allow a few
    # hundred above the current depth, so recursion fails loudly here whatever the machine.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 300)
    try:
        long_sum = " + ".join(["M N"] * 20000)
        assert resolve(long_sum).dims == dims(M, N)
        minus = "-" * 20000 + "M N"
        assert resolve(minus).dims == dims(M, N)
        with pytest.raises(SpecError):
            resolve("M N " * 20000)
        with pytest.raises(SpecError):
            resolve("M N + " * 20000)
    finally:
        sys.setrecursionlimit(limit)


def test_multiline_and_long_specs_keep_the_caret_aligned() -> None:
    text = "2 * (M N,\n\tN K\n  -> M Q)"
    with pytest.raises(SpecError) as caught:
        resolve(text)
    lines = str(caught.value).splitlines()
    assert lines[1] == "      -> M Q)"
    assert lines[2].index("^") == lines[1].index("Q")
    long_text = " + ".join(["M N"] * 100) + " + M Q"
    with pytest.raises(SpecError) as caught:
        resolve(long_text)
    lines = str(caught.value).splitlines()
    assert len(lines[1]) < 120
    assert lines[1][lines[2].index("^")] == "Q"


def test_spec_error_pickles() -> None:
    with pytest.raises(SpecError) as caught:
        resolve("M Q")
    clone = pickle.loads(pickle.dumps(caught.value))
    assert str(clone) == str(caught.value)
    assert clone.diagnostic == caught.value.diagnostic


# ---------------------------------------------------------------------------------------------
# Annotations


def test_parse_and_resolve_dims() -> None:
    assert parse_dims("M N") == (SpecDim("M", None, 0), SpecDim("N", None, 2))
    assert parse_dims("  qctx   dhead ") == (SpecDim("qctx", None, 2), SpecDim("dhead", None, 9))
    assert resolve_dims("qctx dhead", DIMS) == dims(QCTX, DHEAD)
    assert resolve_dims("N[0:4] M", DIMS) == (N[0:4], M.full)
    assert resolve_dims("experts", {"experts": EXPERTS}) == dims(EXPERTS)


@pytest.mark.parametrize(
    ("marked", "message"),
    [
        ("M @M", "dim M appears twice in these dims"),
        ("M @sum", "'sum' is a keyword, not a dim name"),
        ("M@, N", "unexpected ',' in a list of dims"),
        ("@K:M N", "'K:' names an input, which dims cannot do"),
        ("M @Q", "unknown dim 'Q'"),
        ("@experts", "unknown dim 'experts'"),
        ("M @N[0:9]", "slice N[0:9] lies outside N, whose size is 8"),
        ("M N[@5:1]", "bad slice N[5:1]: it is empty"),
    ],
)
def test_dims_errors(marked: str, message: str) -> None:
    text, at = marked.replace("@", ""), marked.index("@")
    with pytest.raises(SpecError) as caught:
        resolve_dims(text, DIMS)
    check_error(caught.value, text)
    assert caught.value.diagnostic.message == f"bad spec: {message}"
    assert caret(caught.value) == at


def test_empty_dims() -> None:
    with pytest.raises(SpecError) as caught:
        parse_dims(" ")
    assert caught.value.diagnostic.message == "bad spec: empty dims"


# ---------------------------------------------------------------------------------------------
# Robustness: whatever the text, a result or a SpecError


VALID_SPECS = [
    "6 * (M N, N K -> M K)",
    FLASH,
    "softmax[nctx](qctx dhead, K:nctx dhead -> qctx nctx)",
    "max(M N, -inf) + (exp(M N -> M) * sum[N[0:4]](N M) -> M N)",
    "sqrt(16) / (M[0:5] N, N K -> K M) - 0.5e-2",
    "max[dhead](Q:qctx dhead) + log(sum(qctx dhead -> qctx))",
]
SPEC_CHARS = "MNKQAV qctxnkdheaexpsumfo()[],:+-*/>0123456789.e\t\n@_"


@st.composite
def mutated_specs(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(VALID_SPECS))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["insert", "delete", "replace"]))
        char = draw(st.one_of(st.sampled_from(SPEC_CHARS), st.characters()))
        if edit == "insert":
            text = text[:at] + char + text[at:]
        elif edit == "delete":
            text = text[:at] + text[at + 1 :]
        else:
            text = text[:at] + char + text[at + 1 :]
    return text


def resolves_or_spec_error(text: str) -> None:
    try:
        resolved = resolve(text)
    except SpecError as err:
        check_error(err, text)
        if err.position is not None:
            assert caret(err) >= 0
        return
    assert isinstance(resolved, ResolvedSpec)
    assert len({s.name for s in resolved.dims}) == len(resolved.dims)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=80), st.text(alphabet=SPEC_CHARS, max_size=80), mutated_specs()))
def test_any_text_resolves_or_raises_spec_error(text: str) -> None:
    resolves_or_spec_error(text)


def test_valid_specs_resolve() -> None:
    for text in VALID_SPECS:
        resolved = resolve(text)
        # Every result dim is one of the declared dims, and no dim appears twice.
        names = [s.name for s in resolved.dims]
        assert len(set(names)) == len(names) and set(names) <= set(DIMS), text


@st.composite
def pointwise_specs(draw: st.DrawFn, depth: int = 0) -> str:
    """Well-formed pointwise specs over `M N`: they must always resolve, with dims M N."""
    if depth > 3 or draw(st.booleans()):
        return draw(st.sampled_from(["M N", "N M", "A:N M", "(M N -> M N)"]))
    inner = draw(pointwise_specs(depth + 1))
    form = draw(st.integers(0, 6))
    if form == 0:
        return f"-{inner}"
    if form == 1:
        return f"{draw(st.sampled_from(['exp', 'log', 'sqrt', 'sin', 'cos']))}({inner})"
    if form == 2:
        return f"max({inner}, {draw(pointwise_specs(depth + 1))})"
    if form == 3:
        return f"softmax[{draw(st.sampled_from('MN'))}]({inner})"
    if form == 4:
        number = draw(st.sampled_from(["2", "0.5", "1e-3", "inf"]))
        return f"({number} {draw(st.sampled_from('+-*/'))} {inner})"
    if form == 5:
        return f"sum[K]({inner}, N K -> M N K)"
    return f"({inner} {draw(st.sampled_from('+-*/'))} {draw(pointwise_specs(depth + 1))})"


@settings(max_examples=200, deadline=None)
@given(pointwise_specs())
def test_generated_pointwise_specs_resolve(text: str) -> None:
    resolved = resolve(text)
    assert {s.name for s in resolved.dims} == {"M", "N"}
    assert all(s.is_full for s in resolved.dims)
