"""`core/rules.py`, the abstract semantics both halves run: each rule with a case that breaks it
(a `tnp-dim` violation naming both sides) and one that passes (the dims and the term it
builds), and the parts the spec resolver applies too (pointwise operands meet, slices lie within
what is held, contraction operands agree on shared dims, a contraction always builds the same
node). The same rules through the runtime's API: tests/runtime/test_rules.py."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from tnp_runtime.core import ir, rules
from tnp_runtime.core.diagnostics import Code, Violation
from tnp_runtime.core.dims import FullDim, Interval, Sliced
from tnp_runtime.core.ir import BinaryOp, ReduceOp, UnaryOp
from tnp_runtime.core.rules import Abstract

M, N, K = FullDim("M", 8), FullDim("N", 8), FullDim("K", 4)
A = Abstract((M.full, N.full), ir.input_leaf("A", ("M", "N")))
B = Abstract((N.full, K.full), ir.input_leaf("B", ("N", "K")))
X = Abstract((M.full, N.full), ir.input_leaf("X", ("M", "N")))


def violation(match: str) -> pytest.RaisesContext[Violation]:
    return pytest.raises(Violation, match=match)


def dim_code(raised: pytest.ExceptionInfo[Violation]) -> Code:
    return raised.value.diagnostic.code


def test_binary_on_matching_dims_builds_the_term() -> None:
    summed = rules.binary(BinaryOp.ADD, A, X)
    assert summed.dims == A.dims
    assert summed.expr is ir.binary(BinaryOp.ADD, A.expr, X.expr)
    # Dims match by name, not position: the left's order is kept.
    transposed = Abstract((N.full, M.full), X.expr)
    assert rules.binary(BinaryOp.MUL, A, transposed).dims == A.dims


def test_binary_on_different_dims_names_what_each_side_has() -> None:
    with violation("operands of `\\*` have different dims") as raised:
        rules.binary(BinaryOp.MUL, A, B)
    assert dim_code(raised) is Code.DIM
    message = raised.value.diagnostic.message
    assert "only the left has M" in message and "only the right has K" in message
    assert "left is `A:M N` over M[0:8] N[0:8]" in message


def test_binary_on_different_slices_or_sizes_is_refused() -> None:
    top = rules.slice_dim(A, "M", 0, 4).value
    bottom = rules.slice_dim(X, "M", 4, 8).value
    with violation(r"slices of M differ \(M\[0:4\] vs M\[4:8\]\)"):
        rules.binary(BinaryOp.ADD, top, bottom)
    assert rules.binary(BinaryOp.ADD, top, rules.slice_dim(X, "M", 0, 4).value).dims == top.dims
    other_m = Abstract((FullDim("M", 9).full, N.full), X.expr)
    with violation("disagree on dim M: size 8 vs 9"):
        rules.binary(BinaryOp.ADD, A, other_m)


def test_numbers_broadcast_as_exact_constants() -> None:
    right = rules.binary(BinaryOp.MUL, A, 0.1)
    assert right.dims == A.dims
    assert right.expr is ir.binary(BinaryOp.MUL, A.expr, ir.const(Fraction(1, 10)))
    left = rules.binary(BinaryOp.SUB, 2, A)
    assert left.expr is ir.binary(BinaryOp.SUB, ir.const(2), A.expr)
    assert rules.scalar_expr(-math.inf) is ir.inf(True)
    with violation("nan is not a value"):
        rules.binary(BinaryOp.ADD, A, math.nan)


def test_unary_keeps_the_dims() -> None:
    value = rules.unary(UnaryOp.EXP, A)
    assert value.dims == A.dims and value.expr is ir.unary(UnaryOp.EXP, A.expr)


def test_reduce_removes_the_dim_over_its_current_slice() -> None:
    part = rules.slice_dim(A, "N", 2, 4).value
    reduced = rules.reduce(ReduceOp.SUM, part, "N")
    assert reduced.dims == (M.full,)
    assert reduced.expr is ir.reduce(ReduceOp.SUM, "N", Interval(2, 4), A.expr)
    with violation("cannot max over K: the value has no dim K"):
        rules.reduce(ReduceOp.MAX, A, "K")


def test_slice_takes_absolute_indices_within_the_current_slice() -> None:
    step = rules.slice_dim(rules.slice_dim(A, "M", 2, 8).value, "M", 4, 6)
    assert step.value.sliced("M") == M[4:6]
    assert (step.axis, step.offset_start, step.offset_stop) == (0, 2, 4)
    assert step.value.expr is A.expr  # slices live in the DimType, not in the term
    held = rules.slice_dim(A, "M", 2, 6).value
    with violation(r"outside the value's current slice M\[2:6\]"):
        rules.slice_dim(held, "M", 0, 4)
    with violation("is outside dim M of size 8"):
        rules.slice_dim(A, "M", 4, 12)
    with violation(r"slice M\[4:4\] is empty"):
        rules.slice_dim(A, "M", 4, 4)
    with violation("cannot slice K: the value has no dim K"):
        rules.slice_dim(A, "K", 0, 2)


def test_repeat_adds_a_new_dim_last() -> None:
    repeated = rules.repeat(A, K)
    assert repeated.dims == (M.full, N.full, K.full) and repeated.expr is A.expr
    assert rules.repeat(A, K[0:2]).dims[-1] == K[0:2]
    with violation("cannot repeat along N: the value already has it"):
        rules.repeat(A, N)
    with violation(r"repeat slice K\[2:6\] is outside dim K"):
        rules.repeat(A, K[2:6])


def test_rearrange_is_a_permutation_of_the_dims() -> None:
    value, perm = rules.rearrange(A, ("N", "M"))
    assert value.dims == (N.full, M.full) and perm == (1, 0)
    for names in (("M",), ("M", "K"), ("M", "M")):
        with violation("is not a reordering of the value's dims M N"):
            rules.rearrange(A, names)


@pytest.mark.parametrize(("subscripts", "count", "match"), [
    ("M N, N K", 2, "need exactly one '->'"),
    ("M N, N K -> M -> K", 2, "need exactly one '->'"),
    ("M 1N, N K -> M K", 2, "'1N' is not a dim name"),
    ("M M, N K -> M K", 2, "repeat a dim in one operand"),
    ("M N -> M", 2, "describe 1 operands but 2 were given"),
])
def test_bad_einsum_subscripts_are_refused(subscripts: str, count: int, match: str) -> None:
    with violation(match):
        rules.parse_subscripts(subscripts, count)


def test_einsum_multiplies_and_sums_the_missing_dims() -> None:
    step = rules.einsum([A, B], "M N, N K -> M K")
    assert step.value.dims == (M.full, K.full)
    product = ir.binary(BinaryOp.MUL, A.expr, B.expr)
    assert step.value.expr is ir.reduce(ReduceOp.SUM, "N", N.full.interval, product)
    assert step.numpy_subscripts == "ab,bc->ac"


def test_einsum_operands_must_match_their_subscripts_and_each_other() -> None:
    # Operands match their subscripts by dim name, in any order.
    assert rules.einsum([A, B], "N M, K N -> M K").value.dims == (M.full, K.full)
    with violation("einsum operand 2 has dims N K but the subscripts"):
        rules.einsum([A, B], "M N, N M -> M")
    with violation("einsum operands disagree on N"):
        rules.einsum([A, Abstract((N[0:3], K.full), B.expr)], "M N, N K -> M K")
    with violation("einsum output dim Q is in no operand"):
        rules.einsum([A, B], "M N, N K -> M Q")


def test_a_tile_must_have_the_results_dims_and_lie_inside_it() -> None:
    result_dims = (M.full, K.full)
    tile = Abstract((K[0:2], M[4:8]), ir.input_leaf("T", ("K", "M")))
    # The region comes back in the result's dim order.
    assert rules.check_tile(tile, result_dims, "spec") == (M[4:8], K[0:2])
    with violation("assign: the tile has dims M N but the result `spec` has dims M K"):
        rules.check_tile(A, result_dims, "spec")
    # Another dim K (of size 2) is not this one, even where the intervals agree.
    other_k = (M.full, FullDim("K", 2).full)
    with violation(r"assign: the tile's K\[0:2\] lies outside the result's K\[0:2\]"):
        rules.check_tile(tile, other_k, "spec")


def test_write_diagnostic_names_the_value_or_the_result() -> None:
    on_value = rules.write_diagnostic(A)
    on_result = rules.write_diagnostic("2 * (M N)")
    assert on_value.code is Code.WRITE and on_result.code is Code.WRITE
    assert "the value `A:M N` over M[0:8] N[0:8]" in on_value.message
    assert "result `2 * (M N)`" in on_result.message
    assert on_value.notes == on_result.notes and on_value.notes


# -- the parts the spec resolver shares ---------------------------------------------------------


def part(dim: FullDim, start: int, stop: int) -> Sliced:
    return Sliced(dim, Interval(start, stop))


def test_pointwise_operands_meet_in_any_order() -> None:
    assert rules.pointwise_mismatch((M.full, N.full), (N.full, M.full)) is None


def test_pointwise_mismatch_kinds() -> None:
    assert rules.pointwise_mismatch((M.full,), (M.full, N.full)) == (rules.Mismatch.DIMS, "")
    other_m = FullDim("M", 16)
    assert rules.pointwise_mismatch((M.full,), (other_m.full,)) == (rules.Mismatch.SIZE, "M")
    assert rules.pointwise_mismatch((M.full, N.full), (M.full, part(N, 0, 4))) == (
        rules.Mismatch.SLICE,
        "N",
    )


def test_slice_fault() -> None:
    held = part(N, 0, 4)
    assert rules.slice_fault(held, Interval(1, 3)) is None
    assert rules.slice_fault(held, Interval(2, 6)) is rules.SliceFault.OUTSIDE_HELD
    assert rules.slice_fault(held, Interval(2, 9)) is rules.SliceFault.OUTSIDE_DIM


def test_shared_slices_agree_or_clash() -> None:
    assert rules.shared_slices([(M.full, N.full), (N.full, K.full)]) == {
        "M": M.full,
        "N": N.full,
        "K": K.full,
    }
    clash = rules.shared_slices([(M.full, N.full), (part(N, 0, 4), K.full)])
    assert clash == rules.SliceClash(1, N.full, part(N, 0, 4))


def test_contract_reduces_the_dropped_dims_in_name_order() -> None:
    a = ir.input_leaf("A", ("M", "N"))
    b = ir.input_leaf("B", ("N", "K"))
    shared = {"M": M.full, "N": N.full, "K": K.full}
    product = ir.binary(ir.BinaryOp.MUL, a, b)
    expected = ir.reduce(ReduceOp.SUM, "N", Interval(0, 8), product)
    assert rules.contract([a, b], shared, {"M", "K"}, ReduceOp.SUM) is expected
    # Nothing dropped: the plain product; another reducer: another node.
    assert rules.contract([a, b], shared, {"M", "N", "K"}, ReduceOp.SUM) is product
    assert rules.contract([a, b], shared, {"M", "K"}, ReduceOp.MAX) is not expected
