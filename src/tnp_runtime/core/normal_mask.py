"""The normal form of masked values: what a masked position contributes, in the extended reals.

A `-inf`-filled mask `where(p, a, -inf)` is not a polynomial (a polynomial is finite), so it
gets its own kind of value, and so does the maximum over a band of one:

- `Masked(p, a)`: `a` where the index predicate `p` holds, else -inf (`a` a finite `Poly`).
- `PartialMax(args)`: the maximum of guarded maxima (`normal_terms.MaxAtom` with a guard), each
  -inf where its guard holds for no index of its binding: a value that may be -inf at some
  indices. It becomes a finite term only when a finite argument joins it (`max(m, ...)`).

Every rule here is an identity of the extended reals at every index, whichever way the
predicate falls there (so neither side needs to know the region):

- `Masked(p, a) + b = Masked(p, a + b)` for a finite b (-inf + b = -inf), and
  `Masked(p, a) + Masked(q, b) = Masked(p ∧ q, a + b)`; `Masked - finite` likewise; a positive
  constant times (or divisor of) a `Masked` scales `a`;
- `exp(Masked(p, a)) = Ind(p)·exp(a)` (exp(-inf) = 0);
- `max(Masked, -inf)` and `max(PartialMax, -inf)` are themselves; `max(PartialMax, f)` with a
  finite f is the finite atom `max(f, guarded maxima)`; two `PartialMax` join;
- `max[d]` of `Masked(p, a)` is `Masked(p, max[d] a)` when p does not mention d, else the
  guarded maximum, a `PartialMax`;
- a fill-0 mask (`mask[p, 0]`) is the polynomial `Ind(p)·a`; a fill c is `Ind(p)·(a - c) + c`.

Everything else (negating a `Masked`, subtracting one, a product with a non-constant, a sum
over a masked value, log, sqrt, an inverse, exp of a `PartialMax`, -inf - -inf) raises
`NotNormalizable`: unproven, never a wrong identity. In particular a kernel whose running max
can still be -inf where it rescales by `exp(m_old - m_new)` (a fully masked row: NaN in
float64) never gets a normal form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Final, NoReturn

from tnp_runtime.core import normal, normal_rules, tables
from tnp_runtime.core.dims import IntervalSet
from tnp_runtime.core.index_pred import IndexPred
from tnp_runtime.core.ir import BinaryOp, ReduceOp, UnaryOp
from tnp_runtime.core.normal_terms import (
    ExtInf,
    Func,
    Ind,
    Leaf,
    MaxAtom,
    MaxOf,
    Mono,
    NotNormalizable,
    Poly,
    SumAtom,
    Value,
    _ind,
    _max_atom,
    _poly_raw,
    atom_poly,
    constant_value,
)


@dataclass(frozen=True, eq=False, slots=True)
class Masked:
    """`poly` where `pred` holds, -inf elsewhere. Interned: equal ones are one object."""

    pred: IndexPred
    poly: Poly


@dataclass(frozen=True, eq=False, slots=True)
class PartialMax:
    """The maximum of guarded maxima (`atom_poly` of guarded `MaxAtom`s, sorted by uid), -inf
    where no guard holds anywhere in its binding. Interned."""

    args: tuple[Poly, ...]

    @property
    def free(self) -> frozenset[str]:
        return frozenset().union(*(a.free for a in self.args))


# A normal form: a finite polynomial, an infinity, or one of the two masked kinds.
MValue = Value | Masked | PartialMax

_TABLE: Final[dict[tuple[object, ...], Masked | PartialMax]] = {}
tables.register("normal_mask.interned", _TABLE, "cleared: made again from their content")


def masked(pred: IndexPred, poly: Poly) -> MValue:
    if not pred.atoms:
        return poly
    key = ("m", pred, poly)
    found = _TABLE.get(key)
    if found is None:
        found = _TABLE[key] = Masked(pred, poly)
    return found


def _partial(args: list[Poly]) -> PartialMax:
    ordered = tuple(sorted(normal_rules._merge_max_atoms(args), key=lambda p: p.uid))
    key = ("p", ordered)
    found = _TABLE.get(key)
    if found is None:
        found = _TABLE[key] = PartialMax(ordered)
    assert isinstance(found, PartialMax)
    return found


def _refuse(what: str) -> NoReturn:
    raise NotNormalizable(what)


def _plain(value: MValue) -> bool:
    return isinstance(value, Poly | ExtInf)


def mask(pred: IndexPred, fill: Value, operand: MValue) -> MValue:
    """`where(pred, operand, fill)` for a fill of -inf or a finite constant."""
    if isinstance(fill, ExtInf):
        if not fill.negative:
            _refuse("a mask filled with +inf")
        if isinstance(operand, Poly):
            return masked(pred, operand)
        if isinstance(operand, Masked):
            return masked(pred & operand.pred, operand.poly)
        if isinstance(operand, ExtInf) and operand.negative:
            return operand
        _refuse("a -inf mask of this value")
    c = constant_value(fill)
    if c is None or not isinstance(operand, Poly):
        _refuse("a mask of a masked or infinite value with a finite fill")
    indicator = atom_poly(_ind(pred))
    shifted = normal.mul(indicator, normal.sub(operand, fill))
    return normal.add(shifted, fill)


def unary(op: UnaryOp, a: MValue, plain: Callable[[Value], Value]) -> MValue:
    if isinstance(a, Poly | ExtInf):
        return plain(a)
    if op is UnaryOp.EXP and isinstance(a, Masked):
        return normal.mul(atom_poly(_ind(a.pred)), normal.exp(a.poly))
    _refuse(f"{op.value} of a masked value")


def _positive_constant(value: MValue) -> Fraction | None:
    c = constant_value(value) if isinstance(value, Poly) else None
    return c if c is not None and c > 0 else None


def binary(op: BinaryOp, a: MValue, b: MValue, plain: Callable[[Value, Value], Value]) -> MValue:
    if isinstance(a, Poly | ExtInf) and isinstance(b, Poly | ExtInf):
        return plain(a, b)
    match op:
        case BinaryOp.ADD:
            return _add(a, b) if isinstance(a, Masked) else _add(b, a)
        case BinaryOp.SUB:
            if isinstance(a, Masked):
                if isinstance(b, Poly):
                    return masked(a.pred, _poly(normal.sub(a.poly, b)))
                if isinstance(b, ExtInf) and not b.negative:
                    return normal.NEG_INF
            if isinstance(a, PartialMax) or isinstance(b, PartialMax):
                _refuse(
                    "`-` with a maximum that is -inf on a row where every position it covers "
                    "is masked (an online softmax that starts with a tile some row sees nothing "
                    "of computes -inf - -inf, NaN, there: start with a tile every row sees)"
                )
        case BinaryOp.MUL:
            m, other = (a, b) if isinstance(a, Masked) else (b, a)
            c = _positive_constant(other)
            if isinstance(m, Masked) and c is not None:
                return masked(m.pred, _poly(normal.scale(m.poly, c)))
        case BinaryOp.DIV:
            c = _positive_constant(b)
            if isinstance(a, Masked) and c is not None:
                return masked(a.pred, _poly(normal.scale(a.poly, 1 / c)))
        case BinaryOp.MAX:
            return _maximum(a, b)
    _refuse(f"`{op.value}` with a masked value")


def _poly(value: Value) -> Poly:
    if not isinstance(value, Poly):
        _refuse("an infinity under a mask")
    return value


def _add(a: MValue, b: MValue) -> MValue:
    if not isinstance(a, Masked):
        _refuse("a sum with a partly -inf maximum")
    if isinstance(b, Poly):
        return masked(a.pred, _poly(normal.add(a.poly, b)))
    if isinstance(b, Masked):
        return masked(a.pred & b.pred, _poly(normal.add(a.poly, b.poly)))
    if isinstance(b, ExtInf) and b.negative:
        return b
    _refuse("-inf + inf under a mask")


def _maximum(a: MValue, b: MValue) -> MValue:
    for x, y in ((a, b), (b, a)):
        if isinstance(y, ExtInf):
            return x if y.negative else y
    if isinstance(a, PartialMax) and isinstance(b, PartialMax):
        return _partial([*a.args, *b.args])
    for x, y in ((a, b), (b, a)):
        if isinstance(x, PartialMax) and isinstance(y, Poly):
            # y is finite, so the maximum is finite: a `MaxOf` atom with the guarded maxima.
            result: Value = y
            for arg in x.args:
                result = normal_rules.maximum(result, arg)
            return result
    _refuse("an elementwise max of a masked value")


def reduce(op: ReduceOp, dim: str, over: IntervalSet, a: MValue) -> MValue:
    if isinstance(a, Poly | ExtInf):
        if op is ReduceOp.SUM:
            return normal_rules.reduce_sum(dim, over, a)
        return normal_rules.reduce_max(dim, over, a)
    if op is ReduceOp.SUM:
        _refuse("a sum over a -inf-masked value (mask with fill 0 to sum probabilities)")
    if isinstance(a, PartialMax):
        if dim in a.free:
            _refuse("a maximum over a partly -inf maximum")
        return a
    if dim not in a.pred.dims:
        return masked(a.pred, _poly(normal_rules.reduce_max(dim, over, a.poly)))
    guarded = _max_atom(((dim, over),), a.poly, a.pred)
    return _partial([atom_poly(guarded)])


def predicates_of(value: MValue) -> frozenset[IndexPred]:
    """The index predicates a normal form reads (indicators, guards, masks): two sides that
    read different ones differ by their masks, not by a reduction's interval."""
    found: set[IndexPred] = set()
    stack: list[Poly] = []
    match value:
        case Masked(pred=pred, poly=poly):
            found.add(pred)
            stack.append(poly)
        case PartialMax(args=args):
            stack.extend(args)
        case Poly():
            stack.append(value)
        case ExtInf():
            pass
    seen: set[int] = set()
    while stack:
        poly = stack.pop()
        if poly.uid in seen:
            continue
        seen.add(poly.uid)
        for mono, _ in poly.terms:
            if mono.exponent is not None:
                stack.append(mono.exponent)
            for atom, _power in mono.factors:
                match atom:
                    case Ind(pred=pred):
                        found.add(pred)
                    case MaxAtom(body=body, guard=guard):
                        if guard is not None:
                            found.add(guard)
                        stack.append(body)
                    case SumAtom(body=body):
                        stack.append(_mono_poly(body))
                    case MaxOf(args=args):
                        stack.extend(args)
                    case Func(arg=arg):
                        stack.append(arg)
                    case Leaf():
                        pass
    return frozenset(found)


def _mono_poly(mono: Mono) -> Poly:
    return _poly_raw({mono: Fraction(1)})
