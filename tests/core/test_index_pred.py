"""Index predicates: built from dims, canonical, decided on boxes, cut along one dim."""

from __future__ import annotations

import pytest

from tnp_runtime.core.dims import FullDim
from tnp_runtime.core.index_pred import IndexPred, Linear, Truth, split

Q, N = FullDim("qctx", 64), FullDim("nctx", 64)


def test_comparisons_of_dims_build_canonical_predicates() -> None:
    assert (Q >= N) == (Q - N >= 0) == (N <= Q) == (0 <= Q - N) == (2 * Q >= 2 * N)
    assert (Q > N) == (Q >= N + 1) == (Q - 1 >= N)
    assert (Q - N < 128) == (Q - N <= 127) == (N > Q - 128)
    assert (Q >= N) != (Q > N)
    assert str(Q >= N) == "qctx >= nctx"
    assert str(N < 100) == "nctx <= 99"
    assert str((Q >= N) & (Q - N < 128)) == "qctx >= nctx and nctx >= qctx - 127"


def test_conjunction_is_a_set_of_atoms() -> None:
    causal = Q >= N
    assert causal & causal == causal
    assert (causal & (N < 10)) == ((N < 10) & causal)
    assert len((causal & (N < 10)).atoms) == 2


def test_dims_keep_their_dataclass_equality_and_hash() -> None:
    assert FullDim("qctx", 64) == Q and hash(FullDim("qctx", 64)) == hash(Q)
    assert Q != N


def test_a_predicate_has_no_truth_value() -> None:
    with pytest.raises(TypeError, match="join predicates with `&`"):
        bool(Q >= N)
    with pytest.raises(TypeError, match="join predicates with `&`"):
        _ = Q >= N >= 3  # a chained comparison asks for the first one's truth


def test_a_constant_comparison_is_refused() -> None:
    with pytest.raises(TypeError, match="at least one dim"):
        _ = Q - Q >= 0
    with pytest.raises(TypeError, match="relates dims and integers"):
        _ = Q >= 1.5
    with pytest.raises(TypeError, match="by an integer"):
        _ = Linear.of(Q) * 0.5


def test_holds_at_an_index() -> None:
    pred = (Q >= N) & (Q - N < 4)
    assert pred.holds({"qctx": 5, "nctx": 5}) and pred.holds({"qctx": 5, "nctx": 2})
    assert not pred.holds({"qctx": 5, "nctx": 6}) and not pred.holds({"qctx": 5, "nctx": 1})


@pytest.mark.parametrize(
    ("q", "n", "truth"),
    [
        ((32, 63), (0, 31), Truth.TRUE),  # below the diagonal
        ((32, 63), (64, 95), Truth.FALSE),  # above it
        ((32, 63), (32, 63), Truth.BAND),  # on it
        ((32, 63), (32, 32), Truth.TRUE),  # the first key of the diagonal tile
        ((32, 32), (33, 63), Truth.FALSE),  # the first query row sees no key above it
    ],
)
def test_truth_on_a_box(q: tuple[int, int], n: tuple[int, int], truth: Truth) -> None:
    assert (Q >= N).truth({"qctx": q, "nctx": n}) is truth


def test_truth_without_a_range_is_a_band() -> None:
    assert (Q >= N).truth({"qctx": (0, 3)}) is Truth.BAND


def test_a_conjunction_is_false_if_one_atom_is() -> None:
    pred = (Q >= N) & (N < 10)
    assert pred.truth({"qctx": (0, 63), "nctx": (10, 20)}) is Truth.FALSE
    assert pred.truth({"qctx": (20, 63), "nctx": (0, 9)}) is Truth.TRUE


def test_cuts_separate_false_band_and_true() -> None:
    causal = Q >= N
    # For queries 32..63: keys up to 32 are seen by every query, 33..63 by some, 64.. by none.
    assert causal.cuts("nctx", {"qctx": (32, 63)}) == {33, 64}
    # Along qctx for keys 32..63: queries from 63 on see every key, from 32 on some.
    assert causal.cuts("qctx", {"nctx": (32, 63)}) == {32, 63}
    # A sliding window of 4 keys.
    window = (Q >= N) & (Q - N < 4)
    assert window.cuts("nctx", {"qctx": (8, 11)}) == {5, 9, 8, 12}
    # A limit on the keys alone.
    assert (N < 100).cuts("nctx", {}) == {100}
    assert causal.cuts("nctx", {}) == set()  # qctx's range unknown: no cut


def test_cuts_with_coefficients_are_exact_over_the_integers() -> None:
    pred = 2 * Q >= 3 * N  # nctx <= 2q/3
    ranges = {"qctx": (3, 6)}
    cuts = sorted(pred.cuts("nctx", ranges))
    pieces = split(0, 10, cuts)
    for start, stop in pieces:
        truth = pred.truth({**ranges, "nctx": (start, stop - 1)})
        assert truth is not Truth.BAND or len(pieces) > 1
        values = {
            pred.holds({"qctx": q, "nctx": n}) for q in range(3, 7) for n in range(start, stop)
        }
        expected = {Truth.TRUE: {True}, Truth.FALSE: {False}, Truth.BAND: {True, False}}
        assert values <= expected[truth]


def test_split_keeps_the_cuts_inside() -> None:
    assert split(0, 10, {0, 3, 7, 10, 12}) == [(0, 3), (3, 7), (7, 10)]
    assert split(4, 5, {1, 9}) == [(4, 5)]


def test_of_atoms_sorts_and_dedups() -> None:
    a, b = (Q >= N).atoms[0], (N < 3).atoms[0]
    assert IndexPred.of_atoms([b, a, b]) == IndexPred.of_atoms([a, b])


@pytest.mark.parametrize(
    ("q", "n"), [((0, 7), (0, 7)), ((16, 31), (0, 7)), ((8, 15), (8, 15)), ((40, 47), (0, 15))]
)
def test_on_a_box_drops_the_comparisons_true_there_and_keeps_every_point(
    q: tuple[int, int], n: tuple[int, int]
) -> None:
    window = (Q >= N) & (Q - N < 12)
    ranges = {"qctx": q, "nctx": n}
    on_box = window.on(ranges)
    for i in range(q[0], q[1] + 1):
        for j in range(n[0], n[1] + 1):
            index = {"qctx": i, "nctx": j}
            assert on_box.holds(index) == window.holds(index)
    assert all(a.truth(ranges) is not Truth.TRUE for a in on_box.atoms) or on_box == window
    # The diagonal tile: the window holds everywhere on it, the causal comparison is left.
    assert window.on({"qctx": (8, 15), "nctx": (8, 15)}) == (Q >= N)
    # The window's far edge: the causal comparison holds everywhere, the window is left.
    assert window.on({"qctx": (16, 23), "nctx": (0, 7)}) == (Q - N < 12)
