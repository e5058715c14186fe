"""Which rational a float64 constant stands for: one that rounds back to the float, the
simplest such, and the float's shortest decimal when that is as simple."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tnp_runtime.core.constants import float_constant, simplest_between, spec_number


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.1, Fraction(1, 10)),
        (1 / 3, Fraction(1, 3)),
        (2 / 7, Fraction(2, 7)),
        (-1 / 3, Fraction(-1, 3)),
        (0.044715, Fraction(8943, 200000)),
        (1e300, Fraction(10) ** 300),
        (2.0, Fraction(2)),
        (0.0, Fraction(0)),
    ],
)
def test_known_constants(value: float, expected: Fraction) -> None:
    assert float_constant(value) == expected


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_float_stands_for_a_rational_that_rounds_back_to_it(value: float) -> None:
    rational = float_constant(value)
    assert float(rational) == value
    assert float_constant(-value) == -rational


@given(st.floats(min_value=1e-12, max_value=1e12))
def test_nothing_simpler_rounds_to_the_same_float(value: float) -> None:
    rational = float_constant(value)
    # Any rational with a smaller denominator that rounds to `value` would lie near it.
    for denominator in range(1, min(rational.denominator, 200)):
        numerator = round(value * denominator)
        for candidate in (numerator - 1, numerator, numerator + 1):
            assert float(Fraction(candidate, denominator)) != value


def test_infinite_constants_are_refused() -> None:
    with pytest.raises(ValueError, match="not a finite constant"):
        float_constant(math.inf)


@given(st.fractions(min_value=0, max_value=1000), st.fractions(min_value=0, max_value=1000))
def test_simplest_between_lies_strictly_inside(a: Fraction, b: Fraction) -> None:
    if a == b:
        return
    low, high = min(a, b), max(a, b)
    found = simplest_between(low, high)
    assert low < found < high
    # No smaller denominator has a fraction strictly inside.
    for denominator in range(1, min(found.denominator, 60)):
        numerator = math.floor(low * denominator) + 1
        assert not Fraction(numerator, denominator) < high


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.1", Fraction(1, 10)),
        ("0.044715", Fraction(44715, 10**6)),
        ("1e-5", Fraction(1, 10**5)),
        ("3", Fraction(3)),
        # A float's repr stands for what the float stands for in a kernel.
        (repr(math.sqrt(2 / math.pi)), float_constant(math.sqrt(2 / math.pi))),
        (repr(1 / 3), Fraction(1, 3)),
        # More digits than a float's repr: taken as written.
        ("0.33333333333333333333", Fraction(33333333333333333333, 10**20)),
    ],
)
def test_spec_numbers(text: str, expected: Fraction) -> None:
    assert spec_number(text) == expected

