"""Statements: the dispatch over mypy's statement nodes, assignments, stores, and the writes to
typed data the runtime refuses (`tnp-write`, see `data_writes`).

Every statement costs one tick of the budget. Control flow (loops, branches, `return`,
`break`, `continue`) is `control`'s; a statement of a kind not listed here stops the analysis
with a `tnp-unsupported` note.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn

from mypy.nodes import (
    AssertStmt,
    AssignmentStmt,
    Block,
    BreakStmt,
    ClassDef,
    Context,
    ContinueStmt,
    Decorator,
    Expression,
    ExpressionStmt,
    ForStmt,
    FuncDef,
    IfStmt,
    Import,
    ImportAll,
    ImportFrom,
    IndexExpr,
    ListExpr,
    MemberExpr,
    NameExpr,
    OperatorAssignmentStmt,
    OverloadedFuncDef,
    PassStmt,
    ReturnStmt,
    Statement,
    TempNode,
    TryStmt,
    TupleExpr,
    TypeAliasStmt,
    WhileStmt,
    WithStmt,
)

from tnp_mypy.interpreter import control, data_writes, expressions
from tnp_mypy.interpreter.control import Broke, Continued, Frame, Returned, Stop
from tnp_mypy.interpreter.speculation import Abandon
from tnp_mypy.interpreter.values import OPAQUE, ResultValue, Value
from tnp_runtime.core import rules

if TYPE_CHECKING:
    from tnp_mypy.interpreter.evaluator import Interpreter


def execute(interp: Interpreter, frame: Frame, s: Statement) -> None:
    """Run one statement in `frame`."""
    control.tick(interp, s)
    match s:
        case ExpressionStmt():
            interp.expr(frame, s.expr)
        case AssignmentStmt():
            assignment(interp, frame, s)
        case OperatorAssignmentStmt():
            owner = written(frame, s.lvalue, augmented=True)
            if owner is not None:
                interp.expr(frame, s.rvalue)
                refuse_write(interp, owner, s.lvalue)
            current = interp.expr(frame, s.lvalue)
            value = expressions.binary(interp, s.op, current, interp.expr(frame, s.rvalue), s)
            expressions.located(value, s)
            store(interp, frame, s.lvalue, value)
        case ForStmt():
            control.for_loop(interp, frame, s)
        case WhileStmt():
            control.while_loop(interp, frame, s)
        case IfStmt():
            control.if_statement(interp, frame, s)
        case TryStmt() if not s.handlers and s.else_body is None:
            # try/finally: the body, then the cleanup (a handler could run code the
            # interpreter cannot know will run, so `except` is not followed).
            control.block(interp, frame, s.body.body)
            if s.finally_body is not None:
                control.block(interp, frame, s.finally_body.body)
        case WithStmt():
            # The body runs once; what the managers do with an exception does not matter here:
            # a violation in the body is reported where the runtime raises it.
            for manager, target in zip(s.expr, s.target, strict=True):
                escape(interp.expr(frame, manager))
                if target is not None:
                    store(interp, frame, target, OPAQUE)
            control.block(interp, frame, s.body.body)
        case Block():
            control.block(interp, frame, s.body)
        case ReturnStmt():
            value = None if s.expr is None else interp.expr(frame, s.expr)
            escape(value)
            raise Returned(value)
        case AssertStmt():
            value = interp.expr(frame, s.expr)
            if value is not OPAQUE and not control.truth(interp, value, s):
                raise Stop(None)  # the runtime stops with an AssertionError
        case PassStmt() | Import() | ImportFrom() | ImportAll() | ClassDef() | TypeAliasStmt():
            pass
        case BreakStmt():
            raise Broke()
        case ContinueStmt():
            raise Continued()
        case FuncDef() | Decorator() | OverloadedFuncDef():
            # A definition. Nested functions are not followed: a call to one stops analysis.
            if frame.function is not None:
                frame.variables[s.name] = OPAQUE
        case _:
            raise interp.unsupported(f"a `{type(s).__name__}` statement", s)


def assignment(interp: Interpreter, frame: Frame, s: AssignmentStmt) -> None:
    if isinstance(s.rvalue, TempNode):
        return  # `x: T` without a value
    value = interp.expr(frame, s.rvalue)
    for lvalue in s.lvalues:
        store(interp, frame, lvalue, value)
    owner = data_writes.data_owner(s.rvalue, frame.variables.get, frame.data)
    if owner is not None:
        for lvalue in s.lvalues:
            if isinstance(lvalue, NameExpr):
                frame.data[lvalue.name] = owner


def written(frame: Frame, target: Expression, augmented: bool) -> data_writes.Owner | None:
    """The typed data an assignment to `target` writes into, if any (see `data_writes`)."""
    return data_writes.written_owner(target, frame.variables.get, frame.data, augmented)


def refuse_write(interp: Interpreter, owner: data_writes.Owner, where: Context) -> NoReturn:
    """`tnp-write` where the runtime raises it, and the analysis of the scope ends there.
    A result's data is read first (`c.arr[...] = v`, not `c.arr = v`): an incomplete one
    raises `tnp-coverage` then."""
    if isinstance(owner, ResultValue):
        if not isinstance(where, MemberExpr):
            expressions.read_result(interp, owner)
        if owner.failed or owner.tracker is None:
            raise Stop(None)
        interp.report(rules.write_diagnostic(owner.tracker.spec_text), where)
    else:
        assert owner.abstract is not None
        interp.report(rules.write_diagnostic(owner.abstract), where)
    raise Stop(None)


def store(interp: Interpreter, frame: Frame, target: Expression, value: Value) -> None:
    """Bind `value` to an assignment target, as Python does (unpacking, items, attributes)."""
    owner = written(frame, target, augmented=False)
    if owner is not None:
        refuse_write(interp, owner, target)
    match target:
        case NameExpr():
            frame.variables[target.name] = value
            frame.data.pop(target.name, None)
        case TupleExpr() | ListExpr():
            if value is OPAQUE:
                items: Sequence[Value] = [OPAQUE] * len(target.items)
            elif isinstance(value, (tuple, list)) and len(value) == len(target.items):
                items = value
            else:
                raise interp.unsupported("this unpacking", target)
            for item_target, item in zip(target.items, items, strict=True):
                store(interp, frame, item_target, item)
        case MemberExpr():
            interp.expr(frame, target.expr)
            escape(value)
        case IndexExpr():
            _store_item(interp, frame, target, value)
        case _:
            raise interp.unsupported("this assignment target", target)


def _store_item(interp: Interpreter, frame: Frame, target: IndexExpr, value: Value) -> None:
    base = interp.expr(frame, target.base)
    index = interp.expr(frame, target.index)
    if interp.speculations and isinstance(base, (list, dict)):
        # See `python_builtins.method`: a container changed in the symbolic step.
        raise Abandon("an item assignment in the symbolic step")
    if isinstance(base, list) and isinstance(index, int) and -len(base) <= index < len(base):
        base[index] = value
    elif isinstance(base, dict) and index is not OPAQUE:
        try:
            base[index] = value
        except TypeError:
            raise Stop(None) from None
    elif base is OPAQUE:
        escape(value)
    else:
        raise interp.unsupported("this item assignment", target)


def escape(value: Value) -> None:
    """`value` leaves the code followed here: a result in it is no longer tracked."""
    if isinstance(value, ResultValue):
        value.escaped = True
    elif isinstance(value, (tuple, list, set)):
        for item in value:
            escape(item)
    elif isinstance(value, dict):
        for item in value.values():
            escape(item)
