"""Shifted reads: the `Read` node, index arithmetic, re-indexing, the rules of window / shift /
at, and proofs of convolutions (the window form and the unrolled filter), with near-misses."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.normal_eval import close, value_at
from tnp_runtime.core import indexing, ir, reads
from tnp_runtime.core.diagnostics import Code, Violation
from tnp_runtime.core.dims import FullDim, Interval
from tnp_runtime.core.evaluate import Evaluator, differ
from tnp_runtime.core.ir import BinaryOp, ReduceOp
from tnp_runtime.core.normalize import normalize
from tnp_runtime.core.prove import Proved, Refuted, prove
from tnp_runtime.core.rules import Abstract
from tnp_runtime.core.spec import SpecError, SpecInput, resolve_spec
from tnp_runtime.core.spot_check import spot_check

N, P, K = FullDim("N", 10), FullDim("P", 8), FullDim("K", 3)
X = ir.input_leaf("x", ("N",), serial=9001)
W = ir.input_leaf("w", ("K",), serial=9002)
assert isinstance(X, ir.Input) and isinstance(W, ir.Input)
AFFINE = indexing.affine


def _spec(text: str) -> ir.Expr:
    inputs = [SpecInput(X, (N.full,)), SpecInput(W, (K.full,))]
    return resolve_spec(text, {"N": N, "P": P, "K": K}, inputs).expr


def _sum(terms: list[ir.Expr]) -> ir.Expr:
    total = terms[0]
    for term in terms[1:]:
        total = ir.binary(BinaryOp.ADD, total, term)
    return total


def _unrolled(offset: int = 0, taps: tuple[int, ...] = (0, 1, 2)) -> ir.Expr:
    """sum over k of w[taps[k]] * x[o + k + offset], as a kernel that unrolled its filter."""
    return _sum([
        ir.binary(
            BinaryOp.MUL,
            ir.read(W, {"K": AFFINE({}, taps[k])}),
            ir.read(X, {"N": AFFINE({"P": 1}, k + offset)}),
        )
        for k in range(3)
    ])


CONV = "(w:K, x:N[P + K] -> P)"


def test_identity_read_is_the_input_leaf() -> None:
    assert ir.read(X, {"N": indexing.identity("N")}) is X
    assert ir.read(X, {}) is X


def test_reads_are_interned_by_input_and_positions() -> None:
    one = ir.read(X, {"N": AFFINE({"P": 1, "K": 1})})
    assert one is ir.read(X, {"N": AFFINE({"K": 1, "P": 1})})
    assert one is not ir.read(X, {"N": AFFINE({"P": 1, "K": 1}, 1)})
    assert ir.free_dims(one) == {"P", "K"}
    assert ir.inputs_of(one) == [X]


def test_affine_text_compose_and_span() -> None:
    assert str(AFFINE({"P": 1, "K": 1})) == "K + P"
    assert str(AFFINE({"P": 2}, -1)) == "2 * P - 1"
    assert str(AFFINE({}, 3)) == "3"
    composed = indexing.compose(AFFINE({"N": 1}, 1), {"N": AFFINE({"P": 1, "K": 1})})
    assert composed == AFFINE({"P": 1, "K": 1}, 1)
    assert indexing.span(composed, {"P": Interval(0, 4), "K": Interval(0, 3)}) == Interval(1, 7)


def test_reindex_pushes_positions_to_the_leaves_and_refuses_capture() -> None:
    term = ir.unary(ir.UnaryOp.EXP, X)
    shifted = indexing.reindex(term, {"N": AFFINE({"P": 1}, 2)})
    assert shifted is ir.unary(ir.UnaryOp.EXP, ir.read(X, {"N": AFFINE({"P": 1}, 2)}))
    binds_k = ir.reduce(ReduceOp.SUM, "K", Interval(0, 3), ir.binary(BinaryOp.MUL, X, W))
    with pytest.raises(indexing.Capture):
        indexing.reindex(binds_k, {"N": AFFINE({"P": 1, "K": 1})})


def test_substituting_a_parameter_under_a_read_reindexes_the_argument() -> None:
    read = ir.read(X, {"N": AFFINE({"P": 1}, 1)})
    assert ir.substitute(read, {X: ir.unary(ir.UnaryOp.NEG, X)}) is ir.unary(ir.UnaryOp.NEG, read)


def test_window_rule_dims_and_out_of_range() -> None:
    value = Abstract((N.full,), X)
    step = reads.window(value, "N", P[0:4], K.full)
    assert [s.name for s in step.value.dims] == ["P", "K"]
    assert step.value.expr is ir.read(X, {"N": AFFINE({"P": 1, "K": 1})})
    with pytest.raises(Violation) as err:
        reads.window(Abstract((N[0:4],), X), "N", P[0:4], K.full)
    assert err.value.diagnostic.code is Code.DIM
    assert "N[4:6] not held" in err.value.diagnostic.message


def test_at_and_shift_rules() -> None:
    tap = ir.read(W, {"K": AFFINE({}, 2)})
    assert reads.at(Abstract((K.full,), W), "K", 2).value == Abstract((), tap)
    shifted = reads.shift(Abstract((N.full,), X), "N", P[0:4], 1)
    assert shifted.value.expr is ir.read(X, {"N": AFFINE({"P": 1}, 1)})
    with pytest.raises(Violation):
        reads.shift(Abstract((N.full,), X), "N", P.full, 3)  # reaches N = 10


def test_window_kernel_is_proved() -> None:
    body = ir.binary(BinaryOp.MUL, ir.read(X, {"N": AFFINE({"P": 1, "K": 1})}), W)
    kernel = ir.reduce(ReduceOp.SUM, "K", Interval(0, 3), body)
    assert normalize(kernel) is normalize(_spec(CONV))
    assert isinstance(prove(kernel, _spec(CONV), (P[0:4],)), Proved)


def test_window_kernel_split_over_taps_is_proved() -> None:
    body = ir.binary(BinaryOp.MUL, ir.read(X, {"N": AFFINE({"P": 1, "K": 1})}), W)
    parts = [ir.reduce(ReduceOp.SUM, "K", Interval(a, b), body) for a, b in ((0, 1), (1, 3))]
    assert isinstance(prove(_sum(parts), _spec(CONV), (P[0:4],)), Proved)


def test_unrolled_filter_is_proved_through_tap_expansion() -> None:
    assert normalize(_unrolled()) is not normalize(_spec(CONV))  # only after expansion
    assert isinstance(prove(_unrolled(), _spec(CONV), (P[4:8],)), Proved)


@pytest.mark.parametrize(
    ("offset", "taps"),
    [(1, (0, 1, 2)), (-1, (0, 1, 2)), (0, (2, 1, 0)), (0, (0, 1, 1))],
    ids=["offset+1", "offset-1", "flipped filter", "wrong tap"],
)
def test_near_misses_are_refused(offset: int, taps: tuple[int, ...]) -> None:
    verdict = prove(_unrolled(offset, taps), _spec(CONV), (P[1:7],))
    assert isinstance(verdict, Refuted)


def test_expansion_keeps_long_reductions() -> None:
    over = Interval(0, indexing.MAX_TAPS + 1)
    long = ir.reduce(ReduceOp.SUM, "P", over, ir.read(X, {"N": AFFINE({"P": 1})}))
    assert indexing.expand_taps(long) is long
    short = ir.reduce(ReduceOp.SUM, "K", Interval(0, 2), ir.read(X, {"N": AFFINE({"K": 1})}))
    expanded = indexing.expand_taps(short)
    first, second = (ir.read(X, {"N": AFFINE({}, k)}) for k in (0, 1))
    assert expanded is ir.binary(BinaryOp.ADD, first, second)


def test_spot_check_evaluates_reads_at_their_positions() -> None:
    kernel = _unrolled()
    assert spot_check(kernel, _spec(CONV), (P[0:8],), {"N": 10, "P": 8, "K": 3}) is None
    wrong = _unrolled(1)
    found = spot_check(wrong, _spec(CONV), (P[0:7],), {"N": 10, "P": 8, "K": 3})
    assert found is not None


def test_spec_leaf_position_syntax() -> None:
    spec = _spec("x:N[P + 1]")
    assert spec is ir.read(X, {"N": AFFINE({"P": 1}, 1)})
    assert _spec("x:N[2 * K - 0]") is ir.read(X, {"N": AFFINE({"K": 2})})
    with pytest.raises(SpecError, match=r"reads N at positions 0:15, outside N\[0:10\]"):
        _spec("x:N[2 * P]")


# -- gather by an integer index input ----------------------------------------------------------

B, V = FullDim("B", 4), FullDim("V", 6)
LOGITS = ir.input_leaf("logits", ("B", "V"), serial=9003)
OTHER = ir.input_leaf("other", ("B", "V"), serial=9004)
T = ir.input_leaf("t", ("B",), serial=9005)
T2 = ir.input_leaf("t2", ("B",), serial=9006)
assert isinstance(LOGITS, ir.Input) and isinstance(OTHER, ir.Input)
assert isinstance(T, ir.Input) and isinstance(T2, ir.Input)


def _gather_spec(text: str) -> ir.Expr:
    inputs = [
        SpecInput(node, tuple(FullDim(d, {"B": 4, "V": 6}[d]).full for d in node.dims))
        for node in (LOGITS, OTHER, T, T2)
    ]
    return resolve_spec(text, {"B": B, "V": V}, inputs).expr


def test_gathers_are_one_node_exactly_for_the_same_input_and_index() -> None:
    one = ir.read(LOGITS, {"V": ir.Gather(T, 6)})
    assert one is ir.read(LOGITS, {"V": ir.Gather(T, 6)})
    assert one is not ir.read(LOGITS, {"V": ir.Gather(T2, 6)})
    assert one is not ir.read(OTHER, {"V": ir.Gather(T, 6)})
    assert ir.free_dims(one) == {"B"}
    assert ir.inputs_of(one) == [LOGITS, T]
    assert _gather_spec("logits:B V[t:B]") is one


def test_gather_rule_needs_all_of_the_dim_and_an_input_index() -> None:
    value = Abstract((B[0:2], V.full), LOGITS)
    index = Abstract((B[0:2],), T)
    step = reads.gather(value, "V", index)
    assert step.value == Abstract((B[0:2],), ir.read(LOGITS, {"V": ir.Gather(T, 6)}))
    with pytest.raises(Violation, match="holds only V"):
        reads.gather(Abstract((B[0:2], V[0:3]), LOGITS), "V", index)
    with pytest.raises(Violation, match="must be an input"):
        reads.gather(value, "V", Abstract((B[0:2],), ir.unary(ir.UnaryOp.NEG, T)))
    with pytest.raises(Violation, match="other dims and slices"):
        reads.gather(value, "V", Abstract((B.full,), T))


def test_cross_entropy_is_proved_and_the_wrong_gather_refused() -> None:
    spec = _gather_spec("log(sum[V](exp(logits:B V))) - logits:B V[t:B]")
    lse = ir.unary(ir.UnaryOp.LOG, ir.reduce(
        ReduceOp.SUM, "V", Interval(0, 6), ir.unary(ir.UnaryOp.EXP, LOGITS)))
    for index, source, proved in ((T, LOGITS, True), (T2, LOGITS, False), (T, OTHER, False)):
        kernel = ir.binary(BinaryOp.SUB, lse, ir.read(source, {"V": ir.Gather(index, 6)}))
        verdict = prove(kernel, spec, (B[0:2],))
        assert isinstance(verdict, Proved if proved else Refuted), (index, source)


def test_gathered_positions_are_whole_numbers_in_range() -> None:
    positions = {indexing.gathered(ir.Gather(T, 6), (b,)) for b in range(50)}
    assert positions <= set(range(6)) and len(positions) > 1


# -- soundness: Proved implies equal values, on random unrolled filters --------------------------


@settings(max_examples=60, deadline=None)
@given(
    offsets=st.lists(st.integers(-1, 1), min_size=3, max_size=3),
    taps=st.permutations([0, 1, 2]),
    order=st.permutations([0, 1, 2]),
)
def test_unrolled_filters_are_proved_exactly_when_right(
    offsets: list[int], taps: list[int], order: list[int]
) -> None:
    terms = [
        ir.binary(
            BinaryOp.MUL,
            ir.read(X, {"N": AFFINE({"P": 1}, k + offsets[k])}),
            ir.read(W, {"K": AFFINE({}, taps[k])}),
        )
        for k in order
    ]
    kernel, spec = _sum(terms), _spec(CONV)
    # Right when each term reads x at the tap it multiplies (x at P + j with w[j], every j once).
    right = sorted((k + offsets[k], taps[k]) for k in range(3)) == [(0, 0), (1, 1), (2, 2)]
    verdict = prove(kernel, spec, (P[1:7],))
    assert isinstance(verdict, Proved) == right
    evaluator = Evaluator()
    values = [(evaluator.at(kernel, {"P": p}), evaluator.at(spec, {"P": p})) for p in range(1, 7)]
    assert all(not differ(k, s) for k, s in values) == right
    if right:
        assert all(close(value_at(normalize(kernel), {"P": p}), s) for p, (_, s) in
                   zip(range(1, 7), values, strict=True))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x:N[P +]", "bad position of N: expected a dim or a non-negative integer, found ']'"),
        ("x:N[P K]", "bad position of N: expected '+', '-' or ']', found 'K'"),
        ("x:N[P + K", "unclosed '['"),
        ("x:N[2 * 3]", "expected a dim after '2 *' in the position of N, found '3'"),
        ("x:N[Q + K]", "unknown dim 'Q'"),
        ("x:N[P + 3]", "N[P + 3] reads N at positions 3:11, outside N[0:10] of input x"),
        ("w:K K[1]", "dim K appears twice in one leaf"),
        ("x:N[t:]", "bad index input t: expected its dims, then ']', found ']'"),
        ("x:N[zz:K]", "bad slice of N: 'zz' is not a non-negative integer, nor an index input"),
    ],
)
def test_position_syntax_errors(text: str, message: str) -> None:
    with pytest.raises(SpecError) as caught:
        _spec(text)
    assert message in str(caught.value)
