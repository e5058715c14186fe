"""Masks by index relations: causal attention skipping the tiles above the diagonal, a sliding
window, a key-length limit, and fill 0, all proved; index predicates built from dims."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult, einsum, exp, max

qctx, dhead, nctx = FullDim("qctx", 16), FullDim("dhead", 4), FullDim("nctx", 16)
TILE = 8


@tnp.kernel
def causal(
    Q: Typed[L["qctx dhead"]],
    K: Typed[L["nctx dhead"]],
    V: Typed[L["nctx dhead"]],
    out: TypedResult[L["(softmax[nctx](mask[qctx >= nctx]((qctx dhead, K:nctx dhead -> qctx nctx) / 2)), V:nctx dhead -> qctx dhead)"]],
) -> None:
    for iq in range(0, qctx.size, TILE):
        q = Q.slice(qctx, iq, iq + TILE)
        row_max: Typed | float = -np.inf
        row_sum: Typed | float = 0
        acc: Typed | float = 0
        for jk in range(0, iq + TILE, TILE):
            k, v = K.slice(nctx, jk, jk + TILE), V.slice(nctx, jk, jk + TILE)
            scores = einsum(q, k, "qctx dhead, nctx dhead -> qctx nctx") / 2
            if jk == iq:
                scores = scores.mask(qctx >= nctx)
            new_max = max(row_max, scores.max(nctx))
            p = exp(scores - new_max.repeat(nctx[jk : jk + TILE]))
            rescale = exp(row_max - new_max)
            row_sum = row_sum * rescale + p.sum(nctx)
            acc = acc * rescale.repeat(dhead) + einsum(p, v, "qctx nctx, nctx dhead -> qctx dhead")
            row_max = new_max
        assert isinstance(acc, Typed) and isinstance(row_sum, Typed)
        out.assign(acc / row_sum.repeat(dhead))


@tnp.kernel
def window(
    S: Typed[L["qctx nctx"]],
    out: TypedResult[L["sum[nctx](mask[qctx >= nctx and qctx - nctx < 4, 0](S:qctx nctx))"]],
) -> None:
    # Every key tile masked with the window; a tile the window misses is all 0.
    for iq in range(0, qctx.size, TILE):
        total: Typed | float = 0
        for jk in range(0, nctx.size, TILE):
            tile = S.slice(qctx, iq, iq + TILE).slice(nctx, jk, jk + TILE)
            total = total + tile.mask((qctx >= nctx) & (qctx - nctx < 4), fill=0).sum(nctx)
        assert isinstance(total, Typed)
        out.assign(total)


@tnp.kernel
def key_limit(
    S: Typed[L["qctx nctx"]],
    out: TypedResult[L["max[nctx](mask[nctx < 12](S:qctx nctx))"]],
) -> None:
    # The keys from 12 on are masked: the second tile keeps 8..11, none after it is read.
    first = S.slice(nctx, 0, 8).max(nctx)
    second = S.slice(nctx, 8, 16).mask(nctx < 12).max(nctx)
    out.assign(max(first, second))


rng = np.random.default_rng(0)
causal(
    Typed(rng.standard_normal((16, 4)), qctx, dhead),
    Typed(rng.standard_normal((16, 4)), nctx, dhead),
    Typed(rng.standard_normal((16, 4)), nctx, dhead),
    TypedResult("(softmax[nctx](mask[qctx >= nctx]((qctx dhead, K:nctx dhead -> qctx nctx) / 2)), V:nctx dhead -> qctx dhead)"),
)
window(Typed(rng.standard_normal((16, 16)), qctx, nctx), TypedResult("sum[nctx](mask[qctx >= nctx and qctx - nctx < 4, 0](S:qctx nctx))"))
key_limit(Typed(rng.standard_normal((16, 16)), qctx, nctx), TypedResult("max[nctx](mask[nctx < 12](S:qctx nctx))"))
