"""Every tnp error code and the data a diagnostic carries until it is shown.

Both halves report through this module: the runtime turns a `Diagnostic` into an exception, the
mypy plugin into a mypy error plus notes. A diagnostic stays data (code, message, notes) until
that last moment, so tests compare the data and both halves print the same text.

Message builders live next to the rule that needs them (`rules`, `prove`, `coverage`, `spec`)
and return `Diagnostic`s; this module holds the codes and the shared plumbing only.
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass


class Code(enum.Enum):
    """The `tnp-*` error codes (docs/DESIGN.md §5.10): the one list of them, with their meaning.

    `value` is the code as users see it (`tnp-dim`); `description` is the one line mypy shows
    for it (the plugin registers one mypy `ErrorCode` per member with it; the README's table of
    codes lists exactly these members, which a test checks); `may_be_note` says whether the
    plugin may show a finding of this code as a note instead of an error (`tnp-unsupported`:
    a stopped check that missed nothing mypy could report, see the plugin's `stop_severity`).
    """

    _value_: str
    description: str
    may_be_note: bool

    def __new__(cls, value: str, description: str, may_be_note: bool = False) -> Code:
        member = object.__new__(cls)
        member._value_ = value
        member.description = description
        member.may_be_note = may_be_note
        return member

    DIM = "tnp-dim", "Operands or arguments whose dims or slices do not match"
    REDUCE = "tnp-reduce", "A tile whose reduction covers only part of its dim"
    SPEC = "tnp-spec", "A tile that is not the spec restricted to the tile"
    UNPROVEN = "tnp-unproven", "A tile neither proved nor refuted equal to the spec"
    OVERLAP = "tnp-overlap", "A region of a result written twice"
    COVERAGE = "tnp-coverage", "A result with regions never written"
    BAD_SPEC = "tnp-bad-spec", "A spec or dims annotation that cannot be parsed or resolved"
    WRITE = "tnp-write", "An in-place write to the data behind a typed value"
    UNSUPPORTED = "tnp-unsupported", "The static check of a scope stopped before its end", True
    INTERNAL = "tnp-internal", "A bug in the tnp plugin, caught"

    def __str__(self) -> str:
        return self._value_


@dataclass(frozen=True, slots=True)
class LocatedNote:
    """A note about another line of the user's code than the error's (`core/blame.py`: the
    operation where the kernel went wrong). `file` is None for the file being checked."""

    line: int
    text: str
    file: str | None = None

    def render(self, error_file: str | None = None) -> str:
        """`line 23: text` (`other.py:23: text` for another file than the error's)."""
        if self.file is None or self.file == error_file:
            return f"line {self.line}: {self.text}"
        return f"{os.path.basename(self.file)}:{self.line}: {self.text}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One violation: its code, a one-line message, and notes shown under it; `located` notes
    are about other lines (mypy shows each at its line, the runtime as `note: line N: ...`)."""

    code: Code
    message: str
    notes: tuple[str, ...] = ()
    located: tuple[LocatedNote, ...] = ()

    def render(self, error_file: str | None = None) -> str:
        """Message then notes, one per line: the text of a runtime exception raised in
        `error_file`."""
        lines = [
            self.message,
            *(f"note: {note}" for note in self.notes),
            *(f"note: {note.render(error_file)}" for note in self.located),
        ]
        return "\n".join(lines)

    def with_located(self, located: tuple[LocatedNote, ...]) -> Diagnostic:
        """The same diagnostic with `located` notes added."""
        if not located:
            return self
        return Diagnostic(self.code, self.message, self.notes, (*self.located, *located))



class Violation(Exception):
    """Raised by the core when a rule is broken; carries the diagnostic to report."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.render())
        self.diagnostic = diagnostic
