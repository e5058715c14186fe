"""An ambiguous spec leaf named: `nctx dhead` -> `K:nctx dhead` (one proposal per spelling).

The finding is the `tnp-bad-spec` error "ambiguous leaf `W`: ..." with its notes: the spec's
line, a caret under the leaf, and "fix: name it: `K:W` or `V:W` (fix: `tnp fix`)". The spec is
found in the file as the string literal holding that line with the leaf at the caret: within the
function the error is reported in (a kernel's annotation, a `TypedResult(...)`), else at the
module's top level (a spec kept in a constant), else anywhere. A spec found in no literal (built
by an f-string, or written with escape sequences) or in several is reported, not guessed.

The spellings are alternatives: which input the spec means is the author's decision, so `tnp
fix` lists them and the editor offers each. Choosing the spelling under which the kernel is
proved would make the spec say what the code does, the opposite of checking the code.
"""

from __future__ import annotations

import re
from typing import Final

import libcst as cst

from tnp_runtime.core.fixits import is_fixable, unmarked
from tnp_runtime.fix.edits import Edits
from tnp_runtime.fix.findings import Finding
from tnp_runtime.fix.proposal import Plan, Proposal, Unfixed
from tnp_runtime.fix.source import Literal, Source

_AMBIGUOUS: Final = re.compile(r"^bad spec: ambiguous leaf `(?P<written>[^`]+)`")
_SPELLING: Final = re.compile(r"`([^`]+)`")
_INDENT: Final = "    "
_FIRST_WORD: Final = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


def propose(source: Source, finding: Finding) -> Plan:
    match = _AMBIGUOUS.match(finding.message)
    if match is None or finding.code not in (None, "tnp-bad-spec"):
        return Plan()
    written = match["written"]
    notes = list(finding.notes)
    fixes = [n for n in notes if n.startswith("fix: ") and is_fixable(n)]
    if not fixes or len(notes) < 3:
        return Plan()
    spellings = [s for s in _SPELLING.findall(unmarked(fixes[0])) if s.endswith(":" + written)]
    excerpt, caret = notes[notes.index(fixes[0]) - 2], notes[notes.index(fixes[0]) - 1]
    if not (excerpt.startswith(_INDENT) and caret.strip() == "^"):
        return Plan()
    line_text, column = excerpt[len(_INDENT):], caret.index("^") - len(_INDENT)
    if line_text.startswith("..."):
        line_text, column = line_text[3:], column - 3
    line_text = line_text.removesuffix("...")
    word = _FIRST_WORD.match(written)
    if not spellings or word is None or column < 0:
        return Plan()
    places = _places(source, line_text, column, word.group(), finding.line)
    if len(places) != 1:
        why = "in no string literal tnp fix can edit" if not places else (
            f"in {len(places)} places")
        shown = " or ".join(f"`{s}`" for s in spellings)
        return Plan(unfixed=(Unfixed(finding.line, f"ambiguous leaf `{written}`: the spec is "
                                     f"{why}; write {shown} by hand"),))
    part, offset = places[0]
    key = f"leaf:{id(part)}:{offset}"
    proposals = []
    for spelling in spellings:
        name = spelling[: -len(written) - 1]
        body = part.raw_value
        new_body = body[:offset] + f"{name}:" + body[offset:]
        new = part.with_changes(value=f"{part.prefix}{part.quote}{new_body}{part.quote}")
        proposals.append(Proposal(finding.line, f"name the spec leaf `{spelling}`", key,
                                  Edits(replace=((part, new),)), choice=spelling))
    return Plan(tuple(proposals))


def _places(source: Source, line_text: str, column: int, word: str, line: int
            ) -> list[tuple[cst.SimpleString, int]]:
    """(part, offset in its body) of each place where a literal holds `line_text` with `word`
    at `column`, the literals of the innermost scope that has any."""
    found: list[tuple[Literal, cst.SimpleString, int]] = []
    for literal in source.literals():
        if not literal.editable:
            continue
        start = literal.value.find(line_text)
        while start != -1:
            at = start + column
            if literal.value.startswith(word, at) and _word_ends(literal.value, at + len(word)):
                hit = _part_at(literal, at)
                if hit is not None:
                    found.append((literal, *hit))
            start = literal.value.find(line_text, start + 1)
    scope = source.scope_at(line)
    inner = [f for f in found if scope is not None and source.scope_of(f[0].node) is scope]
    top = [f for f in found if source.scope_of(f[0].node) is None]
    chosen = inner or top or found
    return [(part, offset) for _, part, offset in chosen]


def _word_ends(text: str, at: int) -> bool:
    return at >= len(text) or not (text[at].isalnum() or text[at] == "_")


def _part_at(literal: Literal, at: int) -> tuple[cst.SimpleString, int] | None:
    """The part of `literal` holding value offset `at`, and the offset within its body."""
    for index, (part, start) in enumerate(literal.parts):
        end = literal.parts[index + 1][1] if index + 1 < len(literal.parts) else len(literal.value)
        if start <= at < end:
            return part, at - start
    return None
