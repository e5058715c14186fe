"""Expressions: the dispatch over mypy's expression nodes, names, attributes, subscripts,
comparisons and operators, and calls (which the callee's kind sends on: a function of the module
to `kernels`, tnp's API to `tnp_api`, a Python builtin or a math function to `python_builtins`).

Operators on plain values compute as Python does (an error the runtime would raise ends the
analysis silently); on `Typed` values they are the core's rules (`rules.binary`,
`rules.unary`), whose violations are reported at the expression's line.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from mypy.nodes import (
    ARG_NAMED,
    ARG_POS,
    ARG_STAR,
    LDEF,
    BytesExpr,
    CallExpr,
    CastExpr,
    ComparisonExpr,
    ConditionalExpr,
    Context,
    DictionaryComprehension,
    EllipsisExpr,
    Expression,
    FloatExpr,
    GeneratorExpr,
    IndexExpr,
    IntExpr,
    LambdaExpr,
    ListComprehension,
    ListExpr,
    MemberExpr,
    MypyFile,
    NameExpr,
    OpExpr,
    RefExpr,
    RevealExpr,
    SetComprehension,
    SliceExpr,
    StrExpr,
    TempNode,
    TupleExpr,
    UnaryExpr,
)

from tnp_mypy.interpreter import (
    comprehensions,
    control,
    kernels,
    module_scope,
    python_builtins,
    statements,
    tnp_api,
)
from tnp_mypy.interpreter.control import Frame, Stop, budget_stop
from tnp_mypy.interpreter.speculation import refuse_symbolic
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
from tnp_mypy.report import StopReason
from tnp_runtime.core import origins, rules, symbolic
from tnp_runtime.core.diagnostics import Violation
from tnp_runtime.core.dims import FullDim, Sliced
from tnp_runtime.core.index_pred import IndexPred, Linear
from tnp_runtime.core.ir import BinaryOp, UnaryOp

if TYPE_CHECKING:
    from tnp_mypy.interpreter.evaluator import Interpreter

_TNP_BINARY: Final = {"+": BinaryOp.ADD, "-": BinaryOp.SUB, "*": BinaryOp.MUL, "/": BinaryOp.DIV}
_PLAIN_BINARY: Final[dict[str, Callable[[Any, Any], object]]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "//": operator.floordiv,
    "%": operator.mod,
    "**": operator.pow,
    "&": operator.and_,  # of index predicates (and of ints, as Python does)
}
_COMPARE: Final[dict[str, Callable[[Any, Any], object]]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
# Integers the interpreter computes with stay below this many bits: arithmetic on bigger ones
# (`n = n * n` in a loop, `10 ** 10**9`) costs unbounded time inside a single operation.
MAX_INT_BITS: Final = 4096

_CONSTANT_NAMES: Final[dict[str, Value]] = {
    "builtins.None": None, "builtins.True": True, "builtins.False": False,
}


def evaluate(interp: Interpreter, frame: Frame, e: Expression) -> Value:
    """The value of `e` in `frame`."""
    # The most frequent kinds first: each case is one isinstance test.
    match e:
        case NameExpr():
            return name(interp, frame, e)
        case CallExpr():
            return located(call_expression(interp, frame, e), e)
        case MemberExpr():
            return member(interp, frame, e)
        case IntExpr() | FloatExpr() | StrExpr():
            return e.value
        case OpExpr(op="and" | "or"):
            left = evaluate(interp, frame, e.left)
            if left is OPAQUE:
                return OPAQUE  # unknown whether the right side runs: not followed
            if control.truth(interp, left, e.left) == (e.op == "or"):
                return left
            return evaluate(interp, frame, e.right)
        case OpExpr():
            left = evaluate(interp, frame, e.left)
            return located(binary(interp, e.op, left, evaluate(interp, frame, e.right), e), e)
        case ComparisonExpr():
            return comparison(interp, frame, e)
        case UnaryExpr():
            return located(unary(interp, e.op, evaluate(interp, frame, e.expr), e), e)
        case ConditionalExpr():
            if control.truth(interp, evaluate(interp, frame, e.cond), e.cond):
                return evaluate(interp, frame, e.if_expr)
            return evaluate(interp, frame, e.else_expr)
        case TupleExpr():
            return tuple(evaluate(interp, frame, item) for item in e.items)
        case ListExpr():
            return [evaluate(interp, frame, item) for item in e.items]
        case IndexExpr():
            return index(interp, frame, e)
        case EllipsisExpr():
            return Ellipsis
        case BytesExpr() | TempNode() | LambdaExpr():
            return OPAQUE
        case SliceExpr():
            parts = [None if p is None else evaluate(interp, frame, p)
                     for p in (e.begin_index, e.end_index, e.stride)]
            if any(p is OPAQUE for p in parts):
                return OPAQUE
            return slice(*parts)
        case CastExpr():
            return evaluate(interp, frame, e.expr)
        case RevealExpr():
            if e.expr is not None:
                evaluate(interp, frame, e.expr)
            return OPAQUE
        case GeneratorExpr() | ListComprehension() | SetComprehension() | (
            DictionaryComprehension()
        ):
            try:
                return comprehensions.evaluate(interp, frame, e)
            except Stop:
                if calls_anything(e):
                    raise
                # Only reads values it does not know (`d.size for d in arr.shape`): what it
                # makes is unknown, but making it has no effect to follow.
                return OPAQUE
        case _:
            raise interp.unsupported(f"a `{type(e).__name__}` expression", e)


def located(value: Value, e: Context) -> Value:
    """`value`, its term recorded as made at `e`'s line (`core.origins`, for messages), as the
    runtime records the line of each operation."""
    if type(value) is TypedValue and value.abstract is not None:
        expr = value.abstract.expr
        if origins.wanted(expr):
            origins.record(expr, origins.Location(None, e.line))
    return value


def calls_anything(e: Expression | None) -> bool:
    """True if evaluating `e` may call something (unknown node kinds count as calls)."""
    match e:
        case None | IntExpr() | FloatExpr() | StrExpr() | NameExpr():
            return False
        case GeneratorExpr() | ListComprehension() | SetComprehension():
            generator = e if isinstance(e, GeneratorExpr) else e.generator
            return (
                calls_anything(generator.left_expr)
                or any(calls_anything(seq) for seq in generator.sequences)
                or any(calls_anything(c) for conds in generator.condlists for c in conds)
            )
        case DictionaryComprehension():
            return (
                calls_anything(e.key) or calls_anything(e.value)
                or any(calls_anything(seq) for seq in e.sequences)
                or any(calls_anything(c) for conds in e.condlists for c in conds)
            )
        case MemberExpr():
            return calls_anything(e.expr)
        case OpExpr():
            return calls_anything(e.left) or calls_anything(e.right)
        case UnaryExpr():
            return calls_anything(e.expr)
        case IndexExpr():
            return calls_anything(e.base) or calls_anything(e.index)
        case TupleExpr() | ListExpr():
            return any(calls_anything(item) for item in e.items)
        case ComparisonExpr():
            return any(calls_anything(operand) for operand in e.operands)
        case _:
            return True


# -- names and attributes ----------------------------------------------------------------------


def name(interp: Interpreter, frame: Frame, e: NameExpr) -> Value:
    if e.name in frame.variables:
        return frame.variables[e.name]
    if e.fullname in _CONSTANT_NAMES:
        return _CONSTANT_NAMES[e.fullname]
    if e.name == "__name__":
        return "__main__"
    if frame.function is not None and e.kind == LDEF:
        raise Stop(None)  # read before assignment: the runtime raises UnboundLocalError
    module_frame = interp.module_frame
    if module_frame is not None and e.name in module_frame.variables and (
        module_scope.defined_in_this_module(interp, e)
    ):
        return module_frame.variables[e.name]
    return module_scope.global_value(interp, e)


def member(interp: Interpreter, frame: Frame, e: MemberExpr) -> Value:
    if isinstance(e.expr, RefExpr) and isinstance(e.expr.node, MypyFile):
        return module_scope.global_value(interp, e)
    receiver = evaluate(interp, frame, e.expr)
    return attribute(interp, receiver, e.name, e)


def attribute(interp: Interpreter, receiver: Value, attr: str, where: Context) -> Value:
    """`receiver.attr`: a tnp value's attributes are `tnp_api`'s, a dim's its fields."""
    match receiver:
        case TypedValue() | ResultValue():
            return tnp_api.attribute(interp, receiver, attr, where)
        case FullDim():
            if attr in ("name", "size", "full"):
                return getattr(receiver, attr)
            raise interp.unsupported(f"`FullDim.{attr}`", where)
        case Sliced():
            if attr in ("dim", "name", "start", "stop", "length", "interval", "is_full"):
                return getattr(receiver, attr)
            raise interp.unsupported(f"`Sliced.{attr}`", where)
    if isinstance(receiver, FunctionValue) and receiver.kernel and attr == "result":
        return BoundMethod(receiver, attr)
    if isinstance(receiver, ModuleValue):
        return module_scope.known(f"{receiver.fullname}.{attr}") or OPAQUE
    if receiver is OPAQUE:
        return OPAQUE
    if isinstance(receiver, (str, int, float, tuple, list, dict, set)):
        return BoundMethod(receiver, attr)
    raise interp.unsupported(f"the attribute `{attr}` here", where)


