"""`tnp-overlap`: tiles of 4 rows written every 2 rows."""

import numpy as np

from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 8), FullDim("N", 4)

x = Typed(np.ones((8, 4)), M, N, name="X")
c = TypedResult("X:M N")
for im in range(0, 8, 2):
    if im + 4 <= 8:
        c.assign(x.slice(M, im, im + 4))  # E: result region M[2:4] N[0:4] written twice: it overlaps the earlier write of M[0:4] N[0:4]  [tnp-overlap]
        # ^N: when im = 2
