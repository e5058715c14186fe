"""Shifted reads that leave what a value holds: `tnp-dim` at the read, `tnp-bad-spec` for a spec
leaf that reads past its input."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

N, P, K = FullDim("N", 9), FullDim("P", 8), FullDim("K", 3)


@tnp.kernel
def shifted_past(x: Typed[L["N"]], out: TypedResult[L["x:N[P + 1]"]]) -> None:
    out.assign(x.shift(N, P, 2))  # E: shift(N, P[0:8], 2) reads N at positions 2:10, outside the value's current slice N[0:9]: N[9:10] not held; the value is `x:N` over N[0:9]  [tnp-dim]
    # ^N: N = P + 2 over P[0:8]


shifted_past(Typed(np.zeros(9), N), TypedResult("x:N[P + 1]"))


@tnp.kernel
def spec_past_input(x: Typed[L["N"]], w: Typed[L["K"]], out: TypedResult[L["(w:K, x:N[P + K] -> P)"]]) -> None:  # E: bad spec: N[K + P] reads N at positions 0:10, outside N[0:9] of input x  [tnp-bad-spec]
    # ^N:     (w:K, x:N[P + K] -> P)
    # ^N:             ^
    # ^N: fix: keep the positions within N[0:9]: slice the dims they use, e.g. a smaller output dim
    out.assign(x.slice(N, 0, 8).shift(N, P, 0))
