"""tnp's methods and attributes of `Typed` and `TypedResult` (and the fields of the core's
`FullDim` and `Sliced`), as the interpreter follows them: the handlers `tnp_api.API` names for
them. Each applies the core's own function (`rules`, `ResultTracker`), as the runtime's
methods do; a violation is reported at the call.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, cast

from mypy.nodes import CallExpr, Context

from tnp_mypy.interpreter.control import Frame, Stop
from tnp_mypy.interpreter.speculation import Abandon
from tnp_mypy.interpreter.values import OPAQUE, ResultValue, TypedValue, Value
from tnp_runtime.core import masks, origins, rules, symbolic
from tnp_runtime.core.calls import script_binding
from tnp_runtime.core.diagnostics import Violation
from tnp_runtime.core.dims import FullDim, Sliced
from tnp_runtime.core.index_pred import IndexPred
from tnp_runtime.core.ir import BinaryOp, ReduceOp
from tnp_runtime.core.spec import SpecError

if TYPE_CHECKING:
    from tnp_mypy.interpreter.evaluator import Interpreter
    from tnp_mypy.interpreter.tnp_api import Call, CallHandler

# The part of a `Typed` method after the checks all of them share (see `typed_method`): None
# when the method was not called in a way it takes.
TypedBody = Callable[["Interpreter", rules.Abstract, "Call"], Value]


def dims_arguments(
    interp: Interpreter, values: Sequence[Value], where: CallExpr
) -> list[FullDim]:
    """The `FullDim`s among call arguments; a value that is not one stops the analysis."""
    dims: list[FullDim] = []
    for value in values:
        if not isinstance(value, FullDim):
            raise interp.unsupported("a dim it does not know", where)
        dims.append(value)
    return dims


# -- methods and attributes of Typed -----------------------------------------------------------


def typed_method(body: TypedBody | None) -> CallHandler:
    """A method of `Typed`: known arguments, no keywords (but `slice`'s); a poisoned receiver
    gives a poisoned value; a violation is reported at the call. `body` None: a name that is
    not one of Typed's methods."""

    def handler(interp: Interpreter, frame: Frame, c: Call) -> Value:
        method = c.member.rpartition(".")[2]
        _check_typed_arguments(interp, method, c)
        receiver = c.receiver
        assert isinstance(receiver, TypedValue)
        if receiver.abstract is None:
            return TypedValue(None)
        try:
            value = None if body is None else body(interp, receiver.abstract, c)
        except Violation as err:
            interp.report(err.diagnostic, c.where)
            return TypedValue(None)
        if value is None:
            raise interp.unsupported(f"`Typed.{method}` called this way", c.where)
        return value

    return handler


def _check_typed_arguments(interp: Interpreter, method: str, c: Call) -> None:
    if c.kwargs and method not in ("slice", "mask"):
        raise interp.unsupported(f"keyword arguments to `Typed.{method}`", c.where)
    for value in (*c.args, *c.kwargs.values()):
        if value is OPAQUE:
            raise interp.unsupported(f"an argument of `Typed.{method}` it does not know", c.where)


def maximum(interp: Interpreter, frame: Frame, c: Call) -> Value:
    from tnp_mypy.interpreter import expressions

    _check_typed_arguments(interp, "maximum", c)
    args = c.args
    if not args or len(args) > 2:
        raise interp.unsupported("this call of `maximum`", c.where)
    if len(args) == 2 and args[1]:
        return expressions.tnp_apply(interp, BinaryOp.MAX, args[0], c.receiver, c.where)
    return expressions.tnp_apply(interp, BinaryOp.MAX, c.receiver, args[0], c.where)


def slice_body(interp: Interpreter, value: rules.Abstract, c: Call) -> Value:
    parameters = ["dim", "start", "stop"]
    bound: dict[str, Value] = dict(zip(parameters, c.args, strict=False))
    for key, item in c.kwargs.items():
        if key not in parameters or key in bound:
            raise interp.unsupported("this call of `Typed.slice`", c.where)
        bound[key] = item
    dim = bound.get("dim")
    start, stop = bound.get("start"), bound.get("stop")
    if isinstance(dim, Sliced):
        if start is not None or stop is not None:
            raise Stop(None)  # the runtime raises TypeError
        name, start, stop = dim.name, dim.start, dim.stop
    elif isinstance(dim, FullDim):
        if not symbolic.is_integer(start) or not symbolic.is_integer(stop):
            raise interp.unsupported("slice bounds it does not know", c.where)
        name = dim.name
    else:
        raise interp.unsupported("`Typed.slice` of a value that is not a dim", c.where)
    sliced = rules.slice_dim(value, name, cast(int, start), cast(int, stop)).value
    _record_slice(sliced, name, c.where)
    return TypedValue(sliced)


def _record_slice(value: rules.Abstract, name: str, where: Context) -> None:
    """`value` got its slice of `name` at `where` (`core.origins`, as the runtime records)."""
    held = value.sliced(name)
    if held is not None:
        origins.record_slice(value.expr, name, held.interval, origins.Location(None, where.line))


def reduce_body(op: ReduceOp) -> TypedBody:
    def body(interp: Interpreter, value: rules.Abstract, c: Call) -> Value:
        if len(c.args) != 1:
            return None
        dim = c.args[0]
        if not isinstance(dim, (FullDim, Sliced)):
            method = c.member.rpartition(".")[2]
            raise interp.unsupported(f"`Typed.{method}` of a value that is not a dim", c.where)
        return TypedValue(rules.reduce(op, value, dim.name))

    return body


def mask_body(interp: Interpreter, value: rules.Abstract, c: Call) -> Value:
    """`x.mask(pred)`, `x.mask(pred, fill)`, `x.mask(pred, fill=0)`: the core's `masks.mask`."""
    bound: dict[str, Value] = dict(zip(("pred", "fill"), c.args, strict=False))
    for key, item in c.kwargs.items():
        if key not in ("pred", "fill") or key in bound or len(c.args) > 2:
            raise interp.unsupported("this call of `Typed.mask`", c.where)
        bound[key] = item
    pred, fill = bound.get("pred"), bound.get("fill", -math.inf)
    if not isinstance(pred, IndexPred):
        raise interp.unsupported("`Typed.mask` of a value that is not an index predicate", c.where)
    if not isinstance(fill, int | float) or isinstance(fill, bool):
        raise interp.unsupported("a mask's fill it does not know", c.where)
    return TypedValue(masks.mask(value, pred, fill))


def repeat_body(interp: Interpreter, value: rules.Abstract, c: Call) -> Value:
    if len(c.args) != 1:
        return None
    dim = c.args[0]
    if not isinstance(dim, (FullDim, Sliced)):
        raise interp.unsupported("`Typed.repeat` of a value that is not a dim", c.where)
    repeated = rules.repeat(value, dim)
    _record_slice(repeated, dim.name, c.where)
    return TypedValue(repeated)


def rearrange_body(interp: Interpreter, value: rules.Abstract, c: Call) -> Value:
    dims = dims_arguments(interp, c.args, c.where)
    return TypedValue(rules.rearrange(value, [d.name for d in dims])[0])


def dim_type(interp: Interpreter, receiver: Value, attr: str, where: Context) -> Value:
    assert isinstance(receiver, TypedValue)
    if receiver.abstract is None:
        raise Stop(None)
    return receiver.abstract.dims


def unknown_data(interp: Interpreter, receiver: Value, attr: str, where: Context) -> Value:
    return OPAQUE


# -- methods and attributes of TypedResult -----------------------------------------------------


def assign(interp: Interpreter, frame: Frame, c: Call) -> Value:
    """`c.assign(tile)`: as `TypedResult.assign`, through the same `ResultTracker`."""
    result, where = c.receiver, c.where
    assert isinstance(result, ResultValue)
    if len(c.args) != 1 or c.kwargs:
        raise interp.unsupported("`TypedResult.assign`", where)
    tile = c.args[0]
    if not isinstance(tile, TypedValue):
        raise interp.unsupported("an `assign` of a value it does not know", where)
    tracker = result.tracker
    if tracker is None:
        return None
    if tile.abstract is None:
        result.failed = True
        return None
    abstract = tile.abstract
    if interp.speculations:
        # The symbolic step of a tile loop: prove, log the region, record nothing.
        if not tracker.bound:
            raise Abandon("an assign that would bind its result")
        try:
            region = tracker.prove_tile(abstract)
        except (Violation, SpecError) as err:
            raise Abandon(f"line {where.line}: {err}") from None
        interp.speculations[-1].writes.append((result, region))
        return None
    try:
        tracker.assign(
            abstract,
            lambda: script_binding(
                abstract.dims, abstract.expr, interp.inputs.spec_input, result.scope_inputs
            ),
        )
    except (Violation, SpecError) as err:
        result.failed = True
        interp.report(err.diagnostic, where)
    return None


def bind(interp: Interpreter, frame: Frame, c: Call) -> Value:
    raise interp.unsupported("`TypedResult.bind` outside a kernel call", c.where)


def result_arr(interp: Interpreter, receiver: Value, attr: str, where: Context) -> Value:
    from tnp_mypy.interpreter import expressions

    assert isinstance(receiver, ResultValue)
    expressions.read_result(interp, receiver)
    return OPAQUE


def result_spec(interp: Interpreter, receiver: Value, attr: str, where: Context) -> Value:
    assert isinstance(receiver, ResultValue)
    return receiver.tracker.spec_text if receiver.tracker else OPAQUE


def result_tracker(interp: Interpreter, receiver: Value, attr: str, where: Context) -> Value:
    assert isinstance(receiver, ResultValue)
    receiver.escaped = True
    return OPAQUE


def field(interp: Interpreter, receiver: Value, attr: str, where: Context) -> Value:
    """A field of a `FullDim` or `Sliced` (plain values the core defines)."""
    return getattr(receiver, attr)
