"""Intermediate assertions: `tnp.assert_spec(value, "spec")`, checked like an `assign`.

An assertion states what a value is at one point of a kernel (a running max after its loop,
a partial sum over the tiles seen so far). Both halves check it through `check_assertion`:

1. the spec resolves as a result's spec does. Inside a kernel (a `KernelScope` is active), it
   resolves against the kernel's declared parameters, whose leaves are then replaced by what
   the parameters are in this call (as `calls.enter_kernel` does for a result's spec), so its
   leaves name the kernel's parameters. Outside a kernel (script form), it resolves against
   the inputs in scope and those the value reads (`calls.script_binding`).
2. the value's dims must be the spec's, or a region of them (`rules.check_tile`: `tnp-dim`).
3. the value must be provably the spec restricted to that region (`prove` and `diagnose`:
   `tnp-spec`, `tnp-reduce`, `tnp-unproven`, with the messages an `assign` has).

Nothing is recorded: an assertion writes no result, and the IR is unchanged by it, so every
later proof is the same with or without it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from tnp_runtime.core import ir
from tnp_runtime.core.blame_spec import with_blame
from tnp_runtime.core.calls import KernelSignature
from tnp_runtime.core.diagnostics import Violation
from tnp_runtime.core.ir import Expr, Input
from tnp_runtime.core.prove import diagnose, prove
from tnp_runtime.core.rules import Abstract, check_tile
from tnp_runtime.core.spec import ResolvedSpec, resolve_spec
from tnp_runtime.core.tracker import Binding


@dataclass(frozen=True, slots=True)
class KernelScope:
    """The kernel call an assertion is made in: its signature, and what each of its `Typed`
    parameters' signature leaves is in this call (`replace`)."""

    kernel_name: str
    signature: KernelSignature
    replace: Mapping[Input, Expr]


def kernel_scope(
    kernel_name: str, signature: KernelSignature, values: Mapping[str, Abstract]
) -> KernelScope:
    """The scope of a call whose parameters are `values` (what `calls.enter_kernel` returned)."""
    replace = {signature.inputs[name].leaf: value.expr for name, value in values.items()}
    return KernelScope(kernel_name, signature, replace)


def resolve_assertion(
    text: str, scope: KernelScope | None, script: Callable[[], Binding]
) -> tuple[ResolvedSpec, dict[str, int]]:
    """The spec an assertion states, and the dim sizes of its binding; raises `SpecError`."""
    if scope is not None:
        signature = scope.signature
        declared = resolve_spec(
            text, signature.dims, list(signature.inputs.values()),
            functions=signature.functions,
        )
        expr = ir.substitute(declared.expr, scope.replace)
        return ResolvedSpec(expr, declared.dims), signature.sizes
    binding = script()
    resolved = resolve_spec(
        text, binding.dims, binding.inputs, binding.open_inputs, binding.functions
    )
    return resolved, {name: d.size for name, d in binding.dims.items()}


def check_assertion(
    value: Abstract, text: str, scope: KernelScope | None, script: Callable[[], Binding]
) -> None:
    """Check `tnp.assert_spec(value, text)` (see the module docstring); raises `SpecError` for
    a spec that does not resolve, `Violation` for a value that is not the spec."""
    resolved, sizes = resolve_assertion(text, scope, script)
    region = check_tile(value, resolved.dims, text, "assert_spec")
    problem = diagnose(prove(value.expr, resolved.expr, region, sizes), region)
    if problem is not None:
        problem = with_blame(problem, value.expr, resolved.expr, region)
    if problem is not None:
        raise Violation(problem)
