"""Proved, yet wrong in numbers: an opaque function that is not elementwise, applied by tile."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 8), FullDim("N", 16)
TILE = 4

cumsum = tnp.opaque("cumsum", lambda a: np.cumsum(a, axis=-1))


@tnp.kernel
def running(x: Typed[L["M N"]], c: TypedResult[L["cumsum(M N)"]]) -> None:
    for j in range(0, N.size, TILE):
        c.assign(cumsum(x.slice(N, j, j + TILE)))
