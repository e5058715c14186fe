"""`tnp-reduce`: the tile sums over only part of N."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult, einsum

M, N, K = FullDim("M", 8), FullDim("N", 8), FullDim("K", 8)


@tnp.kernel
def half_sum(a: Typed[L["M N"]], b: Typed[L["N K"]], c: TypedResult[L["(M N, N K -> M K)"]]) -> None:
    for im in range(0, 8, 4):
        ta = a.slice(M, im, im + 4).slice(N, 0, 4)
        c.assign(einsum(ta, b.slice(N, 0, 4), "M N, N K -> M K"))  # E: partial reduction: missing sum over N[4:8]: kernel computes `(M N[0:4], N[0:4] K -> M K)` over M[0:4] K[0:8]; the spec requires `(M N, N K -> M K)`  [tnp-reduce]
        # ^N: counterexample on random inputs ...
        # ^N: when im = 0
        # ^N: when im = 4
        # ^N: this line computes the sum over N[0:4] only; the spec's sum needs N[4:8] too


half_sum(Typed(np.ones((8, 8)), M, N), Typed(np.ones((8, 8)), N, K), TypedResult("(M N, N K -> M K)"))
