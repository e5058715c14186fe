"""The objects of the normal form (`normal_terms`): one object per content, constants and
single atoms read back, and the content key independent of creation order."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

import pytest

from tnp_runtime.core import ir, tables
from tnp_runtime.core import normal_terms as t

x = t.leaf(ir.input_leaf("X", ("M",)))
y = t.leaf(ir.input_leaf("Y", ("M",)))


@pytest.fixture(autouse=True)
def _terms_of_this_check() -> Iterator[None]:
    """Normal forms live inside one check (core/tables.py): x and y are made again inside one
    for each test, so that a reset by an earlier test of the session cannot leave them stale."""
    global x, y
    with tables.checking():
        x = t.leaf(ir.input_leaf("X", ("M",)))
        y = t.leaf(ir.input_leaf("Y", ("M",)))
        yield


def test_equal_content_is_one_object() -> None:
    assert t.leaf(ir.input_leaf("X", ("M",))) is x
    assert t.atom_poly(x) is t.atom_poly(x)
    assert t.atom_poly(x) is not t.atom_poly(y)
    assert t.constant(Fraction(0)) is t.ZERO


def test_constant_value_reads_constants_only() -> None:
    assert t.constant_value(t.constant(Fraction(3, 4))) == Fraction(3, 4)
    assert t.constant_value(t.ZERO) == 0
    assert t.constant_value(t.atom_poly(x)) is None
    assert t.constant_value(t.POS_INF) is None


def test_single_atom_reads_a_bare_atom_only() -> None:
    assert t.single_atom(t.atom_poly(x)) is x
    twice = t._poly_raw({t._mono(((x, 1),), None): Fraction(2)})
    assert t.single_atom(twice) is None
    squared = t._poly_raw({t._mono(((x, 2),), None): Fraction(1)})
    assert t.single_atom(squared) is None


def test_content_key_does_not_depend_on_creation_order() -> None:
    later = t.leaf(ir.input_leaf("A", ("M",)))  # created after X: a larger uid
    assert later.uid > x.uid
    assert t.content_key(later) < t.content_key(x)  # ordered by name, not by uid
    assert t.content_key(t.atom_poly(x)) == t.content_key(t.atom_poly(x))
    assert t.content_key(t.atom_poly(x)) != t.content_key(t.atom_poly(y))
