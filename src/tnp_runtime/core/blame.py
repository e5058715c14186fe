"""Blame for `tnp-dim`: the operation that gave an operand the dims or the slice that does not
match, as notes at that operation's line.

A dim error is raised where two values meet (`+`, an einsum, a `.repeat`), often lines after the
mistake: a `.max(M)` written for `.max(N)`, a tile sliced with the wrong index. The values do
not carry their history, but `core.origins` records where each term was built and where each
slice was taken; these functions read it, for a failed check only.

Honesty: a note names a line only when the tables pin exactly one operation (one reduction over
the missing dim, one slice that gave the slice found); otherwise there is no note, never a guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tnp_runtime.core import origins
from tnp_runtime.core.diagnostics import LocatedNote
from tnp_runtime.core.dims import DimType, Sliced
from tnp_runtime.core.ir import Expr, ReduceOp
from tnp_runtime.core.origins import Location


def located(where: Location | None, text: str) -> tuple[LocatedNote, ...]:
    """One note at `where`, or none."""
    if where is None:
        return ()
    return (LocatedNote(where.line, text, where.file),)


def _one(locations: Iterable[Location | None]) -> Location | None:
    """The location when all of them are one, else None (an ambiguous origin names no line)."""
    found = set(locations)
    if len(found) != 1:
        return None
    return next(iter(found))


def reduced_away(expr: Expr, dim: str) -> tuple[Location, str] | None:
    """Where a value with term `expr` lost `dim`, and the reduction's text ("the max over
    M[0:32]"): the one reduction over `dim` in it, by location."""
    reductions = origins.removed_by(expr, dim)
    where = _one(origins.line_of(r) for r in reductions)
    if where is None:
        return None
    kinds = {r.op for r in reductions}
    intervals = {r.interval for r in reductions}
    what = "max" if kinds == {ReduceOp.MAX} else "sum" if kinds == {ReduceOp.SUM} else "reduction"
    over = f"{dim}[{next(iter(intervals))}]" if len(intervals) == 1 else dim
    return where, f"the {what} over {over}"


def slice_notes(role: str, expr: Expr, held: Sliced) -> tuple[LocatedNote, ...]:
    """Where a value (`role`, with term `expr`) got its slice `held`, if one line did."""
    return _slice_note(role, expr, held)


def _slice_note(role: str, expr: Expr, held: Sliced) -> tuple[LocatedNote, ...]:
    where = origins.slice_origin(expr, held.name, held.interval)
    return located(where, f"{role} got its {held} here")


def mismatch_notes(
    op_text: str, left: tuple[DimType, Expr], right: tuple[DimType, Expr], dim: str | None
) -> tuple[LocatedNote, ...]:
    """Notes for the operands of `op_text` that do not meet: with `dim`, where each operand got
    its slice of it; without, where each lost a dim the other has."""
    notes: list[LocatedNote] = []
    sides = (("left", *left), ("right", *right))
    if dim is not None:
        for role, dims, expr in sides:
            held = next((s for s in dims if s.name == dim), None)
            if held is not None:
                notes += _slice_note(f"the {role} operand of `{op_text}`", expr, held)
        return tuple(notes)
    names = [{s.name for s in dims} for _, dims, _ in sides]
    for (role, _dims, expr), mine, theirs in zip(sides, names, reversed(names), strict=True):
        for missing in sorted(theirs - mine):
            found = reduced_away(expr, missing)
            if found is not None:
                where, what = found
                notes += located(
                    where, f"the {role} operand of `{op_text}` has no {missing}: {what} here "
                    "took it away"
                )
    return tuple(notes)


def einsum_clash_notes(
    operands: Sequence[tuple[DimType, Expr]], first: Sliced, other: Sliced
) -> tuple[LocatedNote, ...]:
    """Where the einsum operands that disagree on a dim got their two slices of it."""
    notes: list[LocatedNote] = []
    for wanted in (first, other):
        position = next(
            (i for i, (dims, _) in enumerate(operands, start=1) if wanted in dims), None
        )
        if position is not None:
            notes += _slice_note(f"einsum operand {position}", operands[position - 1][1], wanted)
    return tuple(notes)


def repeat_notes(dims: DimType, expr: Expr, name: str) -> tuple[LocatedNote, ...]:
    """A `.repeat` along a dim the value has: the reductions that left the value its dims (a
    `.max(M)` written for `.max(N)` keeps N)."""
    kept = {s.name for s in dims}
    reduced = {node.dim for node in origins.removed_by(expr, None)} - kept
    notes: list[LocatedNote] = []
    for dim in sorted(reduced):
        found = reduced_away(expr, dim)
        if found is not None:
            where, what = found
            notes += located(
                where, f"the value repeated along {name} keeps {name}: {what} here reduced "
                f"{dim}, not {name}"
            )
    return tuple(notes)


__all__ = ["einsum_clash_notes", "located", "mismatch_notes", "reduced_away", "repeat_notes",
           "slice_notes"]
