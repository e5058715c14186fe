"""`core/ir.py`: nodes are interned (equal fields, one object), a new input is distinct from
every other, `free_dims` respects the dims a `Reduce` binds, `inputs_of` lists each input once in
first-seen order, `substitute` rebuilds the term, and `input_labels` tells alike inputs apart."""

from __future__ import annotations

from fractions import Fraction

from tnp_runtime.core import ir
from tnp_runtime.core.dims import Interval
from tnp_runtime.core.ir import BinaryOp, ReduceOp, UnaryOp

A = ir.input_leaf("A", ("M", "N"))
B = ir.input_leaf("B", ("N", "K"))


def test_equal_fields_make_the_same_node() -> None:
    assert ir.const(2) is ir.const(Fraction(4, 2))
    assert ir.binary(BinaryOp.MUL, A, ir.const(2)) is ir.binary(BinaryOp.MUL, A, ir.const(2))
    assert ir.unary(UnaryOp.EXP, A) is ir.unary(UnaryOp.EXP, A)
    assert ir.reduce(ReduceOp.SUM, "N", Interval(0, 4), A) is (
        ir.reduce(ReduceOp.SUM, "N", Interval(0, 4), A)
    )
    assert ir.inf(True) is ir.inf(True) and ir.inf(True) is not ir.inf(False)
    # Any field differing makes another node.
    assert ir.binary(BinaryOp.MUL, A, ir.const(2)) is not ir.binary(BinaryOp.MUL, ir.const(2), A)
    assert ir.reduce(ReduceOp.SUM, "N", Interval(0, 4), A) is not (
        ir.reduce(ReduceOp.SUM, "N", Interval(0, 8), A)
    )
    assert ir.input_leaf("A", ("M", "N")) is A and ir.input_leaf("A", ("N", "M")) is not A


def test_a_new_input_is_distinct_whatever_its_name() -> None:
    first, second = ir.new_input("X", ("M",)), ir.new_input("X", ("M",))
    assert first is not second and first != second
    assert first.serial != second.serial
    assert (first.name, first.dims) == (second.name, second.dims)


def test_free_dims_leave_out_what_a_reduce_binds() -> None:
    product = ir.binary(BinaryOp.MUL, A, B)
    assert ir.free_dims(product) == {"M", "N", "K"}
    summed = ir.reduce(ReduceOp.SUM, "N", Interval(0, 4), product)
    assert ir.free_dims(summed) == {"M", "K"}
    # Outside the reduction, the same name is free again.
    assert ir.free_dims(ir.binary(BinaryOp.ADD, summed, A)) == {"M", "N", "K"}
    assert ir.free_dims(ir.const(3)) == frozenset() and ir.free_dims(ir.inf(False)) == frozenset()


def test_inputs_of_lists_each_input_once_in_first_seen_order() -> None:
    expr = ir.binary(BinaryOp.ADD, ir.binary(BinaryOp.MUL, B, A), ir.unary(UnaryOp.NEG, B))
    assert ir.inputs_of(expr) == [B, A]
    assert ir.inputs_of(ir.const(1)) == []


def test_inputs_of_a_deep_dag_does_not_recurse() -> None:
    """A running value unrolled over many tiles is a chain thousands of nodes deep."""
    expr = A
    for step in range(20_000):
        expr = ir.binary(BinaryOp.ADD, expr, ir.const(step % 7))
    assert ir.inputs_of(expr) == [A]


def test_substitute_replaces_inputs_and_keeps_the_rest() -> None:
    scaled = ir.binary(BinaryOp.MUL, B, ir.const(3))
    expr = ir.reduce(ReduceOp.SUM, "N", Interval(0, 4), ir.binary(BinaryOp.MUL, A, B))
    replaced = ir.substitute(expr, {B: scaled})
    expected = ir.reduce(ReduceOp.SUM, "N", Interval(0, 4), ir.binary(BinaryOp.MUL, A, scaled))
    assert replaced is expected
    assert ir.substitute(expr, {}) is expr
    assert ir.substitute(expr, {ir.input_leaf("C", ("M",)): scaled}) is expr  # not in expr


def test_input_labels_qualify_inputs_that_read_alike() -> None:
    x1, x2, y = ir.new_input("x", ("M",)), ir.new_input("x", ("M",)), ir.new_input("y", ("M",))
    anonymous = ir.new_input("", ("M", "N"), anonymous=True)
    labels = ir.input_labels([x2, y, x1, anonymous])
    # In order of registration, whatever the order they are listed in.
    assert labels == {x1: "x", x2: "x#2", y: "y", anonymous: "M N"}
    # An input alone keeps its bare name.
    assert ir.input_labels([x2]) == {x2: "x"}
