"""dV recomputes P from the saved logsumexp but forgets to scale the scores by 1 / sqrt(16):
`exp(s - lse)` is then not the softmax the forward pass saved the statistics of, so the first
tile's `assign` is refused with `tnp-spec` (the message shows both sides and a counterexample).
"""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Saved, Typed, TypedResult, einsum, exp

qctx, dhead, nctx = FullDim("qctx", 64), FullDim("dhead", 16), FullDim("nctx", 128)
TILE = 32
SCALE = 1 / np.sqrt(16)


@tnp.kernel
def attention_dv(
    Q: Typed[L["qctx dhead"]],
    K: Typed[L["nctx dhead"]],
    dO: Typed[L["qctx dhead"]],
    lse: Saved[
        L["qctx"], L["log(sum[nctx](exp((Q:qctx dhead, K:nctx dhead -> qctx nctx) / sqrt(16))))"]
    ],
    dV: TypedResult[
        L[
            "(softmax[nctx]((Q:qctx dhead, K:nctx dhead -> qctx nctx) / sqrt(16)),"
            " dO:qctx dhead -> nctx dhead)"
        ]
    ],
) -> None:
    for jk in range(0, nctx.size, TILE):
        k = K.slice(nctx, jk, jk + TILE)
        acc: Typed | None = None
        for iq in range(0, qctx.size, TILE):
            s = einsum(Q.slice(qctx, iq, iq + TILE), k, "qctx dhead, nctx dhead -> qctx nctx")
            p = exp(s - lse.slice(qctx, iq, iq + TILE).repeat(nctx[jk : jk + TILE]))
            tile = einsum(p, dO.slice(qctx, iq, iq + TILE), "qctx nctx, qctx dhead -> nctx dhead")
            acc = tile if acc is None else acc + tile
        assert acc is not None
        dV.assign(acc)  # error: tnp-spec

def forward_lse(q: np.ndarray, k: np.ndarray) -> np.ndarray:
    s = q @ k.T * SCALE
    m = s.max(axis=1, keepdims=True)
    lse: np.ndarray = (m + np.log(np.exp(s - m).sum(axis=1, keepdims=True)))[:, 0]
    return lse


def main() -> None:
    rng = np.random.default_rng(0)
    q = rng.standard_normal((qctx.size, dhead.size))
    k = rng.standard_normal((nctx.size, dhead.size))
    do = rng.standard_normal((qctx.size, dhead.size))
    result = attention_dv.result()
    attention_dv(
        Typed(q, qctx, dhead), Typed(k, nctx, dhead), Typed(do, qctx, dhead),
        Typed(forward_lse(q, k), qctx), result,
    )
    print(result.arr)


if __name__ == "__main__":
    main()
