"""Diagnostics as the fix engine reads them: mypy's output lines, or an editor's diagnostics.

A `Finding` is one error with the notes mypy printed under it (a spec error's notes are the spec
line, a caret line and its `fix:` line, which the engine reads to place an edit). Both sources
give the same data: `parse_mypy_output` groups mypy's `file:line:col: note:` lines under the
error before them at the same line; `from_lsp` does the same with the information diagnostics
pylsp-mypy publishes for mypy's notes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

# `path:line:col: severity: message  [code]` (mypy with --show-column-numbers); the column and
# the code are optional.
_LINE: Final = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+):(?:(?P<column>\d+):)? (?P<severity>error|note): "
    r"(?P<message>.*?)(?:  \[(?P<code>[a-z0-9-]+)\])?$"
)


@dataclass(frozen=True, slots=True)
class Finding:
    """An error at `line` (1-based) and `column` (1-based, as mypy prints it; None if unknown),
    with its code (None if mypy gave none) and the notes printed under it, in order."""

    line: int
    column: int | None
    code: str | None
    message: str
    notes: tuple[str, ...] = field(default=())


def parse_mypy_output(text: str) -> dict[str, list[Finding]]:
    """mypy's report, by path as mypy printed it: each error with the notes that follow it at
    the same line. Notes with no error before them (a `tnp.reveal`) are dropped."""
    found: dict[str, list[Finding]] = {}
    last: tuple[str, int] | None = None
    for raw in text.splitlines():
        match = _LINE.match(raw)
        if match is None:
            continue
        path, line = match["path"], int(match["line"])
        column = int(match["column"]) if match["column"] else None
        if match["severity"] == "error":
            found.setdefault(path, []).append(
                Finding(line, column, match["code"], match["message"])
            )
            last = (path, line)
        elif last == (path, line):
            previous = found[path][-1]
            note = match["message"] + (f"  [{match['code']}]" if match["code"] else "")
            found[path][-1] = Finding(
                previous.line, previous.column, previous.code, previous.message,
                (*previous.notes, note),
            )
    return found


def from_lsp(diagnostics: Iterable[Mapping[str, Any]]) -> list[Finding]:
    """LSP diagnostics (pylsp-mypy's: 0-based positions, severity 1 for errors and 3 for
    notes) as findings, each note attached to the error before it on the same line."""
    found: list[Finding] = []
    for diagnostic in diagnostics:
        if diagnostic.get("source", "mypy") != "mypy":
            continue
        start = diagnostic.get("range", {}).get("start", {})
        line = int(start.get("line", 0)) + 1
        column = int(start.get("character", 0)) + 1
        message = str(diagnostic.get("message", ""))
        code = diagnostic.get("code")
        if diagnostic.get("severity", 1) == 1:
            found.append(Finding(line, column, str(code) if code else None, message))
        elif found and found[-1].line == line:
            last = found[-1]
            found[-1] = Finding(last.line, last.column, last.code, last.message,
                                (*last.notes, message))
    return found
