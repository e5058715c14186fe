"""The state of one result: its spec, how it resolved, and what has been written.

Both halves drive a `ResultTracker` the same way: `bind` it to the kernel's inputs when they are
known up front (kernel form), or let the first `assign` bind it to the inputs the tile reads
(script form); every `assign` checks the tile's dims, proves it against the spec, then records
its region. Violations raise `Violation` (or `SpecError` for the spec itself).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from tnp_runtime.core.blame_spec import with_blame
from tnp_runtime.core.coverage import Coverage
from tnp_runtime.core.diagnostics import Code, Diagnostic, Violation
from tnp_runtime.core.dims import DimType, FullDim
from tnp_runtime.core.ir import Input, inputs_of
from tnp_runtime.core.opaque import Opaque
from tnp_runtime.core.prove import diagnose, prove
from tnp_runtime.core.rules import Abstract, check_tile
from tnp_runtime.core.spec import ResolvedSpec, SpecInput, parse_spec, resolve_spec


@dataclass(frozen=True, slots=True)
class Binding:
    """What a spec resolves against: dims by name, and the inputs its leaves may name."""

    dims: Mapping[str, FullDim]
    inputs: Sequence[SpecInput]
    # Script form: the inputs are those the first tile reads, so a spec leaf may name none.
    open_inputs: bool = False
    # The opaque functions a spec may call by name.
    functions: Mapping[str, Opaque] = field(default_factory=dict)


class ResultTracker:
    """One result being written tile by tile.

    Invariant: `resolved` and `coverage` are both None (not bound yet) or both set; every
    region in `coverage` was proved equal to the spec before it was recorded.
    """

    def __init__(self, spec_text: str) -> None:
        parse_spec(spec_text)  # syntax errors surface where the result is created
        self.spec_text = spec_text
        self.resolved: ResolvedSpec | None = None
        self.coverage: Coverage | None = None
        # Dim sizes of the binding, so messages can omit intervals that cover a whole dim.
        self.sizes: dict[str, int] = {}
        # The inputs the spec ranges over (kernel form: the kernel's parameters); None in script
        # form, where the spec resolves against whatever the scope and the first tile hold.
        self.inputs: frozenset[Input] | None = None

    @property
    def bound(self) -> bool:
        return self.resolved is not None

    def bind(self, binding: Binding) -> ResolvedSpec:
        """Resolve the spec's names now; raises `SpecError` if it cannot."""
        resolved = resolve_spec(
            self.spec_text, binding.dims, binding.inputs, binding.open_inputs, binding.functions
        )
        inputs = None if binding.open_inputs else frozenset(i.leaf for i in binding.inputs)
        self.bind_resolved(resolved, {name: d.size for name, d in binding.dims.items()}, inputs)
        return resolved

    def bind_resolved(
        self, resolved: ResolvedSpec, sizes: Mapping[str, int], inputs: frozenset[Input] | None
    ) -> None:
        """Bind to a spec already resolved (a kernel call: see `calls.enter_kernel`). A result
        is bound once: it keeps this spec for its whole life."""
        assert self.resolved is None, "a result is bound once"
        self.resolved = resolved
        self.sizes = dict(sizes)
        self.coverage = Coverage(resolved.dims)
        self.inputs = inputs

    def assign(self, tile: Abstract, binding: Binding | Callable[[], Binding]) -> DimType:
        """Check, prove and record a tile; returns its region in the result's dim order.

        `binding` is used only if the result is not bound yet (script form's first assign);
        pass a function to build it only then."""
        if self.resolved is None:
            self.bind(binding if isinstance(binding, Binding) else binding())
        region = self.prove_tile(tile)
        assert self.coverage is not None
        overlap = self.coverage.record(region)
        if overlap is not None:
            raise Violation(overlap)
        return region

    def prove_tile(self, tile: Abstract) -> DimType:
        """Check and prove a tile against the bound spec without recording it; its region.
        Raises `Violation` as `assign` does."""
        resolved = self.resolved
        assert resolved is not None, "prove_tile needs a bound result"
        region = check_tile(tile, resolved.dims, self.spec_text)
        problem = diagnose(prove(tile.expr, resolved.expr, region, self.sizes), region)
        if problem is not None:
            problem = with_blame(problem, tile.expr, resolved.expr, region)
        if problem is not None:
            raise Violation(self._stray_input(tile, problem) or problem)
        return region

    def _stray_input(self, tile: Abstract, problem: Diagnostic) -> Diagnostic | None:
        """A failed tile that reads an input the spec does not range over (a `Typed` a kernel
        did not receive as a parameter): that is the fault to report, with the prover's
        finding as a note. Only failed proofs are searched: a tile proved equal to the spec
        does not depend on such an input, and the search costs a walk of the tile."""
        if self.inputs is None:
            return None
        stray = [leaf for leaf in inputs_of(tile.expr) if leaf not in self.inputs]
        if not stray:
            return None
        shown = ", ".join(
            f"an unnamed array ({' '.join(leaf.dims)})"
            if leaf.anonymous
            else f"`{leaf.name}` ({' '.join(leaf.dims)})"
            for leaf in stray
        )
        return Diagnostic(
            Code.SPEC,
            f"the tile reads {shown}, which the kernel did not receive as a parameter: a "
            "kernel's result is proved from its parameters only; pass it to the kernel as a "
            "parameter",
            (problem.message, *problem.notes),
        )

    def coverage_diagnostic(self, where: str) -> Diagnostic | None:
        """`tnp-coverage` if some region is unwritten (or nothing was ever assigned)."""
        if self.coverage is None:
            return Diagnostic(
                Code.COVERAGE,
                f"result `{self.spec_text}` incomplete {where}: nothing was ever written to it",
            )
        return self.coverage.coverage_diagnostic(self.spec_text, where)
