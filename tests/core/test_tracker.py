"""`core/tracker.py`, one result written tile by tile: a tile equal to the spec on its region is
recorded, one that is not is `tnp-spec`, a region written twice is `tnp-overlap`, and the result
is complete only once every region is written. In kernel form, a failed tile that reads an input
the kernel did not receive is reported as that."""

from __future__ import annotations

import pytest

from tnp_runtime.core import ir, rules
from tnp_runtime.core.diagnostics import Code, Violation
from tnp_runtime.core.dims import FullDim
from tnp_runtime.core.ir import BinaryOp
from tnp_runtime.core.rules import Abstract
from tnp_runtime.core.spec import SpecError, SpecInput
from tnp_runtime.core.tracker import Binding, ResultTracker

M, N = FullDim("M", 8), FullDim("N", 4)
DIMS = {"M": M, "N": N}
LEAF = ir.new_input("x", ("M", "N"))
X = Abstract((M.full, N.full), LEAF)
KERNEL = Binding(DIMS, (SpecInput(LEAF, (M.full, N.full)),))


def tile(start: int, stop: int, factor: int = 2, value: Abstract = X) -> Abstract:
    return rules.binary(BinaryOp.MUL, rules.slice_dim(value, "M", start, stop).value, factor)


def test_proved_tiles_fill_the_result() -> None:
    tracker = ResultTracker("2 * x:M N")
    assert not tracker.bound
    tracker.bind(KERNEL)
    assert tracker.bound
    assert tracker.coverage_diagnostic("when the kernel returns") is not None
    assert tracker.assign(tile(0, 4), KERNEL) == (M[0:4], N.full)
    assert tracker.assign(tile(4, 8), KERNEL) == (M[4:8], N.full)
    assert tracker.coverage_diagnostic("when the kernel returns") is None


def test_a_tile_that_differs_from_the_spec_is_refused_and_not_recorded() -> None:
    tracker = ResultTracker("2 * x:M N")
    tracker.bind(KERNEL)
    with pytest.raises(Violation) as raised:
        tracker.assign(tile(0, 4, factor=3), KERNEL)
    assert raised.value.diagnostic.code is Code.SPEC
    missing = tracker.coverage_diagnostic("when the kernel returns")
    assert missing is not None and "M[0:8]" in missing.message


def test_a_region_written_twice_is_an_overlap() -> None:
    tracker = ResultTracker("2 * x:M N")
    tracker.bind(KERNEL)
    tracker.assign(tile(0, 6), KERNEL)
    with pytest.raises(Violation) as raised:
        tracker.assign(tile(4, 8), KERNEL)
    assert raised.value.diagnostic.code is Code.OVERLAP
    assert "M[4:6]" in raised.value.diagnostic.message


def test_a_tile_with_other_dims_is_a_dim_error() -> None:
    tracker = ResultTracker("2 * x:M N")
    tracker.bind(KERNEL)
    with pytest.raises(Violation) as raised:
        tracker.assign(rules.reduce(ir.ReduceOp.SUM, X, "N"), KERNEL)
    assert raised.value.diagnostic.code is Code.DIM


def test_nothing_written_is_incomplete() -> None:
    tracker = ResultTracker("2 * x:M N")
    missing = tracker.coverage_diagnostic("when the scope ends")
    assert missing is not None and missing.code is Code.COVERAGE
    assert "incomplete when the scope ends: nothing was ever written" in missing.message


def test_script_form_binds_at_the_first_assign_only() -> None:
    """The binding (a function in script form) is built only while the result is unbound."""
    built: list[Binding] = []

    def binding() -> Binding:
        built.append(Binding(DIMS, (SpecInput(LEAF, (M.full, N.full)),), open_inputs=True))
        return built[-1]

    tracker = ResultTracker("2 * x:M N")
    tracker.assign(tile(0, 4), binding)
    tracker.assign(tile(4, 8), binding)
    assert len(built) == 1 and tracker.inputs is None
    assert tracker.coverage_diagnostic("when the scope ends") is None


def test_a_spec_is_checked_where_the_result_is_made_and_resolved_at_binding() -> None:
    with pytest.raises(SpecError):
        ResultTracker("2 * (M N")
    tracker = ResultTracker("2 * y:M N")  # parses; `y` is no input of the kernel
    with pytest.raises(SpecError):
        tracker.bind(KERNEL)


def test_a_failed_tile_reading_an_input_the_kernel_did_not_receive_says_so() -> None:
    stray = Abstract((M.full, N.full), ir.new_input("y", ("M", "N")))
    tracker = ResultTracker("2 * x:M N")
    tracker.bind(KERNEL)
    with pytest.raises(Violation) as raised:
        tracker.assign(tile(0, 4, value=stray), KERNEL)
    diagnostic = raised.value.diagnostic
    assert diagnostic.code is Code.SPEC
    assert diagnostic.message.startswith("the tile reads `y` (M N), which the kernel did not")
    assert diagnostic.notes  # the prover's own finding follows as a note
    # A failed tile that reads the kernel's inputs only is reported as the prover found it.
    other = ResultTracker("2 * x:M N")
    other.bind(KERNEL)
    with pytest.raises(Violation) as plain:
        other.assign(tile(0, 4, factor=3), KERNEL)
    assert "did not receive" not in plain.value.diagnostic.message