def read_result(interp: Interpreter, result: ResultValue) -> None:
    """`c.arr`: the result must be complete (reported at its creation, as the runtime)."""
    if result.escaped or result.failed or result.tracker is None or result.line is None:
        return
    problem = result.tracker.coverage_diagnostic("when `.arr` is read")
    if problem is not None:
        result.failed = True
        interp.report(problem, Context(result.line, result.column))


def index(interp: Interpreter, frame: Frame, e: IndexExpr) -> Value:
    base = evaluate(interp, frame, e.base)
    key = evaluate(interp, frame, e.index)
    if base is OPAQUE or key is OPAQUE:
        if isinstance(base, (TypedValue, ResultValue, FullDim)):
            raise interp.unsupported("an index it does not know", e.index)
        return OPAQUE
    if isinstance(base, FullDim):
        try:
            return base[key]  # type: ignore[index]
        except (TypeError, ValueError):
            raise Stop(None) from None
    if isinstance(base, (str, dict)):
        refuse_symbolic(bool(interp.speculations), "a subscript", base, key)
    if isinstance(base, (tuple, list, str, range)) and isinstance(key, (int, slice)):
        try:
            return base[key]
        except (TypeError, IndexError):
            raise Stop(None) from None
    if isinstance(base, dict):
        try:
            return base[key]
        except (TypeError, KeyError):
            raise Stop(None) from None
    raise interp.unsupported("this subscript", e)


