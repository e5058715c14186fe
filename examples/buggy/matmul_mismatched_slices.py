"""Bug: `tile_b` is sliced on N with the output-tile index `ik` instead of the reduction index.

All tiles are 32x32, so NumPy would happily multiply a[M, N 32:64] by b[N 0:32, K] and give a
wrong answer. tnp reports `tnp-dim` at the einsum the first time the two slices of N differ
(im = 0, ik = 0, in_ = 32): tile_a holds N[32:64], tile_b holds N[0:32].
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
            for in_ in range(0, N.size, TILE):
                tile_a = a.slice(M, im, im + TILE).slice(N, in_, in_ + TILE)
                tile_b = b.slice(N, ik, ik + TILE).slice(K, ik, ik + TILE)  # N should use in_
                tile_c = einsum(tile_a * 3, tile_b * 2, "M N, N K -> M K")  # error: tnp-dim
                c_accum = c_accum + tile_c if c_accum is not None else tile_c
            assert c_accum is not None
            c.assign(c_accum)


def main() -> None:
    rng = np.random.default_rng(0)
    a = Typed(rng.standard_normal((M.size, N.size)), M, N)
    b = Typed(rng.standard_normal((N.size, K.size)), N, K)
    c = TypedResult("6 * (M N, N K -> M K)")
    matmul(a, b, c)
    print("unreachable: tnp accepted a product of mismatched slices of N")


if __name__ == "__main__":
    main()
