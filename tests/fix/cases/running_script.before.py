"""A row sum in script form that starts as `0`: the module imports no `Typed`, so the fix adds
it to the module's `from tnp_runtime import ...`."""

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, TypedResult

M, N = FullDim("M", 8), FullDim("N", 16)
TILE = 4

x = tnp.Typed(np.arange(128.0).reshape(8, 16), M, N, name="x")
c = TypedResult("sum[N](x:M N)")

total = 0
for j in range(0, N.size, TILE):
    total = total + x.slice(N, j, j + TILE).sum(N)
c.assign(total.rearrange(M))
