"""Numerically stable softmax over N, tiled over rows: c = softmax[N](x).

Each row tile holds all of N, subtracts its row max before `exp` (so `exp` never overflows) and
divides by the row sum. tnp proves that subtracting the max changes nothing over the reals:
exp(x - m) / sum[N](exp(x - m)) = exp(x) / sum[N](exp(x)), whatever m is.
"""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult, exp

M, N = FullDim("M", 128), FullDim("N", 64)
TILE_M = 32


@tnp.kernel
def softmax(x: Typed[L["M N"]], c: TypedResult[L["softmax[N](M N)"]]) -> None:
    for im in range(0, M.size, TILE_M):
        rows = x.slice(M, im, im + TILE_M)
        row_max = rows.max(N)
        e = exp(rows - row_max.repeat(N))
        c.assign(e / e.sum(N).repeat(N))


def reference(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=1, keepdims=True))
    result: np.ndarray = e / e.sum(axis=1, keepdims=True)
    return result


def main() -> None:
    rng = np.random.default_rng(0)
    # Large logits: a softmax without the max subtraction would overflow to inf / inf.
    x = Typed(800 * rng.standard_normal((M.size, N.size)), M, N)
    c = TypedResult("softmax[N](M N)")
    softmax(x, c)
    assert np.all(np.isfinite(c.arr))
    assert np.allclose(c.arr, reference(x.arr))
    print(f"softmax: OK ({M.size}x{N.size}, {M.size // TILE_M} row tiles proved)")


if __name__ == "__main__":
    main()
