"""The data follows the types: dims are matched by name whatever the axis order, so every
operation must line the arrays up by name before NumPy sees them."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult, einsum

M, N, K = FullDim("M", 4), FullDim("N", 5), FullDim("K", 3)
DIMS = {"M": M, "N": N, "K": K}


def _named(arr: np.ndarray, order: tuple[str, ...], want: tuple[str, ...]) -> np.ndarray:
    return np.transpose(arr, [order.index(d) for d in want])


@settings(max_examples=60, deadline=None)
@given(
    st.permutations(["M", "N", "K"]),
    st.permutations(["M", "N", "K"]),
    st.sampled_from(["+", "-", "*", "/", "max"]),
    st.integers(0, 2),
)
def test_binary_ops_align_by_name(
    left_order: list[str], right_order: list[str], op: str, cut: int
) -> None:
    rng = np.random.default_rng(1)
    base_l = rng.standard_normal((4, 5, 3))
    base_r = rng.standard_normal((4, 5, 3)) + 3.0
    lo = tuple(left_order)
    ro = tuple(right_order)
    left = Typed(_named(base_l, ("M", "N", "K"), lo), *(DIMS[d] for d in lo))
    right = Typed(_named(base_r, ("M", "N", "K"), ro), *(DIMS[d] for d in ro))
    left, right = left.slice(N, cut, cut + 2), right.slice(N, cut, cut + 2)
    result = {
        "+": lambda a, b: a + b,
        "-": lambda a, b: a - b,
        "*": lambda a, b: a * b,
        "/": lambda a, b: a / b,
        "max": tnp.max,
    }[op](left, right)
    ref = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "max": np.maximum}[op](
        base_l[:, cut : cut + 2], base_r[:, cut : cut + 2]
    )
    assert tuple(s.name for s in result.dim_type) == lo
    assert np.allclose(result.arr, _named(ref, ("M", "N", "K"), lo))


def test_einsum_with_operands_in_any_axis_order() -> None:
    rng = np.random.default_rng(2)
    a = rng.standard_normal((4, 5))
    b = rng.standard_normal((5, 3))
    for a_order, b_order in itertools.product([("M", "N"), ("N", "M")], [("N", "K"), ("K", "N")]):
        ta = Typed(_named(a, ("M", "N"), a_order), *(DIMS[d] for d in a_order))
        tb = Typed(_named(b, ("N", "K"), b_order), *(DIMS[d] for d in b_order))
        out = einsum(ta, tb, "N M, K N -> K M")
        assert np.allclose(out.arr, (a @ b).T)


def test_three_operand_einsum_and_repeat() -> None:
    rng = np.random.default_rng(3)
    a, b, w = rng.standard_normal((4, 5)), rng.standard_normal((5, 3)), rng.standard_normal(5)
    ta, tb, tw = Typed(a, M, N), Typed(b, N, K), Typed(w, N)
    out = einsum(ta, tw, tb, "M N, N, N K -> M K")
    assert np.allclose(out.arr, (a * w) @ b)
    rep = tw.repeat(M).rearrange(M, N) * ta
    assert np.allclose(rep.arr, a * w)


def test_assign_a_tile_whose_axes_are_in_another_order() -> None:
    rng = np.random.default_rng(4)
    a = rng.standard_normal((4, 5))
    ta = Typed(a, M, N, name="A")
    c = TypedResult("2 * (M N)")
    c.assign((ta.slice(M, 0, 2) * 2).rearrange(N, M))
    c.assign(ta.slice(M, 2, 4) * 2)
    assert np.allclose(c.arr, 2 * a)
