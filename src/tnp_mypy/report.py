"""Core diagnostics shown as mypy errors: one `ErrorCode` per tnp code, the builders of the
plugin's own messages (`tnp-internal`, `tnp-unsupported` stops), one helper emitting them.

A `Finding` is a diagnostic located in the file being checked, with the loop indices of the
first few times it happened. `emit` shows it once per (line, code): mypy's own error list is
the record of what was shown, so a line re-checked later in the same run (overloads, deferred
functions) is not reported twice, while a daemon run that cleared the file's errors reports it
again. Findings are shown past mypy's error watchers (see `_unwatched`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Final

from mypy.errorcodes import ErrorCode
from mypy.nodes import Context
from mypy.plugin import CheckerPluginInterface

from tnp_runtime.core.diagnostics import Code, Diagnostic

# One ErrorCode per `tnp_runtime.core.diagnostics.Code`, by its value, described by the code
# itself; registered when the plugin loads, so `disable_error_code` and `# type: ignore[...]`
# know them.
ERROR_CODES: Final = {code.value: ErrorCode(code.value, code.description, "tnp") for code in Code}

# At most this many "when i = ..." notes under one error.
MAX_INDEX_NOTES: Final = 3


class StopReason(enum.Enum):
    """Why the static check of a scope stopped: the kind of a `tnp-unsupported` finding (its
    message says it in words; code that decides on a finding reads this, never the text)."""

    CONSTRUCT = "a construct the plugin cannot follow"
    STATEMENTS = "the statement budget (max_statements)"
    SECONDS = "the time budget (max_seconds)"
    INTEGER = "an integer too large to compute with"


def stop_finding(reason: StopReason, what: str, line: int, column: int = -1) -> Finding:
    """The `tnp-unsupported` finding that stops a scope's check at `line`, worded from its
    reason: `what` is the construct not followed (CONSTRUCT) or the budget spent ("500
    statements", "30 s", "an integer outgrew 4096 bits")."""
    match reason:
        case StopReason.CONSTRUCT:
            message = (f"tnp cannot follow {what}; the static check of this scope stops here "
                       "(the runtime still checks it)")
        case StopReason.STATEMENTS | StopReason.SECONDS:
            key = "max_statements" if reason is StopReason.STATEMENTS else "max_seconds"
            message = (f"tnp stopped the static check after {what} ({key} in [tool.tnp_mypy]); "
                       "the runtime still checks the rest")
        case StopReason.INTEGER:
            message = (f"tnp stopped the static check after {what}; "
                       "the runtime still checks the rest")
    return Finding(Diagnostic(Code.UNSUPPORTED, message), line, column, stop=reason)


@dataclass(slots=True)
class Finding:
    """`diagnostic` at `line` (and `column`) of the file being checked; `contexts` are the loop
    indices ("im = 5, ik = 0") of its first occurrences, in order."""

    diagnostic: Diagnostic
    line: int
    column: int = -1
    contexts: list[str] = field(default_factory=list)
    # A plain note without a code (`tnp.reveal`), like mypy's `reveal_type`.
    plain_note: bool = False
    # Shown as a note with its code rather than an error: a stopped check that may pass (see
    # `features.analysis.stop_severity`).
    as_note: bool = False
    # Set on `tnp-unsupported` findings that stopped a scope's check: why it stopped.
    stop: StopReason | None = None

    def occurred(self, context: str) -> None:
        if context and len(self.contexts) < MAX_INDEX_NOTES and context not in self.contexts:
            self.contexts.append(context)


@contextmanager
def _unwatched(api: CheckerPluginInterface) -> Iterator[None]:
    """Report around mypy's error watchers.

    Hooks fire while mypy tries alternatives (overloads, inference with and without a type
    context) and throws those attempts' errors away; a finding is about the scope, not the
    attempt, so it must not be thrown away with it, nor make the attempt look failed (an
    operator hook would then print a spurious `[operator]` error). `# type: ignore` and
    disabled codes still apply: they are handled below the watchers.
    """
    errors = api.msg.errors
    watchers = errors._watchers
    errors._watchers = []
    try:
        yield
    finally:
        errors._watchers = watchers


def _already_shown(
    api: CheckerPluginInterface, line: int, code: ErrorCode, message: str
) -> bool:
    """Whether `line` shows an error of `code` already, or this finding (shown as a note).
    Other notes with the code do not count: a note of blame at a line (`emit`) is not that
    line's error."""
    errors = api.msg.errors
    return any(
        info.line == line and info.code is code
        and (info.severity == "error" or info.message == message)
        for info in errors.error_info_map.get(errors.file, ())
    )


def emit(api: CheckerPluginInterface, finding: Finding) -> None:
    """Show `finding` as a mypy error (or a note, `as_note`) with its notes."""
    diagnostic = finding.diagnostic
    if finding.plain_note:
        _emit_plain_note(api, finding)
        return
    code = ERROR_CODES[diagnostic.code.value]
    if _already_shown(api, finding.line, code, diagnostic.message):
        return
    where = Context(finding.line, finding.column)
    with _unwatched(api):
        if finding.as_note:
            api.msg.note(diagnostic.message, where, code=code)
        else:
            api.msg.fail(diagnostic.message, where, code=code)
        for note in diagnostic.notes:
            api.msg.note(note, where, code=code)
        for context in finding.contexts:
            api.msg.note(f"when {context}", where, code=code)
        if diagnostic.located and _already_shown(api, finding.line, code, diagnostic.message):
            # At the lines they are about, once the error is shown (not silenced by an
            # ignore); at the error's own line, after its other notes.
            for located in diagnostic.located:
                if located.file is not None or _noted(api, located.line, located.text):
                    continue
                column = finding.column if located.line == finding.line else -1
                api.msg.note(located.text, Context(located.line, column), code=code)


def _noted(api: CheckerPluginInterface, line: int, message: str) -> bool:
    errors = api.msg.errors
    return any(
        info.line == line and info.message == message
        for info in errors.error_info_map.get(errors.file, ())
    )


def _emit_plain_note(api: CheckerPluginInterface, finding: Finding) -> None:
    message = finding.diagnostic.message
    if _noted(api, finding.line, message):
        return
    with _unwatched(api):
        api.msg.note(message, Context(finding.line, finding.column))


def internal_diagnostic(err: BaseException) -> Diagnostic:
    """`tnp-internal`: a bug in the plugin (`err`, caught), shown instead of crashing mypy."""
    message = (
        f"tnp plugin bug: {type(err).__name__}: {err}"
        " (set TNP_MYPY_RERAISE=1 to see the traceback; please report it)"
    )
    return Diagnostic(Code.INTERNAL, " ".join(message.splitlines()))


def internal_error(api: CheckerPluginInterface, where: Context, err: BaseException) -> None:
    """Show `internal_diagnostic(err)` at `where`."""
    emit(api, Finding(internal_diagnostic(err), where.line, where.column))
