"""The fix engine: from a text and its diagnostics to proposals, and from proposals to a text.

One implementation for both front ends. `tnp fix` (`cli.py`) gets the diagnostics by running
mypy with the project's configuration; the editor's quick fixes (`lsp.py`) get them from the
code-action request's context. Diagnostics travel as text (mypy's messages and notes): a tnp
message marked machine-applicable (`core.fixits.FIX_MARK`) carries in its own words and notes
everything an edit needs, so nothing but the message is passed between the plugin and the
engine, and a message seen in any editor is fixable. mypy's own messages about running values
are read the same way. The seed's imports need no diagnostic: they are found in the text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tnp_runtime.fix import numpy_calls, optional, running, seed, spec_leaf
from tnp_runtime.fix.edits import apply
from tnp_runtime.fix.findings import Finding
from tnp_runtime.fix.proposal import Plan, Proposal
from tnp_runtime.fix.source import Source

RULES = (spec_leaf.propose, running.propose, optional.propose, numpy_calls.propose)


def plan(source: Source, findings: Iterable[Finding], syntactic: bool = True) -> Plan:
    """Every proposal for `source` (parsed) from `findings`, and the seed's imports if
    `syntactic`."""
    result = seed.propose(source) if syntactic else Plan()
    for finding in findings:
        for rule in RULES:
            result = result + rule(source, finding)
    return result


def rewrite(source: Source, proposals: Sequence[Proposal]) -> str:
    """The text of `source` with `proposals` applied (all at once)."""
    if not proposals:
        return source.text
    return apply(source.module, [p.edits for p in proposals]).code
