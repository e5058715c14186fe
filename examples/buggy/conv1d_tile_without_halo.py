"""Bug: each output tile loads its block of x without the halo the filter needs.

An output tile P[o : o + 32] of a 3-tap filter reads x over N[o : o + 34]. The kernel loads
only N[o : o + 32] (as if the filter had one tap) and takes the window of that block: tnp reports
`tnp-dim` at the `window`, naming the positions read that the block does not hold (N[32:34] for
the first tile).
"""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

N, P, K = FullDim("N", 130), FullDim("P", 128), FullDim("K", 3)
TILE = 32


@tnp.kernel
def conv1d(
    x: Typed[L["N"]], w: Typed[L["K"]], out: TypedResult[L["(w:K, x:N[P + K] -> P)"]]
) -> None:
    for o in range(0, P.size, TILE):
        block = x.slice(N, o, o + TILE)  # should be o + TILE + K.size - 1
        seen = block.window(N, P[o : o + TILE], K)  # error: tnp-dim
        out.assign((seen * w.repeat(P[o : o + TILE])).sum(K))


rng = np.random.default_rng(0)
conv1d(Typed(rng.standard_normal(N.size), N), Typed(rng.standard_normal(K.size), K),
       TypedResult("(w:K, x:N[P + K] -> P)"))
print("unreachable: tnp accepted a window of x outside the block the tile loaded")
