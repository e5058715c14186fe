"""`@kernel`: check a kernel's arguments against its annotations, and its result on return.

The protocol is the core's (`core.calls`), which the mypy plugin runs too; this module only
translates Python's annotations and values into it. At definition the annotations are
resolved: `Typed[Literal["M N"]]` against the `FullDim`s of the kernel's module,
`TypedResult[Literal["spec"]]` against those dims and the `Typed` parameters (a malformed one
raises `SpecError` then). At each call every `Typed` argument must have the declared dims;
`core.calls.enter_kernel` then says what each parameter is inside the kernel (a new input
named after it at a top-level call, so the spec's leaves (`K:nctx dhead`) name parameters; the
caller's value itself when the kernel is called by another kernel that owns the result) and
binds the results. When the kernel returns, every result must be completely written.
"""

from __future__ import annotations

import ast
import functools
import inspect
import textwrap
import typing
from collections.abc import Callable, Mapping
from typing import Any, Final, ParamSpec, Protocol, TypeVar

from tnp_runtime.assertion import in_kernel
from tnp_runtime.core import rules
from tnp_runtime.core.assertion import kernel_scope
from tnp_runtime.core.calls import (
    KernelSignature,
    Parameter,
    declared_result,
    enter_call,
    resolve_kernel_signature,
    uncovered,
)
from tnp_runtime.core.diagnostics import Violation
from tnp_runtime.core.dims import FullDim
from tnp_runtime.core.opaque import Opaque
from tnp_runtime.core.spec import SpecError
from tnp_runtime.core.tracker import ResultTracker
from tnp_runtime.errors import TypeCheckError, reraise
from tnp_runtime.opaque_api import OpaqueFunction
from tnp_runtime.result import TypedResult
from tnp_runtime.saved import check_data, saved_annotation
from tnp_runtime.typed import Typed, register_input

F = TypeVar("F", bound=Callable[..., Any])
P = ParamSpec("P")
R = TypeVar("R", covariant=True)


def module_dims(namespace: Mapping[str, object]) -> dict[str, FullDim]:
    """The `FullDim`s a module defines, by dim name."""
    return {v.name: v for v in namespace.values() if isinstance(v, FullDim)}


def module_functions(namespace: Mapping[str, object]) -> dict[str, Opaque]:
    """The opaque functions (`tnp.opaque`) a module defines, by name: a spec calls them so."""
    return {v.name: v.func for v in namespace.values() if isinstance(v, OpaqueFunction)}


def literal_text(annotation: object, origin: type) -> str | None:
    """"M N" from `Typed[Literal["M N"]]` (when `annotation` is `origin[...]`), else None."""
    if typing.get_origin(annotation) is not origin:
        return None
    (argument,) = typing.get_args(annotation)
    if typing.get_origin(argument) is not typing.Literal:
        raise TypeError(f"annotate as {origin.__name__}[Literal[\"...\"]], got {annotation!r}")
    (text,) = typing.get_args(argument)
    if not isinstance(text, str):
        raise TypeError(f"{origin.__name__}[Literal[...]] takes a string, got {text!r}")
    return text


def resolve_signature(fn: Callable[..., Any]) -> KernelSignature:
    """`fn`'s annotations, resolved by the core (`calls.resolve_kernel_signature`); a fault is
    located at the parameter's annotation."""
    hints = typing.get_type_hints(fn)
    parameters = (_parameter(name, hints.get(name)) for name in inspect.signature(fn).parameters)
    return resolve_kernel_signature(
        module_dims(fn.__globals__), parameters, lambda name, err: _at_parameter(err, fn, name),
        module_functions(fn.__globals__),
    )


def _parameter(name: str, annotation: object) -> Parameter:
    """What a parameter's annotation declares (`Typed`, `Saved` or `TypedResult`)."""
    saved = saved_annotation(annotation)
    if saved is not None:
        return Parameter(name, dims=saved[0], saved=saved[1])
    return Parameter(
        name, dims=literal_text(annotation, Typed), spec=literal_text(annotation, TypedResult)
    )


