"""A kernel with a parameter no input can be made for, and one whose default serves."""

from typing import Literal as L

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 8), FullDim("N", 16)
TILE = 4


@tnp.kernel
def scaled(x: Typed[L["M N"]], factor: float, c: TypedResult[L["2 * M N"]]) -> None:
    c.assign(x.slice(M, 0, M.size) * factor)


@tnp.kernel
def scaled_default(x: Typed[L["M N"]], c: TypedResult[L["2 * M N"]], factor: int = 2) -> None:
    c.assign(x * factor)
