"""The editor's quick fixes: a python-lsp-server (pylsp) plugin offering tnp's fixes as code
actions, registered under pylsp's `pylsp` entry point group (pyproject.toml).

pylsp-mypy publishes mypy's errors and notes as diagnostics; when the editor asks for code
actions at a place, its request carries the diagnostics there, and this plugin hands them to
the engine `tnp fix` uses (`engine.plan`), on the buffer's current text. Each proposal is one
code action (kind `quickfix`): an ambiguous leaf's spellings are one action each, for the author
to choose. The seed's imports are offered where the request's range touches them. The edit is
the changed lines only (`text_edits`), so the rest of the buffer, and the cursor, stay put.
"""

from __future__ import annotations

import difflib
from typing import Any

from pylsp import hookimpl

from tnp_runtime.fix import engine, seed
from tnp_runtime.fix.findings import from_lsp
from tnp_runtime.fix.source import Source, Unparsable


def text_edits(old: str, new: str) -> list[dict[str, Any]]:
    """LSP TextEdits that turn `old` into `new`, whole lines at a time."""
    before, after = old.splitlines(keepends=True), new.splitlines(keepends=True)
    edits: list[dict[str, Any]] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        edits.append({
            "range": {"start": {"line": i1, "character": 0}, "end": {"line": i2, "character": 0}},
            "newText": "".join(after[j1:j2]),
        })
    return edits


def code_actions(uri: str, text: str, request_range: dict[str, Any],
                 diagnostics: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The quick fixes for `text` at `request_range` (0-based LSP lines), from the request's
    diagnostics."""
    findings = from_lsp(diagnostics)
    if not findings and seed.SEED not in text:
        return []  # asked at every move of the cursor: nothing to parse for
    try:
        source = Source(text)
    except Unparsable:
        return []
    first = int(request_range.get("start", {}).get("line", 0)) + 1
    last = int(request_range.get("end", {}).get("line", first - 1)) + 1
    plan = engine.plan(source, findings, syntactic=False)
    imports = engine.plan(source, [], syntactic=True)
    proposals = [*plan.proposals, *(p for p in imports.proposals if first <= p.line <= last)]
    actions: list[dict[str, Any]] = []
    for proposal in proposals:
        new = engine.rewrite(source, [proposal])
        if new == text:
            continue
        actions.append({
            "title": f"tnp: {proposal.title}",
            "kind": "quickfix",
            "edit": {"changes": {uri: text_edits(text, new)}},
        })
    return actions


@hookimpl
def pylsp_code_actions(config: Any, workspace: Any, document: Any, range: Any,  # the spec names it
                       context: Any) -> list[dict[str, Any]]:
    """pylsp's hook: the code actions for `document` at `range`."""
    del config, workspace
    diagnostics = list((context or {}).get("diagnostics", []))
    return code_actions(document.uri, document.source, range or {}, diagnostics)
