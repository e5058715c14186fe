"""Core diagnostics shown as mypy errors: one `ErrorCode` per tnp code, one helper emitting it.

A `Finding` is a diagnostic located in the file being checked, with the loop indices of the
first few times it happened. `emit` shows it once per (line, code): mypy's own error list is
the record of what was shown, so a line re-checked later in the same run (overloads, deferred
functions) is not reported twice, while a daemon run that cleared the file's errors reports it
again. Findings are shown past mypy's error watchers (see `_unwatched`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from mypy.errorcodes import ErrorCode
from mypy.nodes import Context
from mypy.plugin import CheckerPluginInterface

if TYPE_CHECKING:
    # Not imported at run time: loading the plugin must stay cheap (a warm mypy run that
    # re-checks nothing never needs the core, nor NumPy, which `tnp_runtime` imports).
    from tnp_runtime.core.diagnostics import Diagnostic

# One ErrorCode per `tnp_runtime.core.diagnostics.Code`, by its value; registered when the
# plugin loads, so `disable_error_code` and `# type: ignore[...]` know them.
_DESCRIPTIONS: Final = {
    "tnp-dim": "Operands or arguments whose dims or slices do not match",
    "tnp-reduce": "A tile whose reduction covers only part of its dim",
    "tnp-spec": "A tile that is not the spec restricted to the tile",
    "tnp-unproven": "A tile neither proved nor refuted equal to the spec",
    "tnp-overlap": "A region of a result written twice",
    "tnp-coverage": "A result with regions never written",
    "tnp-bad-spec": "A spec or dims annotation that cannot be parsed or resolved",
    "tnp-unsupported": "The static check of a scope stopped before its end",
    "tnp-internal": "A bug in the tnp plugin, caught",
}

ERROR_CODES: Final = {
    code: ErrorCode(code, text, "tnp") for code, text in _DESCRIPTIONS.items()
}

# At most this many "when i = ..." notes under one error.
MAX_INDEX_NOTES: Final = 3


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


def _already_shown(api: CheckerPluginInterface, line: int, code: ErrorCode) -> bool:
    errors = api.msg.errors
    return any(
        info.line == line and info.code is code
        for info in errors.error_info_map.get(errors.file, ())
    )


def emit(api: CheckerPluginInterface, finding: Finding) -> None:
    """Show `finding` as a mypy error (or a note, `as_note`) with its notes."""
    diagnostic = finding.diagnostic
    if finding.plain_note:
        _emit_plain_note(api, finding)
        return
    code = ERROR_CODES[diagnostic.code.value]
    if _already_shown(api, finding.line, code):
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


def _emit_plain_note(api: CheckerPluginInterface, finding: Finding) -> None:
    errors = api.msg.errors
    message = finding.diagnostic.message
    if any(
        info.line == finding.line and info.message == message
        for info in errors.error_info_map.get(errors.file, ())
    ):
        return
    with _unwatched(api):
        api.msg.note(message, Context(finding.line, finding.column))


def internal_error(api: CheckerPluginInterface, where: Context, err: BaseException) -> None:
    """`tnp-internal`: a bug in the plugin, shown instead of crashing mypy."""
    from tnp_runtime.core.diagnostics import Code, Diagnostic

    message = (
        f"tnp plugin bug: {type(err).__name__}: {err}"
        " (set TNP_MYPY_RERAISE=1 to see the traceback; please report it)"
    )
    emit(api, Finding(Diagnostic(Code.INTERNAL, " ".join(message.splitlines())), where.line,
                      where.column))
