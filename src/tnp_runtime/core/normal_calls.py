"""Normal-form rule of opaque functions (`ir.Apply`): declared functions and `where`.

A declared function is uninterpreted: its normal form is the atom `Call(f, normal forms of the
arguments)`, so the same function of equal arguments is one atom, and nothing else is equal to
it. An infinite argument has no normal form here (the atom stands for a finite real).

`where(x > y, a, b)` (`WHERE_GT` of x, y, a, b; `WHERE_GE` for `>=`) is kept as a function of
(d, a, b) with d = x - y, so `x > y`, `y < x` and `x - y > 0` meet. Its identities, each true
for every real x, y, a, b:

* where(c, a, a) = a;
* a constant d chooses the branch (d > 0, or d >= 0, decides);
* where(x > y, x, y) = where(x >= y, x, y) = max(x, y) and where(x > y, y, x) =
  where(x >= y, y, x) = min(x, y) = -max(-x, -y): with d = x - y, the branches are b + d and b
  (or b - d and b); at x = y both are equal, so `>` and `>=` agree;
* an infinite x or y decides the condition when the other side is finite; an infinite branch
  has no normal form unless the identities above remove it;
* the condition is put in a canonical form: where(d > 0, a, b) = where(-d >= 0, b, a), and
  c·d > 0 iff d > 0 for c > 0, so d's leading term (by content) has coefficient 1:
  `2 * x >= 0` meets `x >= 0`, and `x < 0` meets `-x > 0`.

The atom holds (d, a, b), not the IR's four arguments.
"""

from __future__ import annotations

from tnp_runtime.core.normal import add, neg, scale, sub
from tnp_runtime.core.normal_rules import maximum
from tnp_runtime.core.normal_terms import (
    ExtInf,
    NotNormalizable,
    Poly,
    Value,
    _call,
    atom_poly,
    constant_value,
    content_key,
)
from tnp_runtime.core.opaque import WHERE_GE, WHERE_GT, Opaque


def apply(func: Opaque, args: list[Value]) -> Value:
    if func is WHERE_GT or func is WHERE_GE:
        x, y, a, b = args
        return where(func is WHERE_GE, x, y, a, b)
    polys: list[Poly] = []
    for arg in args:
        if isinstance(arg, ExtInf):
            raise NotNormalizable(f"{func.name} of an infinity")
        polys.append(arg)
    return atom_poly(_call(func, tuple(polys)))


def where(inclusive: bool, x: Value, y: Value, a: Value, b: Value) -> Value:
    """where(x > y, a, b) (x >= y when `inclusive`)."""
    if a is b:
        return a
    if isinstance(x, ExtInf) or isinstance(y, ExtInf):
        if isinstance(x, ExtInf) and isinstance(y, ExtInf):
            if x.negative == y.negative:
                return a if inclusive else b
            return b if x.negative else a
        # an infinity against a finite value: the infinity's sign decides
        if isinstance(x, ExtInf):
            return b if x.negative else a
        assert isinstance(y, ExtInf)
        return a if y.negative else b
    d = sub(x, y)
    assert isinstance(d, Poly)
    known = constant_value(d)
    if known is not None:
        return a if known > 0 or (inclusive and known == 0) else b
    if not isinstance(a, ExtInf) and not isinstance(b, ExtInf):
        if add(b, d) is a:  # where(x > y, x, y): b + (x - y) = a
            return maximum(a, b)
        if sub(b, d) is a:  # where(x > y, y, x)
            return neg(maximum(neg(a), neg(b)))
    if isinstance(a, ExtInf) or isinstance(b, ExtInf):
        raise NotNormalizable("where with an infinite branch")
    # The condition's canonical form: d > 0 is -d >= 0 negated (branches swapped), and a
    # positive factor does not change a sign; so d's leading coefficient is made 1.
    lead = min(d.terms, key=lambda t: content_key(t[0]))[1]
    if lead < 0:
        inclusive, a, b = not inclusive, b, a
    scaled = scale(d, 1 / lead)  # for lead < 0 this is -d / |lead|, as the swap needs
    assert isinstance(scaled, Poly)
    return atom_poly(_call(WHERE_GE if inclusive else WHERE_GT, (scaled, a, b)))
