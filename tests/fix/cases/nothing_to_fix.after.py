"""Tiled matmul, the seed's example as a kernel: c = 6 * (a @ b).

Each tile of `a` is scaled by 3 and each tile of `b` by 2 *before* the tile einsum; tnp folds the
constants and proves at every `c.assign` that the tile written is the spec restricted to that
tile: `6 * (M N, N K -> M K)` over M[im:im+32] K[ik:ik+32], with the sum over all of N.
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
                tile_b = b.slice(N, in_, in_ + TILE).slice(K, ik, ik + TILE)
                # Scale the tiles before the einsum: tnp folds 3 * 2 into the spec's 6.
                tile_c = einsum(tile_a * 3, tile_b * 2, "M N, N K -> M K")
                c_accum = c_accum + tile_c if c_accum is not None else tile_c
            assert c_accum is not None
            c.assign(c_accum)


def main() -> None:
    rng = np.random.default_rng(0)
    a = Typed(rng.standard_normal((M.size, N.size)), M, N)
    b = Typed(rng.standard_normal((N.size, K.size)), N, K)
    c = TypedResult("6 * (M N, N K -> M K)")
    matmul(a, b, c)
    assert np.allclose(c.arr, 6 * a.arr @ b.arr)
    tiles = (M.size // TILE) * (K.size // TILE)
    print(f"matmul: OK ({M.size}x{N.size} @ {N.size}x{K.size}, {tiles} output tiles proved)")


if __name__ == "__main__":
    main()
