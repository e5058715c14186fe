"""A sliding window whose tiles are masked only with the comparisons each tile needs: the
diagonal tiles with `qctx >= nctx`, the tiles at the window's far edge with `qctx - nctx < 12`,
the tiles inside the window not at all. The spec states both comparisons; on a tile where one
of them holds everywhere it is dropped, so each tile is proved. An off-by-one window is
refused at the tile where it matters. An online logsumexp over a window that starts with a key
tile some row sees nothing of subtracts -inf from -inf there: unproven, with a note that says
so."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult, exp, log, max

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
                # ^N: the mask `nctx >= qctx - 12` here: with `qctx >= nctx and nctx >= qctx - 11` instead, the tile equals the spec
            total = total + tile.sum(nctx)
        assert isinstance(total, Typed)
        out.assign(total)  # E: kernel computes `(qctx nctx[3:9] -> qctx) + sum[nctx[0:3]]((qctx nctx) * mask[nctx >= qctx - 12, 0](1)) + sum[nctx[9:16]]((qctx nctx) * mask[qctx >= nctx, 0](1))` over qctx[8:16]; the spec requires `(qctx nctx[4:9] -> qctx) + sum[nctx[0:4]]((qctx nctx) * mask[nctx >= qctx - 11, 0](1)) + sum[nctx[9:16]]((qctx nctx) * mask[qctx >= nctx, 0](1))`  [tnp-spec]
        # ^N: differs in: kernel `(qctx nctx[3:9] -> qctx)` where the spec has `(qctx nctx[4:9] -> qctx)`; kernel `sum[nctx[0:3]]((qctx nctx) * mask[nctx >= qctx - 12, 0](1))` where the spec has `sum[nctx[0:4]]((qctx nctx) * mask[nctx >= qctx - 11, 0](1))`
        # ^N: counterexample on random inputs ...
        # ^N: when iq = 8
        # ^N: when iq = 16
        # ^N: when iq = 24




@tnp.kernel
def window_lse(
    S: Typed[L["qctx nctx"]],
    out: TypedResult[L["log(sum[nctx](exp(mask[qctx >= nctx and qctx - nctx < 12](S:qctx nctx))))"]],
) -> None:
    # The diagonal tile first: every row sees its own position there.
    for iq in range(0, qctx.size, TILE):
        m: Typed | float = -np.inf
        total: Typed | float = 0
        for jk in range(iq, -1, -TILE):
            if iq - (jk + TILE - 1) >= W:
                break
            tile = S.slice(qctx, iq, iq + TILE).slice(nctx, jk, jk + TILE)
            tile = tile.mask((qctx >= nctx) & (qctx - nctx < W))
            new_m = max(m, tile.max(nctx))
            total = total * exp(m - new_m) + exp(tile - new_m.repeat(nctx[jk : jk + TILE])).sum(nctx)
            m = new_m
        assert isinstance(m, Typed) and isinstance(total, Typed)
        out.assign(m + log(total))


@tnp.kernel
def window_lse_far_first(
    S: Typed[L["qctx nctx"]],
    out: TypedResult[L["log(sum[nctx](exp(mask[qctx >= nctx and qctx - nctx < 12](S:qctx nctx))))"]],
) -> None:
    # The farthest key tile first: at iq = 16 row 23 sees nothing of nctx[0:8].
    for iq in range(0, qctx.size, TILE):
        m: Typed | float = -np.inf
        total: Typed | float = 0
        for jk in range(0, iq + TILE, TILE):
            if iq - (jk + TILE - 1) >= W:
                continue
            tile = S.slice(qctx, iq, iq + TILE).slice(nctx, jk, jk + TILE)
            tile = tile.mask((qctx >= nctx) & (qctx - nctx < W))
            new_m = max(m, tile.max(nctx))
            total = total * exp(m - new_m) + exp(tile - new_m.repeat(nctx[jk : jk + TILE])).sum(nctx)
            m = new_m
        assert isinstance(m, Typed) and isinstance(total, Typed)
        out.assign(m + log(total))  # E: ...
        # ^N: no normal form: `-` with a maximum that is -inf on a row where every position it covers is masked (an online softmax that starts with a tile some row sees nothing of computes -inf - -inf, NaN, there: start with a tile every row sees)
        # ^N: no numeric comparison settles it
        # ^N: when iq = 16
        # ^N: when iq = 24


@tnp.kernel
def lse_wrong_side(
    S: Typed[L["qctx nctx"]],
    out: TypedResult[L["log(sum[nctx](exp(mask[qctx >= nctx](S:qctx nctx))))"]],
) -> None:
    # Key tiles of 4 masked on the wrong side: rows 4 to 7 see nothing of nctx[0:4], so the
    # kernel has no normal form there, and the numbers refute it; the note says why.
    for iq in range(0, qctx.size, TILE):
        m: Typed | float = -np.inf
        total: Typed | float = 0
        for jk in range(0, iq + TILE, 4):
            tile = S.slice(qctx, iq, iq + TILE).slice(nctx, jk, jk + 4)
            if jk + 4 > iq:
                tile = tile.mask(qctx <= nctx)
            new_m = max(m, tile.max(nctx))
            total = total * exp(m - new_m) + exp(tile - new_m.repeat(nctx[jk : jk + 4])).sum(nctx)
            m = new_m
        assert isinstance(m, Typed) and isinstance(total, Typed)
        out.assign(m + log(total))  # E: kernel computes `(max(max(…, …), max[nctx[4:8]](…)) + log((… + …)))` over qctx[0:8]; the spec requires `log(sum[nctx[0:32]](exp(…)))`  [tnp-spec]
        # ^N: no normal form: `-` with a maximum that is -inf on a row where every position it covers is masked (an online softmax that starts with a tile some row sees nothing of computes -inf - -inf, NaN, there: start with a tile every row sees)
        # ^N: counterexample on random inputs ...
        # ^N: when iq = 0
        # ^N: when iq = 8
        # ^N: when iq = 16


@tnp.kernel
def unmasked_diagonal(
    S: Typed[L["qctx nctx"]], out: TypedResult[L["sum[nctx](mask[qctx >= nctx, 0](S:qctx nctx))"]]
) -> None:
    # Key tiles of 4, every one visited, the first of the two on the diagonal left unmasked:
    # a wrong value (`tnp-spec`), not a skipped tile.
    for iq in range(0, qctx.size, TILE):
        total: Typed | float = 0
        for jk in range(0, iq + TILE, 4):
            tile = S.slice(qctx, iq, iq + TILE).slice(nctx, jk, jk + 4)
            if jk > iq:
                tile = tile.mask(qctx >= nctx, fill=0)
            total = total + tile.sum(nctx)
        assert isinstance(total, Typed)
        out.assign(total)  # E: kernel computes `(qctx nctx[0:4] -> qctx) + sum[nctx[4:8]]((qctx nctx) * mask[qctx >= nctx, 0](1))` over qctx[0:8]; the spec requires `(qctx nctx[0:1] -> qctx) + sum[nctx[1:8]]((qctx nctx) * mask[qctx >= nctx, 0](1))`  [tnp-spec]
        # ^N: differs in: kernel `(qctx nctx[0:4] -> qctx)` where the spec has `(qctx nctx[0:1] -> qctx)`; kernel `sum[nctx[4:8]]((qctx nctx) * mask[qctx >= nctx, 0](1))` where the spec has `sum[nctx[1:8]]((qctx nctx) * mask[qctx >= nctx, 0](1))`
        # ^N: counterexample on random inputs ...
        # ^N: when iq = 0
        # ^N: when iq = 8
        # ^N: when iq = 16

rng = np.random.default_rng(0)
window(Typed(rng.standard_normal((32, 32)), qctx, nctx), window.result())
window_off_by_one(Typed(rng.standard_normal((32, 32)), qctx, nctx), window_off_by_one.result())
window_lse(Typed(rng.standard_normal((32, 32)), qctx, nctx), window_lse.result())
window_lse_far_first(Typed(rng.standard_normal((32, 32)), qctx, nctx), window_lse_far_first.result())
lse_wrong_side(Typed(rng.standard_normal((32, 32)), qctx, nctx), lse_wrong_side.result())
unmasked_diagonal(Typed(rng.standard_normal((32, 32)), qctx, nctx), unmasked_diagonal.result())
