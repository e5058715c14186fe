"""Coverage of a result: overlaps are reported at the write, gaps listed as merged boxes."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tnp_runtime.core.coverage import Coverage
from tnp_runtime.core.diagnostics import Code, Diagnostic
from tnp_runtime.core.dims import DimType, FullDim, Interval, Sliced, render_dims

M, N, K = FullDim("M", 10), FullDim("N", 10), FullDim("K", 10)
SPEC = "6 * (M N, N K -> M K)"


def tiles(*dims: tuple[FullDim, int]) -> list[DimType]:
    """Every tile of the given dims split by the given tile sizes, row-major."""
    axes = [
        [dim[start : min(start + tile, dim.size)] for start in range(0, dim.size, tile)]
        for dim, tile in dims
    ]
    return [tuple(combo) for combo in itertools.product(*axes)]


def test_exact_duplicate_is_reported_and_not_recorded() -> None:
    coverage = Coverage((M.full, K.full))
    assert coverage.record((M[0:5], K[0:5])) is None
    diagnostic = coverage.record((M[0:5], K[0:5]))
    assert diagnostic == Diagnostic(
        Code.OVERLAP,
        "result region M[0:5] K[0:5] written twice: it overlaps the earlier write of M[0:5] K[0:5]",
    )
    assert coverage.written_regions == ((M[0:5], K[0:5]),)
    assert coverage.unwritten_volume == 75


def test_writable_says_what_record_would_do_and_records_nothing() -> None:
    coverage = Coverage((M.full, K.full))
    assert coverage.record((M[0:5], K[0:5])) is None
    assert coverage.writable((M[5:10], K[0:5]))
    assert not coverage.writable((M[4:6], K[0:5]))  # overlaps the earlier write
    assert not coverage.writable((M[0:5], N[0:5]))  # not the result's dims
    assert coverage.written_regions == ((M[0:5], K[0:5]),)


def test_partial_overlap_names_the_intersection_and_the_earlier_write() -> None:
    coverage = Coverage((M.full, K.full))
    assert coverage.record((M[0:5], K[0:5])) is None
    diagnostic = coverage.record((M[3:8], K[2:7]))
    assert diagnostic is not None
    assert diagnostic.code is Code.OVERLAP
    assert diagnostic.message == (
        "result region M[3:5] K[2:5] written twice: it overlaps the earlier write of M[0:5] K[0:5]"
    )
    # the rejected write is not recorded: the region it would have added is still free
    assert coverage.record((M[5:8], K[2:7])) is None


def test_overlap_reports_the_earliest_of_several_writes() -> None:
    coverage = Coverage((M.full, K.full))
    assert coverage.record((M[5:10], K[0:10])) is None
    assert coverage.record((M[0:5], K[0:10])) is None
    diagnostic = coverage.record((M[4:6], K[0:1]))
    assert diagnostic is not None
    assert "M[5:6] K[0:1] written twice" in diagnostic.message
    assert diagnostic.message.endswith("earlier write of M[5:10] K[0:10]")


def test_adjacent_tiles_do_not_overlap() -> None:
    coverage = Coverage((M.full, K.full))
    assert coverage.record((M[0:5], K[0:5])) is None
    assert coverage.record((M[5:10], K[0:5])) is None
    assert coverage.record((M[0:5], K[5:10])) is None
    assert not coverage.complete


def test_grid_of_4x4_tiles_completes() -> None:
    A, B = FullDim("A", 16), FullDim("B", 12)
    coverage = Coverage((A.full, B.full))
    for tile in tiles((A, 4), (B, 3)):
        assert not coverage.complete
        assert coverage.record(tile) is None
    assert coverage.complete
    assert coverage.missing() == []
    assert coverage.coverage_diagnostic(SPEC, "when the kernel returns") is None


def test_grid_of_64x64_tiles_completes_and_catches_a_late_duplicate() -> None:
    A, B = FullDim("A", 64 * 32), FullDim("B", 64 * 32)
    coverage = Coverage((A.full, B.full))
    all_tiles = tiles((A, 32), (B, 32))
    assert len(all_tiles) == 4096
    for tile in all_tiles:
        assert coverage.record(tile) is None
    assert coverage.complete
    duplicate = coverage.record((A[1024:1056], B[32:64]))
    assert duplicate is not None
    assert duplicate.code is Code.OVERLAP


def test_tiles_of_mixed_sizes_still_detect_overlap() -> None:
    # a ragged edge tile written first gives the grid a small cell; later big tiles still work
    A, B = FullDim("A", 1000), FullDim("B", 1000)
    coverage = Coverage((A.full, B.full))
    assert coverage.record((A[992:1000], B[992:1000])) is None
    for tile in tiles((A, 32), (B, 32)):
        if tile == (A[992:1000], B[992:1000]):
            continue
        assert coverage.record(tile) is None
    assert coverage.complete
    diagnostic = coverage.record((A[500:520], B[10:11]))
    assert diagnostic is not None
    assert diagnostic.message == (
        "result region A[500:512] B[10:11] written twice: "
        "it overlaps the earlier write of A[480:512] B[0:32]"
    )


def test_a_tiny_first_write_then_big_tiles_still_detect_overlap() -> None:
    # the grid's cells come from the first write (1x1 here); big tiles later make it re-hash
    A, B = FullDim("A", 1024), FullDim("B", 1024)
    coverage = Coverage((A.full, B.full))
    assert coverage.record((A[0:1], B[0:1])) is None
    assert coverage.record((A[0:1], B[1:32])) is None
    assert coverage.record((A[1:32], B[0:32])) is None
    for tile in tiles((A, 32), (B, 32))[1:]:
        assert coverage.record(tile) is None
    assert coverage.complete
    diagnostic = coverage.record((A[40:41], B[1000:1024]))
    assert diagnostic is not None
    assert diagnostic.message == (
        "result region A[40:41] B[1000:1024] written twice: "
        "it overlaps the earlier write of A[32:64] B[992:1024]"
    )


def test_one_skipped_tile_is_exactly_the_missing_box() -> None:
    coverage = Coverage((M.full, K.full))
    for tile in tiles((M, 5), (K, 5)):
        if tile != (M[5:10], K[0:5]):
            assert coverage.record(tile) is None
    assert coverage.missing() == [(M[5:10], K[0:5])]
    assert coverage.unwritten_volume == 25


def test_a_skipped_row_of_tiles_is_one_merged_box() -> None:
    A, B = FullDim("A", 12), FullDim("B", 12)
    coverage = Coverage((A.full, B.full))
    for tile in tiles((A, 4), (B, 3)):
        if tile[0] != A[4:8]:
            assert coverage.record(tile) is None
    assert coverage.missing() == [(A[4:8], B[0:12])]


def test_a_skipped_column_of_tiles_is_one_merged_box() -> None:
    A, B = FullDim("A", 12), FullDim("B", 12)
    coverage = Coverage((A.full, B.full))
    for tile in tiles((A, 4), (B, 3)):
        if tile[1] != B[3:6]:
            assert coverage.record(tile) is None
    assert coverage.missing() == [(A[0:12], B[3:6])]


def test_coverage_diagnostic_lists_the_missing_regions() -> None:
    coverage = Coverage((M.full, K.full))
    assert coverage.record((M[0:5], K[0:10])) is None
    diagnostic = coverage.coverage_diagnostic(SPEC, "when the kernel returns")
    assert diagnostic == Diagnostic(
        Code.COVERAGE,
        f"result `{SPEC}` incomplete when the kernel returns: "
        "1 region never written: M[5:10] K[0:10]",
        ("50 of 100 elements never written (50%)",),
    )


def test_coverage_diagnostic_lists_at_most_four_regions() -> None:
    A, B = FullDim("A", 8), FullDim("B", 8)
    coverage = Coverage((A.full, B.full))
    # a checkerboard of 2x2 tiles: the 8 white squares cannot be merged
    for tile in tiles((A, 2), (B, 2)):
        if (tile[0].start + tile[1].start) % 4 == 0:
            assert coverage.record(tile) is None
    diagnostic = coverage.coverage_diagnostic(SPEC, "when `c.arr` is read")
    assert diagnostic is not None
    assert diagnostic.code is Code.COVERAGE
    assert diagnostic.message == (
        f"result `{SPEC}` incomplete when `c.arr` is read: 8 regions never written: "
        "A[0:2] B[2:4], A[0:2] B[6:8], A[2:4] B[0:2], A[2:4] B[4:6] and 4 more"
    )
    assert diagnostic.notes == ("32 of 64 elements never written (50%)",)


def test_nothing_written_says_so() -> None:
    coverage = Coverage((M.full,))
    diagnostic = coverage.coverage_diagnostic("M", "when the scope ends")
    assert diagnostic is not None
    assert diagnostic.message == (
        "result `M` incomplete when the scope ends: 1 region never written: M[0:10]"
    )
    assert diagnostic.notes == (
        "10 of 10 elements never written (100%)",
        "no region of the result was written",
    )


def test_small_fractions_are_not_rounded_away() -> None:
    A = FullDim("A", 4096)
    coverage = Coverage((A.full,))
    assert coverage.record((A[0:4095],)) is None
    diagnostic = coverage.coverage_diagnostic("A", "when the kernel returns")
    assert diagnostic is not None
    assert diagnostic.notes == ("1 of 4096 elements never written (0.0244%)",)


def test_dims_in_another_order_are_matched_by_name() -> None:
    coverage = Coverage((M.full, K.full))
    assert coverage.contains((K[0:5], M[0:5]))
    assert coverage.record((K[0:5], M[0:5])) is None
    diagnostic = coverage.record((M[2:3], K[0:10]))
    assert diagnostic is not None
    # rendered in the result's order, whatever order the writes used
    assert diagnostic.message == (
        "result region M[2:3] K[0:5] written twice: it overlaps the earlier write of M[0:5] K[0:5]"
    )
    assert coverage.record((K[5:10], M[0:10])) is None
    assert coverage.record((K[0:5], M[5:10])) is None
    assert coverage.complete
    assert coverage.written_regions[0] == (M[0:5], K[0:5])


def test_contains_rejects_other_dims_and_outside_regions() -> None:
    coverage = Coverage((M.full, K.full))
    assert not coverage.contains((M[0:5],))
    assert not coverage.contains((M[0:5], N[0:5]))
    assert not coverage.contains((M[0:5], K[0:5], N[0:5]))
    assert not coverage.contains((M[0:5], M[0:5]))
    assert not coverage.contains((M[0:5], Sliced(K, Interval(5, 11))))
    with pytest.raises(ValueError, match="not part of the result"):
        coverage.record((M[0:5], N[0:5]))


def test_repeated_target_dim_is_rejected() -> None:
    with pytest.raises(ValueError, match="repeat"):
        Coverage((M.full, M.full))


def test_one_dim_result() -> None:
    coverage = Coverage((N.full,))
    assert coverage.record((N[0:3],)) is None
    assert coverage.record((N[6:10],)) is None
    diagnostic = coverage.record((N[2:7],))
    assert diagnostic is not None
    assert diagnostic.message.startswith("result region N[2:3] written twice")
    assert coverage.missing() == [(N[3:6],)]
    assert coverage.record((N[3:6],)) is None
    assert coverage.complete


def test_three_dim_result() -> None:
    A, B, C = FullDim("A", 4), FullDim("B", 6), FullDim("C", 8)
    coverage = Coverage((A.full, B.full, C.full))
    for tile in tiles((A, 2), (B, 3), (C, 4)):
        if tile[2] != C[4:8]:
            assert coverage.record(tile) is None
    assert coverage.missing() == [(A[0:4], B[0:6], C[4:8])]
    assert coverage.record((C[4:8], A[0:2], B[0:6])) is None
    assert coverage.missing() == [(A[2:4], B[0:6], C[4:8])]
    diagnostic = coverage.record((B[5:6], C[7:8], A[1:3]))
    assert diagnostic is not None
    assert diagnostic.message == (
        "result region A[1:2] B[5:6] C[7:8] written twice: "
        "it overlaps the earlier write of A[0:2] B[0:6] C[4:8]"
    )


def test_scalar_result() -> None:
    coverage = Coverage(())
    assert not coverage.complete
    assert coverage.missing() == [()]
    assert coverage.record(()) is None
    assert coverage.complete
    diagnostic = coverage.record(())
    assert diagnostic is not None
    assert "(no dims)" in diagnostic.message


def test_target_that_is_a_slice() -> None:
    coverage = Coverage((M[2:8],))
    assert not coverage.contains((M[0:3],))
    assert coverage.record((M[2:4],)) is None
    assert coverage.missing() == [(M[4:8],)]


# --- property: the model is a count per cell of a small grid -------------------------------

SIZES = (3, 4, 5)
DIMS = tuple(FullDim(name, size) for name, size in zip("ABC", SIZES, strict=True))


@st.composite
def boxes(draw: st.DrawFn, ndim: int) -> DimType:
    region = []
    for dim in DIMS[:ndim]:
        start = draw(st.integers(0, dim.size - 1))
        stop = draw(st.integers(start + 1, dim.size))
        region.append(dim[start:stop])
    # dims in any order: coverage matches them by name
    return tuple(draw(st.permutations(region)))


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[int, list[DimType]]:
    ndim = draw(st.integers(1, 3))
    return ndim, draw(st.lists(boxes(ndim), max_size=24))


def cells_of(region: DimType) -> set[tuple[int, ...]]:
    by_name = {s.name: range(s.start, s.stop) for s in region}
    return set(itertools.product(*(by_name[dim.name] for dim in DIMS if dim.name in by_name)))


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_coverage_matches_a_cell_model(scenario: tuple[int, list[DimType]]) -> None:
    ndim, writes = scenario
    target = tuple(dim.full for dim in DIMS[:ndim])
    coverage = Coverage(target)
    accepted: list[set[tuple[int, ...]]] = []
    for region in writes:
        cells = cells_of(region)
        diagnostic = coverage.record(region)
        earlier = [previous for previous in accepted if previous & cells]
        if earlier:
            assert diagnostic is not None
            assert diagnostic.code is Code.OVERLAP
            # the intersection with the earliest accepted write it touches
            first_hit = earlier[0] & cells
            written_twice = diagnostic.message.split(" written twice")[0]
            assert written_twice == "result region " + _render_cells(first_hit, ndim)
        else:
            assert diagnostic is None
            accepted.append(cells)

    all_cells = set(itertools.product(*(range(dim.size) for dim in DIMS[:ndim])))
    counts = {cell: sum(cell in a for a in accepted) for cell in all_cells}
    assert all(count <= 1 for count in counts.values())
    assert coverage.complete == all(count == 1 for count in counts.values())

    missing = coverage.missing()
    unwritten = {cell for cell, count in counts.items() if count == 0}
    seen: set[tuple[int, ...]] = set()
    for region in missing:
        assert [s.name for s in region] == [dim.name for dim in DIMS[:ndim]]
        region_cells = cells_of(region)
        assert not region_cells & seen, "missing boxes must be disjoint"
        seen |= region_cells
    assert seen == unwritten
    starts = [tuple(s.start for s in region) for region in missing]
    assert starts == sorted(starts)
    assert coverage.unwritten_volume == len(unwritten)
    assert (coverage.coverage_diagnostic("x", "when the kernel returns") is None) == (not unwritten)


def _render_cells(cells: set[tuple[int, ...]], ndim: int) -> str:
    """A box of cells as the dims it spans, in the result's order."""
    return render_dims(
        tuple(
            dim[min(c[d] for c in cells) : max(c[d] for c in cells) + 1]
            for d, dim in enumerate(DIMS[:ndim])
        )
    )
