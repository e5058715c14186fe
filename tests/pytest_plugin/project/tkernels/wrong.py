"""A kernel wrong at one tile: the last row of tiles is tripled, not doubled."""

from typing import Literal as L

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 8), FullDim("N", 16)
TILE = 4


@tnp.kernel
def double_last_wrong(x: Typed[L["M N"]], c: TypedResult[L["2 * M N"]]) -> None:
    for i in range(0, M.size, TILE):
        factor = 3 if i + TILE == M.size else 2
        c.assign(x.slice(M, i, i + TILE) * factor)  # error: tnp-spec
