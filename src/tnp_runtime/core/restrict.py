"""Restriction of a masked term to the region a tile is proved on, before normalizing.

The normal form knows nothing of where a term is evaluated, so `mask[qctx >= nctx](s)` over a
sum of 512 keys stays one masked reduction, while a causal kernel that skips the tiles above
the diagonal builds unmasked sums below it and one masked sum on it. Both are equal on the
tile; to make them meet, both sides are rewritten for the tile's region first:

- the walk goes top-down with the range of every dim in scope: the free dims from the tile's
  slices, a bound dim from its enclosing `Reduce`'s interval (or the piece of it being built);
- a `Reduce` over d is cut where a mask in its body, relating d to dims of known range,
  changes from false everywhere to a band to true everywhere (`IndexPred.cuts`), and rebuilt
  as the reduction of the pieces joined by + (sum) or max (max); so in each piece each such
  mask is all-true, all-false or a band, and two sides cut at the same thresholds meet piece by
  piece whatever their tiles (a kernel's tiles only cut the pieces further, and the normal form
  merges adjacent sums and maxima again);
- a `Mask` that holds everywhere on the ranges becomes its operand, one that holds nowhere its
  fill, a band stays, without its comparisons that hold everywhere on the ranges.

Every rewrite is exact on the region (cutting a reduction is associativity; a mask decided on
the whole box is its operand or its fill there), so the restricted term equals the original at
every index of the tile. Terms without a mask (`ir.has_mask`) are returned unchanged at the
cost of one lookup. The walk is memoized by (node, ranges of the dims its masks read freely).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Final, assert_never

from tnp_runtime.core import ir, tables
from tnp_runtime.core.dims import DimType, Interval
from tnp_runtime.core.index_pred import IndexPred, Range, Truth, split
from tnp_runtime.core.ir import (
    Apply,
    Binary,
    BinaryOp,
    Const,
    Expr,
    Inf,
    Input,
    Mask,
    Read,
    Reduce,
    ReduceOp,
    Unary,
)

# Free dims read by the masks under a node (the node's memo key is their ranges).
_MASK_DIMS: Final[dict[Expr, frozenset[str]]] = {}
# Predicates of the masks under a node that read a dim freely: (node, dim) -> predicates.
_PREDS: Final[dict[tuple[Expr, str], frozenset[IndexPred]]] = {}
_MEMO: Final[dict[tuple[Expr, tuple[Range | None, ...]], Expr]] = {}
tables.register("restrict.mask_dims", _MASK_DIMS, "cleared: recomputed from the node")
tables.register("restrict.preds", _PREDS, "cleared: recomputed from the node")
tables.register("restrict.memo", _MEMO, "cleared: restrictions are recomputed")


def restrict(expr: Expr, tile: DimType) -> Expr:
    """`expr` rewritten for the region of `tile` (equal to it at every index of the tile)."""
    if not ir.has_mask(expr):
        return expr
    ranges = {s.name: (s.start, s.stop - 1) for s in tile}
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 100_000))
    try:
        return _walk(expr, ranges)
    finally:
        sys.setrecursionlimit(limit)


def restrict_ranges(expr: Expr, ranges: Mapping[str, Range]) -> Expr:
    """`restrict` with the ranges given directly (lowest, highest position per dim)."""
    if not ir.has_mask(expr):
        return expr
    return _walk(expr, dict(ranges))


def mask_dims(expr: Expr) -> frozenset[str]:
    """The dims the masks under `expr` read and `expr` does not bind."""
    found = _MASK_DIMS.get(expr)
    if found is not None:
        return found
    if not ir.has_mask(expr):
        result: frozenset[str] = frozenset()
    else:
        match expr:
            case Const() | Inf() | Input() | Read():
                result = frozenset()
            case Unary(operand=operand):
                result = mask_dims(operand)
            case Binary(left=left, right=right):
                result = mask_dims(left) | mask_dims(right)
            case Reduce(dim=dim, body=body):
                result = mask_dims(body) - {dim}
            case Mask(pred=pred, operand=operand):
                result = pred.dims | mask_dims(operand)
            case Apply(args=args):
                result = frozenset().union(*(mask_dims(a) for a in args))
            case _:
                assert_never(expr)
    _MASK_DIMS[expr] = result
    return result


def _preds(expr: Expr, dim: str) -> frozenset[IndexPred]:
    """The predicates of the masks under `expr` that read `dim` where `expr` has it free."""
    key = (expr, dim)
    found = _PREDS.get(key)
    if found is not None:
        return found
    if dim not in mask_dims(expr):
        result: frozenset[IndexPred] = frozenset()
    else:
        match expr:
            case Unary(operand=operand):
                result = _preds(operand, dim)
            case Binary(left=left, right=right):
                result = _preds(left, dim) | _preds(right, dim)
            case Reduce(body=body):
                result = _preds(body, dim)  # `dim` is not the bound one (it is in mask_dims)
            case Mask(pred=pred, operand=operand):
                own = frozenset((pred,)) if dim in pred.dims else frozenset()
                result = own | _preds(operand, dim)
            case Apply(args=args):
                result = frozenset().union(*(_preds(a, dim) for a in args))
            case Const() | Inf() | Input() | Read():
                result = frozenset()
            case _:
                assert_never(expr)
    _PREDS[key] = result
    return result


def _walk(expr: Expr, ranges: dict[str, Range]) -> Expr:
    if not ir.has_mask(expr):
        return expr
    key = (expr, tuple(ranges.get(d) for d in sorted(mask_dims(expr))))
    found = _MEMO.get(key)
    if found is not None:
        return found
    result: Expr
    match expr:
        case Const() | Inf() | Input() | Read():
            result = expr
        case Unary(op=op, operand=operand):
            result = ir.unary(op, _walk(operand, ranges))
        case Binary(op=op, left=left, right=right):
            result = ir.binary(op, _walk(left, ranges), _walk(right, ranges))
        case Mask(pred=pred, fill=fill, operand=operand):
            truth = pred.truth(ranges)
            if truth is Truth.TRUE:
                result = _walk(operand, ranges)
            elif truth is Truth.FALSE:
                result = fill
            else:
                result = ir.mask(pred.on(ranges), fill, _walk(operand, ranges))
        case Reduce(op=op, dim=dim, interval=interval, body=body):
            result = _reduce(op, dim, interval, body, ranges)
        case Apply(func=func, args=args):
            result = ir.apply(func, tuple(_walk(a, ranges) for a in args))
        case _:
            assert_never(expr)
    _MEMO[key] = result
    return result


def _reduce(
    op: ReduceOp, dim: str, interval: Interval, body: Expr, ranges: dict[str, Range]
) -> Expr:
    outer = {d: r for d, r in ranges.items() if d != dim}
    cuts: set[int] = set()
    for pred in _preds(body, dim):
        cuts |= pred.cuts(dim, outer)
    join = BinaryOp.ADD if op is ReduceOp.SUM else BinaryOp.MAX
    result: Expr | None = None
    for start, stop in split(interval.start, interval.stop, cuts):
        inner = {**outer, dim: (start, stop - 1)}
        piece = ir.reduce(op, dim, Interval(start, stop), _walk(body, inner))
        result = piece if result is None else ir.binary(join, result, piece)
    assert result is not None
    return result
