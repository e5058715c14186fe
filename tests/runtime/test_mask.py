"""`Typed.mask` in the runtime: the data, the type, the simplification where it is built, and
the errors."""

from __future__ import annotations

import numpy as np
import pytest

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed
from tnp_runtime.core import ir

Q, N, D = FullDim("qctx", 8), FullDim("nctx", 8), FullDim("dhead", 2)


def _scores() -> Typed:
    return Typed(np.arange(64, dtype=float).reshape(8, 8), Q, N, name="S")


def test_data_is_the_value_where_the_predicate_holds_and_the_fill_elsewhere() -> None:
    s = _scores()
    causal = np.arange(8)[:, None] >= np.arange(8)[None, :]
    assert np.array_equal(s.mask(Q >= N).arr, np.where(causal, s.arr, -np.inf))
    assert np.array_equal(s.mask(Q >= N, fill=0).arr, np.where(causal, s.arr, 0.0))
    window = (Q >= N) & (Q - N < 3)
    keep = causal & (np.arange(8)[:, None] - np.arange(8)[None, :] < 3)
    assert np.array_equal(s.mask(window, 0).arr, np.where(keep, s.arr, 0.0))


def test_positions_are_absolute_on_a_slice() -> None:
    tile = _scores().slice(Q, 4, 8).slice(N, 2, 6)
    masked = tile.mask(Q >= N, fill=0)
    expected = np.where(np.arange(4, 8)[:, None] >= np.arange(2, 6)[None, :], tile.arr, 0.0)
    assert np.array_equal(masked.arr, expected)
    assert masked.dim_type == tile.dim_type


def test_axes_in_any_order() -> None:
    s = _scores().rearrange(N, Q)
    masked = s.mask(Q >= N, fill=0)
    keep = np.arange(8)[None, :] >= np.arange(8)[:, None]  # axes nctx, qctx
    assert np.array_equal(masked.arr, np.where(keep, s.arr, 0))


def test_the_expression_is_simplified_on_the_value_s_slices() -> None:
    s = _scores()
    below = s.slice(Q, 4, 8).slice(N, 0, 4)
    assert below.mask(Q >= N).expr_type is below.expr_type
    above = s.slice(Q, 0, 4).slice(N, 4, 8)
    assert above.mask(Q >= N).expr_type is ir.inf(True)
    assert np.all(above.mask(Q >= N).arr == -np.inf)
    diagonal = s.slice(Q, 0, 4).slice(N, 0, 4)
    assert isinstance(diagonal.mask(Q >= N).expr_type, ir.Mask)


def test_a_predicate_on_a_dim_the_value_lacks_is_a_dim_error() -> None:
    x = Typed(np.ones((8, 2)), Q, D, name="x")
    with pytest.raises(tnp.TypeCheckError) as raised:
        x.mask(Q >= N)
    assert raised.value.code == "tnp-dim"
    assert "the value has no dim nctx" in str(raised.value)


def test_bad_arguments_are_type_errors() -> None:
    s = _scores()
    with pytest.raises(TypeError, match="index predicate"):
        s.mask(True)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="fill is a number"):
        s.mask(Q >= N, fill="0")  # type: ignore[arg-type]
    with pytest.raises(tnp.TypeCheckError, match="-inf or a finite number"):
        s.mask(Q >= N, fill=float("nan"))
