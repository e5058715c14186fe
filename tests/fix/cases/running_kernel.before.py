"""Flash attention whose running values start as plain numbers: mypy asks for `Typed | float`
and an `assert isinstance` once the loop is done (README: "Running values that start as plain
numbers")."""

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
        L["(softmax[nctx]((qctx dhead, K:nctx dhead -> qctx nctx) / sqrt(16)), V:nctx dhead -> qctx dhead)"]
    ],
) -> None:
    for iq in range(0, qctx.size, TILE):
        q = Q.slice(qctx, iq, iq + TILE)
        row_max = -np.inf
        row_sum = 0  # the softmax's denominator, rescaled as the maximum grows
        acc = 0
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
        out.assign(acc / row_sum.repeat(dhead))


def main() -> None:
    rng = np.random.default_rng(0)
    q = Typed(rng.standard_normal((qctx.size, dhead.size)), qctx, dhead)
    k = Typed(rng.standard_normal((nctx.size, dhead.size)), nctx, dhead)
    v = Typed(rng.standard_normal((nctx.size, dhead.size)), nctx, dhead)
    flash_attention(q, k, v, flash_attention.result())


if __name__ == "__main__":
    main()
