"""Kernels and the module's other functions: a kernel's signature, a kernel's call, and the
inlining of a helper of the same module.

The kernel protocol is the core's (`core.calls`): this module only translates mypy's view of
a kernel into it (annotations into `Parameter`s, abstract values into `Abstract`s and
trackers) and reports what the core finds where the runtime raises it: a signature fault at
the annotation, an argument's dims at the call, coverage at the `def` line when it returns.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Final

from mypy.nodes import (
    ARG_NAMED,
    ARG_NAMED_OPT,
    ARG_OPT,
    ARG_POS,
    ARG_STAR,
    CallExpr,
    Context,
    FuncDef,
)
from mypy.types import CallableType, Type

from tnp_mypy import names
from tnp_mypy.interpreter import control, module_scope, symbols
from tnp_mypy.interpreter.control import Frame, Stop
from tnp_mypy.interpreter.speculation import Abandon
from tnp_mypy.interpreter.values import OPAQUE, ResultValue, TypedValue, Value
from tnp_runtime.core import calls, origins, rules
from tnp_runtime.core.assertion import KernelScope, kernel_scope
from tnp_runtime.core.calls import KernelSignature, Parameter
from tnp_runtime.core.diagnostics import Violation
from tnp_runtime.core.spec import SpecError
from tnp_runtime.core.tracker import ResultTracker

if TYPE_CHECKING:
    from tnp_mypy.interpreter.evaluator import Interpreter

_MAX_CALL_DEPTH: Final = 40


def signature(interp: Interpreter, fn: FuncDef) -> KernelSignature:
    """Resolve a kernel's annotations as `@kernel` does at definition; a fault is reported
    at the annotation and ends the analysis (the runtime raises when the module loads)."""
    cached = interp.signatures.get(fn)
    if cached is not None:
        return cached
    # Its annotations may be aliases of another module, re-analysed without a re-parse.
    interp.dependencies[fn.fullname] = str(symbols.type_text(fn))
    module_dims = module_scope.module_dims(interp)
    arg_types: Sequence[Type | None] = (
        fn.type.arg_types if isinstance(fn.type, CallableType) else [None] * len(fn.arguments)
    )
    at = {argument.variable.name: argument for argument in fn.arguments}
    parameters = (
        _parameter(argument.variable.name, arg_type)
        for argument, arg_type in zip(fn.arguments, arg_types, strict=False)
    )
    resolved = calls.resolve_kernel_signature(
        module_dims, parameters, lambda name, err: _annotation_fault(interp, err, at[name]),
        module_scope.module_functions(interp),
    )
    interp.signatures[fn] = resolved
    return resolved


def _parameter(name: str, arg_type: Type | None) -> Parameter:
    """What a parameter's annotation declares (`Typed`, `Saved` or `TypedResult`)."""
    saved = symbols.saved_texts(arg_type)
    if saved is not None:
        return Parameter(name, dims=saved[0], saved=saved[1])
    return Parameter(
        name,
        dims=symbols.annotation_text(arg_type, names.TYPED),
        spec=symbols.annotation_text(arg_type, names.TYPED_RESULT),
    )


def _annotation_fault(interp: Interpreter, err: SpecError, where: Context) -> Stop:
    """A kernel annotation that does not resolve: `tnp-bad-spec`, unless some dim of the
    module is not known statically (then the fault may be the plugin's)."""
    if interp.hidden_dims:
        return interp.unsupported("the dims of this module (a dim's name or size is not a "
                                  "literal in its type)", where)
    interp.report(err.diagnostic, where)
    return Stop(None)


def run_kernel(interp: Interpreter, fn: FuncDef) -> None:
    """Kernel form: the parameters are the inputs and results the annotations declare, as at a
    top-level call (each `Typed` parameter a new input with the declared dims)."""
    resolved = signature(interp, fn)
    variables: dict[str, Value] = {}
    results: dict[str, ResultValue] = {}
    for name in fn.arg_names:
        if name is None:
            continue
        if name in resolved.results:
            result = ResultValue(ResultTracker(resolved.results[name]), None)
            variables[name] = result
            results[name] = result
        elif name not in resolved.inputs:
            variables[name] = OPAQUE
    declared = {
        name: rules.Abstract(spec_input.dims, spec_input.leaf)
        for name, spec_input in resolved.inputs.items()
    }
    values = calls.enter_kernel(
        fn.name,
        resolved,
        declared,
        {name: r.tracker for name, r in results.items() if r.tracker is not None},
        interp.inputs.new,
    )
    for name, value in values.items():
        origins.record(value.expr, origins.EXTERNAL)  # received, not made (`core.origins`)
        variables[name] = TypedValue(value)
    frame = Frame(variables, fn)
    with _in_kernel(interp, kernel_scope(fn.name, resolved, values)):
        control.execute_body(interp, frame, fn.body.body)
    check_returned(interp, fn, list(results.values()))


