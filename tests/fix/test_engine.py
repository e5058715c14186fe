"""The fix engine on texts and findings built here (no mypy run): where an ambiguous leaf is
placed (a spec longer than the excerpt's window, a spec in several places, one with escape
sequences), what a running value needs before it is fixed, how findings are read from mypy's
output and from an editor's diagnostics, and the editor's line edits."""

from __future__ import annotations

import pytest

from tests.core.test_spec import FLASH, resolve
from tnp_runtime.core.spec_syntax import SpecError
from tnp_runtime.fix import engine
from tnp_runtime.fix.findings import Finding, from_lsp, parse_mypy_output
from tnp_runtime.fix.source import Source

LONG = FLASH.replace("K:nctx dhead", "nctx dhead").replace(
    "/ sqrt(16)", "/ sqrt(16) + 0 * (qctx dhead, Q:qctx dhead -> qctx) / 3 - 0")


def _finding(spec: str, line: int) -> Finding:
    """The finding tnp reports for `spec`'s ambiguous leaf, at `line`."""
    with pytest.raises(SpecError) as caught:
        resolve(spec)
    diagnostic = caught.value.diagnostic
    return Finding(line, 5, "tnp-bad-spec", diagnostic.message, diagnostic.notes)


def _kernel(spec_literal: str) -> str:
    return (
        "from typing import Literal as L\n\n"
        "import tnp_runtime as tnp\n\n\n"
        "@tnp.kernel\n"
        "def attention(\n"
        f"    out: tnp.TypedResult[L[{spec_literal}]],\n"
        ") -> None:\n"
        "    pass\n"
    )


def test_a_long_spec_is_found_from_its_windowed_excerpt() -> None:
    assert len(LONG) > 100
    finding = _finding(LONG, 8)
    assert finding.notes[0].startswith("    ...") or finding.notes[0].endswith("...")
    text = _kernel(repr(LONG).replace("'", '"'))
    source = Source(text)
    (alternatives,) = engine.plan(source, [finding]).choices().values()
    fixed = {p.title: engine.rewrite(source, [p]) for p in alternatives}
    assert fixed == {
        f"name the spec leaf `{name}:nctx dhead`": text.replace(
            "qctx dhead, nctx dhead", f"qctx dhead, {name}:nctx dhead") for name in "KV"
    }


def test_a_spec_in_two_places_is_reported_not_guessed() -> None:
    spec = FLASH.replace("K:nctx dhead", "nctx dhead")
    text = f"A = {spec!r}\nB = {spec!r}\n"
    plan = engine.plan(Source(text), [_finding(spec, 2)])
    assert plan.proposals == ()
    (unfixed,) = plan.unfixed
    assert "in 2 places" in unfixed.reason and "`K:nctx dhead`" in unfixed.reason


def test_a_spec_with_an_escape_sequence_is_reported() -> None:
    spec = FLASH.replace("K:nctx dhead", "nctx dhead")
    literal = '"' + spec.replace("qctx dhead,", "qctx\\x20dhead,", 1) + '"'
    plan = engine.plan(Source(_kernel(literal)), [_finding(spec, 8)])
    assert plan.proposals == ()
    (unfixed,) = plan.unfixed
    assert "in no string literal" in unfixed.reason


RUNNING = """\
from tnp_runtime import Typed


def f(x: Typed) -> None:
    acc = start()
    count = 0
    for j in range(4):
        acc = acc + x
        count = count + 1
    print(acc.sum(x), count.sum(x))
"""


def test_a_running_value_not_started_by_a_number_is_reported() -> None:
    finding = Finding(10, 11, "attr-defined", '"int" has no attribute "sum"')
    plan = engine.plan(Source(RUNNING), [finding])
    assert plan.proposals == ()
    (unfixed,) = plan.unfixed
    assert "`acc` is first bound to `start()`, not a plain number" in unfixed.reason


def test_a_number_used_as_a_number_is_not_a_running_tile() -> None:
    """mypy's error about a name that says nothing of Typed (no Typed member, no Typed type) is
    no reason to make it a tile."""
    finding = Finding(10, 24, "attr-defined", '"int" has no attribute "bit_length_x"')
    assert engine.plan(Source(RUNNING), [finding]) == engine.plan(Source(RUNNING), [])


