"""A result's spec text and the kernel's are compared by their trees: whitespace, redundant
parentheses and `let` do not matter, for tnp and for mypy's argument check. Another tree that is
provably the same spec is accepted by tnp; mypy still sees two literal types (`arg-type`)."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 4), FullDim("N", 4)


@tnp.kernel
def double(x: Typed[L["M N"]], c: TypedResult[L["2 * x:M N"]]) -> None:
    c.assign(x * 2)


@tnp.kernel
def twice(x: Typed[L["M N"]], c: TypedResult[L["2*x:M   N"]]) -> None:
    double(x, c)  # the caller's text, with other whitespace: the same spec


x = Typed(np.ones((4, 4)), M, N)
spaced = TypedResult("2*x:M   N")
double(x, spaced)
double(x, TypedResult("(2) * (x:M N)"))
double(x, TypedResult("let y = x:M N in 2 * y"))
twice(x, twice.result())
double(x, TypedResult("x:M N * 2"))  # E: Argument 2 to "double" has incompatible type "TypedResult[Literal['x:M N * 2']]"; expected "TypedResult[Literal['2 * x:M N']]"  [arg-type]
double(x, TypedResult("3 * x:M N"))  # E: double: result c has spec `3 * x:M N` but the kernel declares `2 * x:M N`  [tnp-spec]
# ^E: Argument 2 to "double" has incompatible type "TypedResult[Literal['3 * x:M N']]"; expected "TypedResult[Literal['2 * x:M N']]"  [arg-type]
