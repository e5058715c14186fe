"""Bug: the seed's own flash-attention spec, which divides by sqrt(16) *after* the softmax.

The kernel (the same as `examples/flash_attention.py`) scales the scores before the softmax,
as attention should; the seed's spec `(softmax[nctx](...) / sqrt(16), ...)` scales the
probabilities after it. On this file's inputs the two outputs differ by up to 0.46, so tnp
reports `tnp-spec` at `out.assign`, with a counterexample index and both values. The correct
spec puts the division inside: `softmax[nctx]((qctx dhead, K:nctx dhead -> qctx nctx) / sqrt(16))`.
"""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult, einsum, exp, max

qctx, dhead, nctx = FullDim("qctx", 32), FullDim("dhead", 16), FullDim("nctx", 512)
TILE = 32
SEED_SPEC = (
    "(softmax[nctx](qctx dhead, K:nctx dhead -> qctx nctx) / sqrt(16), V:nctx dhead -> qctx dhead)"
)


@tnp.kernel
def flash_attention(
    Q: Typed[L["qctx dhead"]],
    K: Typed[L["nctx dhead"]],
    V: Typed[L["nctx dhead"]],
    out: TypedResult[
        L[
            "(softmax[nctx](qctx dhead, K:nctx dhead -> qctx nctx) / sqrt(16),"
            " V:nctx dhead -> qctx dhead)"
        ]
    ],
) -> None:
    for iq in range(0, qctx.size, TILE):
        q = Q.slice(qctx, iq, iq + TILE)
        # Running values start as plain numbers and become tiles: for mypy they are
        # `Typed | float` until the loop is done.
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
        out.assign(acc / row_sum.repeat(dhead))  # error: tnp-spec


def main() -> None:
    rng = np.random.default_rng(0)
    q = Typed(rng.standard_normal((qctx.size, dhead.size)), qctx, dhead)
    k = Typed(rng.standard_normal((nctx.size, dhead.size)), nctx, dhead)
    v = Typed(rng.standard_normal((nctx.size, dhead.size)), nctx, dhead)
    o = TypedResult(SEED_SPEC)
    flash_attention(q, k, v, o)
    print("unreachable: tnp accepted the seed's spec, which divides after the softmax")


if __name__ == "__main__":
    main()