# -- operators ---------------------------------------------------------------------------------


def comparison(interp: Interpreter, frame: Frame, e: ComparisonExpr) -> Value:
    left = evaluate(interp, frame, e.operands[0])
    for op, right_expr in zip(e.operators, e.operands[1:], strict=True):
        right = evaluate(interp, frame, right_expr)
        if (
            len(e.operators) == 1
            and op not in ("is", "is not")
            and (isinstance(left, TypedValue) or isinstance(right, TypedValue))
        ):
            from tnp_mypy.interpreter import tnp_operations

            return tnp_operations.comparison(interp, op, left, right, e)
        if op in ("is", "is not"):
            same = left is right or (left is None and right is None)
            if (left is OPAQUE or right is OPAQUE) and not (
                (left is None and isinstance(right, (TypedValue, ResultValue)))
                or (right is None and isinstance(left, (TypedValue, ResultValue)))
            ):
                return OPAQUE
            outcome: Value = same if op == "is" else not same
        elif left is OPAQUE or right is OPAQUE:
            return OPAQUE
        elif isinstance(left, (TypedValue, ResultValue)) or isinstance(
            right, (TypedValue, ResultValue)
        ):
            raise interp.unsupported(f"`{op}` on tnp values", e)
        elif op in _COMPARE:
            if not (symbolic.is_integer(left) and symbolic.is_integer(right)):
                # Texts or containers that hold a symbolic index compare unrecorded.
                refuse_symbolic(bool(interp.speculations), "a comparison", left, right)
            try:
                outcome = _COMPARE[op](left, right)
            except TypeError:
                raise Stop(None) from None
            if isinstance(outcome, IndexPred):
                # `qctx >= nctx`: an index predicate (the runtime raises on a chain of them).
                if len(e.operators) > 1:
                    raise interp.unsupported(
                        "a chained comparison of dims (join index predicates with &)", e
                    )
                return outcome
        elif op in ("in", "not in"):
            # Membership compares with `==` (recorded) only for an integer in a list, tuple or
            # range; a set or dict looks it up by hash, a text by its characters.
            if not (symbolic.is_integer(left) and isinstance(right, (list, tuple, range))):
                refuse_symbolic(bool(interp.speculations), "a membership test", left, right)
            try:
                inside = left in right  # type: ignore[operator]
            except TypeError:
                raise Stop(None) from None
            outcome = inside if op == "in" else not inside
        else:
            raise interp.unsupported(f"the comparison `{op}`", e)
        if not outcome:
            return outcome
        left = right
    return True


