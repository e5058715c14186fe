"""What a fix rule returns: proposals (edits with a title) and findings it could not fix."""

from __future__ import annotations

from dataclasses import dataclass

from tnp_runtime.fix.edits import Edits


@dataclass(frozen=True, slots=True)
class Proposal:
    """An edit a message proposes, at `line` (1-based), titled for a person (`title` is the
    editor's quick-fix label and the command's report line).

    `key` identifies what it fixes: proposals with one key are alternatives (the spellings of
    one ambiguous leaf), of which a tool applies none on its own; a key with one proposal is
    `automatic`, and `tnp fix` applies it. `choice` names an alternative among the others
    (the spelling it writes), for the list `tnp fix` prints."""

    line: int
    title: str
    key: str
    edits: Edits
    choice: str = ""


@dataclass(frozen=True, slots=True)
class Unfixed:
    """A finding whose proposed fix cannot be made here, and why (shown to the user)."""

    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything the engine found for one text."""

    proposals: tuple[Proposal, ...] = ()
    unfixed: tuple[Unfixed, ...] = ()

    def automatic(self) -> tuple[Proposal, ...]:
        """The proposals whose key has no alternative, in order."""
        counts: dict[str, int] = {}
        for proposal in self.proposals:
            counts[proposal.key] = counts.get(proposal.key, 0) + 1
        return tuple(p for p in self.proposals if counts[p.key] == 1)

    def choices(self) -> dict[str, tuple[Proposal, ...]]:
        """The keys with several proposals, each with its alternatives."""
        grouped: dict[str, list[Proposal]] = {}
        for proposal in self.proposals:
            grouped.setdefault(proposal.key, []).append(proposal)
        return {key: tuple(ps) for key, ps in grouped.items() if len(ps) > 1}

    def __add__(self, other: Plan) -> Plan:
        keys = {(p.key, p.title) for p in self.proposals}
        added = tuple(p for p in other.proposals if (p.key, p.title) not in keys)
        return Plan(self.proposals + added, self.unfixed + other.unfixed)
