"""Bug: an off-by-one range, `range(0, M.size - TILE, TILE)`, skips the last row of output tiles.

Every tile the kernel writes is correct, so each `c.assign` is proved; what is wrong is what
it never writes. When the kernel returns, tnp reports `tnp-coverage` at the kernel's `def`
line, listing the region never written: M[96:128] K[0:64].
"""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult, einsum

M, N, K = FullDim("M", 128), FullDim("N", 256), FullDim("K", 64)
TILE = 32


@tnp.kernel
def matmul(  # error: tnp-coverage
    a: Typed[L["M N"]], b: Typed[L["N K"]], c: TypedResult[L["6 * (M N, N K -> M K)"]]
) -> None:
    # "The last tile starts at M.size - TILE", but range() already stops before its end.
    for im in range(0, M.size - TILE, TILE):
        for ik in range(0, K.size, TILE):
            c_accum: Typed | None = None
            for in_ in range(0, N.size, TILE):
                tile_a = a.slice(M, im, im + TILE).slice(N, in_, in_ + TILE)
                tile_b = b.slice(N, in_, in_ + TILE).slice(K, ik, ik + TILE)
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
    print("unreachable: tnp accepted a kernel that never writes the last row of tiles")


if __name__ == "__main__":
    main()
