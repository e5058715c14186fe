"""The kernel protocol, and what happens at the boundary of a script-form `assign`.

Both halves run these steps through these functions, translating only their own values (the
runtime: Python annotations and `Typed` objects; the mypy plugin: mypy nodes and abstract
values): resolving a kernel's signature once (`resolve_kernel_signature`), entering a call
(`enter_call`: each argument's dims, then `enter_kernel`), and the checks when it returns
(`uncovered`). Each check raises a `Violation` or returns `Diagnostic`s for its caller to
raise or report at the call's (or the kernel's) line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, TypeVar

from tnp_runtime.core import ir
from tnp_runtime.core.diagnostics import Code, Diagnostic, Violation
from tnp_runtime.core.dims import DimType, FullDim, dim_names, render_dims
from tnp_runtime.core.indexing import Capture
from tnp_runtime.core.ir import Expr, Input, inputs_of, opaque_functions
from tnp_runtime.core.opaque import Opaque
from tnp_runtime.core.prove import Proved, Refuted, Unknown, prove
from tnp_runtime.core.rules import Abstract
from tnp_runtime.core.saved import SavedInput, check_argument, in_call, resolve_definition
from tnp_runtime.core.spec import ResolvedSpec, SpecError, SpecInput, resolve_dims, resolve_spec
from tnp_runtime.core.spec_let import same_spec_text
from tnp_runtime.core.tracker import Binding, ResultTracker

K = TypeVar("K")

KERNEL_RETURNS: Final = "when the kernel returns"


def argument_dims_diagnostic(
    kernel_name: str, name: str, actual: DimType, declared: DimType
) -> Diagnostic | None:
    """`tnp-dim` if argument `name` does not hold exactly the declared dims (any order)."""
    if sorted(actual, key=lambda s: s.name) == sorted(declared, key=lambda s: s.name):
        return None
    return Diagnostic(
        Code.DIM,
        f"{kernel_name}: argument {name} has dims {render_dims(actual)} "
        f"but the kernel declares {render_dims(declared)}",
    )


@dataclass(frozen=True, slots=True)
class KernelSignature:
    """A kernel's resolved annotations, made once per kernel by `kernel_signature`.

    `inputs` holds one leaf per `Typed` parameter, made for this signature only; `specs` are
    the declared result specs resolved against those leaves. At each call `enter_kernel`
    replaces the leaves by what the parameters are in that call. `saved` holds the parameters
    among `inputs` declared `Saved[...]`, each with its definition over the other leaves
    (`core.saved`).
    """

    dims: Mapping[str, FullDim]
    inputs: Mapping[str, SpecInput]
    results: Mapping[str, str]
    specs: Mapping[str, ResolvedSpec]
    saved: Mapping[str, SavedInput] = field(default_factory=dict)
    # The opaque functions its specs may call by name (the module's `tnp.opaque`s).
    functions: Mapping[str, Opaque] = field(default_factory=dict)

    @property
    def sizes(self) -> dict[str, int]:
        return {name: d.size for name, d in self.dims.items()}


def kernel_signature(
    dims: Mapping[str, FullDim],
    inputs: Mapping[str, DimType],
    results: Mapping[str, str],
    fault: Callable[[str, SpecError], BaseException],
    saved: Mapping[str, str] | None = None,
    functions: Mapping[str, Opaque] | None = None,
) -> KernelSignature:
    """Resolve each saved input's definition (`saved`: parameter to text, each also among
    `inputs`) against the plain `Typed` parameters, then each declared result spec against
    all of them; a text that does not resolve raises `fault(parameter, error)` (each half
    locates it at the annotation)."""
    leaves = {
        name: SpecInput(ir.new_input(name, dim_names(declared)), declared)
        for name, declared in inputs.items()
    }
    saved = saved or {}
    plain = [leaf for name, leaf in leaves.items() if name not in saved]
    definitions: dict[str, SavedInput] = {}
    for name, text in saved.items():
        try:
            definitions[name] = resolve_definition(name, inputs[name], text, dims, plain)
        except SpecError as err:
            raise fault(name, err) from None
    specs: dict[str, ResolvedSpec] = {}
    for name, text in results.items():
        try:
            specs[name] = resolve_spec(
                text, dims, list(leaves.values()), functions=functions
            )
        except SpecError as err:
            raise fault(name, err) from None
    return KernelSignature(
        dict(dims), leaves, dict(results), specs, definitions, dict(functions or {})
    )


@dataclass(frozen=True, slots=True)
class Parameter:
    """A kernel parameter as its annotation declares it: `dims` from `Typed[Literal["M N"]]`,
    `spec` from `TypedResult[Literal["..."]]`, `dims` and `saved` (the definition) from
    `Saved[Literal["M"], Literal["..."]]`, none for any other annotation."""

    name: str
    dims: str | None = None
    spec: str | None = None
    saved: str | None = None


def declared_result(kernel_name: str, results: Mapping[str, str], name: str | None) -> str:
    """The spec text of the result parameter `name` (None: the kernel's only one), which
    `kernel.result(name)` makes a result with; raises `ValueError` saying what to write."""
    if name is None and len(results) == 1:
        return next(iter(results.values()))
    if name is not None and name in results:
        return results[name]
    if not results:
        raise ValueError(f"{kernel_name} has no result parameter (TypedResult[Literal[...]])")
    shown = ", ".join(results)
    if name is None:
        raise ValueError(
            f"{kernel_name} has {len(results)} result parameters ({shown}): name one, "
            f'e.g. {kernel_name}.result("{next(iter(results))}")'
        )
    raise ValueError(f"{kernel_name} has no result parameter {name!r}; its results: {shown}")


def resolve_kernel_signature(
    dims: Mapping[str, FullDim],
    parameters: Iterable[Parameter],
    fault: Callable[[str, SpecError], BaseException],
    functions: Mapping[str, Opaque] | None = None,
) -> KernelSignature:
    """A kernel's signature, as `@kernel` resolves it at definition: each `Typed` parameter's
    dims against the module's `dims`, then each result's spec (`kernel_signature`). A dims or
    spec text that does not resolve raises `fault(parameter, error)` (each half locates it at
    that parameter's annotation). `parameters` is read in order, once."""
    inputs: dict[str, DimType] = {}
    results: dict[str, str] = {}
    saved: dict[str, str] = {}
    for parameter in parameters:
        if parameter.dims is not None:
            try:
                inputs[parameter.name] = resolve_dims(parameter.dims, dims)
            except SpecError as err:
                raise fault(parameter.name, err) from None
            if parameter.saved is not None:
                saved[parameter.name] = parameter.saved
        elif parameter.spec is not None:
            results[parameter.name] = parameter.spec
    return kernel_signature(dims, inputs, results, fault, saved, functions)


def enter_call(
    kernel_name: str,
    signature: KernelSignature,
    argument: Callable[[str], Abstract],
    result: Callable[[str], ResultTracker],
    fresh: Callable[[str, DimType], Expr],
) -> dict[str, Abstract]:
    """A call of a kernel, up to its body: what each `Typed` parameter is inside it.

    `argument(name)` is the value passed for each `Typed` parameter, in the signature's order
    (the caller raises its own error for a value that is not a `Typed`); one without exactly
    the declared dims is a `tnp-dim` `Violation`. `result(name)` is the tracker of the value
    passed for each result. Then `enter_kernel`.
    """
    arguments: dict[str, Abstract] = {}
    for name, declared in signature.inputs.items():
        value = argument(name)
        problem = argument_dims_diagnostic(kernel_name, name, value.dims, declared.dims)
        if problem is not None:
            raise Violation(problem)
        arguments[name] = value
    trackers = {name: result(name) for name in signature.results}
    return enter_kernel(kernel_name, signature, arguments, trackers, fresh)


def uncovered(
    results: Mapping[K, ResultTracker], when: str = KERNEL_RETURNS
) -> list[tuple[K, Diagnostic]]:
    """The check when a kernel returns (or a scope ends, `when` says which): each result not
    completely written, with its `tnp-coverage` diagnostic, in order. The runtime raises the
    first; the plugin reports it and leaves the others unreported, as the runtime does."""
    found: list[tuple[K, Diagnostic]] = []
    for key, tracker in results.items():
        problem = tracker.coverage_diagnostic(when)
        if problem is not None:
            found.append((key, problem))
    return found


def _substitute(kernel_name: str, spec: Expr, replace: Mapping[Input, Expr]) -> Expr:
    """The spec with its parameters replaced by the arguments; an argument the spec reads at
    positions it cannot be read at (`indexing.Capture`) is a `tnp-dim` at the call."""
    try:
        return ir.substitute(spec, replace)
    except Capture as err:
        raise Violation(Diagnostic(
            Code.DIM,
            f"{kernel_name}: its spec reads a parameter at computed positions, and the argument "
            f"passed for it cannot be read there ({err})",
            ("pass an input, or a value computed from inputs without reductions over the dims "
             "the positions use",),
        )) from None


def enter_kernel(
    kernel_name: str,
    signature: KernelSignature,
    arguments: Mapping[str, Abstract],
    results: Mapping[str, ResultTracker],
    fresh: Callable[[str, DimType], Expr],
) -> dict[str, Abstract]:
    """What each `Typed` parameter is inside the kernel for this call; binds its results.

    Top-level call (no result argument bound yet): each parameter is a new input named after
    it (`fresh(name, declared dims)`) with the argument's dims, so the kernel is proved for
    any inputs and its messages name its parameters. Call from a kernel that already owns a
    result (some result argument is bound): each parameter is the caller's argument itself,
    so the tiles are proved against the caller's spec. A saved parameter is its definition
    over what the other parameters are; its argument, where its expression is known, must be
    provably that definition over the caller's arguments (`core.saved.check_argument`: a
    `Violation` at the call otherwise).

    Each result's declared spec, with the parameter leaves replaced by what the parameters
    are, binds an unbound result; a bound result keeps its spec, and a declared spec not
    provably equal to it is a `tnp-spec` `Violation` naming both. A result made with another
    spec text than the kernel declares (not the same tree: `spec_let.same_spec_text`) must be
    provably the same spec too. Raises
    `SpecError` if that text does not resolve.
    """
    nested = any(tracker.bound for tracker in results.values())
    values: dict[str, Abstract] = {}
    for name, parameter in signature.inputs.items():
        if name in signature.saved:
            continue
        argument = arguments[name]
        values[name] = argument if nested else Abstract(argument.dims, fresh(name, parameter.dims))
    replace = {signature.inputs[name].leaf: value.expr for name, value in values.items()}
    if signature.saved:
        passed = {signature.inputs[name].leaf: arguments[name].expr for name in values}
        for name, saved in signature.saved.items():
            argument = arguments[name]
            problem = check_argument(
                kernel_name, saved, argument.expr, in_call(saved, passed), argument.dims,
                signature.sizes,
            )
            if problem is not None:
                raise Violation(problem)
        for name, saved in signature.saved.items():
            values[name] = Abstract(arguments[name].dims, in_call(saved, replace))
        replace = {signature.inputs[name].leaf: value.expr for name, value in values.items()}
    allowed: frozenset[Input] | None = None
    for name, tracker in results.items():
        declared = signature.specs[name]
        spec = ResolvedSpec(_substitute(kernel_name, declared.expr, replace), declared.dims)
        if tracker.bound:
            _check_same_spec(kernel_name, name, tracker, signature.results[name], spec)
            continue
        if not same_spec_text(tracker.spec_text, signature.results[name]):
            own = resolve_spec(
                tracker.spec_text, signature.dims, list(signature.inputs.values()),
                functions=signature.functions,
            )
            own = ResolvedSpec(_substitute(kernel_name, own.expr, replace), own.dims)
            if not _same_spec(own, spec, signature.sizes):
                raise Violation(Diagnostic(
                    Code.SPEC,
                    f"{kernel_name}: result {name} has spec `{tracker.spec_text}` but the "
                    f"kernel declares `{signature.results[name]}`",
                ))
        if allowed is None:
            allowed = frozenset(leaf for v in values.values() for leaf in inputs_of(v.expr))
        tracker.bind_resolved(spec, signature.sizes, allowed)
    return values


def _same_spec(a: ResolvedSpec, b: ResolvedSpec, sizes: Mapping[str, int]) -> bool:
    """Same dims (any order) and provably the same term over all of them."""
    if sorted(a.dims, key=lambda s: s.name) != sorted(b.dims, key=lambda s: s.name):
        return False
    return isinstance(prove(a.expr, b.expr, b.dims, sizes), Proved)


def _check_same_spec(
    kernel_name: str, name: str, tracker: ResultTracker, declared_text: str, spec: ResolvedSpec
) -> None:
    """A bound result keeps its spec: the kernel's, with its arguments, must be the same."""
    bound = tracker.resolved
    assert bound is not None
    if sorted(spec.dims, key=lambda s: s.name) != sorted(bound.dims, key=lambda s: s.name):
        raise Violation(Diagnostic(
            Code.SPEC,
            f"{kernel_name}: result {name} is bound to `{tracker.spec_text}` (dims "
            f"{render_dims(bound.dims)}), but the kernel declares `{declared_text}` (dims "
            f"{render_dims(spec.dims)})",
        ))
    verdict = prove(spec.expr, bound.expr, bound.dims, tracker.sizes)
    match verdict:
        case Proved():
            return
        case Refuted(kernel_text=computed, spec_text=required) | Unknown(
            kernel_text=computed, spec_text=required
        ):
            raise Violation(Diagnostic(
                Code.SPEC,
                f"{kernel_name}: result {name} is bound to `{tracker.spec_text}`, but the "
                f"kernel declares `{declared_text}`, which with these arguments is `{computed}`, "
                f"not `{required}`: a result keeps the spec it was first bound to",
            ))


def script_binding(
    tile_dims: DimType,
    tile_expr: Expr,
    input_of: Callable[[Input], SpecInput],
    scope_inputs: Sequence[Input] = (),
) -> Binding:
    """Script form: the spec resolves against the inputs in scope where the result was made
    and those the first tile reads.

    A spec leaf must be unique among every input the script could have meant, not only among
    those the first tile happens to read: with K and V in scope, `nctx dhead` is ambiguous even
    if the tile (wrongly) reads V twice and K never.
    """
    read = [leaf for leaf in inputs_of(tile_expr) if isinstance(leaf, Input)]
    leaves = dict.fromkeys([*scope_inputs, *read])
    inputs = [input_of(leaf) for leaf in leaves]
    dims: dict[str, FullDim] = {s.name: s.dim for s in tile_dims}
    for item in inputs:
        for s in item.dims:
            dims.setdefault(s.name, s.dim)
    functions = {f.name: f for f in opaque_functions(tile_expr)}
    return Binding(dims, inputs, open_inputs=True, functions=functions)
