"""RMSnorm over N, tiled over rows and over N, with `mean` and `**` in the spec.

The spec: `M N * ((mean[N](M N ** 2) + 0.000001) ** -0.5 -> M N) * (G:N -> M N)`: each row is
divided by the root of its mean square, then scaled by a learned gain G. The kernel sums the
squares tile by tile (`(t ** 2).sum(N)`) and divides the total by the full row length: a mean
over a tile (`t.mean(N)`) is that tile's sum over the tile's length, not over the row's, so the
running total is made of sums, and `mean[N]` in the spec is `sum[N](...) / 128`, which the
tiles' sums meet. `** -0.5` is `1 / sqrt(...)` on both sides.
"""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 64), FullDim("N", 128)
TILE_M, TILE_N = 16, 32
EPS = 1e-6

SPEC = "M N * ((mean[N](M N ** 2) + 0.000001) ** -0.5 -> M N) * (G:N -> M N)"


@tnp.kernel
def rmsnorm(x: Typed[L["M N"]], G: Typed[L["N"]], c: TypedResult[L[
    "M N * ((mean[N](M N ** 2) + 0.000001) ** -0.5 -> M N) * (G:N -> M N)"
]]) -> None:
    for im in range(0, M.size, TILE_M):
        rows = x.slice(M, im, im + TILE_M)
        total: Typed | None = None
        for jn in range(0, N.size, TILE_N):
            part = (rows.slice(N, jn, jn + TILE_N) ** 2).sum(N)
            total = part if total is None else total + part
        assert total is not None
        scale = 1 / tnp.sqrt(total / N.size + EPS)
        for jn in range(0, N.size, TILE_N):
            tile = rows.slice(N, jn, jn + TILE_N) * scale.repeat(N[jn : jn + TILE_N])
            c.assign(tile * G.slice(N, jn, jn + TILE_N).repeat(M[im : im + TILE_M]))


def reference(x: np.ndarray, g: np.ndarray) -> np.ndarray:
    result: np.ndarray = x / np.sqrt((x**2).mean(axis=1, keepdims=True) + EPS) * g
    return result


def main() -> None:
    rng = np.random.default_rng(0)
    x = Typed(rng.standard_normal((M.size, N.size)), M, N)
    g = Typed(rng.uniform(0.5, 1.5, N.size), N)
    c = TypedResult(SPEC)
    rmsnorm(x, g, c)
    assert np.allclose(c.arr, reference(x.arr, g.arr))
    tiles = (M.size // TILE_M) * (N.size // TILE_N)
    print(f"rmsnorm: OK ({M.size}x{N.size}, {tiles} tiles proved, mean and ** in the spec)")


if __name__ == "__main__":
    main()
