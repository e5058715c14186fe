"""At a kernel call the kernel is inlined: its inputs are renamed after its parameters; wrong
dims are a mypy argument error and a `tnp-dim`; another spec is a `tnp-spec`."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N, K = FullDim("M", 8), FullDim("N", 8), FullDim("K", 8)


@tnp.kernel
def scale(x: Typed[L["M N"]], c: TypedResult[L["2 * x:M N"]]) -> None:
    c.assign(x * 2)


def good() -> None:
    c = TypedResult("2 * x:M N")
    scale(Typed(np.ones((8, 8)), M, N), c)
    print(c.arr)


def transposed() -> None:
    # The argument's axes come in another order: still the kernel's input x.
    c = TypedResult("2 * x:M N")
    scale(Typed(np.ones((8, 8)), M, N).rearrange(N, M), c)
    print(c.arr)


def other_spec() -> None:
    c = TypedResult("3 * x:M N")
    scale(Typed(np.ones((8, 8)), M, N), c)  # E: scale: result c has spec `3 * x:M N` but the kernel declares `2 * x:M N`  [tnp-spec]
    # ^E: Argument 2 to "scale" has incompatible type "TypedResult[Literal['3 * x:M N']]"; expected "TypedResult[Literal['2 * x:M N']]"  [arg-type]


def wrong_dims() -> None:
    c = TypedResult("2 * x:M N")
    scale(Typed(np.ones((8, 8)), M, K), c)  # E: scale: argument x has dims M[0:8] K[0:8] but the kernel declares M[0:8] N[0:8]  [tnp-dim]
    # ^E: Argument 1 to "scale" has incompatible type "Typed[Literal['M K']]"; expected "Typed[Literal['M N']]"  [arg-type]


good()
transposed()
other_spec()
