"""`core/diagnostics.py`: a diagnostic stays data until it is shown; rendered, it is its message
then one `note:` line per note, and a `Violation` carries it whole."""

from __future__ import annotations

from tnp_runtime.core.diagnostics import Code, Diagnostic, Violation


def test_codes_are_the_tnp_codes() -> None:
    assert all(str(code) == code.value and code.value.startswith("tnp-") for code in Code)
    assert len({code.value for code in Code}) == len(Code)


def test_a_diagnostic_renders_its_message_then_its_notes() -> None:
    plain = Diagnostic(Code.SPEC, "the message")
    assert plain.render() == "the message"
    noted = Diagnostic(Code.SPEC, "the message", ("first", "second"))
    assert noted.render().splitlines() == ["the message", "note: first", "note: second"]


def test_a_violation_carries_the_diagnostic() -> None:
    diagnostic = Diagnostic(Code.DIM, "operands differ", ("slice both",))
    violation = Violation(diagnostic)
    assert violation.diagnostic is diagnostic
    assert str(violation) == diagnostic.render()
