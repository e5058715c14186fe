"""`tnp.assert_spec(value, "spec")`: an intermediate value proved against a spec, as a tile is.

In a kernel the spec names the kernel's parameters; in script form, the inputs in scope. The
assertions that hold pass silently in both halves; the refuted one is `tnp-spec` at its line.
"""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 8), FullDim("N", 16)
TILE = 4


@tnp.kernel
def row_max(x: Typed[L["M N"]], c: TypedResult[L["max[N](x:M N)"]]) -> None:
    running = x.slice(N, 0, TILE).max(N)
    tnp.assert_spec(running, f"max[N[0:{TILE}]](x:M N)")
    for j in range(TILE, N.size, TILE):
        running = tnp.max(running, x.slice(N, j, j + TILE).max(N))
        tnp.assert_spec(running, f"max[N[0:{j + TILE}]](x:M N)")
    tnp.assert_spec(running, "max[N](M N)")  # the leaf may be written by its dims alone
    c.assign(running)


@tnp.kernel
def scaled(x: Typed[L["M N"]], c: TypedResult[L["3 * x:M N"]]) -> None:
    for i in range(0, M.size, TILE):
        tile = tnp.assert_spec(x.slice(M, i, i + TILE) * 3, "3 * x:M N")  # returns the value
        c.assign(tile)


data = np.arange(128.0).reshape(8, 16)
row_max(Typed(data, M, N), TypedResult("max[N](x:M N)"))
scaled(Typed(data, M, N), TypedResult("3 * x:M N"))

# Script form: the spec resolves against the inputs in scope.
a = Typed(data, M, N, name="a")
total = a.slice(N, 0, 8).sum(N) + a.slice(N, 8, 16).sum(N)
tnp.assert_spec(total, "sum[N](a:M N)")
tnp.assert_spec(total, "max[N](a:M N)")  # E: kernel computes `(M N -> M)` over M[0:8]; the spec requires `max[N](M N)`  [tnp-spec]
# ^N: counterexample on random inputs ...