def _at_parameter(err: SpecError, fn: Callable[..., Any], name: str) -> SpecError:
    """`err` located (`filename`, `lineno`) at parameter `name`'s annotation, where the mypy
    plugin reports it too."""
    code = fn.__code__
    line = code.co_firstlineno
    try:
        lines, first = inspect.getsourcelines(fn)
        tree = ast.parse(textwrap.dedent("".join(lines)))
        for node in ast.walk(tree):
            if isinstance(node, ast.arg) and node.arg == name:
                line = first + node.lineno - 1
                break
    except (OSError, TypeError, SyntaxError):
        pass
    setattr(err, "filename", code.co_filename)  # noqa: B010 - SpecError has no such field
    setattr(err, "lineno", line)  # noqa: B010
    return err


def def_line(fn: Callable[..., Any]) -> tuple[str, int]:
    """File and line of the `def` itself (not its first decorator)."""
    code = fn.__code__
    try:
        lines, first = inspect.getsourcelines(fn)
    except (OSError, TypeError):
        return code.co_filename, code.co_firstlineno
    for offset, line in enumerate(lines):
        if line.lstrip().startswith(("def ", "async def ")):
            return code.co_filename, first + offset
    return code.co_filename, code.co_firstlineno


def kernel(fn: F) -> F:
    """Check `fn`'s arguments and results at each call (see the module docstring)."""
    signature = resolve_signature(fn)
    where = def_line(fn)
    parameters = inspect.signature(fn)

    @functools.wraps(fn)
    def checked(*args: Any, **kwargs: Any) -> Any:
        bound = parameters.bind(*args, **kwargs)
        arguments: dict[str, Typed[Any]] = {}
        results: list[TypedResult[Any]] = []

        def argument(name: str) -> rules.Abstract:
            value = bound.arguments[name]
            if not isinstance(value, Typed):
                raise TypeError(f"{fn.__name__}: argument {name} must be a Typed value")
            arguments[name] = value
            return value.abstract

        def result(name: str) -> ResultTracker:
            value = bound.arguments[name]
            if not isinstance(value, TypedResult):
                raise TypeError(f"{fn.__name__}: argument {name} must be a TypedResult")
            results.append(value)
            return value.tracker

        try:
            values = enter_call(fn.__name__, signature, argument, result, register_input)
        except Violation as err:
            reraise(err)
        check_data(fn.__name__, signature, arguments)
        for name, value in values.items():
            if value is not arguments[name].abstract:
                bound.arguments[name] = arguments[name]._with_abstract(value)
        with in_kernel(kernel_scope(fn.__name__, signature, values)):
            returned = fn(*bound.args, **bound.kwargs)
        for _, problem in uncovered({index: r.tracker for index, r in enumerate(results)})[:1]:
            raise TypeCheckError(problem, *where)
        return returned

    def result(name: str | None = None) -> TypedResult[Any]:
        """A new result bound to the spec the kernel declares for its parameter `name` (the
        kernel's only result parameter if None): the spec is written once, in the kernel."""
        try:
            text = declared_result(fn.__name__, signature.results, name)
        except ValueError as err:
            raise TypeError(str(err)) from None
        return TypedResult(text)

    setattr(checked, "result", result)  # noqa: B010 - a function's attribute (`Kernel`)
    setattr(checked, SIGNATURE_ATTRIBUTE, signature)
    return typing.cast(F, checked)


# The attribute of a kernel's wrapper that holds its resolved signature, for tools that run
# kernels themselves (the pytest plugin, `tnp_pytest`). The stubs do not show it: to mypy and
# pyright a kernel is still a `Kernel[P, R]`.
SIGNATURE_ATTRIBUTE: Final = "__tnp_signature__"


def signature_of(value: object) -> KernelSignature | None:
    """The resolved signature of a function `@kernel` returned; None for any other value."""
    if not inspect.isfunction(value):
        return None
    found = getattr(value, SIGNATURE_ATTRIBUTE, None)
    return found if isinstance(found, KernelSignature) else None


class Kernel(Protocol[P, R]):
    """What `@tnp.kernel` makes of a function: the function, checked at each call, and
    `result(name=None)`, a new `TypedResult` with the spec the kernel declares for that
    result parameter (`c = matmul.result()`; `f.result("c")` when it has several)."""

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R: ...

    def result(self, name: str | None = None) -> TypedResult[Any]: ...
