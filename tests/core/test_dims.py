"""`core/dims.py`: intervals are never empty, dims validate their name and size, a slice knows
whether it is whole and in bounds, and `IntervalSet` is a canonical union (checked against the
sets of integers it stands for)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tnp_runtime.core.dims import FullDim, Interval, IntervalSet, Sliced, dim_names, render_dims

M = FullDim("M", 10)


def test_an_interval_is_never_empty() -> None:
    assert Interval(2, 3).length == 1
    for start, stop in ((3, 3), (4, 3)):
        with pytest.raises(ValueError, match=f"empty interval {start}:{stop}"):
            Interval(start, stop)


def test_interval_contains_and_intersects() -> None:
    outer, inner = Interval(0, 8), Interval(2, 5)
    assert outer.contains(inner) and not inner.contains(outer)
    assert outer.intersects(inner) and inner.intersects(outer)
    # Half-open: touching intervals share no integer.
    assert not Interval(0, 4).intersects(Interval(4, 8))
    assert not Interval(0, 4).contains(Interval(3, 5))


@pytest.mark.parametrize("name", ["", "1M", "M N", 3])
def test_a_dim_name_is_an_identifier(name: object) -> None:
    with pytest.raises(ValueError, match="dim name must be an identifier"):
        FullDim(name, 4)  # type: ignore[arg-type]


@pytest.mark.parametrize("size", [0, -1, 2.0, True, "4"])
def test_a_dim_size_is_a_positive_integer(size: object) -> None:
    with pytest.raises(ValueError, match="must have a positive integer size"):
        FullDim("M", size)  # type: ignore[arg-type]


def test_dims_are_equal_by_name_and_size() -> None:
    assert FullDim("M", 10) == M
    assert FullDim("M", 11) != M and FullDim("N", 10) != M


def test_indexing_a_dim_gives_a_slice() -> None:
    assert M[2:5] == Sliced(M, Interval(2, 5))
    assert M[:4] == Sliced(M, Interval(0, 4)) and M[6:] == Sliced(M, Interval(6, 10))
    assert M[:] == M.full and M.full.is_full
    with pytest.raises(TypeError, match="index a dim with a slice"):
        M[0:4:2]
    with pytest.raises(TypeError, match="index a dim with a slice"):
        M[3]  # type: ignore[index]
    with pytest.raises(TypeError, match="slice bounds of M must be integers"):
        M[0.5:4]  # type: ignore[misc]


def test_a_slice_may_lie_outside_its_dim_and_says_so() -> None:
    inside, outside = M[8:10], M[8:12]
    assert inside.in_bounds and not inside.is_full
    assert not outside.in_bounds
    assert (outside.name, outside.start, outside.stop, outside.length) == ("M", 8, 12, 4)


def test_dims_render_in_the_values_order() -> None:
    n = FullDim("N", 4)
    dims = (n[0:2], M[5:10])
    assert dim_names(dims) == ("N", "M")
    assert render_dims(dims) == "N[0:2] M[5:10]"
    assert render_dims(()) == "(no dims)"


intervals = st.builds(
    lambda start, length: Interval(start, start + length),
    st.integers(0, 30), st.integers(1, 8),
)


def covered(items: IntervalSet | list[Interval]) -> set[int]:
    pieces = items.intervals if isinstance(items, IntervalSet) else items
    return {i for iv in pieces for i in range(iv.start, iv.stop)}


def canonical(items: IntervalSet) -> bool:
    """Sorted, disjoint, and no two touching."""
    pairs = zip(items.intervals, items.intervals[1:], strict=False)
    return all(left.stop < right.start for left, right in pairs)


@settings(max_examples=150, deadline=None)
@given(st.lists(intervals, max_size=6), st.lists(intervals, max_size=6))
def test_interval_sets_are_the_sets_of_integers_they_cover(
    left: list[Interval], right: list[Interval]
) -> None:
    a, b = IntervalSet.of(left), IntervalSet.of(right)
    assert canonical(a) and covered(a) == covered(left)
    assert a.size == len(covered(left))
    assert list(a.indices()) == sorted(covered(left))
    union = a.union(b)
    assert canonical(union) and covered(union) == covered(left) | covered(right)
    assert union == IntervalSet.of(left + right)  # canonical: equal sets are equal values
    difference = a.difference(b)
    assert canonical(difference) and covered(difference) == covered(left) - covered(right)
    assert a.is_disjoint(b) == (not covered(left) & covered(right))
    assert a.issubset(b) == (covered(left) <= covered(right))


def test_touching_intervals_merge() -> None:
    merged = IntervalSet.of([Interval(4, 8), Interval(0, 4)])
    assert merged == IntervalSet.single(Interval(0, 8))
    assert str(IntervalSet.of([Interval(6, 8), Interval(0, 2)])) == "0:2, 6:8"
    # In-order union (the common case of tiles written in order) merges too.
    assert IntervalSet.single(Interval(0, 4)).union(IntervalSet.single(Interval(4, 6))) == (
        IntervalSet.single(Interval(0, 6))
    )
