"""Normal-form rules of the elementwise functions other than exp, of maxima and of reductions.

Each rule maps normal forms to a normal form by identities of real arithmetic (the soundness
contract of `normal`): log, sqrt, sin and cos (the elementwise registry, `elementwise`, points
at them; exp is part of the ring, `normal.exp`, since a monomial carries an exp factor),
elementwise maxima (`maximum`) and reductions (`reduce_sum`, `reduce_max`), which merge the
reductions of adjacent tiles so that they meet.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

from tnp_runtime.core.dims import IntervalSet
from tnp_runtime.core.normal import (
    _float_function,
    _merge_bindings,
    _mono_mul,
    _poly,
    _sorted_factors,
    add,
    exp,
    mul,
    neg,
    scale,
)
from tnp_runtime.core.normal_terms import (
    ONE,
    ZERO,
    Atom,
    ExtInf,
    MaxAtom,
    MaxOf,
    Mono,
    NotNormalizable,
    Poly,
    SumAtom,
    Value,
    _func,
    _max_atom,
    _max_of,
    _mono,
    _poly_raw,
    _sum_atom,
    atom_poly,
    constant,
    constant_value,
    single_atom,
)


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
            if ax.body is not ay.body or ax.guard != ay.guard:
                continue
            joined = _merge_bindings(ax.bindings, ay.bindings, True)
            if joined is not None:
                merged = _max_atom(joined, ax.body, ax.guard)
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
    if (
        isinstance(inner, MaxAtom)
        and inner.guard is None
        and dim not in {d for d, _ in inner.bindings}
    ):
        bindings = tuple(sorted(bindings + inner.bindings))
        dep = inner.body
    result = atom_poly(_max_atom(bindings, dep))
    return result if indep is None else add(result, indep)
