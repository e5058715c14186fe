"""Loop invariants guessed from the first iterations: a running value as a function of `k`.

After `k` iterations of a tile loop a running value (a running max, a rescaled running sum) is
a term that grows with `k` as the kernel built it, but its normal form is a closed form whose
only change from one iteration to the next is in integers: the interval of a reduction
(`nctx[0:32k]`), a slice of the value's dims. `guess` takes the values after two or more
consecutive iterations, brings each to its normal form and back to a term (`reify`), and lines
the terms up node by node: every node must be the same but for integers, and every integer must
change by the same constant from one sample to the next (`v(k) = v(k0) + (k - k0) * d`). The
result, `ValueTemplate.at(k)`, builds the value for any `k`, a symbolic one included
(`core.symbolic`).

A template is only a guess. The caller proves it (the base: the template at the last sample
has that sample's normal form, checked here; the step: one iteration of the loop body run on
`at(k)` for a symbolic `k` gives `at(k + 1)`), and falls back to unrolling when any part
fails.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tnp_runtime.core import ir, normal
from tnp_runtime.core.dims import DimType, Interval, Sliced
from tnp_runtime.core.ir import Affine, Expr, Position
from tnp_runtime.core.normalize import normalize
from tnp_runtime.core.reify import reify
from tnp_runtime.core.rules import Abstract
from tnp_runtime.core.symbolic import Form, form_of, make


class _Mismatch(Exception):
    """The samples differ other than by integers affine in k."""


@dataclass(frozen=True, slots=True)
class _Int:
    """An integer of the samples: `first + (k - k0) * step`."""

    first: int
    step: int

    def at(self, k: int, k0: int) -> int:
        return self.first + (k - k0) * self.step if self.step else self.first


def _integer(values: Sequence[object]) -> _Int:
    forms: list[Form] = []
    for value in values:
        form = form_of(value)
        if form is None:
            raise _Mismatch
        forms.append(form)
    steps = {_difference(b, a) for a, b in itertools.pairwise(forms)}
    if len(steps) != 1:
        raise _Mismatch
    (step,) = steps
    if step is None:
        raise _Mismatch
    return _Int(make(forms[0]), step)


def _difference(b: Form, a: Form) -> int | None:
    """b - a when it is a constant (the same at every point of the variables), else None."""
    d = b + a.scaled(-1)
    return d.constant if d.is_constant else None


class _Unifier:
    """Lines up the samples' terms; `k0` is the iteration count of the first sample."""

    def __init__(self, k0: int) -> None:
        self.k0 = k0
        self.memo: dict[tuple[int, ...], Callable[[int, dict[int, Expr]], Expr]] = {}

    def expr(self, nodes: Sequence[Expr]) -> Callable[[int, dict[int, Expr]], Expr]:
        key = tuple(id(n) for n in nodes)
        found = self.memo.get(key)
        if found is not None:
            return found
        recipe = self._expr(nodes)
        slot = len(self.memo)

        def shared(k: int, built: dict[int, Expr]) -> Expr:
            node = built.get(slot)
            if node is None:
                node = built[slot] = recipe(k, built)
            return node

        self.memo[key] = shared
        return shared

    def _expr(self, nodes: Sequence[Expr]) -> Callable[[int, dict[int, Expr]], Expr]:
        first = nodes[0]
        if all(n is first for n in nodes):
            return lambda k, built: first
        if any(type(n) is not type(first) for n in nodes):
            raise _Mismatch
        k0 = self.k0
        match first:
            case ir.Const() | ir.Inf() | ir.Input():
                raise _Mismatch  # interned: different objects are different values
            case ir.Read(source=source, index=index):
                reads = [n for n in nodes if isinstance(n, ir.Read)]
                if any(r.source is not source or len(r.index) != len(index) for r in reads):
                    raise _Mismatch
                positions = [
                    (dim, self._position([dict(r.index)[dim] for r in reads]))
                    for dim, _ in index
                ]
                return lambda k, built: ir.read(
                    source, {dim: position(k) for dim, position in positions}
                )
            case ir.Unary(op=unary_op):
                unaries = [n for n in nodes if isinstance(n, ir.Unary)]
                if any(n.op is not unary_op for n in unaries):
                    raise _Mismatch
                operand = self.expr([n.operand for n in unaries])
                return lambda k, built: ir.unary(unary_op, operand(k, built))
            case ir.Binary(op=binary_op):
                binaries = [n for n in nodes if isinstance(n, ir.Binary)]
                if any(n.op is not binary_op for n in binaries):
                    raise _Mismatch
                left = self.expr([n.left for n in binaries])
                right = self.expr([n.right for n in binaries])
                return lambda k, built: ir.binary(binary_op, left(k, built), right(k, built))
            case ir.Reduce(op=op, dim=dim):
                reds = [n for n in nodes if isinstance(n, ir.Reduce)]
                if any(r.op is not op or r.dim != dim for r in reds):
                    raise _Mismatch
                start = _integer([r.interval.start for r in reds])
                stop = _integer([r.interval.stop for r in reds])
                body = self.expr([r.body for r in reds])
                return lambda k, built: ir.reduce(
                    op, dim, Interval(start.at(k, k0), stop.at(k, k0)), body(k, built)
                )
            case ir.Apply(func=func):
                applies = [n for n in nodes if isinstance(n, ir.Apply)]
                if any(a.func is not func or len(a.args) != len(first.args) for a in applies):
                    raise _Mismatch
                args = [self.expr([a.args[i] for a in applies]) for i in range(len(first.args))]
                return lambda k, built: ir.apply(func, tuple(a(k, built) for a in args))
            case ir.Mask(pred=pred):
                masks = [n for n in nodes if isinstance(n, ir.Mask)]
                if any(m.pred != pred for m in masks):
                    raise _Mismatch  # predicates that move with k: not guessed
                fill = self.expr([m.fill for m in masks])
                operand = self.expr([m.operand for m in masks])
                return lambda k, built: ir.mask(pred, fill(k, built), operand(k, built))
        raise _Mismatch

    def _position(self, positions: Sequence[Position]) -> Callable[[int], Position]:
        first = positions[0]
        if all(p == first for p in positions):
            return lambda k: first
        affines = [p for p in positions if isinstance(p, Affine)]
        if not isinstance(first, Affine) or len(affines) != len(positions):
            raise _Mismatch
        if any(p.terms != first.terms for p in affines):
            raise _Mismatch
        offset = _integer([p.offset for p in affines])
        k0, terms = self.k0, first.terms
        return lambda k: Affine(terms, offset.at(k, k0))


