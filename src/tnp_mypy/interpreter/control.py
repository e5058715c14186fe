"""Control flow and the budget: frames, blocks, loops, branches, and the signals that leave them.

`return`, `break` and `continue` are Python exceptions here (`Returned`, `Broke`, `Continued`),
caught where the statement they leave ends. `Stop` ends the analysis of the whole scope: its
finding (if any) is the one note the scope gets, and nothing after it is reported.

The budget: every statement and every loop turn costs one `tick`; past `max_statements`, or
past `max_seconds` of wall clock (read every `_CHECK_CLOCK_EVERY` ticks), the scope stops with
a `tnp-unsupported` note saying which limit was hit.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from mypy.nodes import Context, Expression, ForStmt, FuncDef, IfStmt, NameExpr, Statement, WhileStmt

from tnp_mypy.interpreter import comprehensions, data_writes
from tnp_mypy.interpreter.values import (
    OPAQUE,
    BoundMethod,
    Builtin,
    FunctionValue,
    ModuleValue,
    ResultValue,
    TypedValue,
    Value,
)
from tnp_mypy.report import Finding, StopReason, stop_finding
from tnp_runtime.core import symbolic
from tnp_runtime.core.dims import FullDim, Sliced
from tnp_runtime.core.index_pred import IndexPred

if TYPE_CHECKING:
    from tnp_mypy.interpreter.evaluator import Interpreter

_CHECK_CLOCK_EVERY: Final = 256
# Iterables the interpreter makes and loops over (iterators from enumerate, zip, reversed).
ITERABLE: Final = comprehensions.ITERABLE


class Stop(Exception):
    """The analysis of the scope ends here; `finding` is its note (None: end silently, as when
    the runtime would already have stopped with an error reported earlier)."""

    def __init__(self, finding: Finding | None) -> None:
        super().__init__(finding.diagnostic.message if finding else "stop")
        self.finding = finding


class Returned(Exception):
    """A `return` statement: `value` is what the running function returns."""

    def __init__(self, value: Value) -> None:
        super().__init__("return")
        self.value = value


class Broke(Exception):
    """A `break` statement."""


class Continued(Exception):
    """A `continue` statement."""


@dataclass(slots=True)
class Frame:
    """One running scope: its variables, and the results it created (checked when it ends)."""

    variables: dict[str, Value]
    function: FuncDef | None
    results: list[ResultValue] = field(default_factory=list)
    # Names bound to the data behind a typed value (`d = x.arr`): writes through them are
    # `tnp-write` (see `data_writes`).
    data: dict[str, data_writes.Owner] = field(default_factory=dict)


def budget_stop(reason: StopReason, what: str, where: Context) -> Stop:
    """The `Stop` when the budget ends the analysis: `what` says how much was spent."""
    return Stop(stop_finding(reason, what, where.line, where.column))


def tick(interp: Interpreter, where: Context) -> None:
    """One statement (or one loop turn) of the budget; `Stop` past either limit."""
    interp.statements += 1
    config = interp.config
    if interp.statements > config.max_statements:
        raise budget_stop(StopReason.STATEMENTS, f"{config.max_statements} statements", where)
    if interp.statements % _CHECK_CLOCK_EVERY == 0 and time.monotonic() > interp.deadline:
        raise budget_stop(StopReason.SECONDS, f"{config.max_seconds:g} s", where)


def block(interp: Interpreter, frame: Frame, body: Sequence[Statement]) -> None:
    from tnp_mypy.interpreter import statements

    for statement in body:
        statements.execute(interp, frame, statement)


def execute_body(interp: Interpreter, frame: Frame, body: Sequence[Statement]) -> Value:
    """Run a function's body; its value is what it returns (None when it falls off the end)."""
    try:
        block(interp, frame, body)
    except Returned as returned:
        return returned.value
    except (Broke, Continued):
        return None
    return None


def for_loop(interp: Interpreter, frame: Frame, s: ForStmt) -> None:
    from tnp_mypy.interpreter import induction

    iterable = interp.expr(frame, s.expr)
    if not isinstance(iterable, ITERABLE):
        raise interp.unsupported("a loop over a value it does not know", s.expr)
    if isinstance(iterable, range) and induction.applies(interp, s, iterable):
        broke = induction.run(interp, frame, s, iterable)
    else:
        broke = iterate(interp, frame, s, iterable)
    if not broke and s.else_body is not None:
        block(interp, frame, s.else_body.body)


def iterate(interp: Interpreter, frame: Frame, s: ForStmt, items: Iterable[Value]) -> bool:
    """Run the loop's body for each of `items` (unrolled); True if it left by `break`."""
    from tnp_mypy.interpreter import statements

    for item in items:
        statements.store(interp, frame, s.index, item)
        named = isinstance(s.index, NameExpr) and symbolic.is_integer(item)
        if named:
            assert isinstance(s.index, NameExpr)
            interp.loops.append((s.index.name, item))
        try:
            block(interp, frame, s.body.body)
        except Broke:
            return True
        except Continued:
            pass
        finally:
            if named:
                interp.loops.pop()
    return False


def while_loop(interp: Interpreter, frame: Frame, s: WhileStmt) -> None:
    while truth(interp, interp.expr(frame, s.expr), s.expr):
        tick(interp, s)
        try:
            block(interp, frame, s.body.body)
        except Broke:
            return
        except Continued:
            continue
    if s.else_body is not None:
        block(interp, frame, s.else_body.body)


def if_statement(interp: Interpreter, frame: Frame, s: IfStmt) -> None:
    for condition, body in zip(s.expr, s.body, strict=True):
        if truth(interp, interp.expr(frame, condition), condition):
            block(interp, frame, body.body)
            return
    if s.else_body is not None:
        block(interp, frame, s.else_body.body)


def truth(interp: Interpreter, value: Value, where: Context | Expression) -> bool:
    """`bool(value)` where control flow depends on it; `Stop` when it is not known."""
    if value is OPAQUE:
        raise interp.unsupported("a condition on a value it does not know", where)
    if isinstance(value, BoundMethod):
        raise interp.unsupported("a condition on an attribute it does not know", where)
    from tnp_mypy.interpreter.tnp_operations import ConditionValue

    if isinstance(value, ConditionValue):  # the runtime raises TypeError
        raise interp.unsupported("a comparison of Typed values used as a bool", where)
    if isinstance(value, (TypedValue, ResultValue, FullDim, Sliced, FunctionValue,
                          ModuleValue, Builtin)):
        return True
    if isinstance(value, IndexPred):
        # The runtime raises TypeError: a predicate has no truth value.
        raise interp.unsupported("the truth value of an index predicate (join them with &)", where)
    return bool(value)
