"""The normal-form rules of log, sqrt, sin, cos, maxima and reductions (`normal_rules`): each
simplification they make, and the ones they must not make."""

from __future__ import annotations

import math
from collections.abc import Iterator
from fractions import Fraction

import pytest

from tnp_runtime.core import ir, normal, normal_rules, tables
from tnp_runtime.core.constants import float_constant
from tnp_runtime.core.dims import Interval, IntervalSet

X = normal.atom_poly(normal.leaf(ir.input_leaf("X", ("M", "N"))))
Y = normal.atom_poly(normal.leaf(ir.input_leaf("Y", ("M", "N"))))


@pytest.fixture(autouse=True)
def _terms_of_this_check() -> Iterator[None]:
    """Normal forms live inside one check (core/tables.py): X and Y are made again inside one
    for each test, so that a reset by an earlier test of the session cannot leave them stale."""
    global X, Y
    with tables.checking():
        X = normal.atom_poly(normal.leaf(ir.input_leaf("X", ("M", "N"))))
        Y = normal.atom_poly(normal.leaf(ir.input_leaf("Y", ("M", "N"))))
        yield


def const(v: int | str) -> normal.Value:
    return normal.constant(Fraction(v))


def over(lo: int, hi: int) -> IntervalSet:
    return IntervalSet.single(Interval(lo, hi))


def test_log_of_exp_is_its_argument_and_log_of_a_sum_is_opaque() -> None:
    assert normal_rules.log(normal.exp(X)) is X
    opaque = normal_rules.log(normal.add(X, Y))
    assert opaque is not normal.add(X, Y)
    assert normal_rules.log(const(1)) is normal.ZERO


def test_log_outside_its_domain_is_not_normalizable() -> None:
    with pytest.raises(normal.NotNormalizable):
        normal_rules.log(const(-2))
    with pytest.raises(normal.NotNormalizable):
        normal_rules.log(normal.NEG_INF)


def test_sqrt_of_squares_and_of_exp() -> None:
    assert normal_rules.sqrt(const("9/4")) is const("3/2")
    assert normal_rules.sqrt(normal.scale(normal.exp(X), Fraction(4))) is normal.scale(
        normal.exp(normal.scale(X, Fraction(1, 2))), Fraction(2)
    )
    # sqrt(X²) is |X|, not X: left opaque.
    assert normal_rules.sqrt(normal.mul(X, X)) is not X
    # An irrational constant is the float64 the kernel computes.
    assert normal_rules.sqrt(const(2)) is normal.constant(float_constant(math.sqrt(2)))
    with pytest.raises(normal.NotNormalizable):
        normal_rules.sqrt(const(-1))


def test_sin_and_cos_of_zero_and_of_a_term() -> None:
    assert normal_rules.sin(normal.ZERO) is normal.ZERO
    assert normal_rules.cos(normal.ZERO) is normal.ONE
    assert normal_rules.sin(X) is not normal_rules.cos(X)
    with pytest.raises(normal.NotNormalizable):
        normal_rules.sin(normal.POS_INF)


def test_maximum_collapses_equal_arguments_and_pulls_out_common_terms() -> None:
    assert normal_rules.maximum(X, X) is X
    assert normal_rules.maximum(normal.NEG_INF, X) is X
    shifted = normal_rules.maximum(normal.add(X, const(1)), normal.add(Y, const(1)))
    assert shifted is normal.add(normal_rules.maximum(X, Y), const(1))
    assert normal_rules.maximum(X, Y) is not X


def test_sums_over_adjacent_tiles_meet_and_overlapping_ones_do_not() -> None:
    left = normal_rules.reduce_sum("N", over(0, 32), X)
    right = normal_rules.reduce_sum("N", over(32, 64), X)
    assert normal.add(left, right) is normal_rules.reduce_sum("N", over(0, 64), X)
    overlapping = normal_rules.reduce_sum("N", over(16, 48), X)
    assert normal.add(left, overlapping) is not normal_rules.reduce_sum("N", over(0, 48), X)
    # A term not depending on the dim is scaled by the interval's length.
    assert normal_rules.reduce_sum("K", over(0, 4), X) is normal.scale(X, Fraction(4))


def test_maxima_over_tiles_meet_even_when_overlapping() -> None:
    left = normal_rules.reduce_max("N", over(0, 48), X)
    right = normal_rules.reduce_max("N", over(32, 64), X)
    assert normal_rules.maximum(left, right) is normal_rules.reduce_max("N", over(0, 64), X)
    assert normal_rules.maximum(left, right) is not left
