"""A kernel's or spec's term as written, for messages: the IR with running values folded.

The normal form is what the prover compares, but it is expanded (a sum of monomials, maxima
pulled out of exponentials): an online softmax missing its rescale shows there as a sum whose
terms share no visible structure with the spec's. This module shows the IR instead, in the
spec language, with only what a loop adds folded away: chains of `+` and of `max` flattened,
their identities (`0`, `-inf`) dropped, reductions of one body over adjacent tiles merged
(`max(max[N[0:64]](x), max[N[64:128]](x))` is `max[N[0:128]](x)`), a sum of a product of
inputs written as a contraction. So a running max reads `max[N[0:128]](M N)`, and the kernel
reads `exp((M N) - max[N](M N)) / (sum[N[0:64]](exp((M N) - max[N[0:64]](M N))) + ...)`.

`split_like` cuts the spec's sums at the intervals the kernel's sums cover, so the two sides
line up tile by tile and `term_text.smallest_differences` finds what differs in one tile
(`max[N[0:64]](M N)` where the spec has `max[N](M N)`). Only ever run for a failed check.
"""

from __future__ import annotations

import itertools
import sys
from dataclasses import dataclass, field

from tnp_runtime.core.dims import Interval, IntervalSet
from tnp_runtime.core.indexing import read_label
from tnp_runtime.core.ir import (
    Apply,
    Binary,
    BinaryOp,
    Const,
    Expr,
    Inf,
    Input,
    Mask,
    Read,
    Reduce,
    ReduceOp,
    Unary,
    UnaryOp,
    free_dims,
)
from tnp_runtime.core.opaque import WHERE_GT
from tnp_runtime.core.render import Renderer, number
from tnp_runtime.core.term_text import Kind, Term, add, atom, call, div, mul, neg

# (op, dim, intervals, body) of a reduction a `Term` shows, so adjacent ones can be merged.
_Reduction = tuple[ReduceOp, str, IntervalSet, Term]


