"""`tnp.assert_spec` in a tile loop, its spec an f-string of the loop variable: the running sum's
invariant. A sum that skips a tile breaks it in the turn of the skip, with `tnp-reduce`, before
the `assign`, which is not reached: both halves stop at the failed assertion."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 4), FullDim("N", 16)
TILE = 4


@tnp.kernel
def running_sum(x: Typed[L["M N"]], c: TypedResult[L["sum[N](x:M N)"]]) -> None:
    total = x.slice(N, 0, TILE).sum(N)
    for j in range(TILE, N.size, TILE):
        if j != 8:  # the bug: the tile N[8:12] is skipped
            total = total + x.slice(N, j, j + TILE).sum(N)
            # ^N: this line accumulates the sum over N, whose pieces cover N[0:8]; the spec's sum needs N[8:12] too
        tnp.assert_spec(total, f"sum[N[0:{j + TILE}]](x:M N)")  # E: partial reduction: missing sum over N[8:12]: kernel computes `(M N[0:8] -> M)` over M[0:4]; the spec requires `(M N[0:12] -> M)`  [tnp-reduce]
        # ^N: counterexample on random inputs ...
        # ^N: when j = 8
    c.assign(total)


running_sum(Typed(np.ones((4, 16)), M, N), TypedResult("sum[N](x:M N)"))
