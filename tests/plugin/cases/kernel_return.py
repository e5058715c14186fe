"""The kernel protocol when a kernel returns, in both halves through `core.calls`: every result
must be completely written, reported at the kernel's `def` line."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 8), FullDim("N", 4)


@tnp.kernel
def whole(x: Typed[L["M N"]], c: TypedResult[L["2 * x:M N"]]) -> None:
    for i in range(0, 8, 4):
        c.assign(x.slice(M, i, i + 4) * 2)


@tnp.kernel
def half(x: Typed[L["M N"]], c: TypedResult[L["2 * x:M N"]]) -> None:  # E: result `2 * x:M N` incomplete when the kernel returns: 1 region never written: M[4:8] N[0:4]  [tnp-coverage]
    # ^N: 16 of 32 elements never written (50%)
    c.assign(x.slice(M, 0, 4) * 2)


def run() -> None:
    c = TypedResult("2 * x:M N")
    whole(Typed(np.ones((8, 4)), M, N), c)
    print(c.arr)
    d = TypedResult("2 * x:M N")
    half(Typed(np.ones((8, 4)), M, N), d)


run()
