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

Layout: the objects and their interning are in `normal_terms`; this module is the ring (+, ·,
inverse) and exp (a monomial carries an exp factor, so exp is part of the ring); the rules of
the other elementwise functions, of maxima and of reductions are in `normal_rules`.
"""

from __future__ import annotations

import contextlib
import itertools
import math
from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import Final, NamedTuple

from tnp_runtime.core.constants import float_constant
from tnp_runtime.core.dims import IntervalSet
from tnp_runtime.core.normal_terms import (
    MAX_TERMS,
    NEG_INF,
    ONE,
    POS_INF,
    UNIT,
    ZERO,
    Atom,
    Call,
    ExtInf,
    Func,
    Ind,
    Leaf,
    MaxAtom,
    MaxOf,
    Mono,
    NormalFormLimit,
    NotNormalizable,
    Poly,
    SumAtom,
    Value,
    _func,
    _mono,
    _poly_raw,
    _sum_atom,
    atom_poly,
    constant,
    constant_value,
    content_key,
    leaf,
    single_atom,
)

__all__ = [
    "MAX_TERMS",
    "NEG_INF",
    "ONE",
    "POS_INF",
    "UNIT",
    "ZERO",
    "Atom",
    "Call",
    "ExtInf",
    "Func",
    "Ind",
    "Leaf",
    "MaxAtom",
    "MaxOf",
    "Mono",
    "NormalFormLimit",
    "NotNormalizable",
    "Poly",
    "SumAtom",
    "Value",
    "add",
    "atom_poly",
    "constant",
    "constant_value",
    "content_key",
    "div",
    "exp",
    "inverse",
    "leaf",
    "mul",
    "neg",
    "scale",
    "single_atom",
    "sub",
]


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


class OutOfBudget(Exception):
    """The caller's budget of term operations (`budget`) ran out. Not a fact about the term,
    so deliberately not a `NotNormalizable`: nothing memoises it as the term's failure."""


# Term operations left for the current `budget` block; None outside one (the prover's
# normalisations are bounded by `MAX_TERMS` alone).
_BUDGET: list[int | None] = [None]


@contextlib.contextmanager
def budget(operations: int) -> Iterator[None]:
    """Within the block, `add` and `mul` spend the number of terms they combine, and raise
    `OutOfBudget` once `operations` are spent: a count, not a time, so both halves stop at the
    same point. For work that may give up (the repairs tried for a message)."""
    saved = _BUDGET[0]
    _BUDGET[0] = operations
    try:
        yield
    finally:
        _BUDGET[0] = saved


def _spend(operations: int) -> None:
    left = _BUDGET[0]
    if left is not None:
        if left < operations:
            raise OutOfBudget
        _BUDGET[0] = left - operations


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
    _spend(len(a.terms) + len(b.terms))
    terms = dict(a.terms)
    for mono, coef in b.terms:
        terms[mono] = terms.get(mono, Fraction(0)) + coef
    return _poly(terms)


def scale(a: Value, factor: Fraction) -> Value:
    if isinstance(a, ExtInf):
        if factor == 0:
            raise NotNormalizable("0 * inf")
        return a if factor > 0 else (POS_INF if a.negative else NEG_INF)
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
        if atom in powers and isinstance(atom, Ind):
            continue  # Ind·Ind = Ind: an indicator is 0 or 1 (its power is always 1)
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
            # The canonical objects: normal forms are compared by identity.
            return NEG_INF if a.negative != b.negative else POS_INF
        inf_side, other = (a, b) if isinstance(a, ExtInf) else (b, a)
        factor = constant_value(other)
        if factor is None:
            raise NotNormalizable("inf times a term of unknown sign")
        return scale(inf_side, factor)
    if len(a.terms) * len(b.terms) > MAX_TERMS:
        raise NormalFormLimit(f"a product of {len(a.terms)} by {len(b.terms)} terms")
    _spend(len(a.terms) * len(b.terms))
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
    if any(isinstance(atom, Ind) for atom, _ in mono.factors):
        raise NotNormalizable("division by a masked value (an indicator may be 0)")
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
