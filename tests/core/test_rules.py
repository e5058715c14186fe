"""The dim rules the runtime, the plugin and the spec resolver share (`rules`): pointwise
operands meet, slices lie within what is held, contraction operands agree on shared dims, and
a contraction always builds the same node."""

from __future__ import annotations

from tnp_runtime.core import ir, rules
from tnp_runtime.core.dims import FullDim, Interval, Sliced
from tnp_runtime.core.ir import ReduceOp

M, N, K = FullDim("M", 8), FullDim("N", 8), FullDim("K", 4)


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
