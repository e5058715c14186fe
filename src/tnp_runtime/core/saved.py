"""Saved inputs: a kernel parameter whose value the kernel's caller computed, declared by its
definition over the kernel's other inputs.

A backward kernel takes values its forward pass saved (the row logsumexp of the scores, the
output); its annotation `Saved[Literal["qctx"], Literal["log(sum[nctx](exp(...)))"]]` states
the input's dims and what it is, a spec over the kernel's plain `Typed` parameters.

Semantics, in both halves:

* Inside the kernel, the saved parameter *is* its definition: its expression is the defining
  term over what the other parameters are in that call, so the prover can use it
  (`exp(s - lse)` normalizes to `exp(s) / sum[nctx](exp(...))`, a softmax).
* At a call, the argument must be that term. Where the argument's expression is known (a value
  the caller computed from its inputs, or a saved input passed on), it is proved equal to the
  definition with the call's arguments (`check_argument`): refuted is `tnp-spec`, neither is
  `tnp-unproven`, at the call. An argument that is an input of its own (data neither half can
  see through) is checked by the runtime on its numbers (`tnp_runtime.saved`); the plugin
  cannot check it, and says so in the README.

Invariant: a definition reads only plain `Typed` parameters of its kernel (never a saved one,
so definitions cannot be circular), and has exactly the declared dims of its parameter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tnp_runtime.core import ir
from tnp_runtime.core.diagnostics import Code, Diagnostic
from tnp_runtime.core.dims import DimType, FullDim, render_dims
from tnp_runtime.core.ir import Expr, Input
from tnp_runtime.core.prove import Contradicted, Proved, Refuted, Unknown, diagnose, prove
from tnp_runtime.core.spec import SpecError, SpecInput, resolve_spec


@dataclass(frozen=True, slots=True)
class SavedInput:
    """A saved parameter: its declared dims, its definition's text, and the definition
    resolved over the signature's leaves of the plain parameters (`term`)."""

    name: str
    dims: DimType
    text: str
    term: Expr


def resolve_definition(
    name: str, declared: DimType, text: str, dims: Mapping[str, FullDim],
    plain: Sequence[SpecInput],
) -> SavedInput:
    """Resolve a saved parameter's definition against the plain parameters; `SpecError` if it
    does not resolve or has other dims than declared (the half reports it at the annotation)."""
    resolved = resolve_spec(text, dims, plain)
    declared_names = sorted(s.name for s in declared)
    if sorted(s.name for s in resolved.dims) != declared_names or any(
        not s.is_full for s in resolved.dims
    ):
        raise SpecError(
            text,
            None,
            f"the saved input {name} has dims {render_dims(declared)}, but its definition "
            f"computes {render_dims(resolved.dims)}",
            f"write a definition over exactly {render_dims(declared)} (reduce or broadcast "
            f"the others: sum[N](...), (... -> {' '.join(declared_names)}))",
        )
    return SavedInput(name, declared, text, resolved.expr)


def in_call(saved: SavedInput, replace: Mapping[Input, Expr]) -> Expr:
    """The definition with each plain parameter's leaf replaced by what it is in a call."""
    return ir.substitute(saved.term, replace)


def is_opaque(argument: Expr) -> bool:
    """An argument that is an input of its own: its numbers are data no proof can see through
    (the runtime checks them; `tnp_runtime.saved`)."""
    return isinstance(argument, Input)


def check_argument(
    kernel_name: str, saved: SavedInput, argument: Expr, definition: Expr, dims: DimType,
    sizes: Mapping[str, int],
) -> Diagnostic | None:
    """The argument passed for a saved parameter against its definition with the call's
    arguments (`definition`), both over `dims`: None if proved (or if the argument is opaque,
    `is_opaque`), `tnp-spec` if refuted, `tnp-unproven` otherwise."""
    if is_opaque(argument):
        return None
    verdict = prove(argument, definition, dims, sizes)
    found = diagnose(verdict, dims)
    if found is None:
        return None
    match verdict:
        case Refuted(kernel_text=passed, spec_text=required) | Unknown(
            kernel_text=passed, spec_text=required
        ) | Contradicted(kernel_text=passed, spec_text=required):
            pass
        case Proved():  # diagnose returned None for it
            return None
    if found.code is Code.INTERNAL:  # the prover contradicted by evaluation: tnp's bug
        return Diagnostic(found.code, f"{kernel_name}: saved input {saved.name}: "
                          f"{found.message}", found.notes)
    # A partial reduction is still a wrong value: the call is `tnp-spec`, not `tnp-reduce`.
    code = Code.SPEC if found.code is Code.REDUCE else found.code
    verb = "could not be proved to be" if code is Code.UNPROVEN else "is not"
    return Diagnostic(
        code,
        f"{kernel_name}: the argument for saved input {saved.name} {verb} its definition "
        f"`{saved.text}`: the argument is `{passed}`, the definition with these arguments "
        f"is `{required}`",
        found.notes,
    )

