"""One spec per result, composed kernel calls, inputs as identities, and read-only typed data
(README: "Kernels calling kernels", "Inputs are arrays", "Typed data is read-only")."""

from __future__ import annotations

from typing import Any
from typing import Literal as L

import numpy as np
import pytest

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 8), FullDim("N", 4)
rng = np.random.default_rng(1)


def raises(code: str) -> pytest.RaisesContext[tnp.TypeCheckError]:
    return pytest.raises(tnp.TypeCheckError, check=lambda e: e.code == code)


def data() -> np.ndarray[Any, np.dtype[np.float64]]:
    return rng.standard_normal((8, 4))


@tnp.kernel
def inner(x: Typed[L["M N"]], c: TypedResult[L["2 * x:M N"]]) -> None:
    for i in range(0, 8, 4):
        c.assign(x.slice(M, i, i + 4) * 2)


@tnp.kernel
def outer(a: Typed[L["M N"]], c: TypedResult[L["6 * M N"]]) -> None:
    inner(a * 3, c)  # type: ignore[arg-type]


@tnp.kernel
def outer_claims_two(a: Typed[L["M N"]], c: TypedResult[L["2 * M N"]]) -> None:
    inner(a * 3, c)  # type: ignore[arg-type]


# -- composed calls ------------------------------------------------------------------------------


def test_inner_kernel_is_proved_against_the_outer_spec() -> None:
    values = data()
    c = TypedResult("6 * M N")
    outer(Typed(values, M, N), c)
    assert np.allclose(c.arr, 6 * values)
    assert c.tracker.resolved is not None and c.tracker.spec_text == "6 * M N"


def test_outer_spec_is_checked_when_the_inner_kernel_writes_its_result() -> None:
    c = TypedResult("2 * M N")
    with raises("tnp-spec") as info:
        outer_claims_two(Typed(data(), M, N), c)
    message = str(info.value)
    assert "result c is bound to `2 * M N`" in message
    assert "declares `2 * x:M N`" in message and "`6 * (M N)`" in message
    assert info.value.lineno == outer_claims_two.__wrapped__.__code__.co_firstlineno + 2
    assert c.tracker.coverage is not None and not c.tracker.coverage.written_regions


def test_a_result_keeps_the_spec_it_was_first_bound_to() -> None:
    t = Typed(data(), M, N, name="T")
    c = TypedResult("2 * T:M N")
    c.assign(t.slice(M, 0, 4) * 2)
    first = c.tracker.resolved
    with raises("tnp-spec") as info:
        inner(t * 3, c)  # type: ignore[arg-type]
    assert "bound to `2 * T:M N`" in str(info.value) and "`6 * (M N)`" in str(info.value)
    assert c.tracker.resolved is first


def test_a_kernel_finishing_a_script_form_result_with_the_same_spec() -> None:
    values = data()
    t = Typed(values, M, N, name="T")
    c = TypedResult("2 * T:M N")

    @tnp.kernel
    def lower_half(x: Typed[L["M N"]], c: TypedResult[L["2 * x:M N"]]) -> None:
        c.assign(x.slice(M, 4, 8) * 2)

    c.assign(t.slice(M, 0, 4) * 2)
    lower_half(t, c)  # type: ignore[arg-type]
    assert np.allclose(c.arr, 2 * values)
    with raises("tnp-overlap"):
        lower_half(t, c)  # type: ignore[arg-type]


def test_a_second_top_level_call_on_a_written_result_is_refused() -> None:
    c = TypedResult("2 * x:M N")
    inner(Typed(data(), M, N), c)
    with raises("tnp-spec") as info:
        inner(Typed(data(), M, N), c)
    assert "result c is bound to `2 * x:M N`" in str(info.value)


def test_result_spec_text_may_differ_if_it_is_the_same_spec() -> None:
    values = data()
    c = TypedResult("x:M N * 2")
    inner(Typed(values, M, N), c)  # type: ignore[arg-type]
    assert np.allclose(c.arr, 2 * values)
    with raises("tnp-spec") as info:
        inner(Typed(values, M, N), TypedResult("3 * x:M N"))  # type: ignore[arg-type]
    assert "has spec `3 * x:M N` but the kernel declares `2 * x:M N`" in str(info.value)


# -- inputs are arrays ------------------------------------------------------------------------


