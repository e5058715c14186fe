"""dQ forgets the `- D` term of dS = P * (dP - D) (the gradient through the softmax's
normalization): `ds = p * dp`. The first tile's `assign` is refused with `tnp-spec`.
"""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Saved, Typed, TypedResult, einsum, exp

qctx, dhead, nctx = FullDim("qctx", 64), FullDim("dhead", 16), FullDim("nctx", 128)
TILE = 32
SCALE = 1 / np.sqrt(16)


@tnp.kernel
def attention_dq(
    Q: Typed[L["qctx dhead"]],
    K: Typed[L["nctx dhead"]],
    V: Typed[L["nctx dhead"]],
    dO: Typed[L["qctx dhead"]],
    lse: Saved[
        L["qctx"], L["log(sum[nctx](exp((Q:qctx dhead, K:nctx dhead -> qctx nctx) / sqrt(16))))"]
    ],
    Out: Saved[
        L["qctx dhead"],
        L[
            "(softmax[nctx]((Q:qctx dhead, K:nctx dhead -> qctx nctx) / sqrt(16)),"
            " V:nctx dhead -> qctx dhead)"
        ],
    ],
    dQ: TypedResult[
        L[
            "let P = softmax[nctx]((Q:qctx dhead, K:nctx dhead -> qctx nctx) / sqrt(16)),"
            " dP = (dO:qctx dhead, V:nctx dhead -> qctx nctx),"
            " delta = sum[dhead](dO:qctx dhead * (P, V:nctx dhead -> qctx dhead)),"
            " dS = P * (dP - (delta -> qctx nctx))"
            " in (dS, K:nctx dhead -> qctx dhead) / sqrt(16)"
        ]
    ],
) -> None:
    for iq in range(0, qctx.size, TILE):
        q = Q.slice(qctx, iq, iq + TILE)
        do = dO.slice(qctx, iq, iq + TILE)
        row_lse = lse.slice(qctx, iq, iq + TILE)
        acc: Typed | None = None
        for jk in range(0, nctx.size, TILE):
            k = K.slice(nctx, jk, jk + TILE)
            s = einsum(q, k, "qctx dhead, nctx dhead -> qctx nctx")
            p = exp(s * SCALE - row_lse.repeat(nctx[jk : jk + TILE]))
            dp = einsum(do, V.slice(nctx, jk, jk + TILE), "qctx dhead, nctx dhead -> qctx nctx")
            ds = p * dp
            tile = einsum(ds, k, "qctx nctx, nctx dhead -> qctx dhead")
            acc = tile if acc is None else acc + tile
        assert acc is not None
        dQ.assign(acc * SCALE)  # error: tnp-spec

def forward_lse(q: np.ndarray, k: np.ndarray) -> np.ndarray:
    s = q @ k.T * SCALE
    m = s.max(axis=1, keepdims=True)
    lse: np.ndarray = (m + np.log(np.exp(s - m).sum(axis=1, keepdims=True)))[:, 0]
    return lse


def main() -> None:
    rng = np.random.default_rng(0)
    q = rng.standard_normal((qctx.size, dhead.size))
    k = rng.standard_normal((nctx.size, dhead.size))
    v = rng.standard_normal((nctx.size, dhead.size))
    do = rng.standard_normal((qctx.size, dhead.size))
    lse = forward_lse(q, k)
    o = np.exp(q @ k.T * SCALE - lse[:, None]) @ v
    result = attention_dq.result()
    attention_dq(
        Typed(q, qctx, dhead), Typed(k, nctx, dhead), Typed(v, nctx, dhead),
        Typed(do, qctx, dhead), Typed(lse, qctx), Typed(o, qctx, dhead), result,
    )
    print(result.arr)


if __name__ == "__main__":
    main()
