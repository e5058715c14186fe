"""The mark on a message whose fix a tool can apply: one place formats it, for both halves.

A message (or the `fix:` note of a spec error) in which `FIX_MARK` follows a fix proposes an
edit that `tnp fix` and the editor's quick fixes (`tnp_runtime.fix`) apply from its own text:
the runtime's exception and the plugin's mypy error carry the same words, so the mark reads the
same in a traceback, in mypy's output and in the editor. A message without the mark proposes
nothing a tool may apply: its fix needs the author's judgement.

When a fix has several spellings (an ambiguous spec leaf: `K:nctx dhead` or `V:nctx dhead`), the
mark still says that the tool knows the edits: `tnp fix` lists them without choosing, and the
editor offers each as its own quick fix. Which input a spec means is the author's decision; a
tool that chose would make the spec follow the code it is meant to check.
"""

from __future__ import annotations

from typing import Final

FIX_MARK: Final = "(fix: `tnp fix`)"


def fixable(text: str) -> str:
    """`text` (a message, or a fix note's words) marked as machine-applicable."""
    return f"{text} {FIX_MARK}"


def is_fixable(text: str) -> bool:
    """True if `text` carries the mark (`fixable`'s output, alone or within a message)."""
    return FIX_MARK in text


def unmarked(text: str) -> str:
    """`text` without the mark (and the space before it), if it has one."""
    return text.replace(f" {FIX_MARK}", "").replace(FIX_MARK, "")
