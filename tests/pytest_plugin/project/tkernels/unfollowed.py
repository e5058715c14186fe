"""A correct kernel the mypy plugin cannot follow: its body has a `try` statement."""

from typing import Literal as L

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 8), FullDim("N", 16)
TILE = 4


@tnp.kernel
def guarded(x: Typed[L["M N"]], c: TypedResult[L["2 * M N"]]) -> None:
    for i in range(0, M.size, TILE):
        try:
            tile = x.slice(M, i, i + TILE)
        except IndexError:
            raise
        c.assign(tile * 2)
