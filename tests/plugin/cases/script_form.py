"""Script form at module level: the seed's example, with a wrong constant.

`c_accum = None` is not annotated here: mypy before 1.15 does not widen it at module level and
reports its own `operator` error (the examples annotate it `Typed | None`, which every version
accepts); tnp's verdict is the same in every version."""

import numpy as np

from tnp_runtime import FullDim, Typed, TypedResult, einsum

M, N, K = FullDim("M", 10), FullDim("N", 10), FullDim("K", 10)
tile_size = 5

a = Typed(np.ones((10, 10)), M, N, name="A")
b = Typed(np.ones((10, 10)), N, K, name="B")
c = TypedResult("2 * (M N, N K -> M K)")

for im in range(0, 10, tile_size):
    for ik in range(0, 10, tile_size):
        c_accum = None
        for in_ in range(0, 10, tile_size):
            tile_a = a.slice(M, im, im + tile_size).slice(N, in_, in_ + tile_size)
            tile_b = b.slice(N, in_, in_ + tile_size).slice(K, ik, ik + tile_size)
            tile_c = einsum(tile_a * 2, tile_b * 2, "M N, N K -> M K")
            # ^N: the tile equals the spec without the `* 2` applied here
            c_accum = c_accum + tile_c if c_accum is not None else tile_c  # E[mypy<1.15]: Unsupported operand types for + ("None" and "Typed[Any]")  [operator]
        assert c_accum is not None
        c.assign(c_accum)  # E: kernel computes `4 * (M N, N K -> M K)` over M[0:5] K[0:5]; the spec requires `2 * (M N, N K -> M K)`  [tnp-spec]
        # ^N: differs in: kernel `4` where the spec has `2`
        # ^N: kernel - spec = `2 * (M N, N K -> M K)`
        # ^N: counterexample on random inputs ...
        # ^N: when im = 0, ik = 0
        # ^N: when im = 0, ik = 5
        # ^N: when im = 5, ik = 0
