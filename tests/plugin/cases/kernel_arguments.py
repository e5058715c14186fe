"""The kernel protocol at a call, in both halves through `core.calls`: each `Typed` argument must
have exactly the declared dims (any order), checked before the kernel's body runs."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N, K = FullDim("M", 4), FullDim("N", 4), FullDim("K", 4)


@tnp.kernel
def add(x: Typed[L["M N"]], y: Typed[L["M N"]], c: TypedResult[L["x:M N + y:M N"]]) -> None:
    c.assign(x + y)


def good() -> None:
    c = TypedResult("x:M N + y:M N")
    add(Typed(np.ones((4, 4)), M, N), Typed(np.ones((4, 4)), M, N), c)
    print(c.arr)


def second_argument() -> None:
    c = TypedResult("x:M N + y:M N")
    add(Typed(np.ones((4, 4)), M, N), Typed(np.ones((4, 4)), M, K), c)  # E: add: argument y has dims M[0:4] K[0:4] but the kernel declares M[0:4] N[0:4]  [tnp-dim]
    # ^E: Argument 2 to "add" has incompatible type "Typed[Literal['M K']]"; expected "Typed[Literal['M N']]"  [arg-type]
    print(c.arr)


good()
second_argument()
