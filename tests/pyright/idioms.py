"""The README's idioms that no example shows, written as a user's module would write them.

tests/test_pyright.py checks this file, the correct examples and the README's usage example
under `pyright --strict` with tnp's stubs (0 errors); it also runs this file and checks it
under mypy with the plugin (no error), so every idiom here is correct tnp code as well.
Each section names the README section it comes from.
"""

import math
from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult, einsum, exp, log, sqrt

M, N, K = FullDim("M", 64), FullDim("N", 128), FullDim("K", 32)
qctx, nctx = FullDim("qctx", 64), FullDim("nctx", 64)
TILE = 32


# "Checking with mypy": running values that start as numbers and become tiles, `tnp.max` of a
# `Typed | float`, and the `assert isinstance` once the loop is done. "Intermediate
# assertions": the running max's invariant, as an f-string of the loop index.
@tnp.kernel
def softmax_online(x: Typed[L["M N"]], c: TypedResult[L["softmax[N](M N)"]]) -> None:
    for im in range(0, M.size, TILE):
        rows = x.slice(M, im, im + TILE)
        row_max: Typed | float = -np.inf
        row_sum: Typed | float = 0
        for jn in range(0, N.size, TILE):
            block = rows.slice(N, jn, jn + TILE)
            m_new = tnp.max(row_max, block.max(N))
            shifted = exp(block - m_new.repeat(N[jn : jn + TILE]))
            row_sum = row_sum * exp(row_max - m_new) + shifted.sum(N)
            row_max = m_new
            tnp.assert_spec(row_max, f"max[N[0:{jn + TILE}]](M N)")
        assert isinstance(row_max, Typed) and isinstance(row_sum, Typed)
        for jn in range(0, N.size, TILE):
            block = rows.slice(N, jn, jn + TILE)
            numerator = exp(block - row_max.repeat(N[jn : jn + TILE]))
            c.assign(numerator / row_sum.repeat(N[jn : jn + TILE]))


# "Kernels calling kernels": the inner kernel's tiles are proved against the caller's spec.
@tnp.kernel
def inner(x: Typed[L["M N"]], c: TypedResult[L["2 * x:M N"]]) -> None:
    c.assign(x * 2)


@tnp.kernel
def outer(a: Typed[L["M N"]], c: TypedResult[L["6 * M N"]]) -> None:
    inner(a * 3, c)  # type: ignore[arg-type]  # proved: 2 * (3 * a) is 6 * a


# "Writing the spec once": a kernel with two results, each made by `result(name)`.
@tnp.kernel
def scaled_twice(
    x: Typed[L["M N"]], c: TypedResult[L["2 * M N"]], d: TypedResult[L["3 * M N"]]
) -> None:
    c.assign(x * 2)
    d.assign(x * 3)


# "Masks": a predicate joined with `&`, and a fill other than -inf.
@tnp.kernel
def banded(
    s: Typed[L["qctx nctx"]],
    c: TypedResult[L["mask[qctx >= nctx and qctx - nctx < 16, 0](qctx nctx)"]],
) -> None:
    for iq in range(0, qctx.size, TILE):
        for jk in range(0, nctx.size, TILE):
            tile = s.slice(qctx, iq, iq + TILE).slice(nctx, jk, jk + TILE)
            c.assign(tile.mask((qctx >= nctx) & (qctx - nctx < 16), fill=0))


# "Opaque functions": declared with a lambda or a decorator, applied to Typed values.
softplus = tnp.opaque("softplus", lambda x: np.log1p(np.exp(x)))


@tnp.opaque
def clip_mul(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    result: np.ndarray = np.clip(x * y, -1, 1)  # NumPy's stubs: Any (mypy --strict: no-any-return)
    return result


@tnp.kernel
def activations(
    x: Typed[L["M N"]],
    y: Typed[L["M N"]],
    c: TypedResult[L["softplus(x:M N) + clip_mul(x:M N, y:M N)"]],
) -> None:
    for im in range(0, M.size, TILE):
        rows_x, rows_y = x.slice(M, im, im + TILE), y.slice(M, im, im + TILE)
        c.assign(softplus(rows_x) + clip_mul(rows_x, rows_y))


def api_tour(a: Typed[L["M N"]], b: Typed[L["N K"]]) -> list[Typed]:
    """"Usage", the rest of the API: each line's values, kept (strict mode reports an
    expression statement whose value is dropped)."""
    t = a.slice(M, 0, 32).slice(N, 0, 32)
    u = a.slice(M[0:32]).slice(N[0:32])
    products = einsum(t, b.slice(N, 0, 32), "M N, N K -> M K")
    return [
        t * 3, t + u, t - u, t / u, -t, 2 - t,
        exp(t), sqrt(t), log(t), tnp.sin(t), tnp.cos(t), tnp.max(t, u), tnp.max(t, 0.5),
        tnp.tanh(t), tnp.sigmoid(t), tnp.erf(t),
        tnp.abs(t), abs(t), tnp.min(t, u), t.minimum(u),
        t ** 2, t ** -1, t ** 0.5,
        t.sum(N).repeat(N[0:32]), t.max(N).repeat(N[0:32]), t.min(N).repeat(N[0:32]),
        t.mean(N).repeat(N[0:32]),
        tnp.where(t > 0, t, 0), tnp.where(t <= u, 1, t),
        products.rearrange(K, M), products.repeat(N).sum(N), products.repeat(N[0:4]).sum(N),
        t / math.sqrt(16),
    ]


def main() -> None:
    rng = np.random.default_rng(0)
    x = Typed(rng.standard_normal((M.size, N.size)), M, N)
    y = Typed(rng.standard_normal((M.size, N.size)), M, N)
    c = softmax_online.result()  # TypedResult[Literal["softmax[N](M N)"]] to mypy
    softmax_online(x, c)
    e = np.exp(x.arr - x.arr.max(axis=1, keepdims=True))
    assert np.allclose(c.arr, e / e.sum(axis=1, keepdims=True))

    six = outer.result()
    outer(x, six)
    assert np.allclose(six.arr, 6 * x.arr)

    two, three = scaled_twice.result("c"), scaled_twice.result("d")
    scaled_twice(x, two, three)
    assert np.allclose(two.arr * 3, three.arr * 2)

    s = Typed(rng.standard_normal((qctx.size, nctx.size)), qctx, nctx)
    band = banded.result()
    banded(s, band)
    rows, cols = np.indices((qctx.size, nctx.size))
    assert np.allclose(band.arr, np.where((rows >= cols) & (rows - cols < 16), s.arr, 0))

    act = activations.result()
    activations(x, y, act)
    assert np.allclose(act.arr, np.log1p(np.exp(x.arr)) + np.clip(x.arr * y.arr, -1, 1))

    a = Typed(np.ones((M.size, N.size)), M, N, name="A")  # name= is optional
    b = tnp.randn(N, K, name="B", seed=0)
    tour = api_tour(a, b)
    shapes = [value.arr.shape for value in tour]
    assert all(len(shape) == 2 for shape in shapes), shapes
    print(f"idioms: OK ({len(tour)} API values, {len(a.dim_type)} dims of A)")


if __name__ == "__main__":
    main()
