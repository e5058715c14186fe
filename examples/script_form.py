"""The seed's example in script form: no kernel, just module-level code.

Inputs are named with `name=`; the result is checked at every `c.assign`, and its coverage when
`c.arr` is read. The spec `6 * (M N, N K -> M K)` matches the tiles scaled by 3 and by 2.
"""

import numpy as np

from tnp_runtime import FullDim, Typed, TypedResult, einsum

M, N, K = FullDim("M", 10), FullDim("N", 10), FullDim("K", 10)
tile_size = 5

rng = np.random.default_rng(0)
a = Typed(rng.standard_normal((10, 10)), M, N, name="A")
b = Typed(rng.standard_normal((10, 10)), N, K, name="B")
c = TypedResult("6 * (M N, N K -> M K)")

for im in range(0, 10, tile_size):
    for ik in range(0, 10, tile_size):
        c_accum: Typed | None = None
        for in_ in range(0, 10, tile_size):
            # Slice the inputs
            tile_a = a.slice(M, im, im + tile_size).slice(N, in_, in_ + tile_size)
            tile_b = b.slice(N, in_, in_ + tile_size).slice(K, ik, ik + tile_size)
            # Multiply the tiles by constants BEFORE the einsum: tnp folds the constants and
            # proves that the result is the matmul multiplied by 6.
            tile_a_scaled = tile_a * 3
            tile_b_scaled = tile_b * 2
            # Perform a single tile's worth of matmul
            tile_c = einsum(tile_a_scaled, tile_b_scaled, "M N, N K -> M K")
            # Accumulate the result
            c_accum = c_accum + tile_c if c_accum is not None else tile_c
        # Write it out: this is where tnp proves the tile against the spec.
        assert c_accum is not None
        c.assign(c_accum)

assert np.allclose(c.arr, 6 * a.arr @ b.arr)
print("script_form: OK (10x10 @ 10x10 in 5x5 tiles, 4 output tiles proved)")
