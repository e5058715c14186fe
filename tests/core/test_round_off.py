"""Float64 values with round-off bounds (`round_off`): each operation's bound covers the
rounding it claims to, infinities are exact, NaN and overflow are flagged."""

from __future__ import annotations

import math
from fractions import Fraction

from tnp_runtime.core import round_off
from tnp_runtime.core.ir import BinaryOp


def test_const_is_exact_to_rounding_and_flags_overflow() -> None:
    v, e, o = round_off.const(Fraction(1, 3))
    assert abs(Fraction(v) - Fraction(1, 3)) <= Fraction(e) and not o
    assert round_off.const(Fraction(10**400)) == (math.inf, math.inf, True)


def test_sum_of_two_bounded_values_adds_their_bounds() -> None:
    w, e, o = round_off.binary(BinaryOp.ADD, (1.0, 1e-10, False), (2.0, 2e-10, False))
    assert w == 3.0 and e >= 3e-10 and not o
    # Fails to hold if the bounds were not added: a smaller bound does not cover both.
    assert not e <= 2e-10


def test_division_loses_its_bound_near_zero() -> None:
    assert round_off.binary(BinaryOp.DIV, (1.0, 0.0, False), (0.0, 0.0, False))[0] != 0.0
    _, e, _ = round_off.binary(BinaryOp.DIV, (1.0, 0.0, False), (1e-12, 1e-11, False))
    assert e == math.inf
    _, e, _ = round_off.binary(BinaryOp.DIV, (1.0, 0.0, False), (2.0, 1e-11, False))
    assert e < 1e-10


def test_overflow_of_finite_operands_is_flagged_and_infinity_from_inf_is_exact() -> None:
    big = (1e308, 0.0, False)
    assert round_off.binary(BinaryOp.MUL, big, big) == (math.inf, 0.0, True)
    assert round_off.binary(BinaryOp.SUB, (-math.inf, 0.0, False), (1.0, 0.0, False)) == (
        -math.inf,
        0.0,
        False,
    )


def test_max_and_sum_of_many() -> None:
    assert round_off.max_of([(1.0, 1e-9, False), (2.0, 1e-12, True)]) == (2.0, 1e-9, True)
    w, e, o = round_off.sum_of([((1.0, 1e-9, False), 3), ((2.0, 0.0, False), 1)])
    assert w == 5.0 and e >= 3e-9 and not o
    assert math.isnan(round_off.sum_of([((math.inf, 0.0, False), 1),
                                        ((-math.inf, 0.0, False), 1)])[0])
