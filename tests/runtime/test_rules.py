"""Every rule and code of docs/DESIGN.md §5 at runtime: one case that breaks it, one that passes,
and the parts of each message a kernel author acts on."""

from __future__ import annotations

import re
from typing import Literal as L

import numpy as np
import pytest

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult, einsum, exp

M, N, K = FullDim("M", 10), FullDim("N", 8), FullDim("K", 6)
rng = np.random.default_rng(0)


def typed(*dims: FullDim, name: str | None = None) -> Typed:  # type: ignore[type-arg]
    return Typed(rng.standard_normal(tuple(d.size for d in dims)), *dims, name=name)


def raises(code: str) -> pytest.RaisesContext[tnp.TypeCheckError]:
    return pytest.raises(tnp.TypeCheckError, check=lambda e: e.code == code)


# -- tnp-dim -----------------------------------------------------------------------------------


def test_array_shape_must_match_dims() -> None:
    with raises("tnp-dim") as info:
        Typed(np.zeros((3, 4)), M, N)
    assert "shape (3, 4)" in str(info.value) and "M=10 N=8" in str(info.value)


def test_binary_op_on_different_slices_names_both_sides() -> None:
    a, b = typed(M, N, name="a"), typed(M, N, name="b")
    left = a.slice(M, 5, 10).slice(N, 0, 4)
    right = b.slice(M, 0, 5).slice(N, 0, 4)
    with raises("tnp-dim") as info:
        left * right
    message = str(info.value)
    assert re.search(r"slices of M differ \(M\[5:10\] vs M\[0:5\]\)", message)
    assert "left is `a:M N` over M[5:10] N[0:4]" in message
    assert "right is `b:M N` over M[0:5] N[0:4]" in message


def test_binary_op_on_equal_slices_passes_and_matches_dims_by_name() -> None:
    a, b = typed(M, N), typed(N, M)
    total = a + b
    assert [s.name for s in total.dim_type] == ["M", "N"]
    assert np.allclose(total.arr, a.arr + b.arr.T)


def test_binary_op_on_different_dim_sets() -> None:
    with raises("tnp-dim") as info:
        typed(M, N) + typed(M, K)
    assert "only the left has N" in str(info.value) and "only the right has K" in str(info.value)


def test_slice_outside_the_dim() -> None:
    with raises("tnp-dim") as info:
        typed(M, N).slice(M, 5, 12)
    assert "slice M[5:12] is outside dim M of size 10" in str(info.value)


def test_slice_outside_the_current_slice() -> None:
    tile = typed(M, N).slice(M, 0, 5)
    with raises("tnp-dim") as info:
        tile.slice(M, 4, 8)
    assert "outside the value's current slice M[0:5]" in str(info.value)
    assert np.allclose(tile.slice(M[1:3]).arr, tile.arr[1:3])


def test_reduce_over_a_dim_the_value_lacks() -> None:
    with raises("tnp-dim") as info:
        typed(M, N).sum(K)
    assert "no dim K" in str(info.value)
    assert typed(M, N).max(N).dim_type == (M.full,)


def test_einsum_operand_dims_must_match_subscripts() -> None:
    with raises("tnp-dim") as info:
        einsum(typed(M, N), typed(N, K), "M N, K N K -> M K")
    assert "repeat a dim" in str(info.value)
    with raises("tnp-dim") as info:
        einsum(typed(M, N), typed(N, K), "M K, N K -> M K")
    assert "operand 1 has dims M N but the subscripts" in str(info.value)
    a, b = typed(M, N), typed(K, N)
    c = einsum(a, b, "M N, N K -> M K")
    assert np.allclose(c.arr, a.arr @ b.arr.T)


def test_einsum_cannot_invent_a_dim() -> None:
    with raises("tnp-dim") as info:
        einsum(typed(M, N), "M N -> M N K")
    assert ".repeat(K)" in str(info.value)


def test_assign_needs_every_reduced_dim_gone() -> None:
    a, b = typed(M, N, name="A"), typed(N, K, name="B")
    c = TypedResult("(M N, N K -> M K)")
    with raises("tnp-dim") as info:
        c.assign(a.repeat(K) * b.repeat(M).rearrange(M, N, K))
    assert "the tile has dims K M N but the result" in str(info.value)


# -- tnp-spec / tnp-reduce / tnp-unproven -------------------------------------------------------


def test_spec_mismatch_names_kernel_and_spec_and_gives_a_counterexample() -> None:
    a, b = typed(M, N, name="A"), typed(N, K, name="B")
    c = TypedResult("3 * (M N, N K -> M K)")
    with raises("tnp-spec") as info:
        c.assign(einsum(a * 2, b, "M N, N K -> M K"))
    message = str(info.value)
    assert "kernel computes `2 * (M N, N K -> M K)` over M[0:10] K[0:6]" in message
    assert "the spec requires `3 * (M N, N K -> M K)`" in message
    assert "differs in: kernel `2` where the spec has `3`" in message
    assert re.search(
        r"counterexample on random inputs \(drawn [^:]*\) at M=\d+, K=\d+: kernel \S+, spec \S+; "
        r"relative error 0.33, beyond what float64 rounding explains",
        message,
    )


