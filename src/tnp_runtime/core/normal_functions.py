"""Normal-form rules of tanh, sigmoid, erf and abs (the registry, `elementwise`, points at them).

Each rule is an identity of (extended) real arithmetic, and nothing more:

* `tanh` and `erf` are odd: f(-a) = -f(a). The argument is put in a canonical sign (of a and
  -a, the one whose content key is smaller) so that f(-x) and -f(x) meet; f(0) = 0,
  f(±inf) = ±1, a constant is the float64 value of f. Otherwise the term is an opaque function
  of its argument: no other identity of tanh or erf is known to the prover (tanh(x) is not
  related to exp, erf(x) to nothing).
* `sigmoid(a)` is expanded to its definition 1 / (1 + exp(-a)), so a kernel that writes the
  formula and a spec that writes `sigmoid` (or the other way round) meet. The identity
  sigmoid(-a) = 1 - sigmoid(a) is true but not proved: the normal form does not cancel
  rational functions. sigmoid(-inf) = 0, sigmoid(+inf) = 1; a constant is evaluated as float64.
* `abs`: |c| of a constant, |±inf| = +inf, abs(-a) = abs(a) (the same canonical sign), and
  |c·m| = |c|·m for a monomial m that is never negative (its factors are abs or sqrt terms or
  at even powers, times exp of anything): abs(abs a) = abs a, |x²| = x², |-2·exp(x)| =
  2·exp(x). |a|² = a² is true but not used (abs stays an atom inside products).
"""

from __future__ import annotations

import math
from fractions import Fraction

from tnp_runtime.core.normal import _float_function, add, exp, inverse, neg
from tnp_runtime.core.normal_terms import (
    ONE,
    POS_INF,
    ZERO,
    ExtInf,
    Func,
    Poly,
    Value,
    _func,
    atom_poly,
    constant,
    constant_value,
    content_key,
)


def _canonical_sign(a: Poly) -> tuple[Poly, bool]:
    """(a or -a, whichever has a positive coefficient on its leading term; True when it is -a).

    The leading term is the one whose monomial has the smallest content key: a and -a have the
    same monomials, so x and -x pick the same representative whichever is built first."""
    lead = min(a.terms, key=lambda t: content_key(t[0]))[1]
    if lead < 0:
        negated = neg(a)
        assert isinstance(negated, Poly)
        return negated, True
    return a, False


def _odd(name: str, a: Value) -> Value:
    """An odd function with limit 1 at +inf (tanh, erf)."""
    if isinstance(a, ExtInf):
        return constant(Fraction(-1 if a.negative else 1))
    value = constant_value(a)
    if value is not None:
        if value == 0:
            return ZERO
        return _float_function(math.tanh if name == "tanh" else math.erf, name, value)
    argument, flipped = _canonical_sign(a)
    term = atom_poly(_func(name, argument))
    return neg(term) if flipped else term


def tanh(a: Value) -> Value:
    return _odd("tanh", a)


def erf(a: Value) -> Value:
    return _odd("erf", a)


def sigmoid_real(x: float) -> float:
    """1 / (1 + exp(-x)) in float64, without overflow for large |x|."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def sigmoid(a: Value) -> Value:
    if isinstance(a, ExtInf):
        return ZERO if a.negative else ONE
    value = constant_value(a)
    if value is not None:
        return _float_function(sigmoid_real, "sigmoid", value)
    # sigmoid(a) = 1 / (1 + exp(-a)): 1 + exp(-a) > 0, so the inverse is always defined.
    return inverse(add(ONE, exp(neg(a))))


# Atoms whose value is never negative (where defined).
_NONNEGATIVE = frozenset({"abs", "sqrt"})


def _nonnegative_mono(a: Poly) -> bool:
    """a is c·m with m a monomial that is never negative: each factor an abs or a sqrt, or at
    an even power (its exp factor is positive). Then |a| = |c|·m."""
    if len(a.terms) != 1:
        return False
    mono, _ = a.terms[0]
    return all(
        power % 2 == 0 or (isinstance(atom, Func) and atom.name in _NONNEGATIVE)
        for atom, power in mono.factors
    )


def absolute(a: Value) -> Value:
    if isinstance(a, ExtInf):
        return POS_INF
    value = constant_value(a)
    if value is not None:
        return constant(abs(value))
    if _nonnegative_mono(a):  # abs(abs x) = abs x, |-2·exp(x)| = 2·exp(x), |x²| = x²
        return neg(a) if a.terms[0][1] < 0 else a
    argument, _ = _canonical_sign(a)
    return atom_poly(_func("abs", argument))
