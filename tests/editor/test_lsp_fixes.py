"""tnp's quick fixes in an editor: a real language server (pylsp with pylsp-mypy, the README's
settings, and tnp's pylsp plugin from its entry point) publishes the diagnostic of a fixable
mistake; a code-action request at its line, with the diagnostics there (the error and its notes,
as an editor sends them), returns tnp's quick fixes; the edit applied to the buffer, the next
check no longer shows the error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.editor.test_lsp import LIVE, LspClient, _start

pytestmark = pytest.mark.editor

CASES = Path(__file__).resolve().parent.parent / "fix" / "cases"


def _apply(text: str, edits: list[dict[str, Any]]) -> str:
    """`text` with LSP TextEdits applied (positions: 0-based lines and characters)."""
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))

    def offset(position: dict[str, int]) -> int:
        return min(starts[min(position["line"], len(starts) - 1)] + position["character"],
                   len(text))

    for edit in sorted(edits, key=lambda e: offset(e["range"]["start"]), reverse=True):
        start, end = offset(edit["range"]["start"]), offset(edit["range"]["end"])
        text = text[:start] + edit["newText"] + text[end:]
    return text


def _errors(diagnostics: list[dict[str, Any]]) -> list[tuple[int, str]]:
    return sorted((d["range"]["start"]["line"], d["message"])
                  for d in diagnostics if d.get("severity") == 1)


def _quick_fixes(client: LspClient, uri: str, error: dict[str, Any],
                 diagnostics: list[dict[str, Any]]) -> list[dict[str, Any]]:
    line = error["range"]["start"]["line"]
    there = [d for d in diagnostics if d["range"]["start"]["line"] == line]
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": error["range"],
        "context": {"diagnostics": there},
    })
    return [a for a in actions or [] if a.get("title", "").startswith("tnp: ")]


def _open(client: LspClient, path: Path) -> tuple[str, str, list[dict[str, Any]]]:
    text = path.read_text(encoding="utf-8")
    uri = path.as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "python", "version": 1, "text": text}})
    return uri, text, client.diagnostics(uri, 1)


def _edit(client: LspClient, uri: str, text: str) -> list[dict[str, Any]]:
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": text}]})
    return client.diagnostics(uri, 2)


def test_running_value_quick_fix(tmp_path: Path) -> None:
    """A running value that starts as `0`: one quick fix, which annotates it and asserts it
    after the loop, as `tnp fix` does; the error is gone from the next check."""
    path = tmp_path / "kernel.py"
    path.write_text((CASES / "running_kernel.before.py").read_text(encoding="utf-8"),
                    encoding="utf-8")
    client = _start(tmp_path, LIVE, "command")
    try:
        uri, text, found = _open(client, path)
        errors = [d for d in found if d.get("severity") == 1]
        assert errors, found
        (action,) = _quick_fixes(client, uri, errors[0], found)
        assert action["kind"] == "quickfix"
        assert action["title"].startswith("tnp: annotate `row_sum: Typed | float`"), action
        fixed = _apply(text, action["edit"]["changes"][uri])
        assert fixed == (CASES / "running_kernel.after.py").read_text(encoding="utf-8")
        assert _errors(_edit(client, uri, fixed)) == []
    finally:
        client.close()


def test_ambiguous_leaf_quick_fixes(tmp_path: Path) -> None:
    """An ambiguous spec leaf: one quick fix per spelling, none preferred; the spelling chosen
    is written where the caret pointed, and the kernel is then proved."""
    path = tmp_path / "kernel.py"
    path.write_text((CASES / "ambiguous_leaf.before.py").read_text(encoding="utf-8"),
                    encoding="utf-8")
    client = _start(tmp_path, LIVE, "command")
    try:
        uri, text, found = _open(client, path)
        (error,) = [d for d in found if d.get("code") == "tnp-bad-spec"]
        actions = _quick_fixes(client, uri, error, found)
        assert [a["title"] for a in actions] == [
            "tnp: name the spec leaf `K:nctx dhead`", "tnp: name the spec leaf `V:nctx dhead`"]
        (k,) = [a for a in actions if "K:" in a["title"]]
        fixed = _apply(text, k["edit"]["changes"][uri])
        assert fixed == (CASES / "ambiguous_leaf.K.after.py").read_text(encoding="utf-8")
        assert _errors(_edit(client, uri, fixed)) == []
    finally:
        client.close()
