"""`let` in the spec language (`core/spec_let.py`): a bound name is its expression's tree, so a
spec with `let` resolves to the very IR node of the spec written out; each fault is a
`SpecError` with a caret under it; `same_spec_text` compares texts by their trees."""

from __future__ import annotations

import pytest

from tnp_runtime.core import ir
from tnp_runtime.core.dims import FullDim
from tnp_runtime.core.spec import SpecError, SpecInput, parse_spec, resolve_spec
from tnp_runtime.core.spec_let import parse_let, same_spec_text

M, N = FullDim("M", 4), FullDim("N", 256)
DIMS = {"M": M, "N": N}
X = SpecInput(ir.new_input("x", ("M", "N")), (M.full, N.full))

LAYERNORM_WRITTEN_OUT = (
    "(x:M N - (sum[N](x:M N) -> M N) / 256) / (sqrt(sum[N]((x:M N - (sum[N](x:M N) -> M N) / 256)"
    " * (x:M N - (sum[N](x:M N) -> M N) / 256)) / 256 + 0.00001) -> M N)"
)
LAYERNORM_LET = (
    "let mu = (sum[N](x:M N) -> M N) / 256, deviation = x:M N - mu"
    " in deviation / (sqrt(sum[N](deviation * deviation) / 256 + 0.00001) -> M N)"
)


def resolve(text: str) -> ir.Expr:
    return resolve_spec(text, DIMS, [X]).expr


def test_let_resolves_to_the_node_of_the_spec_written_out() -> None:
    assert resolve(LAYERNORM_LET) is resolve(LAYERNORM_WRITTEN_OUT)
    nested = "let mu = (sum[N](x:M N) -> M N) / 256 in let deviation = x:M N - mu in " + (
        "deviation / (sqrt(sum[N](deviation * deviation) / 256 + 0.00001) -> M N)"
    )
    assert resolve(nested) is resolve(LAYERNORM_WRITTEN_OUT)


def test_a_bound_name_stands_wherever_an_expression_does() -> None:
    assert resolve("let s = sum[N](x:M N) in exp(s) + max(s, 0) * 2") is resolve(
        "exp(sum[N](x:M N)) + max(sum[N](x:M N), 0) * 2"
    )
    assert resolve("let y = x:M N in (y, y -> M)") is resolve("(x:M N, x:M N -> M)")


def test_without_let_nothing_changes() -> None:
    """`let`, `in` and `=` are special only in a spec that starts with `let NAME =`."""
    let_dim, in_dim = FullDim("let", 2), FullDim("in", 2)
    leaf = SpecInput(ir.new_input("t", ("let", "in")), (let_dim.full, in_dim.full))
    resolved = resolve_spec("2 * let in", {"let": let_dim, "in": in_dim}, [leaf])
    assert resolved.expr is ir.binary(ir.BinaryOp.MUL, ir.const(2), leaf.leaf)
    with pytest.raises(SpecError, match="unexpected character '='"):
        parse_spec("M N = 2")
    assert parse_let("2 * M N").bindings == ()


@pytest.mark.parametrize(
    ("text", "problem", "caret"),
    [
        ("let mu = sum[N](x:M N)", "let needs 'in' before the spec's body", "let"),
        ("let mu = sum[N](x:M N) x:M N", "let needs 'in' before the spec's body", "x:M N"),
        ("let mu = sum[N](x:M N) in", "nothing after 'in'", ""),
        ("let mu = sum[N](x:M N) in x:M N", "'mu' is bound by let but never used", "mu ="),
        ("let mu = sum[N](x:M N) in muu", "never used ('muu' is written where it may be meant)",
         "mu ="),
        ("let a = b * 2, b = sum[N](x:M N) in a", "'b' is used before its binding", "b * 2"),
        ("let a = sum[N](x:M N) in (M a -> M N)", "'a' is a name bound by let, not a dim",
         "a -> M N)"),
        ("let exp = x:M N in exp", "'exp' is a keyword and cannot be bound", "exp ="),
        ("let a = x:M N, a = x:M N in a", "'a' is bound twice", "a = x:M N in"),
        ("let a = x:M N, 3 in a", "expected another binding after ','", "3 in"),
    ],
)
def test_syntax_faults_have_a_caret(text: str, problem: str, caret: str) -> None:
    with pytest.raises(SpecError) as info:
        parse_spec(text)
    assert problem in info.value.problem
    assert info.value.position == (len(text.rstrip()) if caret == "" else text.rindex(caret))
    assert info.value.fix


@pytest.mark.parametrize(
    ("text", "problem", "caret"),
    [
        ("let mu = sum[N](x:M N) in mu + bogus", "unknown name 'bogus': neither bound by let",
         "bogus"),
        ("let N = sum[N](x:M N) in N * 2", "let binds 'N', which is already the name of a dim",
         "N ="),
        ("let x = sum[N](x:M N) in x * 2", "which is already the name of an input", "x ="),
    ],
)
def test_resolution_faults_have_a_caret(text: str, problem: str, caret: str) -> None:
    parse_spec(text)  # they parse: the fault needs the dims and the inputs
    with pytest.raises(SpecError) as info:
        resolve(text)
    assert problem in info.value.problem
    assert info.value.position == text.index(caret)


def test_unknown_name_suggests_the_close_binding() -> None:
    with pytest.raises(SpecError) as info:
        resolve("let avg = sum[N](x:M N) in avg + avgg")
    assert "did you mean avg?" in info.value.fix


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("6*(M N,N K->M K)", "6 * (M N, N K -> M K)", True),
        ("  2 * x:M N\n", "2*x:M   N", True),
        ("(2) * (x:M N)", "2 * x:M N", True),
        ("let a = x:M N in 2 * a", "2 * x:M N", True),
        (LAYERNORM_LET, LAYERNORM_WRITTEN_OUT, True),
        ("2 * x:M N", "3 * x:M N", False),
        ("2 * x:M N", "x:M N * 2", False),  # provably the same spec, but another tree
        ("2 * M N", "2 * N M", False),  # another order of the leaf's dims
        ("2 * x:M N", "2 * (", False),  # a text that does not parse is no spec
    ],
)
def test_same_spec_text_compares_trees(first: str, second: str, same: bool) -> None:
    assert same_spec_text(first, second) is same
    assert same_spec_text(second, first) is same
