"""The normal form of pointwise terms: what the prover compares.

A value in normal form is a `Poly` (a finite sum of monomials with exact rational coefficients)
or an `ExtInf` (+inf or -inf, only where the extended reals make that exact). A `Mono` is a
product of atoms raised to nonzero integer powers, times `exp` of an exponent polynomial (so
exp(a)·exp(b) = exp(a+b) holds by construction). Atoms are inputs, reductions, elementwise
maxima and opaque functions.

Invariants (they make equal terms identical objects, so comparison is `is`):
- every object is interned; children are interned before parents;
- a Poly has no zero coefficient and its terms are sorted by monomial uid;
- a Mono's factors are sorted by atom uid, no power is zero, its exponent is None or nonzero;
- a `SumAtom`'s body has coefficient 1 and every factor and exponent term depends on a bound
  dim (the rest was pulled out); a body factor that is itself a sum over other dims, with no
  capture, is flattened into one multi-dim sum;
- sums (and maxima) with the same body whose bindings differ in one dim only and cover
  disjoint (for max: any) interval sets are merged, so adjacent tiles meet: sum N[0:32] +
  sum N[32:64] = sum N[0:64];
- a `MaxOf` has at least two arguments, no -inf, no nested `MaxOf`, and no additive term common
  to all arguments (max(x + c, y + c) = max(x, y) + c).

Soundness: operations are identities of real arithmetic, assuming only that what the kernel
divides by is nonzero. Nothing cancels across infinities: 0·inf, inf - inf and inf times a
term of unknown sign raise `NotNormalizable`, which the prover reports as unproven.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Final, NamedTuple, TypeVar, assert_never

from tnp_runtime.core import tables
from tnp_runtime.core.constants import float_constant
from tnp_runtime.core.dims import IntervalSet
from tnp_runtime.core.ir import Input

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
    """An input read at the current index."""

    input: Input
    uid: int
    free: frozenset[str]


@dataclass(frozen=True, eq=False, slots=True)
class SumAtom:
    """Sum of `body` over every binding (dim ranging over its interval set) at once."""

    bindings: tuple[tuple[str, IntervalSet], ...]
    body: Mono
    uid: int
    free: frozenset[str]


@dataclass(frozen=True, eq=False, slots=True)
class MaxAtom:
    """Maximum of `body` over every binding at once."""

    bindings: tuple[tuple[str, IntervalSet], ...]
    body: Poly
    uid: int
    free: frozenset[str]


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


Atom = Leaf | SumAtom | MaxAtom | MaxOf | Func


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


def leaf(node: Input) -> Atom:
    return _interned(("leaf", node), lambda uid: Leaf(node, uid, frozenset(node.dims)))


def _sum_atom(bindings: tuple[tuple[str, IntervalSet], ...], body: Mono) -> Atom:
    free = _free_of_bindings(bindings, body.free)
    return _interned(("sum", bindings, body), lambda uid: SumAtom(bindings, body, uid, free))


def _max_atom(bindings: tuple[tuple[str, IntervalSet], ...], body: Poly) -> Atom:
    free = _free_of_bindings(bindings, body.free)
    return _interned(("max", bindings, body), lambda uid: MaxAtom(bindings, body, uid, free))


def _max_of(args: tuple[Poly, ...]) -> Atom:
    return _interned(("maxof", args), lambda uid: MaxOf(args, uid, _union_free(args)))


def _func(name: str, arg: Poly) -> Atom:
    return _interned(("func", name, arg), lambda uid: Func(name, arg, uid, arg.free))


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


# ---------------------------------------------------------------------------------------------
# Merging reductions over adjacent tiles


def _merge_bindings(
    a: tuple[tuple[str, IntervalSet], ...],
    b: tuple[tuple[str, IntervalSet], ...],
    allow_overlap: bool,
) -> tuple[tuple[str, IntervalSet], ...] | None:
    """Bindings covering a ∪ b, if a and b differ in exactly one dim (and there are disjoint
    unless `allow_overlap`); else None. Both are sorted by dim name."""
    if len(a) != len(b):
        return None
    differing = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(differing) != 1:
        return None
    i = differing[0]
    (dim_a, set_a), (dim_b, set_b) = a[i], b[i]
    if dim_a != dim_b:
        return None
    if not allow_overlap and not set_a.is_disjoint(set_b):
        return None
    return a[:i] + ((dim_a, set_a.union(set_b)),) + a[i + 1 :]


class _SumGroup(NamedTuple):
    """Terms rest·Σ_I(body) that differ only in the bindings I of one sum factor (and that
    merge only when their coefficients are equal too: checked pair by pair, since hashing
    `Fraction`s in every key costs more than the rare comparison)."""

    rest: tuple[tuple[Atom, int], ...]
    exponent: Poly | None
    body: Mono
    dims: tuple[str, ...]


def _readings(mono: Mono) -> Iterator[tuple[_SumGroup, SumAtom]]:
    """Every way of reading `mono` as rest·Σ_I(body): one per sum factor of positive power,
    `rest` being the term divided by that factor once (so it may still hold the same sum)."""
    for atom, power in mono.factors:
        if not isinstance(atom, SumAtom) or power < 1:
            continue
        # The term's factors with this sum's power lowered by one (still sorted by uid).
        rest = tuple(
            (a, p - 1) if a is atom else (a, p) for a, p in mono.factors if a is not atom or p > 1
        )
        dims = tuple(d for d, _ in atom.bindings)
        yield _SumGroup(rest, mono.exponent, atom.body, dims), atom


def _merge_sums(terms: dict[Mono, Fraction]) -> dict[Mono, Fraction]:
    """Merge c·rest·Σ_I(b) + c·rest·Σ_J(b) into c·rest·Σ_{I∪J}(b) (I, J disjoint).

    This is the distributive law, c·rest·(Σ_I(b) + Σ_J(b)), so the merged sum is multiplied
    into `rest` with the ring's own product: a factor `rest` already holds (the same sum, or
    the merged one) keeps its power. Merges repeat until no pair merges: a merged term is read
    again (it may merge further), and a reading whose term is gone is skipped."""
    groups: dict[_SumGroup, list[tuple[Mono, SumAtom]]] = {}
    for mono in terms:
        if mono.factors:
            for key, atom in _readings(mono):
                groups.setdefault(key, []).append((mono, atom))
    pending = [key for key, members in groups.items() if len(members) > 1]
    if not pending:
        return terms
    terms = dict(terms)
    while pending:
        key = pending.pop()
        pair = _mergeable_pair([(m, a) for m, a in groups[key] if m in terms], terms)
        if pair is None:
            continue
        first, second, joined = pair
        coef = terms.pop(first)
        del terms[second]  # it held the same coefficient (`_mergeable_pair`)
        rest = _mono(key.rest, key.exponent)
        union = _mono_mul(rest, _mono(((_sum_atom(joined, key.body), 1),), None))
        total = terms.get(union, Fraction(0)) + coef
        if total == 0:
            terms.pop(union, None)
        else:
            terms[union] = total
            for union_key, atom in _readings(union):
                groups.setdefault(union_key, []).append((union, atom))
                pending.append(union_key)
        pending.append(key)
    return terms


def _mergeable_pair(
    members: list[tuple[Mono, SumAtom]], terms: dict[Mono, Fraction]
) -> tuple[Mono, Mono, tuple[tuple[str, IntervalSet], ...]] | None:
    """Two terms with equal coefficients whose sums cover disjoint parts of one dim."""
    for (mx, ax), (my, ay) in itertools.combinations(members, 2):
        if mx is my or terms[mx] != terms[my]:
            continue
        joined = _merge_bindings(ax.bindings, ay.bindings, False)
        if joined is not None:
            return mx, my, joined
    return None


def _sorted_factors(powers: dict[Atom, int]) -> tuple[tuple[Atom, int], ...]:
    return tuple(sorted(((a, p) for a, p in powers.items() if p != 0), key=lambda t: t[0].uid))


def _poly(terms: dict[Mono, Fraction]) -> Poly:
    return _poly_raw(_merge_sums({m: c for m, c in terms.items() if c != 0}))


# ---------------------------------------------------------------------------------------------
# Ring operations


def add(a: Value, b: Value) -> Value:
    if isinstance(a, ExtInf) or isinstance(b, ExtInf):
        if isinstance(a, ExtInf) and isinstance(b, ExtInf):
            if a.negative != b.negative:
                raise NotNormalizable("inf - inf")
            return a
        # a polynomial is finite: inf + finite = inf
        return a if isinstance(a, ExtInf) else b
    if not a.terms:
        return b
    if not b.terms:
        return a
    if len(a.terms) + len(b.terms) > MAX_TERMS:
        raise NormalFormLimit(f"a sum of {len(a.terms) + len(b.terms)} terms")
    terms = dict(a.terms)
    for mono, coef in b.terms:
        terms[mono] = terms.get(mono, Fraction(0)) + coef
    return _poly(terms)


def scale(a: Value, factor: Fraction) -> Value:
    if isinstance(a, ExtInf):
        if factor == 0:
            raise NotNormalizable("0 * inf")
        return a if factor > 0 else ExtInf(not a.negative)
    if factor == 0:
        return ZERO
    if factor == 1:
        return a
    return _poly_raw({m: c * factor for m, c in a.terms})


def neg(a: Value) -> Value:
    return scale(a, Fraction(-1))


def sub(a: Value, b: Value) -> Value:
    return add(a, neg(b))


def _mono_mul(x: Mono, y: Mono) -> Mono:
    if x is UNIT:
        return y
    if y is UNIT:
        return x
    powers: dict[Atom, int] = dict(x.factors)
    for atom, power in y.factors:
        powers[atom] = powers.get(atom, 0) + power
    if x.exponent is None:
        exponent = y.exponent
    elif y.exponent is None:
        exponent = x.exponent
    else:
        summed = add(x.exponent, y.exponent)
        assert isinstance(summed, Poly)
        exponent = summed
    return _mono(_sorted_factors(powers), exponent)


def mul(a: Value, b: Value) -> Value:
    if isinstance(a, ExtInf) or isinstance(b, ExtInf):
        if isinstance(a, ExtInf) and isinstance(b, ExtInf):
            return ExtInf(a.negative != b.negative)
        inf_side, other = (a, b) if isinstance(a, ExtInf) else (b, a)
        factor = constant_value(other)
        if factor is None:
            raise NotNormalizable("inf times a term of unknown sign")
        return scale(inf_side, factor)
    if len(a.terms) * len(b.terms) > MAX_TERMS:
        raise NormalFormLimit(f"a product of {len(a.terms)} by {len(b.terms)} terms")
    if len(a.terms) == 1 and a.terms[0][0] is UNIT:
        return scale(b, a.terms[0][1])
    if len(b.terms) == 1 and b.terms[0][0] is UNIT:
        return scale(a, b.terms[0][1])
    terms: dict[Mono, Fraction] = {}
    for (mx, cx), (my, cy) in itertools.product(a.terms, b.terms):
        mono = _mono_mul(mx, my)
        terms[mono] = terms.get(mono, Fraction(0)) + cx * cy
    return _poly(terms)


def _mono_inverse(mono: Mono) -> Mono:
    exponent = None
    if mono.exponent is not None:
        negated = neg(mono.exponent)
        assert isinstance(negated, Poly)
        exponent = negated
    return _mono(tuple((a, -p) for a, p in mono.factors), exponent)


def inverse(a: Value) -> Value:
    """1/a, assuming a is nonzero (the caller divides by it)."""
    if isinstance(a, ExtInf):
        return ZERO
    if not a.terms:
        raise NotNormalizable("division by a term that is identically zero")
    if len(a.terms) == 1:
        mono, coef = a.terms[0]
        return _poly_raw({_mono_inverse(mono): 1 / coef})
    # Several terms: pull out the monomial common to all terms, then the exp factor and the
    # scale chosen by content (not by creation order), so equal denominators written
    # differently (scaled, times a common factor, times exp of something) meet:
    # 1 + exp(-x) = exp(-x)·(exp(x) + 1).
    common = _common_factor(a)
    primitive = _poly({_mono_mul(m, _mono_inverse(common)): c for m, c in a.terms})
    best: tuple[str, Poly | None, Poly] | None = None
    for shift in dict.fromkeys(m.exponent for m, _ in primitive.terms):
        candidate = primitive if shift is None else mul(primitive, exp(neg(shift)))
        assert isinstance(candidate, Poly)
        key = content_key(candidate)
        if best is None or key < best[0]:
            best = (key, shift, candidate)
    assert best is not None
    _, shift, shifted = best
    lead = min(shifted.terms, key=lambda t: content_key(t[0]))[1]
    monic = scale(shifted, 1 / lead)
    assert isinstance(monic, Poly)
    group = _mono(((_func("group", monic), -1),), None)
    inverted = _poly_raw({_mono_mul(_mono_inverse(common), group): 1 / lead})
    # 1/a = 1/common · exp(-shift) · 1/(lead · monic). exp(-shift) is multiplied in as a value,
    # not as one monomial: an exponent may hold log(P) (exp(½ log s)² has exponent log s),
    # and then exp(-shift) is 1/P, with coefficients and terms of its own.
    return inverted if shift is None else mul(inverted, exp(neg(shift)))


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
        case Leaf(input=node):
            key = f"{node.name}[{','.join(node.dims)}]"
        case SumAtom(bindings=bindings, body=body):
            key = f"sum{_bindings_key(bindings)}({content_key(body)})"
        case MaxAtom(bindings=bindings, body=body):
            key = f"max{_bindings_key(bindings)}{content_key(body)}"
        case MaxOf(args=args):
            key = "maxof(" + ",".join(sorted(content_key(a) for a in args)) + ")"
        case Func(name=name, arg=arg):
            key = f"{name}{content_key(arg)}"
        case _:
            assert_never(item)
    _CONTENT_KEYS[item.uid] = key
    return key


def _bindings_key(bindings: tuple[tuple[str, IntervalSet], ...]) -> str:
    return "[" + ";".join(f"{d}:{over}" for d, over in bindings) + "]"


def _common_factor(a: Poly) -> Mono:
    monos = [m for m, _ in a.terms]
    shared = set.intersection(*(set(dict(m.factors)) for m in monos))
    powers = {atom: min(dict(m.factors)[atom] for m in monos) for atom in shared}
    exponents = {m.exponent for m in monos}
    exponent = monos[0].exponent if len(exponents) == 1 else None
    return _mono(_sorted_factors(powers), exponent)


def div(a: Value, b: Value) -> Value:
    return mul(a, inverse(b))


# ---------------------------------------------------------------------------------------------
# Elementwise functions


# exp(k·log P) is multiplied out as P^k only for |k| up to this (a larger power is left as it
# is: still sound, only less complete).
_MAX_LOG_POWER: Final = 8


def _float_function(fn: Callable[[float], float], name: str, value: Fraction) -> Value:
    """`fn` of a constant, as the float64 value a kernel computes for it (see `constants`)."""
    try:
        result = fn(float(value))
    except (OverflowError, ValueError):
        raise NotNormalizable(f"{name}({value}) is not a finite float64") from None
    if not math.isfinite(result):
        raise NotNormalizable(f"{name}({value}) is not a finite float64")
    return constant(float_constant(result))


def _log_argument(mono: Mono) -> Poly | None:
    """P when `mono` is exactly log(P)."""
    if mono.exponent is None and len(mono.factors) == 1:
        atom, power = mono.factors[0]
        if power == 1 and isinstance(atom, Func) and atom.name == "log":
            return atom.arg
    return None


def exp(a: Value) -> Value:
    if isinstance(a, ExtInf):
        return ZERO if a.negative else POS_INF
    if not a.terms:
        return ONE
    value = constant_value(a)
    if value is not None:
        return _float_function(math.exp, "exp", value)
    # exp(k·log P + rest) = P^k·exp(rest) for a whole k: log(P) is only taken where P > 0
    # (the domain assumption of `log`), where exp(log P) = P.
    powers = [
        (base, int(coef))
        for mono, coef in a.terms
        if coef.denominator == 1
        and abs(coef) <= _MAX_LOG_POWER
        and (base := _log_argument(mono)) is not None
    ]
    if not powers:
        return _poly_raw({_mono((), a): Fraction(1)})
    bases = {base for base, _ in powers}
    rest = _poly_raw({m: c for m, c in a.terms if _log_argument(m) not in bases})
    result = exp(rest)
    for base, power in powers:
        factor = base if power > 0 else inverse(base)
        for _ in range(abs(power)):
            result = mul(result, factor)
    return result


def _exp_argument(a: Poly) -> tuple[Fraction, Poly] | None:
    """(c, e) when a = c·exp(e) with c a positive rational."""
    if len(a.terms) == 1:
        mono, coef = a.terms[0]
        if coef > 0 and not mono.factors and mono.exponent is not None:
            return coef, mono.exponent
    return None


def log(a: Value) -> Value:
    if isinstance(a, ExtInf):
        if a.negative:
            raise NotNormalizable("log(-inf)")
        return a
    value = constant_value(a)
    if value == 1:
        return ZERO
    if value is not None:
        if value <= 0:
            raise NotNormalizable(f"log({value})")
        return _float_function(math.log, "log", value)
    # log(P·exp(e)) = log(P) + e: exp(e) > 0, so P > 0 wherever log is in its domain.
    exponents = {m.exponent for m, _ in a.terms}
    if len(exponents) == 1 and (shared := exponents.pop()) is not None:
        rest = mul(a, exp(neg(shared)))
        return add(log(rest), shared)
    return atom_poly(_func("log", a))


def _exact_sqrt(value: Fraction) -> Fraction | None:
    num, den = math.isqrt(value.numerator), math.isqrt(value.denominator)
    if num * num == value.numerator and den * den == value.denominator:
        return Fraction(num, den)
    return None


def sqrt(a: Value) -> Value:
    if isinstance(a, ExtInf):
        if a.negative:
            raise NotNormalizable("sqrt(-inf)")
        return a
    value = constant_value(a)
    if value is not None:
        if value < 0:
            raise NotNormalizable(f"sqrt({value})")
        exact = _exact_sqrt(value)
        # An irrational constant is compared as the float64 value the kernel computes with.
        return constant(exact) if exact is not None else _float_function(math.sqrt, "sqrt", value)
    found = _exp_argument(a)
    if found is not None:
        root = _exact_sqrt(found[0])
        if root is not None:
            half = scale(found[1], Fraction(1, 2))
            return scale(exp(half), root)
    return atom_poly(_func("sqrt", a))


def sin(a: Value) -> Value:
    if isinstance(a, ExtInf):
        raise NotNormalizable("sin(inf)")
    if (value := constant_value(a)) is not None:
        return _float_function(math.sin, "sin", value) if value else ZERO
    return atom_poly(_func("sin", a))


def cos(a: Value) -> Value:
    if isinstance(a, ExtInf):
        raise NotNormalizable("cos(inf)")
    if (value := constant_value(a)) is not None:
        return _float_function(math.cos, "cos", value) if value else ONE
    return atom_poly(_func("cos", a))


# ---------------------------------------------------------------------------------------------
# Maxima


def maximum(a: Value, b: Value) -> Value:
    """Elementwise max(a, b): -inf is the identity, +inf absorbs, equal arguments collapse."""
    if isinstance(a, ExtInf):
        return b if a.negative else a
    if isinstance(b, ExtInf):
        return a if b.negative else b
    if a is b:
        return a
    args: list[Poly] = []
    for value in (a, b):
        inner = single_atom(value)
        if isinstance(inner, MaxOf):
            args.extend(inner.args)
        else:
            args.append(value)
    return _max_of_polys(args)


def _max_of_polys(args: list[Poly]) -> Value:
    # Pull out the additive part common to every argument: max(x + c, y + c) = max(x, y) + c.
    common = set(args[0].terms)
    for arg in args[1:]:
        common &= set(arg.terms)
    offset = _poly_raw(dict(common))
    if common:
        args = [_poly_raw({m: c for m, c in arg.terms if (m, c) not in common}) for arg in args]
    unique: dict[int, Poly] = {}
    for arg in args:
        unique.setdefault(arg.uid, arg)
    rest = list(unique.values())
    # Constants compare exactly; keep only the largest.
    constants = [(v, p) for p in rest if (v := constant_value(p)) is not None]
    if len(constants) > 1:
        top = max(constants, key=lambda t: t[0])[1]
        rest = [p for p in rest if constant_value(p) is None or p is top]
    rest = _merge_max_atoms(rest)
    if len(rest) == 1:
        result: Value = rest[0]
    else:
        result = atom_poly(_max_of(tuple(sorted(rest, key=lambda p: p.uid))))
    return add(result, offset)


def _merge_max_atoms(args: list[Poly]) -> list[Poly]:
    """max(max_I(b), max_J(b)) = max_{I∪J}(b): how running maxima over tiles meet."""
    atoms = [(p, single_atom(p)) for p in args]
    plain = [p for p, atom in atoms if not isinstance(atom, MaxAtom)]
    reductions = [atom for _, atom in atoms if isinstance(atom, MaxAtom)]
    changed = True
    while changed:
        changed = False
        for x, y in itertools.combinations(range(len(reductions)), 2):
            ax, ay = reductions[x], reductions[y]
            if ax.body is not ay.body:
                continue
            joined = _merge_bindings(ax.bindings, ay.bindings, True)
            if joined is not None:
                merged = _max_atom(joined, ax.body)
                assert isinstance(merged, MaxAtom)
                reductions = [r for k, r in enumerate(reductions) if k not in (x, y)] + [merged]
                changed = True
                break
    return plain + [atom_poly(r) for r in reductions]


# ---------------------------------------------------------------------------------------------
# Reductions


def _split(poly: Poly | None, dim: str) -> tuple[Poly | None, Poly | None]:
    """(terms depending on dim, terms not depending on it)."""
    if poly is None:
        return None, None
    if dim not in poly.free:
        return None, poly
    dep = {m: c for m, c in poly.terms if dim in m.free}
    indep = {m: c for m, c in poly.terms if dim not in m.free}
    return _poly_raw(dep), (_poly_raw(indep) if indep else None)


def reduce_sum(dim: str, over: IntervalSet, a: Value) -> Value:
    """Σ over dim ∈ over of a: distributes over +, pulls out what does not depend on dim."""
    if isinstance(a, ExtInf):
        raise NotNormalizable("a sum of infinities")
    if dim not in a.free:
        return scale(a, Fraction(over.size))
    terms: dict[Mono, Fraction] = {}
    for mono, coef in a.terms:
        if dim not in mono.free:
            terms[mono] = terms.get(mono, Fraction(0)) + coef * over.size
            continue
        dep_factors = {at: p for at, p in mono.factors if dim in at.free}
        indep_factors = {at: p for at, p in mono.factors if dim not in at.free}
        dep_exp, indep_exp = _split(mono.exponent, dim)
        body = _mono(_sorted_factors(dep_factors), dep_exp)
        atom = _make_sum(((dim, over),), body)
        outside = _mono(_sorted_factors(indep_factors), indep_exp)
        result = _mono_mul(outside, _mono(((atom, 1),), None))
        terms[result] = terms.get(result, Fraction(0)) + coef
    return _poly(terms)


def _make_sum(bindings: tuple[tuple[str, IntervalSet], ...], body: Mono) -> Atom:
    """A sum atom, flattening body factors that are sums over other dims (no capture)."""
    while True:
        bound = {d for d, _ in bindings}
        for atom, power in body.factors:
            if not isinstance(atom, SumAtom) or power != 1:
                continue
            inner_bound = {d for d, _ in atom.bindings}
            if inner_bound & bound:
                continue
            rest = _mono(tuple((a, p) for a, p in body.factors if a is not atom), body.exponent)
            if inner_bound & rest.free:
                continue  # the rest uses those names as free dims: merging would capture them
            bindings = tuple(sorted(bindings + atom.bindings))
            body = _mono_mul(rest, atom.body)
            break
        else:
            return _sum_atom(bindings, body)


def reduce_max(dim: str, over: IntervalSet, a: Value) -> Value:
    """max over dim ∈ over of a; terms not depending on dim are pulled out additively."""
    if isinstance(a, ExtInf) or dim not in a.free:
        return a
    dep, indep = _split(a, dim)
    assert dep is not None
    bindings: tuple[tuple[str, IntervalSet], ...] = ((dim, over),)
    inner = single_atom(dep)
    if isinstance(inner, MaxAtom) and dim not in {d for d, _ in inner.bindings}:
        bindings = tuple(sorted(bindings + inner.bindings))
        dep = inner.body
    result = atom_poly(_max_atom(bindings, dep))
    return result if indep is None else add(result, indep)
