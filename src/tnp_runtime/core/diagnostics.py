"""Every tnp error code and the data a diagnostic carries until it is shown.

Both halves report through this module: the runtime turns a `Diagnostic` into an exception, the
mypy plugin into a mypy error plus notes. A diagnostic stays data (code, message, notes) until
that last moment, so tests compare the data and both halves print the same text.

Message builders live next to the rule that needs them (`rules`, `prove`, `coverage`, `spec`)
and return `Diagnostic`s; this module holds the codes and the shared plumbing only.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Code(enum.Enum):
    """The `tnp-*` error codes (docs/DESIGN.md §5.10)."""

    DIM = "tnp-dim"
    REDUCE = "tnp-reduce"
    SPEC = "tnp-spec"
    UNPROVEN = "tnp-unproven"
    OVERLAP = "tnp-overlap"
    COVERAGE = "tnp-coverage"
    BAD_SPEC = "tnp-bad-spec"
    WRITE = "tnp-write"
    UNSUPPORTED = "tnp-unsupported"
    INTERNAL = "tnp-internal"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One violation: its code, a one-line message, and notes shown under it."""

    code: Code
    message: str
    notes: tuple[str, ...] = ()

    def render(self) -> str:
        """Message then notes, one per line: the text of a runtime exception."""
        lines = [self.message, *(f"note: {note}" for note in self.notes)]
        return "\n".join(lines)



class Violation(Exception):
    """Raised by the core when a rule is broken; carries the diagnostic to report."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.render())
        self.diagnostic = diagnostic
