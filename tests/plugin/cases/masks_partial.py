"""A sliding window whose tiles are masked only with the comparisons each tile needs: the
diagonal tiles with `qctx >= nctx`, the tiles at the window's far edge with `qctx - nctx < 12`,
the tiles inside the window not at all. The spec states both comparisons; on a tile where one
of them holds everywhere it is dropped, so each tile is proved. An off-by-one window is
refused at the tile where it matters."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

qctx, nctx = FullDim("qctx", 32), FullDim("nctx", 32)
TILE = 8
W = 12


@tnp.kernel
def window(
    S: Typed[L["qctx nctx"]],
    out: TypedResult[L["sum[nctx](mask[qctx >= nctx and qctx - nctx < 12, 0](S:qctx nctx))"]],
) -> None:
    for iq in range(0, qctx.size, TILE):
        total: Typed | float = 0
        for jk in range(0, iq + TILE, TILE):
            if iq - (jk + TILE - 1) >= W:
                continue  # the window misses the whole tile
            tile = S.slice(qctx, iq, iq + TILE).slice(nctx, jk, jk + TILE)
            causal_all = jk + TILE - 1 <= iq
            window_all = iq + TILE - 1 - jk < W
            if not causal_all:
                tile = tile.mask(qctx >= nctx, fill=0)
            if not window_all:
                tile = tile.mask(qctx - nctx < W, fill=0)
            total = total + tile.sum(nctx)
        assert isinstance(total, Typed)
        out.assign(total)


@tnp.kernel
def window_off_by_one(
    S: Typed[L["qctx nctx"]],
    out: TypedResult[L["sum[nctx](mask[qctx >= nctx and qctx - nctx < 12, 0](S:qctx nctx))"]],
) -> None:
    for iq in range(0, qctx.size, TILE):
        total: Typed | float = 0
        for jk in range(0, iq + TILE, TILE):
            if iq - (jk + TILE - 1) >= W:
                continue
            tile = S.slice(qctx, iq, iq + TILE).slice(nctx, jk, jk + TILE)
            if jk + TILE - 1 > iq:
                tile = tile.mask(qctx >= nctx, fill=0)
            if iq + TILE - 1 - jk >= W:
                tile = tile.mask(qctx - nctx <= W, fill=0)
            total = total + tile.sum(nctx)
        assert isinstance(total, Typed)
        out.assign(total)  # E: kernel computes `(qctx nctx[3:9] -> qctx) + sum[nctx[0:3]]((qctx nctx) * mask[nctx >= qctx - 12, 0](1)) + sum[nctx[9:16]]((qctx nctx) * mask[qctx >= nctx, 0](1))` over qctx[8:16]; the spec requires `(qctx nctx[4:9] -> qctx) + sum[nctx[0:4]]((qctx nctx) * mask[nctx >= qctx - 11, 0](1)) + sum[nctx[9:16]]((qctx nctx) * mask[qctx >= nctx, 0](1))`  [tnp-spec]
        # ^N: kernel - spec = ...
        # ^N: counterexample on random inputs ...
        # ^N: when iq = 8
        # ^N: when iq = 16
        # ^N: when iq = 24


rng = np.random.default_rng(0)
window(Typed(rng.standard_normal((32, 32)), qctx, nctx), window.result())
window_off_by_one(Typed(rng.standard_normal((32, 32)), qctx, nctx), window_off_by_one.result())
