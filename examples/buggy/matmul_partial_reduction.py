"""Bug: the reduction loop runs over `K.size` instead of `N.size`, so it sums only N[0:64].

A copy-paste slip: the inner loop's bound names the wrong dim. Every slice is in bounds and
every dim matches, but each output tile sums over only part of N. tnp reports `tnp-reduce` at
the first `c.assign`, naming the missing interval: the sum over N[64:256].
"""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult, einsum

M, N, K = FullDim("M", 128), FullDim("N", 256), FullDim("K", 64)
TILE = 32


@tnp.kernel
def matmul(
    a: Typed[L["M N"]], b: Typed[L["N K"]], c: TypedResult[L["6 * (M N, N K -> M K)"]]
) -> None:
    for im in range(0, M.size, TILE):
        for ik in range(0, K.size, TILE):
            c_accum: Typed | None = None
            for in_ in range(0, K.size, TILE):  # should be N.size
                tile_a = a.slice(M, im, im + TILE).slice(N, in_, in_ + TILE)
                tile_b = b.slice(N, in_, in_ + TILE).slice(K, ik, ik + TILE)
                tile_c = einsum(tile_a * 3, tile_b * 2, "M N, N K -> M K")
                c_accum = c_accum + tile_c if c_accum is not None else tile_c
            assert c_accum is not None
            c.assign(c_accum)  # error: tnp-reduce


def main() -> None:
    rng = np.random.default_rng(0)
    a = Typed(rng.standard_normal((M.size, N.size)), M, N)
    b = Typed(rng.standard_normal((N.size, K.size)), N, K)
    c = TypedResult("6 * (M N, N K -> M K)")
    matmul(a, b, c)
    print("unreachable: tnp accepted a matmul that sums over only part of N")


if __name__ == "__main__":
    main()
