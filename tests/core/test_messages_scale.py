"""A flash attention at 4,096 key tiles whose second tile forgets to subtract the running max:
the message has a counterexample judged against float64 rounding, evaluated on inputs constant
on random blocks of the key dim, where the plain evaluation is past its budget."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

KERNEL = '''
from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult, einsum, exp, max

qctx, dhead, nctx = FullDim("qctx", 32), FullDim("dhead", 16), FullDim("nctx", 32 * 4096)
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
        row_max: Typed | float = -np.inf
        row_sum: Typed | float = 0
        acc: Typed | float = 0
        for jk in range(0, nctx.size, TILE):
            k = K.slice(nctx, jk, jk + TILE)
            v = V.slice(nctx, jk, jk + TILE)
            scores = einsum(q, k, "qctx dhead, nctx dhead -> qctx nctx") / np.sqrt(16)
            new_max = max(row_max, scores.max(nctx))
            p = exp(scores - new_max.repeat(nctx[jk : jk + TILE]))
            if jk == TILE:  # the second tile forgets to subtract the max
                p = exp(scores)
            rescale = exp(row_max - new_max)
            row_sum = row_sum * rescale + p.sum(nctx)
            acc = acc * rescale.repeat(dhead) + einsum(p, v, "qctx nctx, nctx dhead -> qctx dhead")
            row_max = new_max
        assert isinstance(acc, Typed) and isinstance(row_sum, Typed)
        out.assign(acc / row_sum.repeat(dhead))


rng = np.random.default_rng(0)
q = Typed(rng.standard_normal((qctx.size, dhead.size)), qctx, dhead)
k = Typed(rng.standard_normal((nctx.size, dhead.size)), nctx, dhead)
v = Typed(rng.standard_normal((nctx.size, dhead.size)), nctx, dhead)
flash_attention(q, k, v, flash_attention.result())
'''


@pytest.mark.slow
def test_a_wrong_tile_among_4096_gets_a_judged_counterexample(tmp_path: Path) -> None:
    path = tmp_path / "flash_4096.py"
    path.write_text(KERNEL)
    run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=900)
    assert run.returncode != 0
    message = run.stderr.split("TypeCheckError: ", 1)[1]
    assert "too large" not in message
    assert "constant on random blocks of nctx" in message
    assert "beyond what float64 rounding explains" in message
