"""From expression IR to normal form, memoized per interned node.

Kernels unrolled over thousands of tiles build DAGs thousands of nodes deep (each running max
refers to the previous one), so the walk is iterative, and each node is normalized once until
the tables are reset (`core/tables.py`: never during a proof): cost grows with the number of
distinct nodes, that is linearly in tiles.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Final, assert_never

from tnp_runtime.core import normal, normal_calls, normal_mask, normal_rules, tables
from tnp_runtime.core.dims import IntervalSet
from tnp_runtime.core.elementwise import BY_OP
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
    UnaryOp,
)
from tnp_runtime.core.normal import ExtInf, Poly, Value
from tnp_runtime.core.normal_mask import MValue

_MEMO: Final[dict[Expr, MValue]] = {}
# Nodes whose normalization failed, with the reason: asked again, they fail again at once.
_FAILED: Final[dict[Expr, normal.NotNormalizable]] = {}
tables.register("normalize.memo", _MEMO, "cleared: normal forms are recomputed")
tables.register("normalize.failed", _FAILED, "cleared: failures are recomputed")


def _children(expr: Expr) -> tuple[Expr, ...]:
    match expr:
        case Const() | Inf() | Input() | Read():
            return ()
        case Unary(operand=operand):
            return (operand,)
        case Binary(left=left, right=right):
            return (left, right)
        case Reduce(body=body):
            return (body,)
        case Apply(args=args):
            return args
        case Mask(fill=fill, operand=operand):
            return (fill, operand)
        case _:
            assert_never(expr)


_UNARY: Final = {
    UnaryOp.NEG: normal.neg,
    **{op: function.normal for op, function in BY_OP.items()},
}

_BINARY: Final = {
    BinaryOp.ADD: normal.add,
    BinaryOp.SUB: normal.sub,
    BinaryOp.MUL: normal.mul,
    BinaryOp.DIV: normal.div,
    BinaryOp.MAX: normal_rules.maximum,
}


# The kinds of value only masks make (`normal_mask`), and the others (tuples: the fastest
# isinstance in the walk's hot path).
_MASKED: Final = (normal_mask.Masked, normal_mask.PartialMax)
_PLAIN: Final = (Poly, ExtInf)


def _step(expr: Expr) -> MValue:
    """Normalize one node whose children are already in `_MEMO`."""
    match expr:
        case Const(value=value):
            return normal.constant(Fraction(value))
        case Inf(negative=negative):
            return normal.NEG_INF if negative else normal.POS_INF
        case Input() | Read():
            return normal.atom_poly(normal.leaf(expr))
        case Unary(op=op, operand=operand):
            got = _MEMO[operand]
            if isinstance(got, _MASKED):
                return normal_mask.unary(op, got, _UNARY[op])
            return _UNARY[op](got)
        case Binary(op=op, left=left, right=right):
            a, b = _MEMO[left], _MEMO[right]
            if isinstance(a, _PLAIN) and isinstance(b, _PLAIN):
                return _BINARY[op](a, b)
            return normal_mask.binary(op, a, b, _BINARY[op])
        case Reduce(op=op, dim=dim, interval=interval, body=body):
            over = IntervalSet.single(interval)
            got = _MEMO[body]
            if isinstance(got, _MASKED):
                return normal_mask.reduce(op, dim, over, got)
            if op is ReduceOp.SUM:
                return normal_rules.reduce_sum(dim, over, got)
            return normal_rules.reduce_max(dim, over, got)
        case Mask(pred=pred, fill=fill, operand=operand):
            filled = _MEMO[fill]
            assert isinstance(filled, Poly | ExtInf)
            return normal_mask.mask(pred, filled, _MEMO[operand])
        case Apply(func=func, args=args):
            values: list[Value] = []
            for arg in args:
                found = _MEMO[arg]
                if not isinstance(found, Poly | ExtInf):
                    raise normal.NotNormalizable(f"{func.name} of a masked value")
                values.append(found)
            return normal_calls.apply(func, values)
        case _:
            assert_never(expr)


def normalize(expr: Expr) -> MValue:
    """The normal form of `expr`. Raises `normal.NotNormalizable` (or its `NormalFormLimit`)."""
    found = _MEMO.get(expr)
    if found is not None:
        return found
    stack: list[tuple[Expr, bool]] = [(expr, False)]
    while stack:
        node, children_done = stack.pop()
        if node in _MEMO:
            continue
        failure = _FAILED.get(node)
        if failure is not None:
            raise failure
        if children_done:
            try:
                _MEMO[node] = _step(node)
            except normal.NotNormalizable as err:
                _FAILED[node] = err
                raise
            continue
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if child not in _MEMO)
    return _MEMO[expr]
