"""The causal flash-attention kernel the benchmark times (`flash_attention.py --causal`).

One query tile of 32 at the end of the sequence (the last 32 positions, as when a KV cache
holds the keys before them): queries at positions `OFFSET + qctx`, keys at `nctx`, the causal
mask `qctx + OFFSET >= nctx`. Every key tile but the last is strictly below the diagonal and
read unmasked; the last one is the diagonal tile, masked. The spec names the mask, so the
proof restricts the spec's sum over all keys to the tile (`core/restrict.py`) and meets the
kernel's tiles. Script form (inputs named with `name=`): the offset is in the spec's text.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from _timed import TimedResult

from tnp_runtime import FullDim, Typed, einsum, exp, max

TILE = 32
Array = np.ndarray[Any, np.dtype[np.float64]]


def spec(offset: int) -> str:
    return (
        f"(softmax[nctx](mask[qctx + {offset} >= nctx]((qctx dhead, K:nctx dhead -> qctx nctx)"
        " / sqrt(16))), V:nctx dhead -> qctx dhead)"
    )


def measure(tiles: int) -> dict[str, float]:
    """Build the inputs, run the kernel (the last query tile over `tiles` key tiles), time the
    `assign` (the proof) apart from the rest, and check the result against NumPy."""
    qctx, dhead, nctx = FullDim("qctx", TILE), FullDim("dhead", 16), FullDim("nctx", tiles * TILE)
    offset = nctx.size - qctx.size
    rng = np.random.default_rng(0)
    q = Typed(rng.standard_normal((qctx.size, dhead.size)), qctx, dhead, name="Q")
    k = Typed(rng.standard_normal((nctx.size, dhead.size)), nctx, dhead, name="K")
    v = Typed(rng.standard_normal((nctx.size, dhead.size)), nctx, dhead, name="V")
    out = TimedResult(spec(offset))
    start = time.perf_counter()
    row_max: Typed[Any] | float = -np.inf
    row_sum: Typed[Any] | float = 0
    acc: Typed[Any] | float = 0
    for jk in range(0, nctx.size, TILE):
        scores = einsum(q, k.slice(nctx, jk, jk + TILE), "qctx dhead, nctx dhead -> qctx nctx")
        scores = scores / np.sqrt(16)
        if jk + TILE > offset:  # the diagonal tile
            scores = scores.mask(qctx + offset >= nctx)
        new_max = max(row_max, scores.max(nctx))
        p = exp(scores - new_max.repeat(nctx[jk : jk + TILE]))
        rescale = exp(row_max - new_max)
        row_sum = row_sum * rescale + p.sum(nctx)
        pv = einsum(p, v.slice(nctx, jk, jk + TILE), "qctx nctx, nctx dhead -> qctx dhead")
        acc = acc * rescale.repeat(dhead) + pv
        row_max = new_max
    assert isinstance(acc, Typed) and isinstance(row_sum, Typed)
    out.assign(acc / row_sum.repeat(dhead))
    seconds = time.perf_counter() - start
    assert np.allclose(out.arr, reference(q.arr, k.arr, v.arr, offset))
    return {"run": seconds - out.proof_seconds, "proof": out.proof_seconds}


def reference(q: Array, k: Array, v: Array, offset: int) -> Array:
    """Causal softmax attention in plain NumPy (not timed)."""
    scores = q @ k.T / np.sqrt(q.shape[1])
    keep = np.arange(q.shape[0])[:, None] + offset >= np.arange(k.shape[0])[None, :]
    scores = np.where(keep, scores, -np.inf)
    p = np.exp(scores - scores.max(axis=1, keepdims=True))
    result: Array = (p / p.sum(axis=1, keepdims=True)) @ v
    return result
