"""The seed's checks of intermediate values, as `tnp.assert_spec`: `rewrite_found(x_max,
"max[N](N)")` (the running max of a 1-D input is its max: a value without dims), and, in flash
attention, the running max of the scores after the loop over key tiles."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult, einsum

N = FullDim("N", 16)
qctx, dhead, nctx = FullDim("qctx", 4), FullDim("dhead", 4), FullDim("nctx", 16)
TILE = 4

x = Typed(np.arange(16.0), N, name="x")
x_max = x.slice(N, 0, TILE).max(N)
for j in range(TILE, N.size, TILE):
    x_max = tnp.max(x_max, x.slice(N, j, j + TILE).max(N))
tnp.assert_spec(x_max, "max[N](N)")


@tnp.kernel
def scores_max(
    Q: Typed[L["qctx dhead"]],
    K: Typed[L["nctx dhead"]],
    out: TypedResult[L["max[nctx]((qctx dhead, K:nctx dhead -> qctx nctx))"]],
) -> None:
    row_max: Typed | float = -np.inf
    for jk in range(0, nctx.size, TILE):
        scores = einsum(Q, K.slice(nctx, jk, jk + TILE), "qctx dhead, nctx dhead -> qctx nctx")
        row_max = tnp.max(row_max, scores.max(nctx))
    assert isinstance(row_max, Typed)
    tnp.assert_spec(row_max, "max[nctx]((Q:qctx dhead, K:nctx dhead -> qctx nctx))")
    tnp.assert_spec(row_max, "max[nctx]((Q:qctx dhead, K:nctx dhead -> qctx nctx)) / 2")  # E: kernel computes `max[nctx]((nctx dhead, qctx dhead -> qctx nctx))` over qctx[0:4]; the spec requires `max[nctx]((nctx dhead, qctx dhead -> qctx nctx)) / 2`  [tnp-spec]
    # ^N: kernel - spec = ...
    # ^N: counterexample on random inputs ...
    out.assign(row_max)


rng = np.random.default_rng(0)
scores_max(Typed(rng.standard_normal((4, 4)), qctx, dhead),
           Typed(rng.standard_normal((16, 4)), nctx, dhead), scores_max.result())
