"""A kernel whose inputs would be too large to make: skipped with the count, never run."""

from typing import Literal as L

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 1 << 14), FullDim("N", 1 << 13)


@tnp.kernel
def double_huge(x: Typed[L["M N"]], c: TypedResult[L["2 * M N"]]) -> None:
    c.assign(x * 2)
