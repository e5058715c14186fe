"""The backward pass of attention, flash-attention style: dV, dK and dQ, each proved against
the gradient formulas of O = softmax[nctx](S) V with S = Q K^T / sqrt(16).

With P = softmax[nctx](S) and dO the gradient of the output:

    dV = P^T dO
    dP = dO V^T,  D = rowsum(dO * O) = rowsum(P * dP),  dS = P * (dP - D)
    dQ = dS K / sqrt(16),  dK = dS^T Q / sqrt(16)

The kernels never hold P: each tile recomputes it from the forward pass's saved row
logsumexp, `p = exp(s - lse)`. `lse`, and `Out` (O) or `D`, are *saved inputs*: their annotation
`Saved[L["dims"], L["definition"]]` says what they are, in terms of the other parameters.
Inside a kernel the prover uses the definition (so `exp(s - lse)` is the softmax); at a call
the runtime checks the passed numbers against it. The specs are the formulas above, not the
kernels' loops:

    dV: (softmax[nctx](S), dO:qctx dhead -> nctx dhead)
    dK: let P = softmax[nctx](S), dP = (dO, V -> qctx nctx), delta = rowsum(dO * (P, V)),
        dS = P * (dP - (delta -> qctx nctx)) in (dS, Q:qctx dhead -> nctx dhead) / sqrt(16)
    dQ: the same with (dS, K:nctx dhead -> qctx dhead)

(S written out, `rowsum` as `sum[dhead]`: the annotations below are the exact text).

The dV and dK kernels walk the key tiles outside and the query tiles inside; dQ the other way.
"""

import math
from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Saved, Typed, TypedResult, einsum, exp

qctx, dhead, nctx = FullDim("qctx", 64), FullDim("dhead", 16), FullDim("nctx", 128)
TILE = 32
SCALE = 1 / math.sqrt(16)


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
            p = exp(s * SCALE - lse.slice(qctx, iq, iq + TILE).repeat(nctx[jk : jk + TILE]))
            tile = einsum(p, dO.slice(qctx, iq, iq + TILE), "qctx nctx, qctx dhead -> nctx dhead")
            acc = tile if acc is None else acc + tile
        assert acc is not None
        dV.assign(acc)


@tnp.kernel
def attention_dk(
    Q: Typed[L["qctx dhead"]],
    K: Typed[L["nctx dhead"]],
    V: Typed[L["nctx dhead"]],
    dO: Typed[L["qctx dhead"]],
    lse: Saved[
        L["qctx"], L["log(sum[nctx](exp((Q:qctx dhead, K:nctx dhead -> qctx nctx) / sqrt(16))))"]
    ],
    D: Saved[
        L["qctx"],
        L[
            "sum[dhead](dO:qctx dhead * (softmax[nctx]((Q:qctx dhead, K:nctx dhead -> qctx nctx)"
            " / sqrt(16)), V:nctx dhead -> qctx dhead))"
        ],
    ],
    dK: TypedResult[
        L[
            "let P = softmax[nctx]((Q:qctx dhead, K:nctx dhead -> qctx nctx) / sqrt(16)),"
            " dP = (dO:qctx dhead, V:nctx dhead -> qctx nctx),"
            " delta = sum[dhead](dO:qctx dhead * (P, V:nctx dhead -> qctx dhead)),"
            " dS = P * (dP - (delta -> qctx nctx))"
            " in (dS, Q:qctx dhead -> nctx dhead) / sqrt(16)"
        ]
    ],
) -> None:
    for jk in range(0, nctx.size, TILE):
        k = K.slice(nctx, jk, jk + TILE)
        v = V.slice(nctx, jk, jk + TILE)
        acc: Typed | None = None
        for iq in range(0, qctx.size, TILE):
            q = Q.slice(qctx, iq, iq + TILE)
            do = dO.slice(qctx, iq, iq + TILE)
            s = einsum(q, k, "qctx dhead, nctx dhead -> qctx nctx")
            p = exp(s * SCALE - lse.slice(qctx, iq, iq + TILE).repeat(nctx[jk : jk + TILE]))
            dp = einsum(do, v, "qctx dhead, nctx dhead -> qctx nctx")
            ds = p * (dp - D.slice(qctx, iq, iq + TILE).repeat(nctx[jk : jk + TILE]))
            tile = einsum(ds, q, "qctx nctx, qctx dhead -> nctx dhead")
            acc = tile if acc is None else acc + tile
        assert acc is not None
        dK.assign(acc * SCALE)


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
        d = (do * Out.slice(qctx, iq, iq + TILE)).sum(dhead)  # D = rowsum(dO * O)
        acc: Typed | None = None
        for jk in range(0, nctx.size, TILE):
            k = K.slice(nctx, jk, jk + TILE)
            s = einsum(q, k, "qctx dhead, nctx dhead -> qctx nctx")
            p = exp(s * SCALE - row_lse.repeat(nctx[jk : jk + TILE]))
            dp = einsum(do, V.slice(nctx, jk, jk + TILE), "qctx dhead, nctx dhead -> qctx nctx")
            ds = p * (dp - d.repeat(nctx[jk : jk + TILE]))
            tile = einsum(ds, k, "qctx nctx, nctx dhead -> qctx dhead")
            acc = tile if acc is None else acc + tile
        assert acc is not None
        dQ.assign(acc * SCALE)


