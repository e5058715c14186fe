"""The reads at computed positions, `Typed.window`, `shift`, `at` and `gather`, as the
interpreter follows them: each applies the core's rule (`core/reads.py`), as the runtime's
methods do; the handlers `tnp_api.API` names for them (wrapped by `tnp_methods.typed_method`,
which reports a violation at the call).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tnp_mypy.interpreter.values import TypedValue, Value
from tnp_runtime.core import reads, rules
from tnp_runtime.core.dims import FullDim, Sliced

if TYPE_CHECKING:
    from tnp_mypy.interpreter.evaluator import Interpreter
    from tnp_mypy.interpreter.tnp_api import Call


def _dim(interp: Interpreter, value: Value, c: Call, what: str) -> FullDim:
    if not isinstance(value, FullDim):
        raise interp.unsupported(f"`Typed.{what}` of a value that is not a dim", c.where)
    return value


def _positions(interp: Interpreter, value: Value, c: Call, what: str) -> Sliced:
    if not isinstance(value, (FullDim, Sliced)):
        raise interp.unsupported(f"`Typed.{what}` over a value that is not a dim", c.where)
    return reads.as_sliced(value)


def _integer(interp: Interpreter, value: Value, c: Call, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise interp.unsupported(f"`Typed.{what}` at a position it does not know", c.where)
    return value


def window_body(interp: Interpreter, value: rules.Abstract, c: Call) -> Value:
    if len(c.args) != 3:
        return None
    dim = _dim(interp, c.args[0], c, "window")
    out = _positions(interp, c.args[1], c, "window")
    taps = _positions(interp, c.args[2], c, "window")
    return TypedValue(reads.window(value, dim.name, out, taps).value)


def shift_body(interp: Interpreter, value: rules.Abstract, c: Call) -> Value:
    if len(c.args) != 3:
        return None
    dim = _dim(interp, c.args[0], c, "shift")
    out = _positions(interp, c.args[1], c, "shift")
    offset = _integer(interp, c.args[2], c, "shift")
    return TypedValue(reads.shift(value, dim.name, out, offset).value)


def at_body(interp: Interpreter, value: rules.Abstract, c: Call) -> Value:
    if len(c.args) != 2:
        return None
    dim = _dim(interp, c.args[0], c, "at")
    position = _integer(interp, c.args[1], c, "at")
    return TypedValue(reads.at(value, dim.name, position).value)


def gather_body(interp: Interpreter, value: rules.Abstract, c: Call) -> Value:
    if len(c.args) != 2:
        return None
    dim = _dim(interp, c.args[0], c, "gather")
    index = c.args[1]
    if not isinstance(index, TypedValue):
        raise interp.unsupported("`Typed.gather` by a value that is not a Typed", c.where)
    if index.abstract is None:
        return TypedValue(None)
    return TypedValue(reads.gather(value, dim.name, index.abstract).value)
