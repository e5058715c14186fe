"""The derived operations (`core.operations`) as the interpreter follows them: `tnp.min`,
`Typed.minimum`, `Typed.min`, `Typed.mean` and `x ** k`, each applying the core's function
the runtime applies to the same call."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mypy.nodes import Context

from tnp_mypy.interpreter import expressions, tnp_methods
from tnp_mypy.interpreter.control import Frame, Stop
from tnp_mypy.interpreter.values import OPAQUE, TypedValue, Value
from tnp_runtime.core import operations, rules
from tnp_runtime.core.diagnostics import Violation
from tnp_runtime.core.dims import FullDim, Sliced

if TYPE_CHECKING:
    from tnp_mypy.interpreter.evaluator import Interpreter
    from tnp_mypy.interpreter.tnp_api import Call


def min_function(interp: Interpreter, frame: Frame, c: Call) -> Value:
    """`tnp.min(x, y)`: elementwise on a Typed value; on plain numbers, `builtins.min`."""
    if len(c.args) != 2 or c.kwargs:
        raise interp.unsupported("this call of `min`", c.where)
    x, y = c.args
    if isinstance(x, TypedValue) or isinstance(y, TypedValue):
        return expressions.tnp_combine(interp, operations.minimum, x, y, c.where)
    if x is OPAQUE or y is OPAQUE:
        return OPAQUE
    try:
        return min(x, y)  # type: ignore[call-overload]
    except TypeError:
        raise Stop(None) from None


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
