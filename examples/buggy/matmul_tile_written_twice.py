"""Bug: output tiles are 32x16, but `tile_b` is sliced on K with `TILE_M` instead of `TILE_K`.

The loop over K steps by TILE_K = 16 while each tile spans 32 columns (its bound was adjusted
so the wide tiles stay inside K, which hid the mix-up), so neighbouring tiles overlap. Every
tile is a correct piece of the product, so each proof succeeds; but the second write,
M[0:32] K[16:48] (when im = 0, ik = 16), lands on K[16:32], which the first already wrote.
tnp reports `tnp-overlap` at that `c.assign`.
"""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult, einsum

M, N, K = FullDim("M", 128), FullDim("N", 256), FullDim("K", 64)
TILE_M, TILE_N, TILE_K = 32, 32, 16


@tnp.kernel
def matmul(
    a: Typed[L["M N"]], b: Typed[L["N K"]], c: TypedResult[L["6 * (M N, N K -> M K)"]]
) -> None:
    for im in range(0, M.size, TILE_M):
        for ik in range(0, K.size - TILE_M + 1, TILE_K):
            c_accum: Typed | None = None
            for in_ in range(0, N.size, TILE_N):
                tile_a = a.slice(M, im, im + TILE_M).slice(N, in_, in_ + TILE_N)
                tile_b = b.slice(N, in_, in_ + TILE_N).slice(K, ik, ik + TILE_M)  # want TILE_K
                tile_c = einsum(tile_a * 3, tile_b * 2, "M N, N K -> M K")
                c_accum = c_accum + tile_c if c_accum is not None else tile_c
            assert c_accum is not None
            c.assign(c_accum)  # error: tnp-overlap


def main() -> None:
    rng = np.random.default_rng(0)
    a = Typed(rng.standard_normal((M.size, N.size)), M, N)
    b = Typed(rng.standard_normal((N.size, K.size)), N, K)
    c = TypedResult("6 * (M N, N K -> M K)")
    matmul(a, b, c)
    print("unreachable: tnp accepted a kernel whose tiles overlap")


if __name__ == "__main__":
    main()
