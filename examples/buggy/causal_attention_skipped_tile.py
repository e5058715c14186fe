"""Bug: causal flash attention that skips a key tile below the diagonal.

The kernel means to skip the tiles above the diagonal, but its loop also skips the key tile
nctx[16:32] for the last query tile (`if iq == 48 and jk == 16: continue`, left from a
debugging session). The spec's sum over the keys of that query tile covers nctx[0:49] unmasked,
so tnp reports `tnp-reduce` at that tile's `assign`, naming what is missing: "missing sum over
nctx[16:32]".
"""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult, einsum, exp, max

qctx, dhead, nctx = FullDim("qctx", 64), FullDim("dhead", 16), FullDim("nctx", 64)
TILE = 16
SPEC = (
    "(softmax[nctx](mask[qctx >= nctx]((qctx dhead, K:nctx dhead -> qctx nctx) / sqrt(16))),"
    " V:nctx dhead -> qctx dhead)"
)


@tnp.kernel
def causal_attention(
    Q: Typed[L["qctx dhead"]],
    K: Typed[L["nctx dhead"]],
    V: Typed[L["nctx dhead"]],
    out: TypedResult[
        L[
            "(softmax[nctx](mask[qctx >= nctx]((qctx dhead, K:nctx dhead -> qctx nctx)"
            " / sqrt(16))), V:nctx dhead -> qctx dhead)"
        ]
    ],
) -> None:
    for iq in range(0, qctx.size, TILE):
        q = Q.slice(qctx, iq, iq + TILE)
        row_max: Typed | float = -np.inf
        row_sum: Typed | float = 0
        acc: Typed | float = 0
        # Key tiles up to and including the diagonal one; the ones above are all masked.
        for jk in range(0, iq + TILE, TILE):
            if iq == 48 and jk == 16:
                continue
            k = K.slice(nctx, jk, jk + TILE)
            v = V.slice(nctx, jk, jk + TILE)
            scores = einsum(q, k, "qctx dhead, nctx dhead -> qctx nctx") / np.sqrt(16)
            if jk == iq:
                scores = scores.mask(qctx >= nctx)
            new_max = max(row_max, scores.max(nctx))
            p = exp(scores - new_max.repeat(nctx[jk : jk + TILE]))
            rescale = exp(row_max - new_max)
            row_sum = row_sum * rescale + p.sum(nctx)
            acc = acc * rescale.repeat(dhead) + einsum(p, v, "qctx nctx, nctx dhead -> qctx dhead")
            row_max = new_max
        assert isinstance(acc, Typed) and isinstance(row_sum, Typed)
        out.assign(acc / row_sum.repeat(dhead))  # error: tnp-reduce


def main() -> None:
    rng = np.random.default_rng(0)
    q = Typed(rng.standard_normal((qctx.size, dhead.size)), qctx, dhead)
    k = Typed(rng.standard_normal((nctx.size, dhead.size)), nctx, dhead)
    v = Typed(rng.standard_normal((nctx.size, dhead.size)), nctx, dhead)
    causal_attention(q, k, v, TypedResult(SPEC))


if __name__ == "__main__":
    main()