def is_number(value: Value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def unary(interp: Interpreter, op: str, value: Value, where: Context) -> Value:
    if op == "not":
        return not control.truth(interp, value, where)
    if isinstance(value, TypedValue):
        if op != "-":
            raise interp.unsupported(f"unary `{op}` on a Typed value", where)
        if value.abstract is None:
            return value
        return TypedValue(rules.unary(UnaryOp.NEG, value.abstract))
    if value is OPAQUE:
        return OPAQUE
    if op == "-" and isinstance(value, FullDim | Linear):
        return -value  # a dim's position, negated: a term of an index predicate
    if is_number(value) or isinstance(value, bool):
        if op == "-":
            return -value  # type: ignore[operator]
        if op == "+":
            return +value  # type: ignore[operator]
        if op == "~" and isinstance(value, int):
            return ~value
    raise interp.unsupported(f"unary `{op}` here", where)


def binary(interp: Interpreter, op: str, left: Value, right: Value, where: Context) -> Value:
    if op == "**" and isinstance(left, TypedValue):
        from tnp_mypy.interpreter import tnp_operations

        return tnp_operations.power(interp, left, right, where)
    if isinstance(left, TypedValue) or isinstance(right, TypedValue):
        tnp_op = _TNP_BINARY.get(op)
        if tnp_op is None:
            raise interp.unsupported(f"the operator `{op}` on a Typed value", where)
        return tnp_apply(interp, tnp_op, left, right, where)
    if isinstance(left, ResultValue) or isinstance(right, ResultValue):
        raise interp.unsupported(f"`{op}` on a TypedResult", where)
    if left is OPAQUE or right is OPAQUE:
        return OPAQUE
    function = _PLAIN_BINARY.get(op)
    if function is None:
        raise interp.unsupported(f"the operator `{op}` here", where)
    _check_int_size(op, left, right, where)
    try:
        return function(left, right)
    except (TypeError, ZeroDivisionError, OverflowError, ValueError):
        raise Stop(None) from None


def _check_int_size(op: str, left: Value, right: Value, where: Context) -> None:
    """Stop (with the budget's note) before an integer would outgrow `MAX_INT_BITS`."""
    if not (isinstance(left, int) and isinstance(right, int)):
        return
    bits = max(left.bit_length(), right.bit_length()) + 1
    if op == "*":
        bits = left.bit_length() + right.bit_length()
    elif op == "**" and right > 0 and abs(left) > 1:
        bits = left.bit_length() * min(right, MAX_INT_BITS + 1)
    if bits > MAX_INT_BITS:
        raise budget_stop(StopReason.INTEGER, f"an integer outgrew {MAX_INT_BITS} bits", where)


def _operand(
    interp: Interpreter, value: Value, where: Context
) -> rules.Abstract | rules.Scalar | None:
    """An operand of a tnp op as the core takes it; None when poisoned."""
    if isinstance(value, TypedValue):
        return value.abstract
    if is_number(value):
        assert isinstance(value, (int, float))
        return value
    if value is OPAQUE:
        raise interp.unsupported("an operand it does not know", where)
    raise interp.unsupported(f"an operand of type {type(value).__name__}", where)


def tnp_apply(
    interp: Interpreter, op: BinaryOp, left: Value, right: Value, where: Context
) -> Value:
    """The core's `rules.binary` on two operands (a `Typed` and a `Typed` or a number)."""
    return tnp_combine(interp, functools.partial(rules.binary, op), left, right, where)


def tnp_combine(
    interp: Interpreter,
    rule: Callable[[rules.Abstract | rules.Scalar, rules.Abstract | rules.Scalar], rules.Abstract],
    left: Value, right: Value, where: Context,
) -> Value:
    """A core rule of two operands (`rules.binary`, `operations.minimum`) on a `Typed` and a
    `Typed` or a number; a violation is reported at `where`."""
    a = _operand(interp, left, where)
    b = _operand(interp, right, where)
    if a is None or b is None:
        return TypedValue(None)
    try:
        return TypedValue(rule(a, b))
    except Violation as err:
        interp.report(err.diagnostic, where)
        return TypedValue(None)


# -- calls -------------------------------------------------------------------------------------


def call_expression(interp: Interpreter, frame: Frame, e: CallExpr) -> Value:
    callee = evaluate(interp, frame, e.callee)
    args: list[Value] = []
    kwargs: dict[str, Value] = {}
    for arg, kind, arg_name in zip(e.args, e.arg_kinds, e.arg_names, strict=True):
        value = evaluate(interp, frame, arg)
        if kind == ARG_POS:
            args.append(value)
        elif kind == ARG_NAMED and arg_name is not None:
            kwargs[arg_name] = value
        elif kind == ARG_STAR and isinstance(value, (tuple, list, range)):
            args.extend(value)
        else:
            if callee is OPAQUE or (isinstance(callee, Builtin) and not tnp_api.is_tnp(callee)):
                statements.escape(value)
                continue
            raise interp.unsupported("`*args` or `**kwargs` in this call", arg)
    return call(interp, frame, callee, args, kwargs, e)


def call(
    interp: Interpreter, frame: Frame, callee: Value, args: list[Value],
    kwargs: dict[str, Value], where: CallExpr,
) -> Value:
    """`callee(*args, **kwargs)`, sent on by the callee's kind."""
    match callee:
        case FunctionValue(node=fn, kernel=True):
            return kernels.call_kernel(interp, fn, args, kwargs, where)
        case FunctionValue(node=fn):
            return kernels.inline(interp, fn, args, kwargs, where)
        case BoundMethod(receiver=TypedValue() | ResultValue()):
            return tnp_api.method(interp, frame, callee, args, kwargs, where)
        case BoundMethod(receiver=FunctionValue(node=fn, kernel=True)):
            return kernels.kernel_result(interp, frame, fn, args, kwargs, where)
        case BoundMethod():
            return python_builtins.method(interp, callee, args, kwargs, where)
        case Builtin(fullname=fullname) if tnp_api.is_tnp(callee):
            return tnp_api.call(interp, frame, fullname, args, kwargs, where)
        case Builtin(fullname=fullname):
            return python_builtins.call(interp, fullname, args, kwargs, where)
    if callee is OPAQUE:
        return opaque_call(args, kwargs)
    from tnp_mypy.interpreter import tnp_operations

    if isinstance(callee, tnp_operations.OpaqueFunctionValue):
        return tnp_operations.call_opaque(interp, callee, args, kwargs, where)
    raise interp.unsupported("a call of this value", where)


def opaque_call(args: list[Value], kwargs: dict[str, Value]) -> Value:
    """A call of something the interpreter does not know: what it is given escapes."""
    for value in (*args, *kwargs.values()):
        statements.escape(value)
    return OPAQUE