def forward(q: np.ndarray, k: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What the forward pass saves: the output O and the row logsumexp of the scores."""
    s = q @ k.T * SCALE
    m = s.max(axis=1, keepdims=True)
    lse = (m + np.log(np.exp(s - m).sum(axis=1, keepdims=True)))[:, 0]
    out: np.ndarray = np.exp(s - lse[:, None]) @ v
    return out, lse


def reference(
    q: np.ndarray, k: np.ndarray, v: np.ndarray, do: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dV, dK, dQ of sum(O * dO) by the chain rule through the untiled softmax, in NumPy
    (tests/runtime/test_saved.py also checks the kernels against finite differences)."""
    s = q @ k.T * SCALE
    p = np.exp(s - s.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    dp = do @ v.T
    ds = p * (dp - (p * dp).sum(axis=1, keepdims=True))
    return p.T @ do, ds.T @ q * SCALE, ds @ k * SCALE


def main() -> None:
    rng = np.random.default_rng(0)
    q = rng.standard_normal((qctx.size, dhead.size))
    k = rng.standard_normal((nctx.size, dhead.size))
    v = rng.standard_normal((nctx.size, dhead.size))
    do = rng.standard_normal((qctx.size, dhead.size))
    o, row_lse = forward(q, k, v)
    Q = Typed(q, qctx, dhead)
    K = Typed(k, nctx, dhead)
    V = Typed(v, nctx, dhead)
    dO = Typed(do, qctx, dhead)
    # The forward pass's saved values, as arrays: the runtime checks them against their
    # definitions at each call (mypy cannot see their numbers).
    lse = Typed(row_lse, qctx)
    Out = Typed(o, qctx, dhead)
    D = Typed((do * o).sum(axis=1), qctx)

    dV = attention_dv.result()
    attention_dv(Q, K, dO, lse, dV)
    dK = attention_dk.result()
    attention_dk(Q, K, V, dO, lse, D, dK)
    dQ = attention_dq.result()
    attention_dq(Q, K, V, dO, lse, Out, dQ)

    dv, dk, dq = reference(q, k, v, do)
    assert np.allclose(dV.arr, dv) and np.allclose(dK.arr, dk) and np.allclose(dQ.arr, dq)
    tiles = (qctx.size // TILE) * (nctx.size // TILE)
    print(f"attention_backward: OK (dV, dK, dQ; qctx {qctx.size}, nctx {nctx.size}, "
          f"{tiles} tiles each)")


if __name__ == "__main__":
    main()
