"""Dims imported through a package that re-exports them: known from their types."""

from typing import Literal as L

import numpy as np
from shapes import M, N

import tnp_runtime as tnp
from tnp_runtime import Typed, TypedResult


@tnp.kernel
def double(x: Typed[L["M N"]], c: TypedResult[L["2 * x:M N"]]) -> None:
    for im in range(0, M.size, 4):
        c.assign(x.slice(M, im, im + 4) * 3)  # E: kernel computes `3 * (M N)` over M[0:4] N[0:8]; the spec requires `2 * (M N)`  [tnp-spec]
        # ^N: differs in: kernel `3` where the spec has `2`
        # ^N: kernel - spec = `M N`
        # ^N: counterexample on random inputs ...
        # ^N: when im = 0
        # ^N: when im = 4
        # ^N: the constant 3 here: with 2 instead, the tile equals the spec


double(Typed(np.ones((8, 8)), M, N), TypedResult("2 * x:M N"))
