"""Activations, tiled: a ReLU written with `tnp.where`, SiLU with `sigmoid`, ReLU6 with `min`,
and softplus, a NumPy function declared to tnp with `tnp.opaque`.

What is proved: `where(x > 0, x, 0)` is `max(x, 0)` (the spec may say either); `x *
sigmoid(x)` in the spec meets the kernel's `x / (1 + exp(-x))`, since sigmoid is its
definition; `min(max(x, 0), 6)` is `-max(-max(x, 0), -6)`. softplus is opaque: tnp knows
nothing of `np.log1p(np.exp(x))`, only that the kernel applies the spec's `softplus` to the
spec's argument (`x + b` in either order); the NumPy function computes the data.
"""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult, exp

M, N = FullDim("M", 32), FullDim("N", 64)
TILE_M, TILE_N = 16, 32


@tnp.opaque
def softplus(x: np.ndarray) -> np.ndarray:
    result: np.ndarray = np.log1p(np.exp(x))
    return result


SPEC = (
    "max(x:M N, 0) + x:M N * sigmoid(x:M N) + min(max(x:M N, 0), 6)"
    " + softplus(x:M N + (b:N -> M N))"
)


@tnp.kernel
def activations(x: Typed[L["M N"]], b: Typed[L["N"]], c: TypedResult[L[
    "max(x:M N, 0) + x:M N * sigmoid(x:M N) + min(max(x:M N, 0), 6)"
    " + softplus(x:M N + (b:N -> M N))"
]]) -> None:
    for im in range(0, M.size, TILE_M):
        for jn in range(0, N.size, TILE_N):
            t = x.slice(M, im, im + TILE_M).slice(N, jn, jn + TILE_N)
            bias = b.slice(N, jn, jn + TILE_N).repeat(M[im : im + TILE_M]).rearrange(M, N)
            relu = tnp.where(t > 0, t, 0)
            silu = t / (1 + exp(-t))
            relu6 = tnp.min(tnp.max(t, 0), 6)
            c.assign(relu + silu + relu6 + softplus(bias + t))


def reference(x: np.ndarray, b: np.ndarray) -> np.ndarray:
    result: np.ndarray = (np.maximum(x, 0) + x / (1 + np.exp(-x)) + np.clip(x, 0, 6)
                          + np.log1p(np.exp(x + b)))
    return result


def main() -> None:
    rng = np.random.default_rng(0)
    x = Typed(4 * rng.standard_normal((M.size, N.size)), M, N)
    b = Typed(rng.standard_normal(N.size), N)
    c = TypedResult(SPEC)
    activations(x, b, c)
    assert np.allclose(c.arr, reference(x.arr, b.arr))
    tiles = (M.size // TILE_M) * (N.size // TILE_N)
    print(f"activations: OK ({M.size}x{N.size}, {tiles} tiles proved: where, sigmoid, min, "
          "an opaque softplus)")


if __name__ == "__main__":
    main()
