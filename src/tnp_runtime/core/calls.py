"""What happens at the boundary of a kernel call and of a script-form `assign`.

Both halves follow these steps the same way: the runtime's `@kernel` wrapper and
`TypedResult.assign`, and the mypy plugin when it inlines a kernel call or interprets an
`assign` in script form. Each check returns a `Diagnostic` (or None) for its caller to raise or
report at the call's line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from tnp_runtime.core.diagnostics import Code, Diagnostic
from tnp_runtime.core.dims import DimType, FullDim, render_dims
from tnp_runtime.core.ir import Expr, Input, inputs_of
from tnp_runtime.core.spec import SpecInput
from tnp_runtime.core.tracker import Binding


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


def result_spec_diagnostic(
    kernel_name: str, name: str, actual_spec: str, declared_spec: str
) -> Diagnostic | None:
    """`tnp-spec` if result `name` was made with another spec than the kernel declares
    (whitespace aside)."""
    if " ".join(actual_spec.split()) == " ".join(declared_spec.split()):
        return None
    return Diagnostic(
        Code.SPEC,
        f"{kernel_name}: result {name} has spec `{actual_spec}` but the kernel "
        f"declares `{declared_spec}`",
    )


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
    return Binding(dims, inputs, open_inputs=True)
