"""Masks refused: a predicate on a dim the value lacks (`tnp-dim`), the wrong side of the
diagonal (`tnp-spec`), a key tile skipped below the diagonal (`tnp-reduce`, naming it)."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

qctx, nctx, dhead = FullDim("qctx", 16), FullDim("nctx", 16), FullDim("dhead", 4)
TILE = 8


@tnp.kernel
def wrong_dims(S: Typed[L["qctx dhead"]], out: TypedResult[L["S:qctx dhead"]]) -> None:
    out.assign(S.mask(qctx >= nctx))  # E: cannot mask by `qctx >= nctx`: the value has no dim nctx; it is `S:qctx dhead` over qctx[0:16] dhead[0:4]  [tnp-dim]


@tnp.kernel
def wrong_side(
    S: Typed[L["qctx nctx"]], out: TypedResult[L["sum[nctx](mask[qctx >= nctx, 0](S:qctx nctx))"]]
) -> None:
    for iq in range(0, qctx.size, TILE):
        total: Typed | float = 0
        for jk in range(0, iq + TILE, TILE):
            tile = S.slice(qctx, iq, iq + TILE).slice(nctx, jk, jk + TILE)
            total = total + tile.mask(qctx <= nctx, fill=0).sum(nctx)
            # ^N: the mask `nctx >= qctx` here: with `qctx >= nctx` instead, the tile equals the spec
        assert isinstance(total, Typed)
        out.assign(total)  # E: kernel computes `(qctx nctx[7:8] -> qctx) + sum[nctx[0:7]]((qctx nctx) * mask[nctx >= qctx, 0](1))` over qctx[0:8]; the spec requires `(qctx nctx[0:1] -> qctx) + sum[nctx[1:8]]((qctx nctx) * mask[qctx >= nctx, 0](1))`  [tnp-spec]
        # ^N: differs in: kernel `(qctx nctx[7:8] -> qctx)` where the spec has `(qctx nctx[0:1] -> qctx)`; kernel `sum[nctx[0:7]]((qctx nctx) * mask[nctx >= qctx, 0](1))` where the spec has `sum[nctx[1:8]]((qctx nctx) * mask[qctx >= nctx, 0](1))`
        # ^N: counterexample on random inputs ...
        # ^N: when iq = 0
        # ^N: when iq = 8


@tnp.kernel
def skipped(
    S: Typed[L["qctx nctx"]], out: TypedResult[L["sum[nctx](mask[qctx >= nctx, 0](S:qctx nctx))"]]
) -> None:
    for iq in range(0, qctx.size, TILE):
        total: Typed | float = 0
        for jk in range(TILE if iq else 0, iq + TILE, TILE):
            tile = S.slice(qctx, iq, iq + TILE).slice(nctx, jk, jk + TILE)
            total = total + tile.mask(qctx >= nctx, fill=0).sum(nctx)
            # ^N: this line accumulates the sum over nctx, whose pieces cover nctx[8:16]; the spec's sum needs nctx[0:8] too
        assert isinstance(total, Typed)
        out.assign(total)  # E: partial reduction: missing sum over nctx[0:8]: kernel computes `(qctx nctx[8:9] -> qctx) + sum[nctx[9:16]]((qctx nctx) * mask[qctx >= nctx, 0](1))` over qctx[8:16]; the spec requires `(qctx nctx[0:9] -> qctx) + sum[nctx[9:16]]((qctx nctx) * mask[qctx >= nctx, 0](1))`  [tnp-reduce]
        # ^N: differs in: kernel `(qctx nctx[8:9] -> qctx)` where the spec has `(qctx nctx[0:9] -> qctx)`
        # ^N: kernel - spec = `-(qctx nctx[0:9] -> qctx) + (qctx nctx[8:9] -> qctx)`
        # ^N: counterexample on random inputs ...
        # ^N: when iq = 8


@tnp.kernel
def chained(S: Typed[L["qctx nctx"]], out: TypedResult[L["mask[qctx >= nctx, 0](S:qctx nctx)"]]) -> None:
    # Not called here (the runtime raises TypeError at the chain): mypy stops at it, an error.
    out.assign(S.mask(qctx >= nctx >= 1, fill=0))  # E: tnp cannot follow a chained comparison of dims (join index predicates with &); the static check of this scope stops here (the runtime still checks it)  [tnp-unsupported]
    # ^N: this scope writes a result and mypy did not check all of it; `unsupported = "note"` in [tool.tnp_mypy] shows this as a note instead


wrong_dims(Typed(np.ones((16, 4)), qctx, dhead), TypedResult("S:qctx dhead"))
rng = np.random.default_rng(0)
wrong_side(Typed(rng.standard_normal((16, 16)), qctx, nctx), TypedResult("sum[nctx](mask[qctx >= nctx, 0](S:qctx nctx))"))
skipped(Typed(rng.standard_normal((16, 16)), qctx, nctx), TypedResult("sum[nctx](mask[qctx >= nctx, 0](S:qctx nctx))"))
