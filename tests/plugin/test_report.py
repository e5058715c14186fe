"""The plugin's message builders (`tnp_mypy.report`): one builder of `tnp-internal`, and
`tnp-unsupported` findings told apart by their kind, never by their text."""

from __future__ import annotations

from tnp_mypy.features.analysis import _cannot_follow
from tnp_mypy.report import Finding, StopReason, internal_diagnostic
from tnp_runtime.core.diagnostics import Code, Diagnostic


def test_internal_diagnostic_is_one_line_and_says_how_to_see_the_traceback() -> None:
    diagnostic = internal_diagnostic(ValueError("two\nlines"))
    assert diagnostic.code is Code.INTERNAL
    assert diagnostic.message == (
        "tnp plugin bug: ValueError: two lines "
        "(set TNP_MYPY_RERAISE=1 to see the traceback; please report it)"
    )


def test_cannot_follow_reads_the_kind_not_the_message() -> None:
    text = "tnp cannot follow `x`; the static check of this scope stops here"
    followed = Finding(Diagnostic(Code.UNSUPPORTED, text), 1, stop=StopReason.CONSTRUCT)
    assert _cannot_follow(followed)
    # The same words without the kind (a reveal, say) are not a stop at a construct ...
    assert not _cannot_follow(Finding(Diagnostic(Code.UNSUPPORTED, text), 1))
    # ... and a budget stop is not one either, whatever its message says.
    budget = Finding(Diagnostic(Code.UNSUPPORTED, text), 1, stop=StopReason.STATEMENTS)
    assert not _cannot_follow(budget)


def test_each_stop_reason_words_its_own_message() -> None:
    from tnp_mypy.report import stop_finding

    found = {
        reason: stop_finding(reason, what, 3, 4)
        for reason, what in (
            (StopReason.CONSTRUCT, "`x`"),
            (StopReason.STATEMENTS, "500 statements"),
            (StopReason.SECONDS, "30 s"),
            (StopReason.INTEGER, "an integer outgrew 4096 bits"),
        )
    }
    for reason, finding in found.items():
        assert finding.stop is reason and finding.diagnostic.code is Code.UNSUPPORTED
        assert (finding.line, finding.column) == (3, 4)
    messages = {reason: finding.diagnostic.message for reason, finding in found.items()}
    assert messages == {
        StopReason.CONSTRUCT: "tnp cannot follow `x`; the static check of this scope stops "
        "here (the runtime still checks it)",
        StopReason.STATEMENTS: "tnp stopped the static check after 500 statements "
        "(max_statements in [tool.tnp_mypy]); the runtime still checks the rest",
        StopReason.SECONDS: "tnp stopped the static check after 30 s (max_seconds in "
        "[tool.tnp_mypy]); the runtime still checks the rest",
        StopReason.INTEGER: "tnp stopped the static check after an integer outgrew 4096 bits; "
        "the runtime still checks the rest",
    }
