"""A failed tnp check shown as mypy shows it: `file:line: error: message  [tnp-code]`, then its
notes, instead of a traceback through tnp's internals.

Only exceptions of tnp's own types are rewritten (`TypeCheckError`, and `SpecError` with its
`tnp-bad-spec` code); they are recognised through `sys.modules`, so a session that never
imported tnp pays one dictionary lookup per failure. The line is the one the exception carries
(the user's line that triggered the check, the one mypy reports); failing that, the innermost
frame of the traceback outside tnp's packages.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

_TNP_PACKAGES = ("tnp_runtime", "tnp_pytest")


class _Writer(Protocol):
    def line(self, s: str = "", **markup: bool) -> None: ...


@dataclass(frozen=True, slots=True)
class Crash:
    """Where and what, for pytest's one-line views (`--tb=line`, the short summary)."""

    path: str
    lineno: int
    message: str
    code: str | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.lineno}: {self.message}"


@dataclass(frozen=True, slots=True)
class TnpFailure:
    """A report's `longrepr`: the tnp message lines, then what pytest adds (`extra`).

    pytest writes it with `toterminal` and serializes it (xdist, junitxml) as its text."""

    lines: tuple[str, ...]
    reprcrash: Crash
    extra: tuple[str, ...] = ()

    def toterminal(self, tw: _Writer) -> None:
        for line in self.lines:
            tw.line(line, red=": error: " in line, bold=": error: " in line)
        for line in self.extra:
            tw.line(line)

    def __str__(self) -> str:
        return "\n".join((*self.lines, *self.extra))


def tnp_exception(value: BaseException | None) -> Any | None:
    """`value` if it is a `TypeCheckError` or a `SpecError` of tnp, else None."""
    if value is None:
        return None
    kinds: list[type[BaseException]] = []
    for module, name in (("tnp_runtime.errors", "TypeCheckError"),
                         ("tnp_runtime.core.spec_syntax", "SpecError")):
        loaded = sys.modules.get(module)
        kind = getattr(loaded, name, None) if loaded is not None else None
        if isinstance(kind, type):
            kinds.append(kind)
    return value if kinds and isinstance(value, tuple(kinds)) else None


def _is_tnp_file(filename: str) -> bool:
    parts = Path(filename).parts
    return any(package in parts for package in _TNP_PACKAGES)


def location(error: Any, tb: TracebackType | None) -> tuple[str | None, int | None]:
    """The file and line the error carries, else the innermost frame outside tnp."""
    filename, lineno = getattr(error, "filename", None), getattr(error, "lineno", None)
    if isinstance(filename, str) and isinstance(lineno, int):
        return filename, lineno
    found: tuple[str | None, int | None] = (None, None)
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if not _is_tnp_file(name):
            found = (name, tb.tb_lineno)
        tb = tb.tb_next
    return found


def shown_path(filename: str, base: Path) -> str:
    """`filename` relative to `base` if it lies under it, as mypy shows paths."""
    try:
        return os.path.relpath(filename, base) if Path(filename).resolve().is_relative_to(
            base.resolve()) else filename
    except ValueError:
        return filename


def message_lines(error: Any, tb: TracebackType | None, base: Path,
                  fallback: tuple[str, int] | None = None) -> tuple[list[str], Crash]:
    """The error as mypy's lines: `path:line: error: message  [code]`, then its notes. An
    error located in the plugin itself (a check at the call the plugin makes, such as a saved
    input's data check) is shown at `fallback`, the kernel's `def` line, if given."""
    diagnostic = error.diagnostic
    filename, lineno = location(error, tb)
    if fallback is not None and (filename is None or _is_tnp_file(filename)):
        filename, lineno = fallback
    path = shown_path(filename, base) if filename is not None else "<unknown>"
    line = lineno if lineno is not None else 0
    message = diagnostic.message
    lines = [f"{path}:{line}: error: {message}  [{diagnostic.code.value}]"]
    lines += [f"{path}:{line}: note: {note}" for note in diagnostic.notes]
    return lines, Crash(path, line, f"error: {message}  [{diagnostic.code.value}]",
                        diagnostic.code.value)


def caller_line(tb: TracebackType | None, test_file: str | None, base: Path) -> str | None:
    """`called from tests/test_x.py:12 (test_name)`: the innermost frame in the test's file."""
    if test_file is None:
        return None
    wanted = Path(test_file).resolve()
    found = None
    while tb is not None:
        code = tb.tb_frame.f_code
        if Path(code.co_filename).resolve() == wanted:
            found = f"{shown_path(code.co_filename, base)}:{tb.tb_lineno} ({code.co_name})"
        tb = tb.tb_next
    return f"reached from {found}" if found is not None else None
