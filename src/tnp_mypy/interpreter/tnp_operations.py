"""The operations of `core.operations` as the interpreter follows them: `tnp.min`,
`Typed.minimum`, `Typed.min`, `Typed.mean`, `x ** k`, comparisons of Typed values,
`tnp.where` and the functions declared with `tnp.opaque`, each applying the core's function the
runtime applies to the same call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from mypy.nodes import (
    ARG_POS,
    Context,
    Decorator,
    Expression,
    FuncDef,
    FuncItem,
    LambdaExpr,
    RefExpr,
)

from tnp_mypy.interpreter import expressions, tnp_methods
from tnp_mypy.interpreter.control import Frame, Stop
from tnp_mypy.interpreter.values import OPAQUE, TypedValue, Value
from tnp_runtime.core import operations, rules
from tnp_runtime.core.diagnostics import Violation
from tnp_runtime.core.dims import FullDim, Sliced
from tnp_runtime.core.opaque import Opaque, declare

if TYPE_CHECKING:
    from tnp_mypy.interpreter.evaluator import Interpreter
    from tnp_mypy.interpreter.tnp_api import Call, CallHandler

Rule = Callable[[rules.Abstract | rules.Scalar, rules.Abstract | rules.Scalar], rules.Abstract]


def pairwise(name: str, rule: Rule, plain: Callable[[Value, Value], Value]) -> CallHandler:
    """`tnp.max(x, y)` or `tnp.min(x, y)`: elementwise on a Typed value (the core's `rule`);
    on plain numbers, the builtin `plain`."""

    def handler(interp: Interpreter, frame: Frame, c: Call) -> Value:
        if len(c.args) != 2 or c.kwargs:
            raise interp.unsupported(f"this call of `{name}`", c.where)
        x, y = c.args
        if isinstance(x, TypedValue) or isinstance(y, TypedValue):
            return expressions.tnp_combine(interp, rule, x, y, c.where)
        if x is OPAQUE or y is OPAQUE:
            return OPAQUE
        try:
            return plain(x, y)
        except TypeError:
            raise Stop(None) from None

    return handler


min_function: Final = pairwise("min", operations.minimum, min)  # type: ignore[arg-type]


def minimum_method(interp: Interpreter, frame: Frame, c: Call) -> Value:
    """`x.minimum(y)` and `x.minimum(y, reflected)`."""
    args = c.args
    if c.kwargs or not args or len(args) > 2 or any(a is OPAQUE for a in args):
        raise interp.unsupported("this call of `minimum`", c.where)
    if len(args) == 2 and args[1]:
        return expressions.tnp_combine(interp, operations.minimum, args[0], c.receiver, c.where)
    return expressions.tnp_combine(interp, operations.minimum, c.receiver, args[0], c.where)


def reduce_body(name: str) -> tnp_methods.TypedBody:
    """`x.min(D)` or `x.mean(D)`."""
    rule = operations.reduce_min if name == "min" else operations.mean

    def body(interp: Interpreter, value: rules.Abstract, c: Call) -> Value:
        if len(c.args) != 1:
            return None
        dim = c.args[0]
        if not isinstance(dim, (FullDim, Sliced)):
            raise interp.unsupported(f"`Typed.{name}` of a value that is not a dim", c.where)
        return TypedValue(rule(value, dim.name))

    return body


def power(interp: Interpreter, base: TypedValue, exponent: Value, where: Context) -> Value:
    """`x ** k`: a violation (an exponent that is not a whole or half-integer number) is
    reported at the operator, as the runtime raises there."""
    if exponent is OPAQUE:
        raise interp.unsupported("an exponent it does not know", where)
    if base.abstract is None:
        return base
    try:
        return TypedValue(operations.power(base.abstract, exponent))
    except Violation as err:
        interp.report(err.diagnostic, where)
        return TypedValue(None)


# -- comparisons, where, opaque functions ------------------------------------------------------

_RELATIONS: Final = frozenset(operations.RELATIONS)


@dataclass(frozen=True, slots=True)
class ConditionValue:
    """`x > y` (>=, <, <=) of a Typed value and a Typed value or a number, as the runtime's
    `Condition`: only `tnp.where` takes it."""

    relation: str
    left: Value
    right: Value


@dataclass(frozen=True, slots=True)
class OpaqueFunctionValue:
    """A function declared with `tnp.opaque` in this module (the same `Opaque` at every read:
    the module's constants cache it)."""

    func: Opaque


def comparison(interp: Interpreter, op: str, left: Value, right: Value, where: Context
               ) -> Value:
    """`left op right` with a Typed side: a condition for `tnp.where`."""
    if op not in _RELATIONS:
        raise interp.unsupported(f"`{op}` on tnp values", where)
    for side in (left, right):
        if not isinstance(side, TypedValue) and not expressions.is_number(side):
            raise interp.unsupported(f"`{op}` of a Typed value and a value it does not know",
                                     where)
    return ConditionValue(op, left, right)


def _operands(interp: Interpreter, values: list[Value], where: Context
              ) -> list[rules.Abstract | rules.Scalar] | None:
    """The operands as the core takes them; None when one is poisoned."""
    found: list[rules.Abstract | rules.Scalar] = []
    for value in values:
        if isinstance(value, TypedValue):
            if value.abstract is None:
                return None
            found.append(value.abstract)
        elif expressions.is_number(value):
            assert isinstance(value, (int, float))
            found.append(value)
        else:
            raise interp.unsupported("an operand it does not know", where)
    return found


def where_function(interp: Interpreter, frame: Frame, c: Call) -> Value:
    """`tnp.where(cond, a, b)`."""
    if len(c.args) != 3 or c.kwargs:
        raise interp.unsupported("this call of `where`", c.where)
    cond, a, b = c.args
    if not isinstance(cond, ConditionValue):
        if cond is OPAQUE:
            raise interp.unsupported("a condition it does not know", c.where)
        interp.report(operations.where_condition_diagnostic(_kind(cond)), c.where)
        return TypedValue(None)
    operands = _operands(interp, [cond.left, cond.right, a, b], c.where)
    if operands is None:
        return TypedValue(None)
    try:
        return TypedValue(operations.where(cond.relation, *operands))
    except Violation as err:
        interp.report(err.diagnostic, c.where)
        return TypedValue(None)


def _kind(value: Value) -> str:
    """The runtime's `type(value).__name__` for a value the plugin knows."""
    if isinstance(value, TypedValue):
        return "Typed"
    return type(value).__name__


def call_opaque(interp: Interpreter, callee: OpaqueFunctionValue, args: list[Value],
                kwargs: dict[str, Value], where: Context) -> Value:
    """A declared opaque function applied to Typed values (on plain numbers: unknown, the
    plugin runs no user code)."""
    if kwargs:
        raise interp.unsupported(f"keyword arguments to `{callee.func.name}`", where)
    if not any(isinstance(a, TypedValue) for a in args):
        return OPAQUE
    operands = _operands(interp, args, where)
    if operands is None:
        return TypedValue(None)
    try:
        return TypedValue(operations.call(callee.func, operands))
    except Violation as err:
        interp.report(err.diagnostic, where)
        return TypedValue(None)


def declared(name: str, function: Expression) -> OpaqueFunctionValue | None:
    """The function `tnp.opaque(name, function)` declares, if its number of arguments is
    known from the tree (a lambda, or a def of the module); else None."""
    arity: int | None = None
    if isinstance(function, LambdaExpr):
        arity = _positional(function)
    elif isinstance(function, RefExpr):
        node = function.node
        if isinstance(node, Decorator):
            node = node.func
        if isinstance(node, FuncDef):
            arity = _positional(node)
    if arity is None:
        return None
    return OpaqueFunctionValue(declare(name, arity))


def decorated(fn: FuncDef) -> OpaqueFunctionValue:
    """`@tnp.opaque def name(...)`."""
    return OpaqueFunctionValue(declare(fn.name, _positional(fn)))


def _positional(fn: FuncItem) -> int:
    return sum(
        1 for argument in fn.arguments
        if argument.kind == ARG_POS and argument.initializer is None
    )
