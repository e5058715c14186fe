"""The inputs of a check: registering a new one, the inputs in scope, and the dims a new input
may have. Both halves make their inputs here: the runtime's `Typed(...)` and a kernel's
parameters at a top-level call, and the mypy plugin's abstract `Typed(...)` and parameters.

Invariant: every leaf an `InputRegistry` made has its full dims recorded in that registry, so
a spec can be resolved against the inputs a tile reads (`spec_input`).
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Iterable, Mapping, Sequence

from tnp_runtime.core import ir
from tnp_runtime.core.diagnostics import Code, Diagnostic, Violation
from tnp_runtime.core.dims import DimType, FullDim, dim_names, render_dims
from tnp_runtime.core.ir import Expr, Input
from tnp_runtime.core.spec import SpecInput


class InputRegistry:
    """The inputs one half has made, each with its full dims. Unnamed inputs get a hidden
    name, `<anonymous_prefix><n>`, that no spec can write.

    The table is weak: an entry is needed only while its leaf can still be read, and it dies
    with the leaf, so a long-lived process does not keep every input it ever made."""

    __slots__ = ("_anonymous", "_dims", "_prefix")

    def __init__(self, anonymous_prefix: str) -> None:
        self._prefix = anonymous_prefix
        self._anonymous = itertools.count(1)
        self._dims: weakref.WeakKeyDictionary[Input, DimType] = weakref.WeakKeyDictionary()

    def new(self, name: str | None, dims: DimType) -> Input:
        """The leaf of a new input, distinct from every other."""
        anonymous = name is None
        leaf = ir.new_input(
            f"{self._prefix}{next(self._anonymous)}" if name is None else name,
            dim_names(dims),
            anonymous,
        )
        self._dims[leaf] = dims
        return leaf

    def dims(self, leaf: Input) -> DimType:
        return self._dims[leaf]

    def spec_input(self, leaf: Input) -> SpecInput:
        return SpecInput(leaf, self._dims[leaf])

    @property
    def entries(self) -> Mapping[Input, DimType]:
        """The table itself (for the registry of process-global tables)."""
        return self._dims

    def clear(self) -> None:
        """Forget every input (their leaves can no longer be resolved by `spec_input`)."""
        self._dims.clear()

    def __len__(self) -> int:
        return len(self._dims)


def new_input_dims(dims: Sequence[FullDim]) -> DimType:
    """The dims of a new input over `dims`, in order; a dim named twice is `tnp-dim`."""
    dim_type = tuple(d.full for d in dims)
    if len({d.name for d in dims}) != len(dims):
        raise Violation(
            Diagnostic(Code.DIM, f"Typed(...) names a dim twice: {render_dims(dim_type)}")
        )
    return dim_type


def inputs_in_scope(values: Iterable[Expr]) -> tuple[Input, ...]:
    """The inputs among the values (the expressions of the typed values) bound to names where a
    result is made, first seen first, each once (see `calls.script_binding`)."""
    return tuple(dict.fromkeys(value for value in values if isinstance(value, Input)))
