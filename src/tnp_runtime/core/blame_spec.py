"""Blame for `tnp-spec` and `tnp-reduce`: the line where the kernel's value departs from what the
spec needs, as a note at that line.

How it is found: by *repairs that are proved*. For a refuted tile, each candidate repair is a
small change of the kernel's term at the operations one source line made (`core.origins`
records which nodes each line built): a constant of that line replaced (by a constant of the
spec, by itself times the kernel's missing factor, or dropped), the values of that line scaled
by the factor that separates kernel and spec, an input read in place of another. A repair is
kept only if the repaired kernel has the spec's normal form on the tile: the same test the prover
accepts a tile by. The note names the line of the first repair that holds, and says what it
changes; when none holds (a missing rescale, a wrong structure), there is no note. A `tnp-reduce`
names the line that accumulated the partial reduction, from the kernel's reductions over the
missing dim.

Honesty: a line is named only by a proved repair or, for `tnp-reduce`, by the one line that built
every partial reduction concerned; never by a guess. Cost: this runs for a failed check only,
within a fixed number of normalisations (`MAX_REPAIRS`) of at most `MAX_WORK` nodes in all (a
repair renormalises about the whole term), and not at all for a kernel term of more than
`MAX_NODES` nodes; deterministic (counts, not time), so both halves name the same line.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from tnp_runtime.core import ir, normal, origins, tables
from tnp_runtime.core.blame import located
from tnp_runtime.core.diagnostics import Code, Diagnostic, LocatedNote
from tnp_runtime.core.dims import DimType, IntervalSet
from tnp_runtime.core.indexing import expand_taps, has_reads
from tnp_runtime.core.ir import (
    Binary,
    BinaryOp,
    Expr,
    Reduce,
    ReduceOp,
)
from tnp_runtime.core.normal_mask import MValue, predicates_of
from tnp_runtime.core.normalize import normalize
from tnp_runtime.core.origins import Location
from tnp_runtime.core.repairs import Survey, repairs, survey
from tnp_runtime.core.restrict import restrict

# At most this many repaired kernels are normalised for one message.
MAX_REPAIRS: Final = 96
# Kernel terms with more nodes get no blame (each repair renormalises what lies above it).
MAX_NODES: Final = 100_000
# At most this many nodes (the term's size, per repair tried) are renormalised for one message:
# at 4,096 key tiles of flash attention (55,000 nodes), about 20 repairs, a few seconds each.
MAX_WORK: Final = 1_000_000
# At most this many term operations (`normal.budget`) for all the repairs of one message: a
# repaired kernel whose normal form blows up (a dropped shift under `exp` at thousands of tiles)
# ends the search, never hangs the message.
MAX_TERM_OPERATIONS: Final = 20_000_000


def with_blame(
    problem: Diagnostic | None, kernel: Expr, spec: Expr, tile: DimType
) -> Diagnostic | None:
    """`problem` with notes at the lines to blame, for a `tnp-spec` or `tnp-reduce` finding,
    and for a `tnp-unproven` one that a proved repair explains (its note says what the repair
    was: the tile may be right, but the repaired tile is proved)."""
    if problem is None or problem.code not in (Code.SPEC, Code.REDUCE, Code.UNPROVEN):
        return problem
    try:
        with tables.checking(), normal.budget(MAX_TERM_OPERATIONS):
            notes = _blame(problem.code, kernel, spec, tile)
    except (normal.NotNormalizable, normal.OutOfBudget, RecursionError):
        return problem
    return problem.with_located(notes)


def _blame(code: Code, kernel: Expr, spec: Expr, tile: DimType) -> tuple[LocatedNote, ...]:
    surveyed = survey(kernel, MAX_NODES)
    if surveyed is None:
        return ()
    spec_nf = normalize(restrict(spec, tile))
    kernel_nf = normalize(restrict(kernel, tile))
    if code is Code.REDUCE:
        reduce_notes = _reduce_notes(surveyed, kernel_nf, spec_nf)
        if reduce_notes:
            return reduce_notes
    tried = 0
    for repair in repairs(surveyed, kernel, spec, kernel_nf, spec_nf):
        if tried >= MAX_REPAIRS or (tried + 1) * surveyed.size > MAX_WORK:
            break
        tried += 1
        if _equal(repair.make(), spec, spec_nf, tile):
            return tuple(note for where in repair.lines for note in located(where, repair.text))
    return ()


def _equal(kernel: Expr, spec: Expr, spec_nf: MValue, tile: DimType) -> bool:
    """The prover's test of a tile (`prove._prove`): one normal form, also once the taps of
    shifted reads are written out."""
    try:
        if normalize(restrict(kernel, tile)) is spec_nf:
            return True
        if has_reads(kernel) or has_reads(spec):
            return normalize(expand_taps(kernel)) is normalize(expand_taps(spec))
    except normal.NotNormalizable:
        pass
    return False


def _reduce_notes(
    surveyed: Survey, kernel_nf: MValue, spec_nf: MValue
) -> tuple[LocatedNote, ...]:
    """For a partial reduction: the lines that accumulate the kernel's pieces of it (a `+` or a
    `max` with a piece as operand), or else the lines that reduce, each with what it covers."""
    from tnp_runtime.core.prove import _partial_reductions  # the prover's own finding

    masked = bool(predicates_of(spec_nf))
    notes: list[LocatedNote] = []
    for partial in _partial_reductions(kernel_nf, spec_nf, masked):
        if len(partial.missing) != 1:
            continue
        ((dim, missing),) = partial.missing
        op = ReduceOp.SUM if partial.op == "sum" else ReduceOp.MAX
        pieces = {id(n): n for n in ir.nodes(surveyed.root)
                  if isinstance(n, Reduce) and n.op is op and n.dim == dim}
        combine = BinaryOp.ADD if op is ReduceOp.SUM else BinaryOp.MAX
        by_line: dict[Location | None, list[Reduce]] = {}
        for node in ir.nodes(surveyed.root):
            if isinstance(node, Binary) and node.op is combine:
                for operand in (node.left, node.right):
                    if id(operand) in pieces:
                        by_line.setdefault(origins.line_of(node), []).append(pieces[id(operand)])
        accumulated = bool(by_line)
        if not accumulated:
            for piece in pieces.values():
                by_line.setdefault(origins.line_of(piece), []).append(piece)
        if None in by_line or not 0 < len(by_line) <= 3:
            continue
        covered = IntervalSet.of(p.interval for p in pieces.values())
        if not covered.is_disjoint(missing):
            continue
        what = (f"accumulates the {partial.op} over {dim}, whose pieces cover {dim}[{covered}]"
                if accumulated else f"computes the {partial.op} over {dim}[{covered}] only")
        for where in sorted(by_line, key=lambda w: w.line if w else 0):
            notes += located(
                where, f"this line {what}; the spec's {partial.op} needs {dim}[{missing}] too"
            )
    return tuple(dict.fromkeys(notes))


def _single(locations: Iterator[Location | None]) -> Location | None:
    found = set(locations)
    return next(iter(found)) if len(found) == 1 and None not in found else None


__all__ = ["MAX_NODES", "MAX_REPAIRS", "MAX_WORK", "with_blame"]
