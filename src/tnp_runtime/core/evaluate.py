"""Float64 evaluation of a term at one index, on deterministic pseudo-random inputs.

Used only to show a counterexample once the normal forms differ, never as a proof. The inputs
are a pure function of (input, index), so the runtime and the mypy plugin, which have no data
in common, print the same numbers.
"""

from __future__ import annotations

import hashlib
import math
import sys
from collections.abc import Callable, Mapping
from typing import assert_never

from tnp_runtime.core import opaque
from tnp_runtime.core.elementwise import BY_OP
from tnp_runtime.core.indexing import read_position
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
    free_dims,
)


def input_value(node: Input, index: tuple[int, ...], label: str | None = None) -> float:
    """A value in [-1, 1) fixed by the input's label (`ir.input_labels`: its name, qualified
    when two inputs in view read alike) and the index."""
    if label is None:
        label = " ".join(node.dims) if node.anonymous else node.name
    identity = label
    digest = hashlib.blake2b(f"{identity}|{index}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") / 2**63 - 1.0


def _safe(fn: Callable[[float], float], x: float) -> float:
    try:
        return fn(x)
    except OverflowError:  # exp of a large number
        return math.inf
    except ValueError:  # outside the domain: log(0), sqrt(-1), sin(inf)
        return math.nan


# Node evaluations one `Evaluator` may spend: a counterexample is worth about a second, and a
# reduction over a dim of 10^9 must not turn an error report into a hang.
MAX_STEPS = 2_000_000


class EvaluationBudget(Exception):
    """Evaluating would take more than the evaluator's budget of steps."""


class Evaluator:
    """Evaluates terms; memoizes (node, values of its free dims) across calls.

    Raises `EvaluationBudget` once it has evaluated `max_steps` nodes in all."""

    def __init__(
        self, max_steps: int = MAX_STEPS, labels: Mapping[Input, str] | None = None
    ) -> None:
        self._labels: Mapping[Input, str] = labels or {}
        self._memo: dict[tuple[Expr, tuple[int, ...]], float] = {}
        self._steps_left = max_steps

    def at(self, expr: Expr, index: Mapping[str, int]) -> float:
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 100_000))
        try:
            return self._eval(expr, dict(index))
        finally:
            sys.setrecursionlimit(limit)

    def _eval(self, expr: Expr, env: dict[str, int]) -> float:
        key = (expr, tuple(env[d] for d in sorted(free_dims(expr))))
        found = self._memo.get(key)
        if found is not None:
            return found
        result = self._compute(expr, env)
        self._memo[key] = result
        return result

    def _compute(self, expr: Expr, env: dict[str, int]) -> float:
        self._steps_left -= 1
        if self._steps_left < 0:
            raise EvaluationBudget
        match expr:
            case Const(value=value):
                return float(value)
            case Inf(negative=negative):
                return -math.inf if negative else math.inf
            case Input(dims=dims):
                return input_value(expr, tuple(env[d] for d in dims), self._labels.get(expr))
            case Read(source=source):
                return input_value(source, read_position(expr, env), self._labels.get(source))
            case Unary(op=op, operand=operand):
                x = self._eval(operand, env)
                return -x if op is UnaryOp.NEG else _safe(BY_OP[op].real, x)
            case Binary(op=op, left=left, right=right):
                a, b = self._eval(left, env), self._eval(right, env)
                return _binary(op, a, b)
            case Reduce(op=op, dim=dim, interval=interval, body=body):
                if interval.length > self._steps_left:
                    raise EvaluationBudget
                outer = env.get(dim)
                values = []
                for i in range(interval.start, interval.stop):
                    env[dim] = i
                    values.append(self._eval(body, env))
                if outer is None:
                    del env[dim]
                else:
                    env[dim] = outer
                return math.fsum(values) if op is ReduceOp.SUM else max(values)
            case Apply(func=func, args=args):
                values = [self._eval(a, env) for a in args]
                return apply_value(func, values)
            case Mask(pred=pred, fill=fill, operand=operand):
                kept = pred.holds(env)
                return self._eval(operand if kept else fill, env)
            case _:
                assert_never(expr)


def apply_value(func: opaque.Opaque, values: list[float]) -> float:
    """An opaque function's value: `where`'s own, a declared function's stand-in (see
    `opaque`)."""
    if func.is_where:
        x, y, a, b = values
        return opaque.where_value(func, x, y, a, b)
    if any(v != v or v in (math.inf, -math.inf) for v in values):
        return math.nan
    return opaque.stand_in(func, values)


def _binary(op: BinaryOp, a: float, b: float) -> float:
    match op:
        case BinaryOp.ADD:
            return a + b
        case BinaryOp.SUB:
            return a - b
        case BinaryOp.MUL:
            return a * b
        case BinaryOp.DIV:
            return a / b if b != 0 else math.nan
        case BinaryOp.MAX:
            return max(a, b)
        case _:
            assert_never(op)


def differ(a: float, b: float) -> bool:
    """True when two evaluations disagree beyond float64 round-off."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) != math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a != b
    return abs(a - b) > 1e-7 * max(1.0, abs(a), abs(b))
