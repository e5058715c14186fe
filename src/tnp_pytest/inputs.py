"""The arguments a kernel is run on: what each parameter gets, decided from its annotation.

A plan is made once per kernel, at collection, from its resolved signature (the `FullDim`s of
its module size each input): a `Typed[...]` parameter gets a standard-normal array of its
declared dims (an index input that a spec gathers with, `t:B` in `x:B V[t:B]`, gets whole
numbers in `[0, size)` instead, the only values the runtime accepts there); a `Saved[...]`
parameter gets its definition evaluated on the other inputs (so its data check passes for a
correct caller); a `TypedResult[...]` parameter gets `kernel.result(name)`; any other parameter
keeps its default. A parameter it cannot fill (no default and another annotation, or none) makes
the plan `Unbuildable`, with the reason: the kernel is then reported skipped, never passed.

Arrays are drawn in parameter order from one `numpy.random.Generator`, so a seed fixes them all.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from tnp_runtime.core import ir
from tnp_runtime.core.calls import KernelSignature
from tnp_runtime.core.dims import DimType
from tnp_runtime.core.ir import Gather, Input, Read
from tnp_runtime.result import TypedResult
from tnp_runtime.saved import evaluate_term
from tnp_runtime.typed import Array, Typed

# Inputs above this many elements in all (8 bytes each: 512 MB) are not made: the kernel is
# skipped with the count, rather than the test session running out of memory.
MAX_ELEMENTS: Final = 1 << 26


@dataclass(frozen=True, slots=True)
class Generated:
    """A `Typed` parameter: its dims in declared order; `index_bound` for a gather index."""

    dims: DimType
    index_bound: int | None = None

    def describe(self) -> str:
        shape = "×".join(str(s.dim.size) for s in self.dims) or "scalar"
        dims = " ".join(s.name for s in self.dims)
        if self.index_bound is not None:
            return f"{dims} ({shape}), whole numbers in [0, {self.index_bound})"
        return f"{dims} ({shape}), standard normal"


@dataclass(frozen=True, slots=True)
class FromDefinition:
    """A `Saved` parameter: its definition evaluated on the plain inputs."""

    dims: DimType
    text: str


@dataclass(frozen=True, slots=True)
class Result:
    """A `TypedResult` parameter: `kernel.result(name)`."""


Argument = Generated | FromDefinition | Result


@dataclass(frozen=True, slots=True)
class Plan:
    """What each parameter gets, by name, in the kernel's parameter order (parameters left
    to their default are absent); `positional` names the positional-only ones."""

    arguments: Mapping[str, Argument]
    positional: frozenset[str]

    def describe(self, kernel_name: str) -> list[str]:
        lines = []
        for name, argument in self.arguments.items():
            match argument:
                case Generated():
                    lines.append(f"{name}: {argument.describe()}")
                case FromDefinition(text=text):
                    lines.append(f"{name}: its definition `{text}` on these inputs")
                case Result():
                    lines.append(f"{name}: {kernel_name}.result({name!r})")
        return lines


@dataclass(frozen=True, slots=True)
class Unbuildable:
    """Why no arguments can be made for the kernel."""

    reason: str


def _gather_bounds(signature: KernelSignature) -> dict[Input, int]:
    """Each leaf a spec or definition gathers with, and the size of the smallest dim it
    indexes."""
    bounds: dict[Input, int] = {}
    terms = [spec.expr for spec in signature.specs.values()]
    terms += [saved.term for saved in signature.saved.values()]
    for term in terms:
        for node in ir.nodes(term):
            if not isinstance(node, Read):
                continue
            for _, position in node.index:
                if isinstance(position, Gather):
                    leaf = position.index
                    bounds[leaf] = min(bounds.get(leaf, position.size), position.size)
    return bounds


def _annotation_text(parameter: inspect.Parameter) -> str:
    if parameter.annotation is inspect.Parameter.empty:
        return "no annotation"
    annotation = parameter.annotation
    shown = annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)
    return f"annotation `{shown}`"


def plan(fn: Callable[..., Any], signature: KernelSignature) -> Plan | Unbuildable:
    """The plan for `fn` (the kernel's own function), or why there is none."""
    bounds = _gather_bounds(signature)
    arguments: dict[str, Argument] = {}
    positional: set[str] = set()
    elements = 0
    for name, parameter in inspect.signature(fn).parameters.items():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        if name in signature.saved:
            saved = signature.saved[name]
            arguments[name] = FromDefinition(saved.dims, saved.text)
        elif name in signature.inputs:
            leaf = signature.inputs[name]
            arguments[name] = Generated(leaf.dims, bounds.get(leaf.leaf))
        elif name in signature.results:
            arguments[name] = Result()
        elif parameter.default is not parameter.empty:
            continue
        else:
            return Unbuildable(
                f"parameter {name} ({_annotation_text(parameter)}) has no default and is "
                "not Typed[...], Saved[...] or TypedResult[...]: no input can be made for it "
                "(give it a default, or call the kernel from a test)"
            )
        if parameter.kind is parameter.POSITIONAL_ONLY:
            positional.add(name)
        argument = arguments[name]
        if isinstance(argument, Generated | FromDefinition):
            elements += int(np.prod([s.dim.size for s in argument.dims], dtype=np.int64))
    if elements > MAX_ELEMENTS:
        return Unbuildable(
            f"its inputs would hold {elements:,} numbers, more than the {MAX_ELEMENTS:,} "
            "the plugin makes (call the kernel from a test with smaller dims)"
        )
    return Plan(arguments, frozenset(positional))


class NoInputs(Exception):
    """The plan's inputs, once drawn, give no valid argument (the reason is the message)."""


@dataclass(frozen=True, slots=True)
class Arguments:
    """A plan's arguments: the call's positional and keyword values, and the inputs and
    results by parameter name (to compare the results with the spec afterwards)."""

    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    inputs: dict[str, Typed[Any]]
    results: dict[str, TypedResult[Any]]


def build(kernel: Any, plan: Plan, signature: KernelSignature, seed: int) -> Arguments:
    """The arguments of `plan`, drawn from `numpy.random.default_rng(seed)`; `NoInputs` if a
    saved input's definition is not finite on them."""
    rng = np.random.default_rng(seed)
    inputs: dict[str, Typed[Any]] = {}
    results: dict[str, TypedResult[Any]] = {}
    for name, argument in plan.arguments.items():
        match argument:
            case Generated(dims=dims, index_bound=bound):
                shape = tuple(s.dim.size for s in dims)
                data: Array = (
                    rng.standard_normal(shape) if bound is None
                    else rng.integers(0, bound, shape).astype(np.float64)
                )
                inputs[name] = Typed(data, *(s.dim for s in dims), name=name)
            case Result():
                results[name] = kernel.result(name)
            case FromDefinition():
                pass
    plain = {
        signature.inputs[name].leaf: (value.arr, signature.inputs[name].dims)
        for name, value in inputs.items()
    }
    for name, argument in plan.arguments.items():
        if isinstance(argument, FromDefinition):
            value = evaluate_term(signature.saved[name].term, plain, argument.dims)
            value = np.broadcast_to(value, tuple(s.dim.size for s in argument.dims))
            if not bool(np.all(np.isfinite(value))):
                # The runtime's data check refuses a non-finite argument (NaN is not close to
                # itself): there is no valid argument on these inputs.
                raise NoInputs(
                    f"the definition `{argument.text}` of saved input {name} is not finite on "
                    "standard-normal inputs (a log or sqrt of a negative value?): no valid "
                    "argument can be made for it (call the kernel from a test)"
                )
            inputs[name] = Typed(value, *(s.dim for s in argument.dims), name=name)
    values: dict[str, Any] = {**inputs, **results}
    args = tuple(values[name] for name in plan.arguments if name in plan.positional)
    kwargs = {name: values[name] for name in plan.arguments if name not in plan.positional}
    return Arguments(args, kwargs, inputs, results)
