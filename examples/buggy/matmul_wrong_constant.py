"""Bug: the spec says `2 * (...)`, but both tiles are multiplied by 2: the kernel computes 4 a @ b.

This is the mistake the seed's author made while writing its first example. The dims are all
right, so only the proof can catch it: tnp reports `tnp-spec` at the first `c.assign`, naming
both sides (the kernel computes `4 * (M N, N K -> M K)` over M[0:5] K[0:5]; the spec requires
`2 * (M N, N K -> M K)`).
"""

import numpy as np

from tnp_runtime import FullDim, Typed, TypedResult, einsum

M, N, K = FullDim("M", 10), FullDim("N", 10), FullDim("K", 10)
tile_size = 5

rng = np.random.default_rng(0)
a = Typed(rng.standard_normal((10, 10)), M, N, name="A")
b = Typed(rng.standard_normal((10, 10)), N, K, name="B")
c = TypedResult("2 * (M N, N K -> M K)")

for im in range(0, 10, tile_size):
    for ik in range(0, 10, tile_size):
        c_accum: Typed | None = None
        for in_ in range(0, 10, tile_size):
            tile_a = a.slice(M, im, im + tile_size).slice(N, in_, in_ + tile_size)
            tile_b = b.slice(N, in_, in_ + tile_size).slice(K, ik, ik + tile_size)
            # Meant to double the product; doubles it twice.
            tile_c = einsum(tile_a * 2, tile_b * 2, "M N, N K -> M K")
            c_accum = c_accum + tile_c if c_accum is not None else tile_c
        assert c_accum is not None
        c.assign(c_accum)  # error: tnp-spec

print("unreachable: tnp accepted a tile that is 4 * a @ b against the spec 2 * a @ b")
