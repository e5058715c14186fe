"""A run of code whose effects are kept only if it succeeds: the symbolic step of a tile loop.

While a speculation is open (`Interpreter.speculations` is not empty), nothing the run does may
reach the user or the results: a finding abandons the run (`Abandon`, raised by
`Interpreter.report`), and an `assign` proves its tile without recording it, logging the
region instead (`Speculation.writes`), which the loop's driver merges over the loop's range and
commits only when the whole step is proved (`induction`). A speculation that is abandoned
changes nothing: the driver then runs the same iterations unrolled, which reports whatever the
speculation met.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tnp_mypy.interpreter.values import ResultValue
from tnp_runtime.core import symbolic
from tnp_runtime.core.dims import DimType


class Abandon(Exception):
    """The speculative run cannot stand for the iterations it was to prove; `why` says what
    stopped it (for `TNP_MYPY_TRACE` and tests, never shown as a finding)."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


@dataclass(slots=True)
class Speculation:
    """The regions the speculative run's `assign`s proved, in order, with their results (their
    bounds may be symbolic)."""

    writes: list[tuple[ResultValue, DimType]] = field(default_factory=list)


def refuse_symbolic(speculating: bool, what: str, *values: object) -> None:
    """Abandon the symbolic step before a decision it cannot record: a hash lookup, or a
    decision on a text, with a symbolic integer in `values` (`symbolic.mentions`). A comparison
    of the integer itself is recorded by its methods and needs no refusal."""
    if speculating and any(symbolic.mentions(value) for value in values):
        raise Abandon(f"{what} of a symbolic loop index")