def _dims(samples: Sequence[DimType], k0: int) -> Callable[[int], DimType]:
    first = samples[0]
    if any(len(s) != len(first) for s in samples):
        raise _Mismatch
    slots: list[tuple[Sliced, _Int, _Int]] = []
    for axis, sliced in enumerate(first):
        column = [s[axis] for s in samples]
        if any(c.dim != sliced.dim for c in column):
            raise _Mismatch
        start = _integer([c.interval.start for c in column])
        stop = _integer([c.interval.stop for c in column])
        slots.append((sliced, start, stop))
    return lambda k: tuple(
        Sliced(s.dim, Interval(start.at(k, k0), stop.at(k, k0))) for s, start, stop in slots
    )


@dataclass(frozen=True, slots=True)
class ValueTemplate:
    """A running value as a function of the iteration count `k` (see the module docstring)."""

    dims: Callable[[int], DimType]
    expr: Callable[[int, dict[int, Expr]], Expr]

    def at(self, k: int) -> Abstract:
        return Abstract(self.dims(k), self.expr(k, {}))


@dataclass(frozen=True, slots=True)
class IntTemplate:
    """A plain integer running value (a counter): `first + (k - k0) * step`."""

    value: _Int
    k0: int

    def at(self, k: int) -> int:
        return self.value.at(k, self.k0)


def guess_value(samples: Sequence[Abstract], k0: int) -> ValueTemplate | None:
    """A template of a typed running value from its values after iterations k0, k0 + 1, ...
    (at least two); None when the samples are not one closed form with integers affine in
    k, or the template does not give back the last sample's normal form (the base case)."""
    if len(samples) < 2:
        return None
    try:
        closed: list[Expr] = []
        for sample in samples:
            term = reify(normalize(sample.expr))
            if term is None:
                return None
            closed.append(term)
        template = ValueTemplate(_dims([s.dims for s in samples], k0), _Unifier(k0).expr(closed))
    except (_Mismatch, normal.NotNormalizable):
        return None
    last_k = k0 + len(samples) - 1
    rebuilt = template.at(last_k)
    try:
        same = normalize(rebuilt.expr) is normalize(samples[-1].expr)
    except normal.NotNormalizable:
        return None
    return template if same and rebuilt.dims == samples[-1].dims else None


def guess_int(samples: Sequence[object], k0: int) -> IntTemplate | None:
    try:
        return IntTemplate(_integer(samples), k0)
    except _Mismatch:
        return None


def same_value(a: Abstract, b: Abstract) -> bool:
    """One value: the same dims and slices, and the same normal form (a symbolic comparison
    records what it relied on, `core.symbolic`)."""
    if a.dims != b.dims:
        return False
    try:
        return normalize(a.expr) is normalize(b.expr)
    except normal.NotNormalizable:
        return False


__all__ = ["IntTemplate", "ValueTemplate", "guess_int", "guess_value", "same_value"]
