"""Causal attention written directly against the IR: kernels with masks and skipped tiles,
and the masked spec, for the prover's tests and the causal benchmark.

`causal_attention` builds one output tile (a query tile) of an online-softmax kernel over key
tiles, with the mask simplified on each tile's box as the runtime builds it (`core/masks`):
a tile below the diagonal reads unmasked, the diagonal tile keeps a `Mask` node, a tile above
it is all -inf.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from tests.support.kernels import _scores
from tnp_runtime.core import ir, masks
from tnp_runtime.core.dims import DimType, FullDim, Interval, Sliced
from tnp_runtime.core.index_pred import IndexPred
from tnp_runtime.core.ir import BinaryOp as B
from tnp_runtime.core.ir import Expr
from tnp_runtime.core.ir import ReduceOp as R
from tnp_runtime.core.ir import UnaryOp as U
from tnp_runtime.core.rules import Abstract

QCTX, NCTX = FullDim("qctx", 1), FullDim("nctx", 1)  # names only: predicates read names
CAUSAL = QCTX >= NCTX


def masked_spec(nctx: int, dhead: int, pred: IndexPred = CAUSAL) -> Expr:
    """softmax[nctx](mask[pred](scores)) times V, summed over nctx (the causal spec)."""
    q = ir.input_leaf("Q", ("qctx", "dhead"))
    k = ir.input_leaf("K", ("nctx", "dhead"))
    v = ir.input_leaf("V", ("nctx", "dhead"))
    e = ir.mask(pred, ir.inf(True), _scores(q, k, dhead))
    whole = Interval(0, nctx)
    softmax = ir.binary(
        B.DIV, ir.unary(U.EXP, e), ir.reduce(R.SUM, "nctx", whole, ir.unary(U.EXP, e))
    )
    return ir.reduce(R.SUM, "nctx", whole, ir.binary(B.MUL, softmax, v))


def causal_attention(
    nctx: int,
    q_start: int,
    q_tile: int = 32,
    k_tile: int = 32,
    dhead: int = 16,
    pred: IndexPred = CAUSAL,
    spec_pred: IndexPred = CAUSAL,
    key_tiles: Sequence[int] | None = None,
    skip: Collection[int] = (),
) -> tuple[Expr, Expr, DimType]:
    """The output tile qctx[q_start : q_start + q_tile] of a causal flash attention.

    The kernel visits the key tiles starting at `key_tiles` (default: every tile that starts
    before the end of the query tile, in order) except those in `skip`, masking each with
    `pred` on its box."""
    q = ir.input_leaf("Q", ("qctx", "dhead"))
    k = ir.input_leaf("K", ("nctx", "dhead"))
    v = ir.input_leaf("V", ("nctx", "dhead"))
    q_slice = Sliced(FullDim("qctx", nctx), Interval(q_start, q_start + q_tile))
    starts = key_tiles if key_tiles is not None else range(0, q_start + q_tile, k_tile)
    m: Expr = ir.inf(True)
    l_run: Expr = ir.const(0)
    o: Expr = ir.const(0)
    for start in starts:
        if start in skip:
            continue
        block = Interval(start, min(start + k_tile, nctx))
        dims = (q_slice, Sliced(FullDim("nctx", nctx), block))
        s = masks.mask(Abstract(dims, _scores(q, k, dhead)), pred).expr
        m_new = ir.binary(B.MAX, m, ir.reduce(R.MAX, "nctx", block, s))
        p = ir.unary(U.EXP, ir.binary(B.SUB, s, m_new))
        scale = ir.unary(U.EXP, ir.binary(B.SUB, m, m_new))
        l_run = ir.binary(B.ADD, ir.binary(B.MUL, l_run, scale), ir.reduce(R.SUM, "nctx", block, p))
        o = ir.binary(
            B.ADD,
            ir.binary(B.MUL, o, scale),
            ir.reduce(R.SUM, "nctx", block, ir.binary(B.MUL, p, v)),
        )
        m = m_new
    kernel = ir.binary(B.DIV, o, l_run)
    tile = (q_slice, FullDim("dhead", dhead).full)
    return kernel, masked_spec(nctx, dhead, spec_pred), tile
