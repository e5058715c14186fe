"""Causal flash attention, forward: O = softmax[nctx](mask[qctx >= nctx](Q K^T / sqrt(16))) V.

A query at position q attends to the keys at positions n <= q only. The spec says so with a
mask: masked scores are -inf, so exp gives 0 and the softmax ignores them.

    (softmax[nctx](mask[qctx >= nctx]((qctx dhead, K:nctx dhead -> qctx nctx) / sqrt(16))),
     V:nctx dhead -> qctx dhead)

The kernel does what makes causal attention cheap: for each query tile it visits the key tiles
strictly below the diagonal unmasked, masks only the diagonal tile (`scores.mask(qctx >=
nctx)`), and skips the tiles above the diagonal, which the mask sets to -inf everywhere. tnp
proves each output tile against the spec restricted to that tile: the spec's sum over all 64
keys splits into the keys below the tile (unmasked), the diagonal band (masked) and the keys
above (nothing), which is what the kernel computes.
"""

import math
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
            k = K.slice(nctx, jk, jk + TILE)
            v = V.slice(nctx, jk, jk + TILE)
            scores = einsum(q, k, "qctx dhead, nctx dhead -> qctx nctx") / math.sqrt(16)
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


def reference(q: np.ndarray, k: np.ndarray, v: np.ndarray) -> np.ndarray:
    scores = q @ k.T / np.sqrt(dhead.size)
    causal = np.arange(qctx.size)[:, None] >= np.arange(nctx.size)[None, :]
    scores = np.where(causal, scores, -np.inf)
    p = np.exp(scores - scores.max(axis=1, keepdims=True))
    result: np.ndarray = (p / p.sum(axis=1, keepdims=True)) @ v
    return result


def main() -> None:
    rng = np.random.default_rng(0)
    q = Typed(rng.standard_normal((qctx.size, dhead.size)), qctx, dhead)
    k = Typed(rng.standard_normal((nctx.size, dhead.size)), nctx, dhead)
    v = Typed(rng.standard_normal((nctx.size, dhead.size)), nctx, dhead)
    o = TypedResult(SPEC)
    causal_attention(q, k, v, o)
    assert np.allclose(o.arr, reference(q.arr, k.arr, v.arr))
    tiles = qctx.size // TILE
    print(f"causal_attention: OK (qctx {qctx.size}, nctx {nctx.size}, {tiles} query tiles proved)")


if __name__ == "__main__":
    main()
