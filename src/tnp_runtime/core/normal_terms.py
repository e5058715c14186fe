"""The objects of the normal form: atoms, monomials, polynomials, and their interning.

See `normal` for what a normal form is and the invariants every object here keeps. This module
holds the data and the constructors only (each object is made once per content, `_interned`),
plus `content_key`, the content-based order used to choose among equal representations. The
arithmetic lives in `normal` (the ring, exp, inverse) and `normal_rules` (log, sqrt, sin, cos,
maxima, reductions).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Final, TypeVar, assert_never

from tnp_runtime.core import tables
from tnp_runtime.core.dims import IntervalSet
from tnp_runtime.core.index_pred import IndexPred
from tnp_runtime.core.ir import Input, Position, Read, free_dims
from tnp_runtime.core.opaque import Opaque

# A sum or product may have at most this many terms before normalization gives up.
MAX_TERMS: Final = 4096


class NotNormalizable(Exception):
    """The term has no normal form here (e.g. 0·inf); the prover answers Unknown."""


class NormalFormLimit(NotNormalizable):
    """A normal form grew past `MAX_TERMS`: reported, never a hang."""


_uids = itertools.count(1)
_T = TypeVar("_T")


@dataclass(frozen=True, eq=False, slots=True)
class Leaf:
    """An input read at the current index, or at computed positions (`index`, see `ir.Read`:
    empty for a plain read). Keyed by (input, index): two reads are one atom exactly when they
    read the same input at the same positions."""

    input: Input
    uid: int
    free: frozenset[str]
    index: tuple[tuple[str, Position], ...] = ()


@dataclass(frozen=True, eq=False, slots=True)
class SumAtom:
    """Sum of `body` over every binding (dim ranging over its interval set) at once."""

    bindings: tuple[tuple[str, IntervalSet], ...]
    body: Mono
    uid: int
    free: frozenset[str]


@dataclass(frozen=True, eq=False, slots=True)
class MaxAtom:
    """Maximum of `body` over every binding at once; with a `guard`, over the bindings where
    the guard holds (`max[n](mask[guard](body))`), which is -inf where it holds for none: a
    guarded maximum is never a finite term alone, only an argument of a `MaxOf` with a finite
    one, or of a `normal_mask.PartialMax` (see there)."""

    bindings: tuple[tuple[str, IntervalSet], ...]
    body: Poly
    uid: int
    free: frozenset[str]
    guard: IndexPred | None = None


@dataclass(frozen=True, eq=False, slots=True)
class MaxOf:
    """Elementwise maximum of two or more polynomials."""

    args: tuple[Poly, ...]
    uid: int
    free: frozenset[str]


@dataclass(frozen=True, eq=False, slots=True)
class Func:
    """An opaque function of a polynomial: log, sqrt, sin, cos, or `group` (a parenthesised
    polynomial, used as a factor only with a negative power: a multi-term denominator)."""

    name: str
    arg: Poly
    uid: int
    free: frozenset[str]


@dataclass(frozen=True, eq=False, slots=True)
class Call:
    """An opaque function (`opaque.Opaque`: declared, or `where`) of polynomials: equal only to
    the same function of the same arguments (see `normal_calls`)."""

    func: Opaque
    args: tuple[Poly, ...]
    uid: int
    free: frozenset[str]


@dataclass(frozen=True, eq=False, slots=True)
class Ind:
    """The indicator of an index predicate: 1 where `pred` holds, else 0 (Ind·Ind = Ind; it
    has no inverse). `exp` of a -inf-masked value is Ind(pred)·exp(value)."""

    pred: IndexPred
    uid: int
    free: frozenset[str]


Atom = Leaf | SumAtom | MaxAtom | MaxOf | Func | Call | Ind


@dataclass(frozen=True, eq=False, slots=True)
class Mono:
    factors: tuple[tuple[Atom, int], ...]
    exponent: Poly | None
    uid: int
    free: frozenset[str]


@dataclass(frozen=True, eq=False, slots=True)
class Poly:
    terms: tuple[tuple[Mono, Fraction], ...]
    uid: int
    free: frozenset[str]


@dataclass(frozen=True, eq=False, slots=True)
class ExtInf:
    negative: bool


Value = Poly | ExtInf

NEG_INF: Final = ExtInf(True)
POS_INF: Final = ExtInf(False)

_TABLE: Final[dict[tuple[object, ...], object]] = {}


def _free_of_bindings(
    bindings: tuple[tuple[str, IntervalSet], ...], inner: frozenset[str]
) -> frozenset[str]:
    return inner - {dim for dim, _ in bindings}


def _interned(key: tuple[object, ...], make: Callable[[int], _T]) -> _T:
    """The object interned under `key`, made (with a fresh uid) the first time it is asked."""
    found = _TABLE.get(key)
    if found is None:
        found = make(next(_uids))
        _TABLE[key] = found
    return found  # type: ignore[return-value]


def _union_free(items: Iterable[Atom | Poly]) -> frozenset[str]:
    return frozenset().union(*(item.free for item in items))


def leaf(node: Input | Read) -> Atom:
    if isinstance(node, Read):
        return _interned(
            ("leaf", node),
            lambda uid: Leaf(node.source, uid, free_dims(node), node.index),
        )
    return _interned(("leaf", node), lambda uid: Leaf(node, uid, frozenset(node.dims)))


def _sum_atom(bindings: tuple[tuple[str, IntervalSet], ...], body: Mono) -> Atom:
    free = _free_of_bindings(bindings, body.free)
    return _interned(("sum", bindings, body), lambda uid: SumAtom(bindings, body, uid, free))


def _max_atom(
    bindings: tuple[tuple[str, IntervalSet], ...], body: Poly, guard: IndexPred | None = None
) -> Atom:
    inner = body.free if guard is None else body.free | guard.dims
    free = _free_of_bindings(bindings, inner)
    return _interned(
        ("max", bindings, body, guard), lambda uid: MaxAtom(bindings, body, uid, free, guard)
    )


def _ind(pred: IndexPred) -> Atom:
    return _interned(("ind", pred), lambda uid: Ind(pred, uid, pred.dims))


def _max_of(args: tuple[Poly, ...]) -> Atom:
    return _interned(("maxof", args), lambda uid: MaxOf(args, uid, _union_free(args)))


def _func(name: str, arg: Poly) -> Atom:
    return _interned(("func", name, arg), lambda uid: Func(name, arg, uid, arg.free))


def _call(func: Opaque, args: tuple[Poly, ...]) -> Atom:
    return _interned(("call", func, args), lambda uid: Call(func, args, uid, _union_free(args)))


def _mono(factors: tuple[tuple[Atom, int], ...], exponent: Poly | None) -> Mono:
    """Intern a monomial; `factors` must already be sorted by uid with nonzero powers."""
    if exponent is not None and not exponent.terms:
        exponent = None

    def make(uid: int) -> Mono:
        free = _union_free(a for a, _ in factors)
        return Mono(factors, exponent, uid, free if exponent is None else free | exponent.free)

    return _interned(("mono", factors, exponent), make)


UNIT: Final = _mono((), None)


def _poly_raw(terms: dict[Mono, Fraction]) -> Poly:
    items = tuple(sorted(((m, c) for m, c in terms.items() if c != 0), key=lambda t: t[0].uid))
    return _interned(
        ("poly", items),
        lambda uid: Poly(items, uid, frozenset().union(*(m.free for m, _ in items))),
    )


ZERO: Final = _poly_raw({})
ONE: Final = _poly_raw({UNIT: Fraction(1)})
tables.register("normal.interned", _TABLE, "cleared, keeping UNIT, ZERO, ONE", keep=_TABLE)


def constant(value: Fraction) -> Poly:
    return _poly_raw({UNIT: value}) if value else ZERO


def atom_poly(atom: Atom) -> Poly:
    return _poly_raw({_mono(((atom, 1),), None): Fraction(1)})


def constant_value(value: Value) -> Fraction | None:
    """The rational a value is, if it is a constant."""
    if isinstance(value, ExtInf):
        return None
    if not value.terms:
        return Fraction(0)
    if len(value.terms) == 1 and value.terms[0][0] is UNIT:
        return value.terms[0][1]
    return None


def single_atom(value: Value) -> Atom | None:
    """The atom a value is exactly (coefficient 1, power 1, no exp), if it is one."""
    if isinstance(value, Poly) and len(value.terms) == 1:
        mono, coef = value.terms[0]
        if coef == 1 and mono.exponent is None and len(mono.factors) == 1:
            atom, power = mono.factors[0]
            if power == 1:
                return atom
    return None


_CONTENT_KEYS: Final[dict[int, str]] = {}
tables.register("normal.content_keys", _CONTENT_KEYS, "cleared: uids are never reused")


def content_key(item: Poly | Mono | Atom) -> str:
    """A text fixed by an object's content alone (unlike uids, which follow creation order),
    to choose among equal representations the same way whichever was built first."""
    found = _CONTENT_KEYS.get(item.uid)
    if found is not None:
        return found
    match item:
        case Poly(terms=terms):
            parts = sorted(f"{c}*{content_key(m)}" for m, c in terms)
            key = "(" + "+".join(parts) + ")"
        case Mono(factors=factors, exponent=exponent):
            parts = sorted(f"{content_key(a)}^{p}" for a, p in factors)
            if exponent is not None:
                parts.append(f"exp{content_key(exponent)}")
            key = "*".join(parts) or "1"
        case Leaf(input=node, index=index):
            positions = dict(index)
            key = f"{node.name}[{','.join(str(positions.get(d, d)) for d in node.dims)}]"
        case SumAtom(bindings=bindings, body=body):
            key = f"sum{_bindings_key(bindings)}({content_key(body)})"
        case MaxAtom(bindings=bindings, body=body, guard=guard):
            key = f"max{_bindings_key(bindings)}{content_key(body)}"
            if guard is not None:
                key += f"|{guard}"
        case Ind(pred=pred):
            key = f"ind[{pred}]"
        case MaxOf(args=args):
            key = "maxof(" + ",".join(sorted(content_key(a) for a in args)) + ")"
        case Func(name=name, arg=arg):
            key = f"{name}{content_key(arg)}"
        case Call(func=func, args=args):
            # The name, not the serial: the two halves number declarations differently, and
            # choices made by this key must be the same in both (two functions with one name
            # share a key; a key only orders, identity is the interning's).
            key = f"{func.name}(" + ",".join(content_key(a) for a in args) + ")"
        case _:
            assert_never(item)
    _CONTENT_KEYS[item.uid] = key
    return key


def _bindings_key(bindings: tuple[tuple[str, IntervalSet], ...]) -> str:
    return "[" + ";".join(f"{d}:{over}" for d, over in bindings) + "]"