def test_two_arrays_with_one_name_are_two_inputs() -> None:
    first = Typed(data(), M, N, name="x")
    second = Typed(data(), M, N, name="x")
    assert first.expr_type is not second.expr_type
    c = TypedResult("2 * x:M N")
    with pytest.raises(tnp.SpecError) as info:
        c.assign(second * 2)
    assert "2 different inputs are named 'x'" in str(info.value)


GLOBAL = Typed(rng.standard_normal((8, 4)), M, N, name="a")


@tnp.kernel
def reads_global(a: Typed[L["M N"]], c: TypedResult[L["2 * a:M N"]]) -> None:
    c.assign(GLOBAL * 2)


def test_a_typed_the_kernel_did_not_receive_is_refused_even_named_like_a_parameter() -> None:
    with raises("tnp-spec") as info:
        reads_global(Typed(data(), M, N), TypedResult("2 * a:M N"))
    assert "the tile reads `a` (M N), which the kernel did not receive as a parameter" in str(
        info.value
    )
    # Both are named a: the prover's note tells them apart.
    assert "a#2:M N" in str(info.value)


def test_passing_the_global_as_the_parameter_is_fine() -> None:
    c = TypedResult("2 * a:M N")

    @tnp.kernel
    def double(a: Typed[L["M N"]], c: TypedResult[L["2 * a:M N"]]) -> None:
        c.assign(a * 2)

    double(GLOBAL, c)
    assert np.allclose(c.arr, 2 * GLOBAL.arr)


# -- read-only data ------------------------------------------------------------------------------


def test_typed_copies_the_callers_array() -> None:
    raw = np.ones((8, 4))
    t = Typed(raw, M, N)
    raw[...] = 0.0
    assert np.all(t.arr == 1.0)
    assert not t.arr.flags.writeable


@pytest.mark.parametrize(
    "write",
    [
        lambda y: y.arr.__setitem__(Ellipsis, 0.0),
        lambda y: y.arr.__setitem__((slice(0, 2), 0), 1.0),
        lambda y: y.arr.__iadd__(1.0),
        lambda y: y.arr.__imul__(2.0),
        lambda y: setattr(y, "arr", np.zeros((8, 4))),
        lambda y: y.arr[0:2].__isub__(1.0),
    ],
    ids=["item", "slice", "iadd", "imul", "replace", "view"],
)
def test_in_place_writes_are_refused_and_name_the_value(write: Any) -> None:
    y = Typed(np.ones((8, 4)), M, N, name="T") * 2
    with raises("tnp-write") as info:
        write(y)
    assert "in-place write to the data of the value `(T:M N * 2)`" in str(info.value)
    assert np.all(y.arr == 2.0)


def y_line() -> int:
    """The caller's line."""
    import sys

    return sys._getframe(1).f_lineno


def test_the_writes_of_the_issue_are_refused_at_their_line() -> None:
    t = Typed(np.ones((8, 4)), M, N, name="T")
    y = t * 2
    with raises("tnp-write") as info:
        y.arr[...] = 0
    assert info.value.lineno == y_line() - 1
    with raises("tnp-write"):
        y.arr += 1
    c = TypedResult("2 * T:M N")
    c.assign(y)
    assert np.all(c.arr == 2.0)


def test_result_data_is_read_only() -> None:
    c = TypedResult("2 * x:M N")
    inner(Typed(np.ones((8, 4)), M, N), c)
    with raises("tnp-write") as info:
        c.arr[0, 0] = 5.0
    assert "result `2 * x:M N`" in str(info.value)
    with raises("tnp-write"):
        c.arr = np.zeros((8, 4))  # type: ignore[misc]
    assert np.all(c.arr == 2.0)


def test_copies_of_the_data_are_plain_writeable_arrays() -> None:
    t = Typed(np.ones((8, 4)), M, N)
    copy = t.arr.copy()
    copy[0, 0] = 3.0
    computed = np.exp(t.arr)
    computed[0, 0] = 0.0
    plain = np.array(t.arr)
    plain += 1
    assert t.arr[0, 0] == 1.0 and copy[0, 0] == 3.0 and plain[0, 0] == 2.0


def test_the_arrays_behind_the_views_are_read_only_too() -> None:
    t = Typed(np.ones((8, 4)), M, N)
    c = TypedResult("2 * x:M N")
    inner(t, c)
    for view in (t.arr, (t * 2).arr, c.arr):
        with pytest.raises(ValueError, match="WRITEABLE"):
            view.setflags(write=True)
        assert view.base is not None and not view.base.flags.writeable
