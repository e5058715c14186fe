"""Index arithmetic of shifted reads: an input read at a position computed from other dims.

A `Read` (see `ir`) reads its input with some dims at an `Affine` position of other dims:
`x.window(N, O[a:b], K[0:3])` is x read at N = O + K, a value with dims O and K in place of N.
This module holds the index arithmetic (`affine`, `compose`, `span`, `read_position`), the
re-indexing of a term (`reindex`: what a read of a computed value, or a kernel parameter replaced
by the caller's term, is), and the expansion of a reduction over a few filter taps into its terms
(`expand_taps`), which lets the prover meet a kernel that unrolled its filter. It depends on `ir`
alone, so the evaluators (`evaluate`, `spot_check`) use it without the normal form. The rules of
the operations that make reads are in `reads`.

Semantics: a `Read` of `source` at `index` has, at an index `env`, the value of `source` at the
position whose dim `d` is `index[d](env)` when `d` is read at a computed position, else `env[d]`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Final, assert_never

from tnp_runtime.core import ir
from tnp_runtime.core.dims import Interval
from tnp_runtime.core.index_pred import IndexPred
from tnp_runtime.core.ir import (
    Affine,
    Apply,
    Binary,
    Const,
    Expr,
    Gather,
    Inf,
    Input,
    Mask,
    Position,
    Read,
    Reduce,
    Unary,
)

# A reduction over at most this many positions whose body reads at an index of its dim is
# expanded into its terms when a proof needs it (`expand_taps`): filters are small.
MAX_TAPS: Final = 16


class Capture(Exception):
    """Re-indexing would put a dim of the index under a reduction that binds the same name,
    or re-index the index input of a gather."""


def affine(terms: Mapping[str, int], offset: int = 0) -> Affine:
    """The canonical `Affine` of `sum(coef * dim) + offset`."""
    return Affine(tuple(sorted((d, c) for d, c in terms.items() if c)), offset)


def identity(dim: str) -> Affine:
    return Affine(((dim, 1),), 0)


def compose(position: Position, index: Mapping[str, Position]) -> Position:
    """`position` with each dim of `index` replaced by its position. What has no form here
    (a gather whose index input would be re-indexed, a gather inside an affine position other
    than alone) raises `Capture`."""
    if isinstance(position, Gather):
        if position.dims & index.keys():
            raise Capture(", ".join(sorted(position.dims & index.keys())))
        return position
    terms: dict[str, int] = {}
    offset = position.offset
    for dim, coef in position.terms:
        inner = index.get(dim)
        if inner is None:
            terms[dim] = terms.get(dim, 0) + coef
            continue
        if isinstance(inner, Gather):
            if position.terms == ((dim, 1),) and position.offset == 0:
                return inner
            raise Capture(f"a gather at {position}")
        offset += coef * inner.offset
        for d, c in inner.terms:
            terms[d] = terms.get(d, 0) + coef * c
    return affine(terms, offset)


def span(position: Position, slices: Mapping[str, Interval]) -> Interval:
    """The positions `position` takes as its dims range over `slices` (all of them given); a
    gather may take any position of its dim."""
    if isinstance(position, Gather):
        return Interval(0, position.size)
    low = high = position.offset
    for dim, coef in position.terms:
        interval = slices[dim]
        ends = (coef * interval.start, coef * (interval.stop - 1))
        low, high = low + min(ends), high + max(ends)
    return Interval(low, high + 1)


def reindex(expr: Expr, index: Mapping[str, Position]) -> Expr:
    """`expr` with every free use of a dim of `index` read at its position instead
    (iterative, memoized per node: DAGs are deep). Raises `Capture` when a reduction in `expr`
    binds a dim an index position mentions while its body uses a re-indexed dim."""
    if not index:
        return expr
    done: dict[tuple[int, frozenset[str]], Expr] = {}
    mentioned = frozenset().union(*(at.dims for at in index.values()))
    stack: list[tuple[Expr, frozenset[str], bool]] = [(expr, frozenset(), False)]
    while stack:
        node, bound, children_done = stack.pop()
        key = (id(node), bound)
        if key in done:
            continue
        active = {d: at for d, at in index.items() if d not in bound}
        if not active or not (ir.free_dims(node) & active.keys()):
            done[key] = node
            continue
        match node:
            case Const() | Inf():
                done[key] = node
            case Input():
                done[key] = ir.read(node, {d: at for d, at in active.items() if d in node.dims})
            case Read(source=source, index=inner):
                own = {d: compose(at, active) for d, at in inner}
                for d in source.dims:
                    if d not in own and d in active:
                        own[d] = active[d]
                done[key] = ir.read(source, own)
            case Unary(op=op, operand=operand):
                if children_done:
                    done[key] = ir.unary(op, done[id(operand), bound])
                else:
                    stack += [(node, bound, True), (operand, bound, False)]
            case Binary(op=op, left=left, right=right):
                if children_done:
                    done[key] = ir.binary(op, done[id(left), bound], done[id(right), bound])
                else:
                    stack += [(node, bound, True), (left, bound, False), (right, bound, False)]
            case Reduce(op=op, dim=dim, interval=interval, body=body):
                inner_bound = bound | {dim}
                if dim in mentioned:
                    raise Capture(f"a reduction over {dim} reads it")
                if children_done:
                    done[key] = ir.reduce(op, dim, interval, done[id(body), inner_bound])
                else:
                    stack += [(node, bound, True), (body, inner_bound, False)]
            case Apply(func=func, args=args):
                if children_done:
                    done[key] = ir.apply(func, tuple(done[id(a), bound] for a in args))
                else:
                    stack += [(node, bound, True), *((a, bound, False) for a in args)]
            case Mask(pred=pred, fill=fill, operand=operand):
                if children_done:
                    done[key] = _reposition_mask(pred, fill, done[id(operand), bound], active)
                else:
                    stack += [(node, bound, True), (operand, bound, False)]
            case _:
                assert_never(node)
    return done[id(expr), frozenset()]


def _reposition_mask(
    pred: IndexPred, fill: Expr, operand: Expr, active: Mapping[str, Position]
) -> Expr:
    """A mask of a re-indexed value: its predicate reads the dims at their affine positions (a
    gathered position has no linear form: `Capture`)."""
    positions: dict[str, tuple[tuple[tuple[str, int], ...], int]] = {}
    for dim in pred.dims & active.keys():
        at = active[dim]
        if not isinstance(at, Affine):
            raise Capture(f"a mask reads {dim}, which is gathered")
        positions[dim] = (at.terms, at.offset)
    moved = pred.reposition(positions)
    if moved is None:
        return fill
    return ir.mask(moved, fill, operand) if moved.atoms else operand


def _reads(expr: Expr) -> list[Read]:
    """The distinct reads under `expr`."""
    return [node for node in ir.nodes(expr) if isinstance(node, Read)]


def has_reads(expr: Expr) -> bool:
    return any(isinstance(node, Read) for node in ir.nodes(expr))


def _indexed_dims(expr: Expr) -> frozenset[str]:
    """The dims some read under `expr` computes a position from."""
    return frozenset().union(
        *(at.dims for node in _reads(expr) for _, at in node.index if isinstance(at, Affine))
    )


def expand_taps(expr: Expr) -> Expr:
    """`expr` with every reduction over at most `MAX_TAPS` positions of a dim that a read in
    its body indexes by (a filter's taps) written out as its terms, the dim replaced by each
    position: sum[K[0:3]](w:K * x:N[O + K]) is w:K[0] * x:N[O] + w:K[1] * x:N[O + 1] + ...

    An identity (a sum or max over a finite set is the sum or max of its terms), so comparing
    the expanded terms is as sound as comparing the terms; the prover does it when a proof of
    terms with reads fails, so that a kernel that unrolled its filter meets the spec's
    reduction. A reduction it cannot expand (too long, a capture) is kept."""
    return ir.rewrite(
        expr,
        lambda node: node,
        lambda node, body: _expanded(node, body)
        or ir.reduce(node.op, node.dim, node.interval, body),
    )


_COMBINE: Final = {ir.ReduceOp.SUM: ir.BinaryOp.ADD, ir.ReduceOp.MAX: ir.BinaryOp.MAX}


def _expanded(node: Reduce, body: Expr) -> Expr | None:
    if node.interval.length > MAX_TAPS or node.dim not in _indexed_dims(body):
        return None
    terms: list[Expr] = []
    try:
        for position in range(node.interval.start, node.interval.stop):
            terms.append(reindex(body, {node.dim: affine({}, position)}))
    except Capture:
        return None
    total = terms[0]
    for term in terms[1:]:
        total = ir.binary(_COMBINE[node.op], total, term)
    return total


def read_position(node: Read, env: Mapping[str, int]) -> tuple[int, ...]:
    """The position (one per dim of the input) a read reads its input at, at the index `env`.

    A gather's index input is evaluated as `gathered`: pseudo-random whole numbers in range."""
    positions = dict(node.index)
    found: list[int] = []
    for d in node.source.dims:
        at = positions.get(d)
        if at is None:
            found.append(env[d])
        elif isinstance(at, Gather):
            found.append(gathered(at, tuple(env[t] for t in at.index.dims)))
        else:
            found.append(at.offset + sum(c * env[t] for t, c in at.terms))
    return tuple(found)


def gathered(at: Gather, position: tuple[int, ...]) -> int:
    """The value the evaluators give an index input at `position`: a whole number in
    `[0, at.size)` fixed by the input's name and the position (both halves agree)."""
    text = f"{at.index.name}|{at.index.dims}|{position}"
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") % at.size


def read_dims(expr: Expr) -> frozenset[str]:
    """The dims the reads under `expr` read at computed positions, and those the positions are
    computed from: the evaluators take their positions one by one, never as classes."""
    found: set[str] = set()
    for node in _reads(expr):
        for dim, at in node.index:
            found.add(dim)
            found |= at.dims
    return frozenset(found)


def read_label(index: tuple[tuple[str, Position], ...], show: str) -> str:
    """`x:N[O + K]`: how specs and messages write a read at `index`, `show` being how the
    plain input's leaf is written (`x:N`, or `N` for an input shown by its dims)."""
    positions = dict(index)
    head, colon, dims = show.rpartition(":")
    shown = " ".join(f"{d}[{positions[d]}]" if d in positions else d for d in dims.split())
    return f"{head}{colon}{shown}"


def substitute_read(node: Read, replace: Mapping[Input, Expr]) -> Expr:
    """`ir.substitute` at a read: its input replaced by a term is that term re-indexed; a
    gather's index input may be replaced by another input only (`Capture` otherwise)."""
    index: dict[str, Position] = {}
    for dim, at in node.index:
        if isinstance(at, Gather) and at.index in replace:
            by = replace[at.index]
            if not isinstance(by, Input):
                raise Capture(f"the index input {at.index.name} replaced by a computed value")
            at = Gather(by, at.size)
        index[dim] = at
    term = replace.get(node.source)
    if term is None or isinstance(term, Input):  # a parameter renamed to an argument's input
        return ir.read(node.source if term is None else term, index)
    affine_part = {d: at for d, at in index.items() if isinstance(at, Affine)}
    if len(affine_part) != len(index):
        raise Capture(f"the input {node.source.name} of a gather replaced by a computed value")
    return reindex(term, affine_part)
