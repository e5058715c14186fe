"""Bug: the unrolled filter reads x one position too far (o + k + 1 instead of o + k).

x has one sample more than the outputs need, so every read stays within x and the dims are all
right: only the proof catches it. tnp reports `tnp-spec` at the first `out.assign`: the kernel
computes `(w:K[0]) * (x:N[P + 1]) + (w:K[1]) * (x:N[P + 2]) + (w:K[2]) * (x:N[P + 3])`, the
spec requires `sum[K]((x:N[K + P]) * (K))`.
"""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

N, P, K = FullDim("N", 131), FullDim("P", 128), FullDim("K", 3)
TILE = 32


@tnp.kernel
def conv1d(
    x: Typed[L["N"]], w: Typed[L["K"]], out: TypedResult[L["(w:K, x:N[P + K] -> P)"]]
) -> None:
    for o in range(0, P.size, TILE):
        acc: Typed | None = None
        for k in range(K.size):
            term = x.shift(N, P[o : o + TILE], k + 1) * w.at(K, k).repeat(P[o : o + TILE])
            acc = term if acc is None else acc + term
        assert acc is not None
        out.assign(acc)  # error: tnp-spec


rng = np.random.default_rng(0)
conv1d(Typed(rng.standard_normal(N.size), N), Typed(rng.standard_normal(K.size), K),
       TypedResult("(w:K, x:N[P + K] -> P)"))
print("unreachable: tnp accepted a convolution reading x at o + k + 1")
