"""Bug: the window over rows is indexed by the filter's column taps, and the window over columns
by its row taps (KH and KW swapped), so the kernel applies the transposed filter.

The filter is 3x3, so every dim has the right size and every read stays within x: only the proof
catches it. tnp reports `tnp-spec` at the first `out.assign`: the kernel reads x at
H = OH + KW, W = OW + KH, the spec at H = OH + KH, W = OW + KW.
"""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

H, W = FullDim("H", 18), FullDim("W", 18)
OH, OW = FullDim("OH", 16), FullDim("OW", 16)
KH, KW = FullDim("KH", 3), FullDim("KW", 3)
TILE = 8


@tnp.kernel
def conv2d(
    x: Typed[L["H W"]],
    w: Typed[L["KH KW"]],
    out: TypedResult[L["(w:KH KW, x:H[OH + KH] W[OW + KW] -> OH OW)"]],
) -> None:
    for i in range(0, OH.size, TILE):
        for j in range(0, OW.size, TILE):
            rows, cols = OH[i : i + TILE], OW[j : j + TILE]
            seen = x.window(H, rows, KW).window(W, cols, KH)  # should be KH, then KW
            taps = w.repeat(rows).repeat(cols)
            out.assign((seen * taps).sum(KH).sum(KW).rearrange(OH, OW))  # error: tnp-spec


rng = np.random.default_rng(0)
conv2d(
    Typed(rng.standard_normal((H.size, W.size)), H, W),
    Typed(rng.standard_normal((KH.size, KW.size)), KH, KW),
    TypedResult("(w:KH KW, x:H[OH + KH] W[OW + KW] -> OH OW)"),
)
print("unreachable: tnp accepted a convolution with the transposed filter")
