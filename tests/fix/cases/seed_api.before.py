"""The seed's example as its README wrote it: the seed's imports, a `None` accumulator, and a
running value that starts as a number."""

import numpy as np
import typed_numpy
from typed_numpy import FullDim, Typed, TypedResult, einsum

M, N, K = FullDim('M', 10), FullDim('N', 10), FullDim('K', 10)
tile_size = 5
a = Typed(np.random.randn(10, 10), M, N, name="A")
b = Typed(np.random.randn(10, 10), N, K, name="B")
c = TypedResult("6 * (M N, N K -> M K)")

for im in range(0, 10, tile_size):
    for ik in range(0, 10, tile_size):
        c_accum = None
        for in_ in range(0, 10, tile_size):
            # Slice the inputs
            tile_a = a.slice(M, im, im + tile_size).slice(N, in_, in_ + tile_size)
            tile_b = b.slice(N, in_, in_ + tile_size).slice(K, ik, ik + tile_size)
            tile_c = einsum(tile_a * 3, tile_b * 2, "M N, N K -> M K")
            # Accumulate the result
            c_accum = c_accum + tile_c if c_accum is not None else tile_c
        # Write it out
        c.assign(c_accum)

row_sum = 0
for in_ in range(0, 10, tile_size):
    row_sum = row_sum + a.slice(N, in_, in_ + tile_size).sum(N)
d = TypedResult("sum[N](A:M N)")
d.assign(row_sum.rearrange(M))
typed_numpy.reveal(row_sum)
