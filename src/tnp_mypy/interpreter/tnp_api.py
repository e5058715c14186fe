"""tnp's API as the interpreter follows it: ONE table, `API`, from full name to handler.

Its keys are `names.API`'s (every public name of the stubs, in both spellings, and the methods
and attributes of `Typed`, `TypedResult`, `FullDim` and `Sliced`), so the plugin's hooks and
the interpreter recognise the same names. A call of a function or class goes to the entry's
`call`; reading an attribute of a tnp value to its `read`, or, for a method, makes a bound
method whose call goes to its `call`. A name with no handler is recognised but not followed:
using it stops the analysis with a `tnp-unsupported` note. Each handler applies the core's
own function (`rules`, `ResultTracker`, `inputs`, `reveal_text`), as the runtime's code does.
The handlers of functions and constructors are here, those of methods and attributes in
`tnp_methods`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, NamedTuple

from mypy.nodes import CallExpr, Context

from tnp_mypy import names
from tnp_mypy.interpreter import expressions, tnp_methods, tnp_operations, tnp_reads
from tnp_mypy.interpreter.control import Frame, Stop
from tnp_mypy.interpreter.speculation import Abandon
from tnp_mypy.interpreter.values import (
    OPAQUE,
    BoundMethod,
    Builtin,
    ResultValue,
    TypedValue,
    Value,
)
from tnp_mypy.report import Finding
from tnp_runtime.core import ir, rules
from tnp_runtime.core.assertion import check_assertion
from tnp_runtime.core.calls import script_binding
from tnp_runtime.core.diagnostics import Code, Diagnostic, Violation
from tnp_runtime.core.dims import FullDim, Sliced
from tnp_runtime.core.elementwise import ELEMENTWISE
from tnp_runtime.core.inputs import inputs_in_scope, new_input_dims
from tnp_runtime.core.ir import BinaryOp, Input, ReduceOp, UnaryOp
from tnp_runtime.core.reveal import reveal_text
from tnp_runtime.core.spec import SpecError
from tnp_runtime.core.tracker import ResultTracker

if TYPE_CHECKING:
    from tnp_mypy.interpreter.evaluator import Interpreter


class Call(NamedTuple):
    """One call of an API member: its arguments, and the receiver of a method (a tuple: one is
    made at every call, and a tuple is the cheapest immutable record to make)."""

    member: str
    args: list[Value]
    kwargs: dict[str, Value]
    where: CallExpr
    receiver: Value = None


CallHandler = Callable[["Interpreter", Frame, Call], Value]
ReadHandler = Callable[["Interpreter", Value, str, Context], Value]


@dataclass(frozen=True, slots=True)
class Entry:
    """What the interpreter does with an API member (see the module docstring).
    `constant`: a call of it has no effect, so a module-level constant may be made by one."""

    call: CallHandler | None = None
    read: ReadHandler | None = None
    constant: bool = False


def is_tnp(callee: Builtin) -> bool:
    return callee.fullname.split(".")[0] == "tnp_runtime"


# -- constructors ------------------------------------------------------------------------------


def new_typed(interp: Interpreter, randn: bool, args: list[Value], kwargs: dict[str, Value],
              where: CallExpr) -> Value:
    """`Typed(arr, *dims, name=...)` or `randn(*dims, name=..., seed=...)`: a new input."""
    dim_args = args if randn else args[1:]
    if not randn and not args:
        raise interp.unsupported("`Typed()` without an array", where)
    unknown = set(kwargs) - ({"name", "seed"} if randn else {"name"})
    if unknown:
        raise interp.unsupported(f"`Typed(..., {sorted(unknown)[0]}=...)`", where)
    name = kwargs.get("name")
    if name is not None and not isinstance(name, str):
        raise interp.unsupported("a `name=` it does not know", where)
    dims = tnp_methods.dims_arguments(interp, dim_args, where)
    try:
        dim_type = new_input_dims(dims)
    except Violation as err:
        interp.report(err.diagnostic, where)
        raise Stop(None) from None
    return TypedValue(rules.Abstract(dim_type, interp.inputs.new(name, dim_type)))


def _typed(interp: Interpreter, frame: Frame, c: Call) -> Value:
    return new_typed(interp, False, c.args, c.kwargs, c.where)


def _randn(interp: Interpreter, frame: Frame, c: Call) -> Value:
    return new_typed(interp, True, c.args, c.kwargs, c.where)


def _typed_result(interp: Interpreter, frame: Frame, c: Call) -> Value:
    spec = c.args[0] if len(c.args) == 1 and not c.kwargs else c.kwargs.get("spec")
    if not isinstance(spec, str):
        raise interp.unsupported("a `TypedResult` whose spec it does not know", c.where)
    return new_result(interp, frame, spec, c.where)


def new_result(interp: Interpreter, frame: Frame, spec: str, where: CallExpr) -> ResultValue:
    """`TypedResult(spec)` made at `where` (also `kernel.result()`, with the kernel's spec)."""
    try:
        tracker = ResultTracker(spec)
    except SpecError as err:
        interp.report(err.diagnostic, where)
        result = ResultValue(None, where.line, where.column, failed=True)
    else:
        result = ResultValue(tracker, where.line, where.column,
                             scope_inputs=_inputs_in_scope(interp, frame))
    frame.results.append(result)
    return result


def _inputs_in_scope(interp: Interpreter, frame: Frame) -> tuple[Input, ...]:
    """The inputs bound to names in `frame` and the module's globals, in the order the
    runtime sees them (`{**globals, **locals}`)."""
    from tnp_mypy.interpreter import module_scope

    bound: dict[str, Value] = {}
    if interp.module_frame is not None:
        bound.update(interp.module_frame.variables)
    else:
        bound.update(module_scope.module_inputs(interp))
    bound.update(frame.variables)
    return inputs_in_scope(
        value.abstract.expr
        for value in bound.values()
        if isinstance(value, TypedValue) and value.abstract is not None
    )


def _dim(interp: Interpreter, frame: Frame, c: Call) -> Value:
    values = list(c.args) + [c.kwargs[k] for k in ("name", "size") if k in c.kwargs]
    if len(values) != 2 or any(v is OPAQUE for v in values):
        raise interp.unsupported("a dim whose name or size it does not know", c.where)
    try:
        return FullDim(values[0], values[1])  # type: ignore[arg-type]
    except (ValueError, TypeError):
        raise Stop(None) from None


# -- functions ---------------------------------------------------------------------------------


def _einsum(interp: Interpreter, frame: Frame, c: Call) -> Value:
    args, where = c.args, c.where
    if c.kwargs or not args or not isinstance(args[-1], str):
        raise interp.unsupported("an `einsum` whose subscripts it does not know", where)
    *operands, subscripts = args
    assert isinstance(subscripts, str)
    abstracts: list[rules.Abstract] = []
    for operand in operands:
        if not isinstance(operand, TypedValue):
            raise interp.unsupported("an `einsum` operand it does not know", where)
        if operand.abstract is None:
            return TypedValue(None)
        abstracts.append(operand.abstract)
    try:
        return TypedValue(rules.einsum(abstracts, subscripts).value)
    except Violation as err:
        interp.report(err.diagnostic, where)
        return TypedValue(None)


def _elementwise(op: UnaryOp) -> CallHandler:
    def handler(interp: Interpreter, frame: Frame, c: Call) -> Value:
        name = c.member
        if len(c.args) != 1 or c.kwargs:
            raise interp.unsupported(f"this call of `{name}`", c.where)
        (x,) = c.args
        if isinstance(x, TypedValue):
            if x.abstract is None:
                return x
            return TypedValue(rules.unary(op, x.abstract))
        if expressions.is_number(x):
            from tnp_mypy.interpreter import python_builtins

            return python_builtins.numeric(interp, name, c.args, c.kwargs, c.where)
        raise interp.unsupported(f"`{name}` of a value it does not know", c.where)

    return handler


def _reveal(interp: Interpreter, frame: Frame, c: Call) -> Value:
    """`tnp.reveal(x)`: the text the runtime prints, as a note."""
    where = c.where
    if len(c.args) != 1 or c.kwargs:
        raise interp.unsupported("this call of `reveal`", where)
    (value,) = c.args
    if interp.speculations and where.line not in interp.reveals:
        # The note would show a symbolic value: the iterations it comes from are unrolled.
        raise Abandon("a `tnp.reveal` first reached in the symbolic step")
    if isinstance(value, TypedValue) and value.abstract is not None and not interp.speculations:
        sizes = {
            s.name: s.dim.size
            for leaf in ir.inputs_of(value.abstract.expr)
            if isinstance(leaf, Input)
            for s in interp.inputs.dims(leaf)
        }
        text = f"tnp.reveal: {reveal_text(value.abstract, sizes)}"
        interp.reveals.setdefault(where.line, Finding(
            Diagnostic(Code.UNSUPPORTED, text), where.line, where.column, plain_note=True
        ))
    return value


def _opaque(interp: Interpreter, frame: Frame, c: Call) -> Value:
    """`tnp.opaque(...)` run by the module's statements: the function its call declares (read
    from the tree, as when a function reads the module's name, see `module_scope`)."""
    from tnp_mypy.interpreter import module_scope

    if frame.function is not None:
        raise interp.unsupported("`tnp.opaque` inside a function (declare it in the module)",
                                 c.where)
    value = module_scope.opaque_declaration(interp, c.where)
    if value is OPAQUE:
        raise interp.unsupported("this `tnp.opaque` declaration (write tnp.opaque(\"name\", "
                                 "lambda x: ...) or @tnp.opaque on a def)", c.where)
    return value


def _assert_spec(interp: Interpreter, frame: Frame, c: Call) -> Value:
    """`tnp.assert_spec(value, "spec")`: as the runtime's, through `core.assertion`; a failed
    assertion is reported at its line and ends the scope's analysis, as the runtime stops."""
    arguments = dict(zip(("value", "spec"), c.args, strict=False))
    if len(c.args) > 2 or set(c.kwargs) - {"value", "spec"} or set(arguments) & set(c.kwargs):
        raise interp.unsupported("this call of `assert_spec`", c.where)
    arguments.update(c.kwargs)
    value, spec = arguments.get("value"), arguments.get("spec")
    if not isinstance(value, TypedValue):
        raise interp.unsupported("an `assert_spec` of a value it does not know", c.where)
    if not isinstance(spec, str):
        raise interp.unsupported("an `assert_spec` whose spec it does not know", c.where)
    abstract = value.abstract
    if abstract is None:
        return value
    scope = interp.kernel_scopes[-1] if interp.kernel_scopes else None
    try:
        check_assertion(
            abstract,
            spec,
            scope,
            lambda: script_binding(abstract.dims, abstract.expr, interp.inputs.spec_input,
                                   _inputs_in_scope(interp, frame)),
        )
    except (Violation, SpecError) as err:
        # The runtime raises here: what follows is not reached (nor reported).
        interp.report(err.diagnostic, c.where)
        raise Stop(None) from None
    return value


def _kernel(interp: Interpreter, frame: Frame, c: Call) -> Value:
    raise interp.unsupported("a call of `kernel` other than as a decorator", c.where)


# -- the table ---------------------------------------------------------------------------------

_UNARY_OPS: Final = {name: function.op for name, function in ELEMENTWISE.items()}

_BY_MEMBER: Final[dict[str, Entry]] = {
    "Typed": Entry(call=_typed),
    "randn": Entry(call=_randn),
    "TypedResult": Entry(call=_typed_result),
    "FullDim": Entry(call=_dim, constant=True),
    "dim": Entry(call=_dim, constant=True),
    "einsum": Entry(call=_einsum),
    "max": Entry(call=tnp_operations.pairwise(
        "max", functools.partial(rules.binary, BinaryOp.MAX), max  # type: ignore[arg-type]
    )),
    "min": Entry(call=tnp_operations.min_function),
    "where": Entry(call=tnp_operations.where_function),
    "opaque": Entry(call=_opaque),
    "Condition": Entry(),
    "OpaqueFunction": Entry(),
    "reveal": Entry(call=_reveal),
    "kernel": Entry(call=_kernel),
    "assert_spec": Entry(call=_assert_spec),
    **{name: Entry(call=_elementwise(_UNARY_OPS[name])) for name in names.TNP_UNARY},
    # Recognised, not followed: a call of one stops the analysis.
    "Sliced": Entry(),
    "Interval": Entry(),
    "Saved": Entry(),  # an annotation (`kernels.signature` reads it), not a value
    "SpecError": Entry(),
    "IndexPred": Entry(),
    "Linear": Entry(),
    "TypeCheckError": Entry(),
    "Kernel": Entry(),
    # `f.result()` of a kernel `f` of the module: followed by `expressions.call`
    # (`kernels.kernel_result`), since the receiver is the module's function, not a tnp value.
    "Kernel.result": Entry(),
    "Typed.slice": Entry(call=tnp_methods.typed_method(tnp_methods.slice_body)),
    "Typed.sum": Entry(call=tnp_methods.typed_method(tnp_methods.reduce_body(ReduceOp.SUM))),
    "Typed.max": Entry(call=tnp_methods.typed_method(tnp_methods.reduce_body(ReduceOp.MAX))),
    "Typed.repeat": Entry(call=tnp_methods.typed_method(tnp_methods.repeat_body)),
    "Typed.rearrange": Entry(call=tnp_methods.typed_method(tnp_methods.rearrange_body)),
    "Typed.maximum": Entry(call=tnp_methods.maximum),
    "Typed.minimum": Entry(call=tnp_operations.minimum_method),
    "Typed.min": Entry(call=tnp_methods.typed_method(tnp_operations.reduce_body("min"))),
    "Typed.mean": Entry(call=tnp_methods.typed_method(tnp_operations.reduce_body("mean"))),
    "Typed.mask": Entry(call=tnp_methods.typed_method(tnp_methods.mask_body)),
    "Typed.window": Entry(call=tnp_methods.typed_method(tnp_reads.window_body)),
    "Typed.shift": Entry(call=tnp_methods.typed_method(tnp_reads.shift_body)),
    "Typed.at": Entry(call=tnp_methods.typed_method(tnp_reads.at_body)),
    "Typed.gather": Entry(call=tnp_methods.typed_method(tnp_reads.gather_body)),
    "Typed.dim_type": Entry(read=tnp_methods.dim_type),
    "Typed.arr": Entry(read=tnp_methods.unknown_data),
    "Typed.expr_type": Entry(read=tnp_methods.unknown_data),
    "Typed.abstract": Entry(read=tnp_methods.unknown_data),
    "TypedResult.assign": Entry(call=tnp_methods.assign),
    "TypedResult.bind": Entry(call=tnp_methods.bind),
    "TypedResult.arr": Entry(read=tnp_methods.result_arr),
    "TypedResult.spec": Entry(read=tnp_methods.result_spec),
    "TypedResult.tracker": Entry(read=tnp_methods.result_tracker),
    **{f"FullDim.{name}": Entry(read=tnp_methods.field) for name in ("name", "size", "full")},
    **{
        f"Sliced.{name}": Entry(read=tnp_methods.field)
        for name in ("dim", "name", "start", "stop", "length", "interval", "is_full")
    },
    # Recognised, not followed: reading one stops the analysis.
    "Sliced.in_bounds": Entry(),
    **{
        f"Interval.{name}": Entry()
        for name in ("start", "stop", "length", "contains", "intersects")
    },
}

API: Final[dict[str, Entry]] = {
    fullname: _BY_MEMBER[member] for fullname, member in names.API.items()
}
"""Full name (`tnp_runtime.exp`, `tnp_runtime.functions.exp`, `tnp_runtime.Typed.slice`) ->
what the interpreter does with it: the only dispatch on tnp names."""

# The class of each tnp value, as `API` spells its methods and attributes.
_CLASS: Final[dict[type, str]] = {
    TypedValue: "tnp_runtime.Typed",
    ResultValue: "tnp_runtime.TypedResult",
    FullDim: "tnp_runtime.FullDim",
    Sliced: "tnp_runtime.Sliced",
}
# A method that `API` does not list, on a `Typed`: checked as Typed's methods are, then stops.
_UNKNOWN_TYPED_METHOD: Final = tnp_methods.typed_method(None)


def known(fullname: str) -> Value | None:
    """A module-level API member by full name, as a value (None if `fullname` is not one)."""
    entry = API.get(fullname)
    if entry is None or entry.call is None or "." in names.API[fullname]:
        return None
    return Builtin(fullname)


def is_constant_call(fullname: str) -> bool:
    """A call of `fullname` has no effect (a dim): module constants may be made with it."""
    entry = API.get(fullname)
    return entry is not None and entry.constant


def call(interp: Interpreter, frame: Frame, fullname: str, args: list[Value],
         kwargs: dict[str, Value], where: CallExpr) -> Value:
    """A call of tnp's function or class `fullname`."""
    entry = API.get(fullname)
    if entry is None or entry.call is None:
        raise interp.unsupported(f"`{fullname}`", where)
    return entry.call(interp, frame, Call(names.API[fullname], args, kwargs, where))


def method(interp: Interpreter, frame: Frame, bound: BoundMethod, args: list[Value],
           kwargs: dict[str, Value], where: CallExpr) -> Value:
    """A call of a method of a `Typed` or a result."""
    cls = _CLASS[type(bound.receiver)]
    member = f"{cls.partition('.')[2]}.{bound.name}"
    entry = API.get(f"{cls}.{bound.name}")
    handler = None if entry is None else entry.call
    if handler is None:
        if isinstance(bound.receiver, ResultValue):
            raise interp.unsupported(f"`TypedResult.{bound.name}`", where)
        handler = _UNKNOWN_TYPED_METHOD
    return handler(interp, frame, Call(member, args, kwargs, where, bound.receiver))


def attribute(interp: Interpreter, receiver: Value, attr: str, where: Context) -> Value:
    """`receiver.attr` for a `Typed`, a result, a `FullDim` or a `Sliced`."""
    cls = _CLASS[type(receiver)]
    entry = API.get(f"{cls}.{attr}")
    if entry is not None and entry.read is not None:
        return entry.read(interp, receiver, attr, where)
    if isinstance(receiver, (TypedValue, ResultValue)):
        return BoundMethod(receiver, attr)
    raise interp.unsupported(f"`{cls.partition('.')[2]}.{attr}`", where)
