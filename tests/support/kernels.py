"""Tiled kernels written directly against the IR, shared by the prover tests and benchmarks.

Each builder returns (kernel expression, spec expression, tile dims) for one output tile.
"""

from __future__ import annotations

from fractions import Fraction

from tnp_runtime.core import ir
from tnp_runtime.core.dims import DimType, FullDim, Interval, Sliced
from tnp_runtime.core.ir import BinaryOp as B
from tnp_runtime.core.ir import Expr
from tnp_runtime.core.ir import ReduceOp as R
from tnp_runtime.core.ir import UnaryOp as U


def matmul_tile(
    n_size: int, tile: int, a_scale: int = 3, b_scale: int = 2, spec_scale: int = 6
) -> tuple[Expr, Expr, DimType]:
    """One output tile of `spec_scale * (M N, N K -> M K)`, accumulated over N in tiles."""
    a = ir.input_leaf("A", ("M", "N"))
    b = ir.input_leaf("B", ("N", "K"))
    acc: Expr | None = None
    for start in range(0, n_size, tile):
        product = ir.binary(
            B.MUL,
            ir.binary(B.MUL, a, ir.const(a_scale)),
            ir.binary(B.MUL, b, ir.const(b_scale)),
        )
        part = ir.reduce(R.SUM, "N", Interval(start, start + tile), product)
        acc = part if acc is None else ir.binary(B.ADD, acc, part)
    assert acc is not None
    spec = ir.binary(
        B.MUL,
        ir.const(spec_scale),
        ir.reduce(R.SUM, "N", Interval(0, n_size), ir.binary(B.MUL, a, b)),
    )
    m, k = FullDim("M", tile), FullDim("K", tile)
    return acc, spec, (m.full, k.full)


def _scores(q: Expr, k: Expr, dhead: int) -> Expr:
    dot = ir.reduce(R.SUM, "dhead", Interval(0, dhead), ir.binary(B.MUL, q, k))
    return ir.binary(B.DIV, dot, ir.unary(U.SQRT, ir.const(dhead)))


def flash_attention(
    tiles: int, tile: int = 32, dhead: int = 16, swap_kv: bool = False, rescale: bool = True
) -> tuple[Expr, Expr, DimType]:
    """The seed's flash attention over `tiles` blocks of nctx, and the corrected spec."""
    q = ir.input_leaf("Q", ("qctx", "dhead"))
    k = ir.input_leaf("K", ("nctx", "dhead"))
    v = ir.input_leaf("V", ("nctx", "dhead"))
    if swap_kv:
        k, v = v, k
    m: Expr = ir.inf(True)
    l_run: Expr = ir.const(0)
    o: Expr = ir.const(0)
    for j in range(tiles):
        block = Interval(j * tile, (j + 1) * tile)
        s = _scores(q, k, dhead)
        m_new = ir.binary(B.MAX, m, ir.reduce(R.MAX, "nctx", block, s))
        p = ir.unary(U.EXP, ir.binary(B.SUB, s, m_new))
        scale = ir.unary(U.EXP, ir.binary(B.SUB, m, m_new))
        kept = ir.binary(B.MUL, l_run, scale) if rescale else l_run
        l_run = ir.binary(B.ADD, kept, ir.reduce(R.SUM, "nctx", block, p))
        o = ir.binary(
            B.ADD,
            ir.binary(B.MUL, o, scale),
            ir.reduce(R.SUM, "nctx", block, ir.binary(B.MUL, p, v)),
        )
        m = m_new
    kernel = ir.binary(B.DIV, o, l_run)
    return kernel, attention_spec(tiles * tile, dhead), _attention_tile(dhead, tiles * tile)


def attention_spec(nctx: int, dhead: int) -> Expr:
    q = ir.input_leaf("Q", ("qctx", "dhead"))
    k = ir.input_leaf("K", ("nctx", "dhead"))
    v = ir.input_leaf("V", ("nctx", "dhead"))
    e = _scores(q, k, dhead)
    softmax = ir.binary(
        B.DIV, ir.unary(U.EXP, e), ir.reduce(R.SUM, "nctx", Interval(0, nctx), ir.unary(U.EXP, e))
    )
    return ir.reduce(R.SUM, "nctx", Interval(0, nctx), ir.binary(B.MUL, softmax, v))


def _attention_tile(dhead: int, nctx: int) -> DimType:
    del nctx
    return (Sliced(FullDim("qctx", 32), Interval(0, 32)), FullDim("dhead", dhead).full)


def online_softmax_block(blocks: int, block: int, target: int) -> tuple[Expr, Expr, DimType]:
    """Two-pass online softmax over N in `blocks` blocks; the output tile is block `target`."""
    x = ir.input_leaf("X", ("M", "N"))
    m: Expr = ir.inf(True)
    l_run: Expr = ir.const(0)
    for j in range(blocks):
        iv = Interval(j * block, (j + 1) * block)
        m_new = ir.binary(B.MAX, m, ir.reduce(R.MAX, "N", iv, x))
        l_run = ir.binary(
            B.ADD,
            ir.binary(B.MUL, l_run, ir.unary(U.EXP, ir.binary(B.SUB, m, m_new))),
            ir.reduce(R.SUM, "N", iv, ir.unary(U.EXP, ir.binary(B.SUB, x, m_new))),
        )
        m = m_new
    kernel = ir.binary(B.DIV, ir.unary(U.EXP, ir.binary(B.SUB, x, m)), l_run)
    n = blocks * block
    spec = ir.binary(
        B.DIV, ir.unary(U.EXP, x), ir.reduce(R.SUM, "N", Interval(0, n), ir.unary(U.EXP, x))
    )
    tile = (
        FullDim("M", 4).full,
        Sliced(FullDim("N", n), Interval(target * block, (target + 1) * block)),
    )
    return kernel, spec, tile


def const(value: int | str) -> Expr:
    return ir.const(Fraction(value))
