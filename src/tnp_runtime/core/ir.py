"""The expression IR: what a value computes, as a hash-consed DAG.

Semantics: every expression is a *pointwise term*. Its value at an index (a map from dim name to
integer) is a real number. An `Input` leaf reads its array at the index restricted to its dims;
broadcasting and transposing therefore do not change a term, and slices live in the DimType, not
here. A `Reduce` binds its dim over an interval: inside its body that dim ranges over the
interval, outside the body the same name may be free again (it refers to the outer index).

Invariant: nodes are interned. Build them only through the factory functions below; two nodes
with equal fields are the same object, so equality is identity and hashing is by id.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from fractions import Fraction
from typing import Final

from tnp_runtime.core.dims import Interval


class UnaryOp(enum.Enum):
    NEG = "-"
    EXP = "exp"
    LOG = "log"
    SQRT = "sqrt"
    SIN = "sin"
    COS = "cos"


class BinaryOp(enum.Enum):
    ADD = "+"
    SUB = "-"
    MUL = "*"
    DIV = "/"
    MAX = "max"


class ReduceOp(enum.Enum):
    SUM = "sum"
    MAX = "max"


@dataclass(frozen=True, eq=False, slots=True)
class Const:
    """An exact rational constant."""

    value: Fraction


@dataclass(frozen=True, eq=False, slots=True)
class Inf:
    """`-inf` when `negative`, else `+inf`: the initial value of running maxima."""

    negative: bool


@dataclass(frozen=True, eq=False, slots=True)
class Input:
    """A kernel input read at the current index.

    `name` identifies the input (a parameter name, a `name=`, or a generated `#n` for an
    unnamed array); `anonymous` says the name was generated and is not shown to users.
    `dims` are the names of the input's dims in the order of its axes.
    """

    name: str
    dims: tuple[str, ...]
    anonymous: bool


@dataclass(frozen=True, eq=False, slots=True)
class Unary:
    op: UnaryOp
    operand: Expr


@dataclass(frozen=True, eq=False, slots=True)
class Binary:
    op: BinaryOp
    left: Expr
    right: Expr


@dataclass(frozen=True, eq=False, slots=True)
class Reduce:
    """`op` of `body` over `dim` ranging over `interval`; binds `dim` inside `body`."""

    op: ReduceOp
    dim: str
    interval: Interval
    body: Expr


Expr = Const | Inf | Input | Unary | Binary | Reduce

# Strong table: interned nodes live as long as the process, so ids are never reused while a
# key that mentions them exists.
_TABLE: Final[dict[tuple[object, ...], Expr]] = {}


def _intern(key: tuple[object, ...], build: type[Expr], *fields: object) -> Expr:
    node = _TABLE.get(key)
    if node is None:
        node = build(*fields)  # type: ignore[arg-type]
        _TABLE[key] = node
    return node


def const(value: Fraction | int) -> Expr:
    value = Fraction(value)
    return _intern(("c", value), Const, value)


def inf(negative: bool) -> Expr:
    return _intern(("inf", negative), Inf, negative)


def input_leaf(name: str, dims: tuple[str, ...], anonymous: bool = False) -> Expr:
    return _intern(("in", name, dims, anonymous), Input, name, dims, anonymous)


def unary(op: UnaryOp, operand: Expr) -> Expr:
    return _intern(("u", op, operand), Unary, op, operand)


def binary(op: BinaryOp, left: Expr, right: Expr) -> Expr:
    return _intern(("b", op, left, right), Binary, op, left, right)


def reduce(op: ReduceOp, dim: str, interval: Interval, body: Expr) -> Expr:
    return _intern(("r", op, dim, interval, body), Reduce, op, dim, interval, body)


_FREE_DIMS: Final[dict[Expr, frozenset[str]]] = {}


def free_dims(expr: Expr) -> frozenset[str]:
    """Dim names the term depends on (not bound by a `Reduce` around the use)."""
    cached = _FREE_DIMS.get(expr)
    if cached is not None:
        return cached
    result: frozenset[str]
    match expr:
        case Const() | Inf():
            result = frozenset()
        case Input(dims=dims):
            result = frozenset(dims)
        case Unary(operand=operand):
            result = free_dims(operand)
        case Binary(left=left, right=right):
            result = free_dims(left) | free_dims(right)
        case Reduce(dim=dim, body=body):
            result = free_dims(body) - {dim}
    _FREE_DIMS[expr] = result
    return result


def inputs_of(expr: Expr) -> list[Input]:
    """The distinct `Input` leaves under `expr`, in first-seen order (iterative: DAGs are deep)."""
    seen: set[int] = set()
    found: list[Input] = []
    stack: list[Expr] = [expr]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        match node:
            case Input():
                found.append(node)
            case Unary(operand=operand):
                stack.append(operand)
            case Binary(left=left, right=right):
                stack.append(right)
                stack.append(left)
            case Reduce(body=body):
                stack.append(body)
            case Const() | Inf():
                pass
    return found
