"""Flash attention whose spec leaves `nctx dhead` unnamed: K and V both have those dims. The
spec is written as two literals side by side; the leaf is in the first."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult, einsum, exp, max

qctx, dhead, nctx = FullDim("qctx", 32), FullDim("dhead", 16), FullDim("nctx", 64)
TILE = 32


@tnp.kernel
def flash_attention(
    Q: Typed[L["qctx dhead"]],
    K: Typed[L["nctx dhead"]],
    V: Typed[L["nctx dhead"]],
    out: TypedResult[
        L[
            "(softmax[nctx]((qctx dhead, V:nctx dhead -> qctx nctx) / sqrt(16)),"  # the scores
            " V:nctx dhead -> qctx dhead)"
        ]
    ],
) -> None:
    for iq in range(0, qctx.size, TILE):
        q = Q.slice(qctx, iq, iq + TILE)
        row_max: Typed | float = -np.inf
        row_sum: Typed | float = 0
        acc: Typed | float = 0
        for jk in range(0, nctx.size, TILE):
            k = K.slice(nctx, jk, jk + TILE)
            v = V.slice(nctx, jk, jk + TILE)
            scores = einsum(q, k, "qctx dhead, nctx dhead -> qctx nctx") / np.sqrt(16)
            new_max = max(row_max, scores.max(nctx))
            p = exp(scores - new_max.repeat(nctx[jk : jk + TILE]))
            rescale = exp(row_max - new_max)
            row_sum = row_sum * rescale + p.sum(nctx)
            acc = acc * rescale.repeat(dhead) + einsum(p, v, "qctx nctx, nctx dhead -> qctx dhead")
            row_max = new_max
        assert isinstance(acc, Typed) and isinstance(row_sum, Typed)
        out.assign(acc / row_sum.repeat(dhead))
