"""Restriction of masked terms to a tile's region, and the causal proofs it makes possible."""

from __future__ import annotations

import pytest

from tests.support.causal import CAUSAL, NCTX, QCTX, causal_attention
from tnp_runtime.core import ir, tables
from tnp_runtime.core.dims import FullDim, Interval, Sliced
from tnp_runtime.core.ir import BinaryOp as B
from tnp_runtime.core.ir import ReduceOp as R
from tnp_runtime.core.prove import Proved, Refuted, Unknown, diagnose, prove
from tnp_runtime.core.restrict import restrict, restrict_ranges

S = ir.input_leaf("S", ("qctx", "nctx"))


def _tile(q: tuple[int, int], size: int = 128) -> tuple[Sliced, ...]:
    return (Sliced(FullDim("qctx", size), Interval(*q)),)


def test_a_term_without_a_mask_is_returned_as_it_is() -> None:
    term = ir.reduce(R.SUM, "nctx", Interval(0, 64), S)
    before = tables.sizes()["restrict.memo"]
    assert restrict(term, _tile((0, 32))) is term
    assert tables.sizes()["restrict.memo"] == before


def test_a_reduction_is_cut_where_the_mask_changes() -> None:
    term = ir.reduce(R.SUM, "nctx", Interval(0, 128), ir.mask(CAUSAL, ir.const(0), S))
    restricted = restrict(term, _tile((32, 64)))
    below = ir.reduce(R.SUM, "nctx", Interval(0, 33), S)
    band = ir.reduce(R.SUM, "nctx", Interval(33, 64), ir.mask(CAUSAL, ir.const(0), S))
    above = ir.reduce(R.SUM, "nctx", Interval(64, 128), ir.const(0))
    assert restricted is ir.binary(B.ADD, ir.binary(B.ADD, below, band), above)


def test_a_max_is_cut_and_joined_by_max() -> None:
    term = ir.reduce(R.MAX, "nctx", Interval(0, 64), ir.mask(CAUSAL, ir.inf(True), S))
    restricted = restrict(term, _tile((0, 32)))
    assert isinstance(restricted, ir.Binary) and restricted.op is B.MAX


def test_a_mask_decided_on_the_region_goes() -> None:
    masked = ir.mask(CAUSAL, ir.inf(True), S)
    assert restrict_ranges(masked, {"qctx": (32, 63), "nctx": (0, 31)}) is S
    assert restrict_ranges(masked, {"qctx": (0, 31), "nctx": (32, 63)}) is ir.inf(True)
    assert restrict_ranges(masked, {"qctx": (0, 31), "nctx": (0, 31)}) is masked


def test_restriction_is_memoized_by_the_ranges_its_masks_read() -> None:
    term = ir.reduce(R.SUM, "nctx", Interval(0, 128), ir.mask(CAUSAL, ir.const(0), S))
    first = restrict(term, _tile((32, 64)))
    size = tables.sizes()["restrict.memo"]
    # Another dim's slice does not change the key: the same object, no new entry.
    again = restrict(term, (*_tile((32, 64)), FullDim("dhead", 16).full))
    assert again is first and tables.sizes()["restrict.memo"] == size
    assert restrict(term, _tile((64, 96))) is not first


# -- causal attention ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q_start", "q_tile", "k_tile"),
    [(0, 32, 32), (32, 32, 32), (96, 32, 32), (64, 32, 16), (32, 32, 64), (48, 16, 32)],
)
def test_causal_kernel_skipping_the_tiles_above_the_diagonal_is_proved(
    q_start: int, q_tile: int, k_tile: int
) -> None:
    kernel, spec, tile = causal_attention(128, q_start, q_tile, k_tile)
    assert prove(kernel, spec, tile, {"nctx": 128}) == Proved()


def test_causal_kernel_visiting_every_tile_masked_is_proved() -> None:
    kernel, spec, tile = causal_attention(128, 32, key_tiles=range(0, 128, 32))
    assert prove(kernel, spec, tile, {"nctx": 128}) == Proved()


