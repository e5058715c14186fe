"""Bug: a ReLU written with `tnp.where(t < 0, t, 0)`: the comparison is the wrong way round,
so the kernel keeps the negative values (it computes min(x, 0)).

tnp reports `tnp-spec` at the first `c.assign`: the kernel computes `-max(-(M N), 0)` (that
is, min(x, 0)), the spec requires `max(0, M N)`, with a counterexample.
"""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 16), FullDim("N", 32)
TILE = 8


@tnp.kernel
def relu(x: Typed[L["M N"]], c: TypedResult[L["max(M N, 0)"]]) -> None:
    for im in range(0, M.size, TILE):
        t = x.slice(M, im, im + TILE)
        c.assign(tnp.where(t < 0, t, 0))  # error: tnp-spec


rng = np.random.default_rng(0)
relu(Typed(rng.standard_normal((M.size, N.size)), M, N), TypedResult("max(M N, 0)"))
print("unreachable: tnp accepted a ReLU that keeps the negative values")
