"""A kernel with a saved input: the row sums its caller computed."""

from typing import Literal as L

import tnp_runtime as tnp
from tnp_runtime import FullDim, Saved, Typed, TypedResult

M, N = FullDim("M", 8), FullDim("N", 16)
TILE = 4


@tnp.kernel
def center(
    x: Typed[L["M N"]],
    total: Saved[L["M"], L["sum[N](x:M N)"]],
    c: TypedResult[L["x:M N - (sum[N](x:M N) -> M N) / 16"]],
) -> None:
    for i in range(0, M.size, TILE):
        rows = x.slice(M, i, i + TILE)
        c.assign(rows - total.slice(M, i, i + TILE).repeat(N) / N.size)