def test_a_skipped_tile_below_the_diagonal_is_refused_and_named() -> None:
    kernel, spec, tile = causal_attention(128, 64, skip={32})
    verdict = prove(kernel, spec, tile, {"nctx": 128})
    assert isinstance(verdict, Refuted)
    assert [p.describe() for p in verdict.partial] == ["missing sum over nctx[32:64]"]
    problem = diagnose(verdict, tile)
    assert problem is not None and problem.code.value == "tnp-reduce"


def test_a_skipped_diagonal_tile_is_refused() -> None:
    kernel, spec, tile = causal_attention(128, 64, skip={64})
    assert isinstance(prove(kernel, spec, tile, {"nctx": 128}), Refuted)


@pytest.mark.parametrize("wrong", [QCTX <= NCTX, QCTX > NCTX, QCTX >= NCTX + 1, QCTX + 1 >= NCTX])
def test_a_mask_on_the_wrong_side_or_off_by_one_is_refused(wrong: object) -> None:
    assert not isinstance(wrong, bool)
    kernel, spec, tile = causal_attention(128, 0, pred=wrong)  # type: ignore[arg-type]
    verdict = prove(kernel, spec, tile, {"nctx": 128})
    assert isinstance(verdict, Refuted), verdict
    problem = diagnose(verdict, tile)
    assert problem is not None and problem.code.value == "tnp-spec"


def test_a_kernel_whose_running_max_starts_on_fully_masked_rows_is_never_proved() -> None:
    # Key tile [16, 32) first: rows 0..15 see no key there, so the kernel computes
    # exp(-inf - -inf) = NaN for them: the normal form refuses it.
    kernel, spec, tile = causal_attention(64, 0, 32, 16, key_tiles=[16, 0])
    verdict = prove(kernel, spec, tile, {"nctx": 64})
    assert isinstance(verdict, Unknown)
    assert "masked" in verdict.reason or "maximum" in verdict.reason


def test_sliding_window_kernel_is_proved() -> None:
    window = (QCTX >= NCTX) & (QCTX - NCTX < 64)
    # The diagonal tile first (each row sees its own key), then the tiles before it.
    kernel, spec, tile = causal_attention(
        128, 64, pred=window, spec_pred=window, key_tiles=[64, 32, 0]
    )
    assert prove(kernel, spec, tile, {"nctx": 128}) == Proved()
    # A window one key narrower in the kernel is refused.
    narrow = (QCTX >= NCTX) & (QCTX - NCTX < 63)
    kernel, spec, tile = causal_attention(
        128, 64, pred=narrow, spec_pred=window, key_tiles=[64, 32, 0]
    )
    assert isinstance(prove(kernel, spec, tile, {"nctx": 128}), Refuted)


def test_key_length_limit_is_proved_and_a_missing_key_refused() -> None:
    limit = NCTX < 100
    kernel, spec, tile = causal_attention(
        128, 0, pred=limit, spec_pred=limit, key_tiles=range(0, 128, 32)
    )
    assert prove(kernel, spec, tile, {"nctx": 128}) == Proved()
    kernel, spec, tile = causal_attention(
        128, 0, pred=limit, spec_pred=limit, key_tiles=range(0, 96, 32)
    )
    verdict = prove(kernel, spec, tile, {"nctx": 128})
    assert isinstance(verdict, Refuted)
    assert [p.describe() for p in verdict.partial] == ["missing sum over nctx[96:100]"]


def test_a_wrong_side_that_makes_every_row_nan_is_not_proved() -> None:
    # qctx <= nctx on the query tile 32..63: the tile below the diagonal is all -inf, so the
    # kernel's first rescale is exp(-inf - -inf): NaN in float64, no normal form here.
    kernel, spec, tile = causal_attention(128, 32, pred=QCTX <= NCTX)
    assert isinstance(prove(kernel, spec, tile, {"nctx": 128}), Unknown)