def test_partial_reduction() -> None:
    a, b = typed(M, N, name="A"), typed(N, K, name="B")
    c = TypedResult("(M N, N K -> M K)")
    part = einsum(a.slice(N, 0, 4), b.slice(N, 0, 4), "M N, N K -> M K")
    with raises("tnp-reduce") as info:
        c.assign(part)
    assert "missing sum over N[4:8]" in str(info.value)


def test_unproven_is_never_silently_accepted() -> None:
    a, b = typed(M, N, name="A"), typed(M, N, name="B")
    c = TypedResult("A:M N + B:M N")
    with raises("tnp-unproven") as info:
        c.assign((a * a - b * b) / (a - b))
    assert "agree numerically" in str(info.value)


# -- tnp-overlap / tnp-coverage -----------------------------------------------------------------


def test_tile_written_twice() -> None:
    a = typed(M, N, name="A")
    c = TypedResult("2 * (M N)")
    c.assign(a.slice(M, 0, 5) * 2)
    with raises("tnp-overlap") as info:
        c.assign(a.slice(M, 3, 8) * 2)
    assert "M[3:5] N[0:8] written twice" in str(info.value)


def test_reading_an_incomplete_result_lists_the_gaps_at_its_creation_line() -> None:
    a = typed(M, N, name="A")
    c = TypedResult("2 * (M N)"); created = _line()  # noqa: E702
    c.assign(a.slice(M, 0, 5) * 2)
    with raises("tnp-coverage") as info:
        c.arr  # noqa: B018
    assert "1 region never written: M[5:10] N[0:8]" in str(info.value)
    assert info.value.lineno == created
    c.assign(a.slice(M, 5, 10) * 2)
    assert np.allclose(c.arr, 2 * a.arr)


def test_reading_a_result_nothing_was_written_to() -> None:
    with raises("tnp-coverage"):
        TypedResult("(M N)").arr  # noqa: B018


def _line() -> int:
    import inspect

    frame = inspect.currentframe()
    assert frame is not None and frame.f_back is not None
    return frame.f_back.f_lineno


# -- tnp-bad-spec --------------------------------------------------------------------------------


def test_malformed_spec_at_creation() -> None:
    with pytest.raises(tnp.SpecError) as info:
        TypedResult("(M N, N K -> M K")
    assert info.value.code == "tnp-bad-spec"
    assert "^" in str(info.value)


def test_unknown_dim_at_first_assign() -> None:
    c = TypedResult("(M Q)")
    with pytest.raises(tnp.SpecError, match="unknown dim 'Q'"):
        c.assign(typed(M, N, name="A"))


def test_ambiguous_leaf_says_how_to_name_it() -> None:
    k, v = typed(K, N, name="K"), typed(K, N, name="V")
    c = TypedResult("(K N) + (K N)")
    with pytest.raises(tnp.SpecError, match="ambiguous") as info:
        c.assign(k + v)
    assert "K:K N" in str(info.value)


# -- kernel form ----------------------------------------------------------------------------------


@tnp.kernel
def scaled_sum(
    x: Typed[L["M N"]], y: Typed[L["M N"]], out: TypedResult[L["2 * x:M N + y:M N"]]
) -> None:
    for i in range(0, M.size, 5):
        out.assign(x.slice(M, i, i + 5) * 2 + y.slice(M, i, i + 5))


def test_kernel_form_names_inputs_after_parameters() -> None:
    a, b = typed(M, N), typed(M, N)
    out = TypedResult("2 * x:M N + y:M N")
    scaled_sum(a, b, out)
    assert np.allclose(out.arr, 2 * a.arr + b.arr)


def test_kernel_form_swapped_arguments_are_still_correct_by_name() -> None:
    # The spec talks about the parameters, not the caller's variables.
    a, b = typed(M, N), typed(M, N)
    out = TypedResult("2 * x:M N + y:M N")
    scaled_sum(b, a, out)
    assert np.allclose(out.arr, 2 * b.arr + a.arr)


def test_kernel_form_checks_argument_dims() -> None:
    with raises("tnp-dim") as info:
        scaled_sum(typed(N, K), typed(M, N), TypedResult("2 * x:M N + y:M N"))
    assert "argument x has dims N[0:8] K[0:6] but the kernel declares M[0:10] N[0:8]" in str(
        info.value
    )


def test_kernel_form_checks_the_result_spec() -> None:
    with raises("tnp-spec"):
        scaled_sum(typed(M, N), typed(M, N), TypedResult("x:M N + y:M N"))


