"""The runtime's `tnp.where`, comparisons and `tnp.opaque`: data, types and errors."""

from __future__ import annotations

import math
from typing import Literal as L

import numpy as np
import pytest

import tnp_runtime as tnp
from tnp_runtime import FullDim, Saved, Typed, TypedResult

M, N = FullDim("M", 3), FullDim("N", 4)
R = FullDim("R", 6)


def value(name: str = "x") -> Typed:
    rng = np.random.default_rng(1)
    return Typed(rng.standard_normal((3, 4)), M, N, name=name)


def test_where_computes_numpy_where_in_the_first_operands_order() -> None:
    x, y = value("x"), value("y").rearrange(N, M)
    r = tnp.where(x >= y, x, 0.5)
    assert r.dim_type == x.dim_type
    assert np.array_equal(r.arr, np.where(x.arr >= y.arr.T, x.arr, 0.5))
    assert np.array_equal(tnp.where(0 < x, 1, x).arr, np.where(x.arr > 0, 1, x.arr))


def test_a_comparison_is_no_bool() -> None:
    with pytest.raises(TypeError, match=r"condition for tnp\.where"):
        bool(value() > 0)


def test_where_refuses_what_is_not_a_comparison_of_values() -> None:
    x = value()
    with pytest.raises(tnp.TypeCheckError, match=r"x\.mask") as err:
        tnp.where(True, x, 0)  # type: ignore[arg-type]
    assert err.value.code == "tnp-dim"


def test_where_checks_the_dims_of_all_four_operands() -> None:
    x, other = value(), Typed(np.zeros(3), M)
    with pytest.raises(tnp.TypeCheckError, match="where"):
        tnp.where(x > 0, x, other)


def test_an_opaque_function_keeps_dims_and_records_itself() -> None:
    softplus = tnp.opaque("softplus", lambda a: np.log1p(np.exp(a)))
    x = value()
    r = softplus(x)
    assert r.dim_type == x.dim_type
    assert "softplus(x:M N)" in repr(r)
    assert np.allclose(r.arr, np.log1p(np.exp(x.arr)))
    assert softplus(0.0) == pytest.approx(np.log(2))


def test_a_decorated_def_is_named_after_it_and_takes_its_arguments() -> None:
    @tnp.opaque
    def blend(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.asarray(a * 0.25 + b)

    x = value()
    assert blend.name == "blend"
    assert np.allclose(blend(x, 1).arr, x.arr * 0.25 + 1)
    with pytest.raises(tnp.TypeCheckError, match="takes 2 arguments"):
        blend(x)


def test_an_opaque_function_must_be_elementwise() -> None:
    total = tnp.opaque("total", lambda a: a.sum(axis=0))
    with pytest.raises(TypeError, match="elementwise"):
        total(value())


def test_a_declaration_needs_an_identifier_and_a_function() -> None:
    with pytest.raises(TypeError):
        tnp.opaque("not a name", lambda a: a)
    with pytest.raises(TypeError):
        tnp.opaque("f")  # type: ignore[call-overload]


def test_powers_min_mean_abs_of_typed_values() -> None:
    x = value()
    assert np.allclose((x ** 2).arr, x.arr ** 2)
    assert np.allclose(abs(x).arr, np.abs(x.arr))
    assert np.allclose(x.min(N).arr, x.arr.min(axis=1))
    assert np.allclose(x.mean(N).arr, x.arr.mean(axis=1))
    assert np.allclose(tnp.min(x, 0).arr, np.minimum(x.arr, 0))
    assert tnp.min(2, 3) == 2
    with pytest.raises(tnp.TypeCheckError, match="half-integer"):
        _ = x ** 0.3
    assert np.allclose(tnp.erf(x).arr, [[math.erf(v) for v in row] for row in x.arr])


def test_a_saved_input_defined_with_where_is_checked_on_its_data() -> None:
    @tnp.kernel
    def double_relu(
        x: Typed[L["R"]], r: Saved[L["R"], L["where(x:R > 0, x:R, 0)"]],
        c: TypedResult[L["max(x:R, 0) * 2"]],
    ) -> None:
        c.assign(r + r)

    data = np.array([-1.0, 2.0, -3.0, 4.0, 0.5, -0.5])
    x = Typed(data, R)
    double_relu(x, Typed(np.maximum(data, 0), R), TypedResult("max(x:R, 0) * 2"))
    with pytest.raises(tnp.TypeCheckError) as err:
        double_relu(x, Typed(np.minimum(data, 0), R), TypedResult("max(x:R, 0) * 2"))
    assert err.value.code == "tnp-spec"
