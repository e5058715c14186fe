"""`f.result()`: a result made from the kernel's own annotation, so the spec is written once.

It is `TypedResult[Literal[<the spec f declares>]]` to mypy (passing it to `f` is no type error,
even under --strict), and the interpreter binds it exactly as `TypedResult("<that spec>")`.
With several result parameters, `f.result("name")` picks one; `f.result()` is then an error.
"""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 8), FullDim("N", 8)


@tnp.kernel
def scale(x: Typed[L["M N"]], c: TypedResult[L["2 * x:M N"]]) -> None:
    c.assign(x * 2)


@tnp.kernel
def both(x: Typed[L["M N"]], c: TypedResult[L["2 * x:M N"]], d: TypedResult[L["x:M N / 4"]]) -> None:
    c.assign(x * 2)
    for i in range(0, 8, 4):
        d.assign(x.slice(M, i, i + 4) / 4)


def misuse() -> None:
    both.result()  # E: both has 2 result parameters (c, d): name one, e.g. both.result("c")  [call-arg]


x = Typed(np.ones((8, 8)), M, N, name="x")
c = scale.result()
scale(x, c)
print(c.arr.sum())
both(x, both.result("c"), both.result("d"))
# Script form: the result is bound to the kernel's spec, `2 * x:M N`, at its first assign.
r = scale.result()
r.assign(x * 3)  # E: kernel computes `3 * (M N)` over M[0:8] N[0:8]; the spec requires `2 * (M N)`  [tnp-spec]
# ^N: differs in: kernel `3` where the spec has `2`
# ^N: kernel - spec = `M N`
# ^N: counterexample on random inputs ...
# ^N: the constant 3 here: with 2 instead, the tile equals the spec
