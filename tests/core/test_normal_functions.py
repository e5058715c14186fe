"""The normal-form rules of tanh, sigmoid, erf and abs (`normal_functions`): each identity
they use, with a case it must simplify and a near miss it must leave alone."""

from __future__ import annotations

import math
from collections.abc import Iterator
from fractions import Fraction

import pytest

from tnp_runtime.core import ir, normal, normal_functions, normal_rules, tables
from tnp_runtime.core.constants import float_constant

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


@pytest.mark.parametrize("odd", [normal_functions.tanh, normal_functions.erf])
def test_tanh_and_erf_are_odd(odd: object) -> None:
    f = odd  # type: ignore[assignment]
    assert f(normal.neg(X)) is normal.neg(f(X))  # type: ignore[operator]
    diff = normal.sub(X, Y)
    assert f(normal.neg(diff)) is normal.neg(f(diff))  # type: ignore[operator]
    # Near misses: odd is not even, and f(2x) is not 2 f(x).
    assert f(normal.neg(X)) is not f(X)  # type: ignore[operator]
    assert f(normal.scale(X, Fraction(2))) is not normal.scale(f(X), Fraction(2))  # type: ignore[operator]


def test_tanh_and_erf_of_constants_and_infinities() -> None:
    assert normal_functions.tanh(normal.ZERO) is normal.ZERO
    assert normal_functions.erf(normal.ZERO) is normal.ZERO
    assert normal_functions.tanh(normal.POS_INF) is normal.ONE
    assert normal_functions.erf(normal.NEG_INF) is const(-1)
    assert normal_functions.tanh(const(1)) is normal.constant(float_constant(math.tanh(1)))
    assert normal_functions.erf(const("1/2")) is normal.constant(float_constant(math.erf(0.5)))
    assert normal_functions.tanh(X) is not normal_functions.erf(X)


def test_sigmoid_is_its_definition() -> None:
    expanded = normal.inverse(normal.add(normal.ONE, normal.exp(normal.neg(X))))
    assert normal_functions.sigmoid(X) is expanded
    # ... also written with exp(x) on top: exp(x) / (exp(x) + 1)
    other = normal.div(normal.exp(X), normal.add(normal.exp(X), normal.ONE))
    assert normal_functions.sigmoid(X) is other
    # Near miss: sigmoid(x) is not 1 / (1 + exp(x)).
    assert normal_functions.sigmoid(X) is not normal.inverse(
        normal.add(normal.ONE, normal.exp(X))
    )
    assert normal_functions.sigmoid(normal.NEG_INF) is normal.ZERO
    assert normal_functions.sigmoid(normal.POS_INF) is normal.ONE
    assert normal_functions.sigmoid(normal.ZERO) is const("1/2")


def test_sigmoid_real_does_not_overflow() -> None:
    assert normal_functions.sigmoid_real(-1000.0) == 0.0
    assert normal_functions.sigmoid_real(1000.0) == 1.0
    assert normal_functions.sigmoid_real(0.5) == pytest.approx(1 / (1 + math.exp(-0.5)))


def test_abs_identities() -> None:
    absolute = normal_functions.absolute
    assert absolute(normal.neg(X)) is absolute(X)
    assert absolute(absolute(X)) is absolute(X)
    assert absolute(normal.neg(absolute(X))) is absolute(X)
    assert absolute(const(-3)) is const(3)
    assert absolute(normal.NEG_INF) is normal.POS_INF
    assert absolute(normal.mul(X, X)) is normal.mul(X, X)
    assert absolute(normal.scale(normal.exp(X), Fraction(-2))) is normal.scale(
        normal.exp(X), Fraction(2)
    )
    assert absolute(normal_rules.sqrt(X)) is normal_rules.sqrt(X)
    # Near misses: |x| is not x, |x - y| is not |x| - |y|, |x·y| is not x·y.
    assert absolute(X) is not X
    assert absolute(normal.sub(X, Y)) is not normal.sub(absolute(X), absolute(Y))
    assert absolute(normal.mul(X, Y)) is not normal.mul(X, Y)
    assert absolute(normal.sub(X, Y)) is absolute(normal.sub(Y, X))
