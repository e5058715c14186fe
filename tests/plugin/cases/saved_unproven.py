"""A saved input's argument that is its definition in real arithmetic but not provably so
(sin^2 + cos^2 for 1): neither proved nor refuted, `tnp-unproven` at the call."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Saved, Typed, TypedResult, cos, sin

M = FullDim("M", 4)


@tnp.kernel
def plus_one(
    x: Typed[L["M"]],
    one: Saved[L["M"], L["(1 -> M)"]],
    c: TypedResult[L["x:M + 1"]],
) -> None:
    c.assign(x + one)


def trig() -> None:
    x = Typed(np.ones(4), M, name="x")
    c = TypedResult("x:M + 1")
    plus_one(x, sin(x) * sin(x) + cos(x) * cos(x), c)  # E: plus_one: the argument for saved input one could not be proved to be its definition `(1 -> M)`: the argument is `cos(M) ** 2 + sin(M) ** 2`, the definition with these arguments is `1`  [tnp-unproven]
    # ^N: the normal forms differ but no index of the tile tells them apart
    # ^N: they agree numerically at sampled indices on random inputs
    print(c.arr)


trig()
