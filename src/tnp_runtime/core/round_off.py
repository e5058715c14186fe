"""Float64 values that carry a first-order bound on their own round-off (the spot check's).

A value is a `Bounded` triple (value, err, overflow): the float64 value, a bound on how far it
is from the exact real it stands for, and whether an overflow (a finite operand giving an
infinite result) happened anywhere under it. Each operation propagates the bounds of its
operands and adds its own rounding: a sum adds its terms' bounds, a product scales each
factor's bound by the other factor, a division divides by the divisor (and loses the bound
when the divisor is within its own round-off of 0). The rules of the elementwise functions
are in `elementwise` (`Elementwise.bound`). Infinities from `inf` in a term are exact (bound
0); NaN carries an infinite bound.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Final

from tnp_runtime.core.ir import BinaryOp

EPS: Final = 2.0**-52  # two units of round-off: libm's exp/log/sin are within one ulp
TINY: Final = 2.0**-1070  # absolute round-off of a result near the subnormal range
INFINITIES: Final = frozenset((math.inf, -math.inf))

# A float64 value, a bound on its round-off, and whether an overflow happened under it.
Bounded = tuple[float, float, bool]


def const(value: Fraction) -> Bounded:
    try:
        v = float(value)
    except OverflowError:
        return (math.inf if value > 0 else -math.inf, math.inf, True)
    return (v, EPS * abs(v), False)


def binary(op: BinaryOp, a: Bounded, b: Bounded) -> Bounded:
    x, ex, ox = a
    y, ey, oy = b
    o = ox or oy
    if x != x or y != y:  # NaN
        return (math.nan, math.inf, o)
    if op is BinaryOp.MUL:
        w = x * y
        err = abs(x) * ey + abs(y) * ex + ex * ey + EPS * abs(w) + TINY
    elif op is BinaryOp.ADD:
        w = x + y
        err = ex + ey + EPS * abs(w) + TINY
    elif op is BinaryOp.SUB:
        w = x - y
        err = ex + ey + EPS * abs(w) + TINY
    elif op is BinaryOp.DIV:
        if y == 0:
            return (math.nan, math.inf, o)
        w = x / y
        margin = abs(y) - ey
        err = (ex + abs(w) * ey) / margin if margin > 0 else math.inf
        err += EPS * abs(w) + TINY
    else:  # max: within both bounds of whichever side it picks
        return (x if x >= y else y, ex if ex >= ey else ey, o)
    if w != w:  # inf - inf, 0 * inf
        return (w, math.inf, o)
    if w in INFINITIES:
        # An infinity is exact: from an infinite operand (`-inf - m` in a running max), or an
        # overflow of finite ones, which the flag makes inconclusive.
        return (w, 0.0, o or (x not in INFINITIES and y not in INFINITIES))
    return (w, err, o)



def max_of(values: list[Bounded]) -> Bounded:
    overflow = any(v[2] for v in values)
    if any(v[0] != v[0] for v in values):
        return (math.nan, math.inf, overflow)
    return (max(v[0] for v in values), max(v[1] for v in values), overflow)


def sum_of(values: list[tuple[Bounded, int]]) -> Bounded:
    overflow = any(v[2] for v, _ in values)
    terms = [v[0] * count for v, count in values]
    if any(t != t for t in terms):
        return (math.nan, math.inf, overflow)
    infinite = {t for t in terms if t in INFINITIES}
    if infinite:
        if len(infinite) > 1:
            return (math.nan, math.inf, overflow)
        overflowed = all(v[0] not in INFINITIES for v, _ in values)
        return (infinite.pop(), 0.0, overflow or overflowed)
    try:
        w = math.fsum(terms)
    except OverflowError:
        return (math.inf, math.inf, True)
    err = math.fsum(v[1] * count for v, count in values)
    err += EPS * (math.fsum(abs(t) for t in terms) + abs(w)) + TINY
    return (w, err, overflow or w in INFINITIES)