def test_kernel_form_bad_annotation_fails_at_definition() -> None:
    with pytest.raises(tnp.SpecError, match="unknown dim 'Q'"):

        @tnp.kernel
        def bad(x: Typed[L["M Q"]], out: TypedResult[L["(M Q)"]]) -> None:
            pass


@tnp.kernel
def half_written(x: Typed[L["M N"]], out: TypedResult[L["(M N)"]]) -> None:
    out.assign(x.slice(M, 0, 5))


def test_kernel_returning_with_regions_unwritten_reports_the_def_line() -> None:
    import inspect

    with raises("tnp-coverage") as info:
        half_written(typed(M, N), TypedResult("(M N)"))
    lines, first = inspect.getsourcelines(half_written.__wrapped__)  # type: ignore[attr-defined]
    def_line = first + next(i for i, line in enumerate(lines) if line.startswith("def "))
    assert info.value.lineno == def_line
    assert "when the kernel returns" in str(info.value) and "M[5:10] N[0:8]" in str(info.value)


# -- the rest of the API -------------------------------------------------------------------------


def test_plain_numbers() -> None:
    assert tnp.max(2, 3) == 3
    assert tnp.sqrt(16) == 4.0
    assert tnp.exp(0) == 1.0


def test_dims_are_values_not_a_registry() -> None:
    small, big = FullDim("M", 2), FullDim("M", 3)
    assert small != big
    assert tnp.dim("M", 2) == small
    x = tnp.randn(small, name="x", seed=1)
    assert x.arr.shape == (2,)
    assert x.dim_type == (small.full,)


def test_repeat_rearrange_and_elementwise_functions() -> None:
    a = typed(M, N)
    r = a.sum(N).repeat(N[0:4])
    assert [str(s) for s in r.dim_type] == ["M[0:10]", "N[0:4]"]
    assert np.allclose(r.arr, np.repeat(a.arr.sum(1, keepdims=True), 4, axis=1))
    t = a.rearrange(N, M)
    assert np.allclose(t.arr, a.arr.T)
    for fn, ref in [(tnp.exp, np.exp), (tnp.sin, np.sin), (tnp.cos, np.cos)]:
        assert np.allclose(fn(a).arr, ref(a.arr))
    pos = exp(a)
    assert np.allclose(tnp.log(pos).arr, a.arr) and np.allclose(tnp.sqrt(pos).arr,
                                                              np.sqrt(pos.arr))
    assert np.allclose(tnp.max(a, 0).arr, np.maximum(a.arr, 0))
    assert np.allclose((2 - a).arr, 2 - a.arr) and np.allclose((-a).arr, -a.arr)
    assert np.allclose((1 / exp(a)).arr, np.exp(-a.arr))
    assert np.allclose((np.float64(2) * a).arr, 2 * a.arr)


def test_script_form_tile_that_never_reads_an_input_is_a_spec_error_not_a_bad_spec() -> None:
    a, bias = typed(M, N, name="A"), typed(M, N, name="bias")
    del bias
    c = TypedResult("A:M N + bias:M N")
    with raises("tnp-spec") as info:
        c.assign(a)
    assert "kernel computes `A:M N` over M[0:10] N[0:8]" in str(info.value)
    assert "the spec requires `(A:M N) + (bias:M N)`" in str(info.value)


def test_reveal_prints_both_types_and_returns_the_value(capsys: pytest.CaptureFixture[str]) -> None:
    a, b = typed(M, N, name="A"), typed(N, K, name="B")
    tile = einsum(a.slice(M, 0, 5) * 3, b * 2, "M N, N K -> M K")
    assert tnp.reveal(tile) is tile
    out = capsys.readouterr().out
    assert out == "tnp.reveal: dims M[0:5] K[0:6]; expr `6 * (M N, N K -> M K)`\n"


def test_script_form_leaf_is_ambiguous_among_inputs_in_scope_not_only_those_read() -> None:
    # The tile reads V twice and K never; `nctx dhead` must not quietly mean V.
    q = typed(M, N, name="Q")
    k_in, v_in = typed(K, N, name="K"), typed(K, N, name="V")
    c = TypedResult("((M N, K N -> M K), K N -> M N)")
    assert k_in is not None
    with pytest.raises(tnp.SpecError, match="ambiguous"):
        c.assign(einsum(einsum(q, v_in, "M N, K N -> M K"), v_in, "M K, K N -> M N"))


def test_kernel_argument_in_another_axis_order_is_the_same_input() -> None:
    a, b = typed(M, N), typed(M, N)
    out = TypedResult("2 * x:M N + y:M N")
    scaled_sum(a.rearrange(N, M), b, out)
    assert np.allclose(out.arr, 2 * a.arr + b.arr)
