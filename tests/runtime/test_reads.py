"""The runtime's reads at computed positions: the data of `window`, `shift`, `at` and `gather`
is NumPy's, and the gather's indices are checked (`tnp-dim`), which only the runtime can do."""

from __future__ import annotations

import numpy as np
import pytest

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed

N, P, K = FullDim("N", 10), FullDim("P", 8), FullDim("K", 3)
B, V = FullDim("B", 4), FullDim("V", 6)


def test_window_shift_and_at_data() -> None:
    x = Typed(np.arange(10.0) ** 2, N, name="x")
    window = x.window(N, P[2:6], K)
    assert [s.name for s in window.dim_type] == ["P", "K"]
    expected = np.array([[x.arr[p + k] for k in range(3)] for p in range(2, 6)])
    assert np.array_equal(window.arr, expected)
    assert np.array_equal(x.shift(N, P[2:6], 1).arr, x.arr[3:7])
    assert float(x.at(N, 4).arr) == 16.0
    sliced = x.slice(N, 3, 9)  # positions stay absolute
    assert np.array_equal(sliced.shift(N, P[2:6], 1).arr, x.arr[3:7])


def test_window_past_the_slice_is_a_dim_error() -> None:
    x = Typed(np.zeros(10), N, name="x")
    with pytest.raises(tnp.TypeCheckError) as err:
        x.slice(N, 0, 4).window(N, P[0:4], K)
    assert err.value.code == "tnp-dim"
    assert "N[4:6] not held" in str(err.value)


def test_gather_data_and_checked_indices() -> None:
    rng = np.random.default_rng(0)
    logits = Typed(rng.standard_normal((4, 6)), B, V, name="logits")
    targets = np.array([5, 0, 3, 3])
    picked = logits.gather(V, Typed(targets, B, name="t"))
    assert np.array_equal(picked.arr, logits.arr[np.arange(4), targets])
    transposed = Typed(logits.arr.T, V, B, name="lt")
    assert np.array_equal(transposed.gather(V, Typed(targets, B, name="t")).arr, picked.arr)
    for bad in ([0, 6, 1, 1], [0, -1, 1, 1], [0, 1.5, 1, 1]):
        with pytest.raises(tnp.TypeCheckError) as err:
            logits.gather(V, Typed(np.array(bad), B, name="t"))
        assert err.value.code == "tnp-dim"
        assert "is not a whole number in [0, 6)" in str(err.value)


def test_positions_are_integers() -> None:
    x = Typed(np.zeros(10), N, name="x")
    with pytest.raises(TypeError, match="integer position"):
        x.shift(N, P[0:4], 1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="integer position"):
        x.at(N, 2.0)  # type: ignore[arg-type]
    assert x.shift(N, P[0:4], np.int64(1)).dim_type == (P[0:4],)  # type: ignore[arg-type]
