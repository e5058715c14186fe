"""Flash attention, seed style: O = softmax[nctx](Q K^T / sqrt(dhead)) V, one pass over K and V.

For each query tile the kernel walks the key/value tiles once, keeping the running row max
(`row_max`, m in the paper), the running row sum of exp (`row_sum`, l) and the running output
(`acc`, o); when the max grows, both running values are rescaled by exp(m_old - m_new). The
scores are scaled by 1 / sqrt(16) *before* the softmax, and the spec says so:

    (softmax[nctx]((qctx dhead, K:nctx dhead -> qctx nctx) / sqrt(16)), V:nctx dhead -> qctx dhead)

K and V have the same dims, so the spec names them (`K:`, `V:`) after the kernel's parameters.
"""

import math
from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult, einsum, exp, max

qctx, dhead, nctx = FullDim("qctx", 32), FullDim("dhead", 16), FullDim("nctx", 512)
TILE = 32


@tnp.kernel
def flash_attention(
    Q: Typed[L["qctx dhead"]],
    K: Typed[L["nctx dhead"]],
    V: Typed[L["nctx dhead"]],
    out: TypedResult[
        L[
            "(softmax[nctx]((qctx dhead, K:nctx dhead -> qctx nctx) / sqrt(16)),"
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
            scores = einsum(q, k, "qctx dhead, nctx dhead -> qctx nctx") / math.sqrt(16)
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
    p = np.exp(scores - scores.max(axis=1, keepdims=True))
    result: np.ndarray = (p / p.sum(axis=1, keepdims=True)) @ v
    return result


def main() -> None:
    rng = np.random.default_rng(0)
    q = Typed(rng.standard_normal((qctx.size, dhead.size)), qctx, dhead)
    k = Typed(rng.standard_normal((nctx.size, dhead.size)), nctx, dhead)
    v = Typed(rng.standard_normal((nctx.size, dhead.size)), nctx, dhead)
    o = flash_attention.result()  # the spec of `out`, written once in the annotation
    flash_attention(q, k, v, o)
    assert np.allclose(o.arr, reference(q.arr, k.arr, v.arr))
    tiles = (qctx.size // TILE) * (nctx.size // TILE)
    print(f"flash_attention: OK (qctx {qctx.size}, nctx {nctx.size}, {tiles} tiles proved)")


if __name__ == "__main__":
    main()