@dataclass
class IrTerms:
    """Converts IR terms of one message (memoized by node: kernels are DAGs)."""

    renderer: Renderer
    # Where to cut each dim's sums (`split_like`): the kernel's sums' interval ends.
    cuts: dict[str, tuple[int, ...]] = field(default_factory=dict)
    _done: dict[int, Term] = field(default_factory=dict)
    _keep: list[Expr] = field(default_factory=list)
    _reductions: dict[Term, _Reduction] = field(default_factory=dict)

    def term(self, expr: Expr) -> Term:
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 100_000))
        try:
            return self._term(expr)
        finally:
            sys.setrecursionlimit(limit)

    def sum_cuts_of(self, term: Term) -> dict[str, tuple[int, ...]]:
        """Interval ends of the sums shown in `term` (made by this converter), per dim that
        has more than one: where to cut the other side's sums to line up with them."""
        ends: dict[str, set[int]] = {}
        counts: dict[str, int] = {}
        stack = [term]
        seen: set[Term] = set()
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            found = self._reductions.get(node)
            if found is not None and found[0] is ReduceOp.SUM:
                _, dim, over, _ = found
                for interval in over.intervals:
                    ends.setdefault(dim, set()).update((interval.start, interval.stop))
                counts[dim] = counts.get(dim, 0) + 1
            stack.extend(node.args)
        return {d: tuple(sorted(e)) for d, e in ends.items() if counts[d] > 1}

    def _term(self, expr: Expr) -> Term:
        key = id(expr)
        if key in self._done:
            return self._done[key]
        result = self._convert(expr)
        self._done[key] = result
        self._keep.append(expr)  # ids stay valid while the table lives
        return result

    def _convert(self, expr: Expr) -> Term:
        match expr:
            case Const(value=value):
                return atom(number(value) if value >= 0 else f"-{number(-value)}")
            case Inf(negative=negative):
                return atom("-inf" if negative else "inf")
            case Input() as node:
                return atom(f"({self.renderer._leaf(node, {})})")
            case Read(source=source, index=index):
                shown = self.renderer._leaf(source, {})
                if ":" not in shown and not source.anonymous:
                    shown = f"{source.name}:{shown}"
                return atom(f"({read_label(index, shown)})")
            case Unary(op=op, operand=operand):
                inner = self._term(operand)
                if op is UnaryOp.NEG:
                    return neg(inner)
                return call(op.value, _bare(inner))
            case Binary(op=op, left=left, right=right):
                return self._binary(op, left, right)
            case Reduce() as node:
                return self._reduce(node)
            case Apply(func=func, args=args):
                terms = [_bare(self._term(a)) for a in args]
                if func.is_where:
                    relation = ">" if func is WHERE_GT else ">="
                    test = atom(f"{_text(terms[0])} {relation} {_text(terms[1])}")
                    return call("where", test, terms[2], terms[3])
                return call(func.name, *terms)
            case Mask(pred=pred, fill=fill, operand=operand):
                inner = _bare(self._term(operand))
                if isinstance(fill, Inf):
                    return call(f"mask[{pred}]", inner)
                return call(f"mask[{pred}, {_text(self._term(fill))}]", inner)

    def _binary(self, op: BinaryOp, left: Expr, right: Expr) -> Term:
        a, b = self._term(left), self._term(right)
        match op:
            case BinaryOp.ADD | BinaryOp.SUB:
                parts = [*_args(a, Kind.ADD), *_args(b if op is BinaryOp.ADD else neg(b), Kind.ADD)]
                parts = [p for p in parts if p != atom("0")]
                return add(self._merged(parts, ReduceOp.SUM))
            case BinaryOp.MUL:
                parts = [p for p in (*_args(a, Kind.MUL), *_args(b, Kind.MUL)) if p != atom("1")]
                return mul(parts)
            case BinaryOp.DIV:
                return div(a, b)
            case BinaryOp.MAX:
                parts = [*_max_args(a), *_max_args(b)]
                parts = [p for p in parts if p != atom("-inf")]
                merged = self._merged(parts, ReduceOp.MAX)
                result = merged[0] if merged else atom("-inf")
                for other in merged[1:]:
                    result = call("max", result, other)
                return result

    def _merged(self, parts: list[Term], op: ReduceOp) -> list[Term]:
        """Reductions of one body over one dim merged into one over the union of their
        intervals (a sum only over disjoint ones), in the place of the first."""
        out: list[Term] = []
        where: dict[tuple[str, Term], int] = {}
        for part in parts:
            found = self._reductions.get(part)
            if found is None or found[0] is not op:
                out.append(part)
                continue
            _, dim, over, body = found
            key = (dim, body)
            if key in where:
                first = self._reductions[out[where[key]]]
                if op is ReduceOp.MAX or first[2].is_disjoint(over):
                    out[where[key]] = self._reduction(op, dim, first[2].union(over), body)
                    continue
            where[key] = len(out)
            out.append(part)
        return out

    def _reduce(self, node: Reduce) -> Term:
        body = self._term(node.body)
        over = IntervalSet.single(node.interval)
        if node.op is ReduceOp.SUM and node.dim in self.cuts:
            pieces = _cut(node.interval, self.cuts[node.dim])
            if len(pieces) > 1:
                return add(
                    self._reduction(node.op, node.dim, IntervalSet.single(p), body) for p in pieces
                )
        term = self._reduction(node.op, node.dim, over, body)
        if node.op is ReduceOp.SUM:
            contraction = self._contraction(node, over)
            if contraction is not None:
                self._reductions[contraction] = (node.op, node.dim, over, body)
                return contraction
        return term

    def _reduction(self, op: ReduceOp, dim: str, over: IntervalSet, body: Term) -> Term:
        suffix = self.renderer._interval_suffix(dim, over)
        term = call(f"{op.value}[{dim}{suffix}]", _bare(body))
        self._reductions[term] = (op, dim, over, body)
        return term

    def _contraction(self, node: Reduce, over: IntervalSet) -> Term | None:
        """`(M N[0:32], N[0:32] K -> M K)` for a sum of a product of plain inputs."""
        factors: list[Expr] = []
        stack: list[Expr] = [node.body]
        while stack:
            part = stack.pop()
            if isinstance(part, Binary) and part.op is BinaryOp.MUL:
                stack += (part.right, part.left)
            elif isinstance(part, Input):
                factors.append(part)
            else:
                return None
        if len(factors) < 2:
            return None
        slices = {node.dim: self.renderer._interval_suffix(node.dim, over)}
        leaves = [f for f in factors if isinstance(f, Input)]
        operands = ", ".join(self.renderer._leaf(f, slices) for f in leaves)
        free = free_dims(node)
        order = list(self.renderer.order)
        out = [d for d in order if d in free]
        for f in leaves:
            out += [d for d in f.dims if d in free and d not in out]
        return atom(f"({operands} -> {' '.join(out)})")


def _cut(interval: Interval, ends: tuple[int, ...]) -> list[Interval]:
    points = [interval.start, *(e for e in ends if interval.start < e < interval.stop)]
    points.append(interval.stop)
    return [Interval(a, b) for a, b in itertools.pairwise(points)]


def _args(term: Term, kind: Kind) -> tuple[Term, ...]:
    if term.kind is kind:
        return term.args
    if kind is Kind.ADD and term.kind is Kind.NEG and term.args[0].kind is Kind.ADD:
        return tuple(neg(a) for a in term.args[0].args)
    return (term,)


def _max_args(term: Term) -> list[Term]:
    if term.kind is Kind.CALL and term.head == "max":
        return [*_max_args(term.args[0]), *_max_args(term.args[1])]
    return [term]


def _bare(term: Term) -> Term:
    """A lone input inside a call is written without its own parentheses: `exp(M N)`."""
    if term.kind is Kind.ATOM and term.head.startswith("(") and "->" not in term.head:
        return atom(term.head[1:-1])
    return term


def _text(term: Term) -> str:
    from tnp_runtime.core.term_text import show

    return show(term)


__all__ = ["IrTerms"]
