"""`tnp.assert_spec` of a value whose dims are not the spec's: `tnp-dim` at the assertion."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 8), FullDim("N", 8)


@tnp.kernel
def row_sum(x: Typed[L["M N"]], c: TypedResult[L["sum[N](x:M N)"]]) -> None:
    total = x.sum(N)
    tnp.assert_spec(total, "x:M N")  # E: assert_spec: the value has dims M but the spec `x:M N` has dims M N; the value is `sum[N[0:8]](x:M N)` over M[0:8]  [tnp-dim]
    # ^N: assert a spec with the value's dims, or reduce the value first
    c.assign(total)


row_sum(Typed(np.ones((8, 8)), M, N), TypedResult("sum[N](x:M N)"))