def test_mypy_output_groups_notes_under_their_error() -> None:
    output = (
        "/p/k.py:17:5: error: bad spec: ambiguous leaf `M N`: ...  [tnp-bad-spec]\n"
        "/p/k.py:17:5: note:     M N + M N\n"
        "/p/k.py:17:5: note:     ^\n"
        "/p/k.py:18: note: tnp.reveal: dims M\n"
        "/p/k.py:20:9: error: \"int\" has no attribute \"repeat\"  [attr-defined]\n"
    )
    assert parse_mypy_output(output) == {"/p/k.py": [
        Finding(17, 5, "tnp-bad-spec", "bad spec: ambiguous leaf `M N`: ...",
                ("    M N + M N", "    ^")),
        Finding(20, 9, "attr-defined", '"int" has no attribute "repeat"'),
    ]}


def test_lsp_diagnostics_group_notes_under_their_error() -> None:
    def diagnostic(line: int, severity: int, message: str, code: str | None = None) -> dict:
        found: dict = {"source": "mypy", "severity": severity, "message": message, "range": {
            "start": {"line": line, "character": 4}, "end": {"line": line, "character": 9}}}
        if code:
            found["code"] = code
        return found

    assert from_lsp([
        diagnostic(16, 1, "bad spec: ...", "tnp-bad-spec"), diagnostic(16, 3, "    M N"),
        {"source": "pyflakes", "severity": 1, "message": "x", "range": {}},
        diagnostic(16, 3, "    ^"),
    ]) == [Finding(17, 5, "tnp-bad-spec", "bad spec: ...", ("    M N", "    ^"))]


def test_line_edits_turn_the_old_text_into_the_new() -> None:
    lsp = pytest.importorskip("tnp_runtime.fix.lsp", reason="pylsp is the test extra's")
    old = "a = 0\nb = 1\nc = 2\n"
    new = "a: T = 0\nb = 1\nc = 2\nassert c\n"
    edits = lsp.text_edits(old, new)
    assert edits == [
        {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 0}},
         "newText": "a: T = 0\n"},
        {"range": {"start": {"line": 3, "character": 0}, "end": {"line": 3, "character": 0}},
         "newText": "assert c\n"},
    ]


ACCUMULATOR = """\
from tnp_runtime import Typed

for i in range(2):
    c_accum = None
    for j in range(2):
        c_accum = c_accum + t if c_accum is not None else t
"""


def test_an_accumulator_mypy_takes_for_none_is_annotated() -> None:
    """mypy before 2.0 takes `c_accum = None` in a module's loop for `None` alone: the finding
    (its message as mypy 1.11 prints it) annotates the first binding."""
    finding = Finding(6, 19, "operator",
                      'Unsupported operand types for + ("None" and "Typed[Any]")')
    source = Source(ACCUMULATOR)
    (proposal,) = engine.plan(source, [finding]).automatic()
    assert proposal.title == "annotate `c_accum: Typed | None`"
    assert engine.rewrite(source, [proposal]) == ACCUMULATOR.replace(
        "    c_accum = None", "    c_accum: Typed | None = None")


def test_the_editor_offers_the_seed_import_where_the_cursor_is() -> None:
    lsp = pytest.importorskip("tnp_runtime.fix.lsp", reason="pylsp is the test extra's")
    uri, text = "file:///k.py", "from typed_numpy import FullDim\n\nM = FullDim('M', 4)\n"

    def at(line: int) -> dict:
        return {"start": {"line": line, "character": 3}, "end": {"line": line, "character": 3}}

    assert lsp.code_actions(uri, text, at(2), []) == []
    assert lsp.code_actions(uri, text, at(0), []) == [{
        "title": "tnp: import from tnp_runtime instead of typed_numpy",
        "kind": "quickfix",
        "edit": {"changes": {uri: [{
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 0}},
            "newText": "from tnp_runtime import FullDim\n",
        }]}},
    }]
