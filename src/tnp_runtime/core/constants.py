"""Which exact rational a float64 constant stands for, on both sides of a proof.

The prover works in exact rational arithmetic, but a kernel computes its constants in float64:
`1/3`, `np.exp(1.0)`, `np.sqrt(2)`, `0.044715`. A float stands for every real that rounds to
it, so tnp takes the simplest rational (smallest denominator, then smallest numerator) strictly
inside that rounding interval: `0.1` is 1/10, `1/3` evaluated in float64 is 1/3 again, and
`exp(1)` in a spec (evaluated in float64, see `normal.exp`) and `np.exp(1.0)` in a kernel are
the same rational because they are the same float.

Invariant: `float_constant(f)` rounds to `f` (it lies strictly inside f's rounding interval),
and depends on `f` alone, so the two halves and the two sides of a proof agree on it.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction

from tnp_runtime.core import tables


@functools.lru_cache(maxsize=4096)
def float_constant(value: float) -> Fraction:
    """The rational a finite float stands for (see the module docstring)."""
    if not math.isfinite(value):
        raise ValueError(f"{value} is not a finite constant")
    if value == 0:
        return Fraction(0)
    if value < 0:
        return -float_constant(-value)
    exact = Fraction(value)
    # The rounding interval's ends are the midpoints to the neighbouring floats; staying
    # strictly inside it avoids the ties that round-half-even would settle either way.
    below = (exact + Fraction(math.nextafter(value, 0.0))) / 2
    up = math.nextafter(value, math.inf)
    above = (exact + Fraction(up)) / 2 if math.isfinite(up) else 2 * exact - below
    simplest = simplest_between(below, above)
    shortest = Fraction(repr(value))
    return shortest if shortest.denominator <= simplest.denominator else simplest


tables.register_cache("constants.float_constant", float_constant, "none: an LRU of 4096")


def spec_number(text: str) -> Fraction:
    """The rational a number written in a spec stands for: as written (`0.1` is 1/10),
    except a number written as Python prints a float (its shortest repr, such as
    `0.7978845608028654`, the repr of `np.sqrt(2 / np.pi)`), which stands for what that float
    stands for in a kernel, so a constant copied from a kernel meets the kernel's constant.
    For a short decimal the two are the same (`float_constant(0.044715)` is 44715/10**6)."""
    exact = Fraction(text)
    value = float(exact)
    if exact == 0 or not math.isfinite(value) or Fraction(repr(value)) != exact:
        return exact
    return float_constant(value)


def simplest_between(low: Fraction, high: Fraction) -> Fraction:
    """The rational with the smallest denominator (then numerator) in the open interval
    (low, high), for 0 <= low < high: the continued-fraction walk of the Stern-Brocot tree."""
    assert 0 <= low < high
    # Invariant: the answer is whole + 1 / (the simplest in (1/b, 1/a)) for the remainders a, b
    # below; the terms collected are the answer's continued fraction.
    terms: list[int] = []
    while True:
        whole = math.floor(low) + 1
        if whole < high:
            terms.append(whole)
            break
        whole -= 1  # no integer strictly inside: both ends lie in [whole, whole + 1]
        terms.append(whole)
        low_rest, high_rest = low - whole, high - whole
        if low_rest == 0:
            terms.append(math.floor(1 / high_rest) + 1)
            break
        low, high = 1 / high_rest, 1 / low_rest
    result = Fraction(terms[-1])
    for term in reversed(terms[:-1]):
        result = term + 1 / result
    return result
