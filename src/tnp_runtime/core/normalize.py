"""From expression IR to normal form, memoized per interned node.

Kernels unrolled over thousands of tiles build DAGs thousands of nodes deep (each running max
refers to the previous one), so the walk is iterative, and each node is normalized once until
the tables are reset (`core/tables.py`: never during a proof): cost grows with the number of
distinct nodes, that is linearly in tiles.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Final, assert_never

from tnp_runtime.core import normal, normal_rules, tables
from tnp_runtime.core.dims import IntervalSet
from tnp_runtime.core.elementwise import BY_OP
from tnp_runtime.core.ir import (
    Binary,
    BinaryOp,
    Const,
    Expr,
    Inf,
    Input,
    Read,
    Reduce,
    ReduceOp,
    Unary,
    UnaryOp,
)
from tnp_runtime.core.normal import Value

_MEMO: Final[dict[Expr, Value]] = {}
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


def _step(expr: Expr) -> Value:
    """Normalize one node whose children are already in `_MEMO`."""
    match expr:
        case Const(value=value):
            return normal.constant(Fraction(value))
        case Inf(negative=negative):
            return normal.NEG_INF if negative else normal.POS_INF
        case Input() | Read():
            return normal.atom_poly(normal.leaf(expr))
        case Unary(op=op, operand=operand):
            return _UNARY[op](_MEMO[operand])
        case Binary(op=op, left=left, right=right):
            return _BINARY[op](_MEMO[left], _MEMO[right])
        case Reduce(op=op, dim=dim, interval=interval, body=body):
            over = IntervalSet.single(interval)
            if op is ReduceOp.SUM:
                return normal_rules.reduce_sum(dim, over, _MEMO[body])
            return normal_rules.reduce_max(dim, over, _MEMO[body])
        case _:
            assert_never(expr)


def normalize(expr: Expr) -> Value:
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