def call_kernel(
    interp: Interpreter, fn: FuncDef, args: list[Value], kwargs: dict[str, Value],
    where: CallExpr,
) -> Value:
    """A call of a kernel, as `@kernel`'s wrapper runs it: check and rename the inputs,
    bind the results, run the body, check coverage at return (at the `def` line)."""
    if interp.speculations:
        # A call binds and checks results of its own: not run speculatively (see `induction`).
        raise Abandon("a kernel call")
    resolved = signature(interp, fn)
    bound = bind(interp, fn, args, kwargs, where)
    results: list[ResultValue] = []

    def argument(name: str) -> rules.Abstract:
        value = bound[name]
        if not isinstance(value, TypedValue):
            raise interp.unsupported(f"the argument {name} of kernel `{fn.name}`", where)
        if value.abstract is None:
            raise Stop(None)
        return value.abstract

    def result(name: str) -> ResultTracker:
        value = bound[name]
        if not isinstance(value, ResultValue):
            raise interp.unsupported(f"the result {name} of kernel `{fn.name}`", where)
        if value.tracker is None:
            raise Stop(None)
        results.append(value)
        return value.tracker

    try:
        values = calls.enter_call(fn.name, resolved, argument, result, interp.inputs.new)
    except (Violation, SpecError) as err:
        for value in results:
            value.failed = True
        interp.report(err.diagnostic, where)
        raise Stop(None) from None
    for name, abstract in values.items():
        passed = bound[name]
        if not (isinstance(passed, TypedValue) and abstract is passed.abstract):
            origins.record(abstract.expr, origins.EXTERNAL)  # received, not made
            bound[name] = TypedValue(abstract)
    with _in_kernel(interp, kernel_scope(fn.name, resolved, values)):
        returned = _run(interp, fn, bound, where)
    check_returned(interp, fn, results)
    return returned


def kernel_result(
    interp: Interpreter, frame: Frame, fn: FuncDef, args: list[Value], kwargs: dict[str, Value],
    where: CallExpr,
) -> Value:
    """`f.result(name=None)`: a new result with the spec `f` declares for that parameter, as
    `TypedResult(<that spec>)` made here (the runtime's `Kernel.result`)."""
    from tnp_mypy.interpreter import tnp_api

    named = dict(zip(("name",), args, strict=False))
    if len(args) > 1 or set(kwargs) - {"name"} or set(named) & set(kwargs):
        raise interp.unsupported(f"this call of `{fn.name}.result`", where)
    name = {**named, **kwargs}.get("name")
    if name is not None and not isinstance(name, str):
        raise interp.unsupported(f"a `{fn.name}.result` whose name it does not know", where)
    try:
        text = calls.declared_result(fn.name, signature(interp, fn).results, name)
    except ValueError:
        raise Stop(None) from None  # the runtime raises TypeError; mypy's hook reports it
    return tnp_api.new_result(interp, frame, text, where)


def check_returned(interp: Interpreter, fn: FuncDef, results: list[ResultValue]) -> None:
    """The core's check when a kernel returns, reported at its `def` line."""
    live = {
        index: result.tracker
        for index, result in enumerate(results)
        if not (result.escaped or result.failed) and result.tracker is not None
    }
    for index, problem in calls.uncovered(live):
        results[index].failed = True
        interp.report(problem, Context(fn.line, fn.column))


def check_scope_end(interp: Interpreter, frame: Frame, when: str) -> None:
    """The results a scope made must be complete when it ends (reported at their creation)."""
    live = {
        index: result.tracker
        for index, result in enumerate(frame.results)
        if not (result.escaped or result.failed)
        and result.tracker is not None
        and result.line is not None
    }
    for index, problem in calls.uncovered(live, when):
        result = frame.results[index]
        result.failed = True
        assert result.line is not None
        interp.report(problem, Context(result.line, result.column))


def bind(
    interp: Interpreter, fn: FuncDef, args: list[Value], kwargs: dict[str, Value],
    where: CallExpr,
) -> dict[str, Value]:
    """The arguments of a call bound to `fn`'s parameters, as Python binds them."""
    bound: dict[str, Value] = {}
    positional = list(args)
    for argument in fn.arguments:
        name = argument.variable.name
        kind = argument.kind
        if kind in (ARG_POS, ARG_OPT) and positional:
            bound[name] = positional.pop(0)
        elif kind == ARG_STAR:
            bound[name] = tuple(positional)
            positional = []
        elif name in kwargs and kind in (ARG_POS, ARG_OPT, ARG_NAMED, ARG_NAMED_OPT):
            bound[name] = kwargs.pop(name)
        elif kind in (ARG_OPT, ARG_NAMED_OPT) and argument.initializer is not None:
            bound[name] = module_scope.constant(interp, argument.initializer)
        else:
            raise interp.unsupported(f"this call of `{fn.name}`", where)
    if positional or kwargs:
        raise Stop(None)  # the runtime raises TypeError
    return bound


@contextmanager
def _in_kernel(interp: Interpreter, scope: KernelScope) -> Iterator[None]:
    """`scope` is the running kernel call while its body runs (see `core.assertion`)."""
    interp.kernel_scopes.append(scope)
    try:
        yield
    finally:
        interp.kernel_scopes.pop()


@contextmanager
def _deeper(interp: Interpreter, where: Context) -> Iterator[None]:
    if interp.depth >= _MAX_CALL_DEPTH:
        raise interp.unsupported("calls nested this deep", where)
    interp.depth += 1
    try:
        yield
    finally:
        interp.depth -= 1


def _run(interp: Interpreter, fn: FuncDef, bound: dict[str, Value], where: CallExpr) -> Value:
    with _deeper(interp, where):
        frame = Frame(bound, fn)
        returned = control.execute_body(interp, frame, fn.body.body)
        check_scope_end(interp, frame, f"when `{fn.name}` returns")
    return returned


def inline(
    interp: Interpreter, fn: FuncDef, args: list[Value], kwargs: dict[str, Value],
    where: CallExpr,
) -> Value:
    """A call of a helper of this module: its body runs on the arguments."""
    return _run(interp, fn, bind(interp, fn, args, kwargs, where), where)
