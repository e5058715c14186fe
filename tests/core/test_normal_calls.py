"""The normal form of opaque functions and of `where` (`normal_calls`): each identity with a
case it must prove and a near miss it must leave alone."""

from __future__ import annotations

import math

import pytest

from tnp_runtime.core import ir, operations
from tnp_runtime.core.normal import NotNormalizable
from tnp_runtime.core.normalize import normalize
from tnp_runtime.core.opaque import declare

X = ir.input_leaf("X", ("M", "N"))
Y = ir.input_leaf("Y", ("M", "N"))
B, U = ir.BinaryOp, ir.UnaryOp
ZERO, ONE = ir.const(0), ir.const(1)


def where(relation: str, x: ir.Expr, y: ir.Expr, a: ir.Expr, b: ir.Expr) -> ir.Expr:
    return operations.where_expr(relation, x, y, a, b)


def same(a: ir.Expr, b: ir.Expr) -> bool:
    return normalize(a) is normalize(b)


def test_a_declared_function_is_equal_to_itself_of_equal_arguments_only() -> None:
    f, g = declare("f", 1), declare("f", 1)  # two declarations: two functions
    doubled = ir.binary(B.ADD, X, X)
    assert same(ir.apply(f, (doubled,)), ir.apply(f, (ir.binary(B.MUL, ir.const(2), X),)))
    assert not same(ir.apply(f, (X,)), ir.apply(g, (X,)))
    assert not same(ir.apply(f, (X,)), ir.apply(f, (Y,)))
    assert not same(ir.apply(f, (ir.unary(U.NEG, X),)), ir.unary(U.NEG, ir.apply(f, (X,))))


def test_a_declared_function_of_an_infinity_has_no_normal_form() -> None:
    with pytest.raises(NotNormalizable):
        normalize(ir.apply(declare("f", 1), (ir.inf(True),)))


def test_comparisons_written_either_way_meet() -> None:
    assert same(where(">", X, Y, X, ONE), where("<", Y, X, X, ONE))
    assert same(where(">=", X, ZERO, X, ONE), where("<=", ZERO, X, X, ONE))
    assert same(where(">", X, Y, X, ONE), where(">", ir.binary(B.SUB, X, Y), ZERO, X, ONE))
    # d > 0 is not(-d >= 0): where(x > 0, a, b) = where(-x >= 0, b, a)
    assert same(where(">", X, ZERO, X, ONE), where(">=", ir.unary(U.NEG, X), ZERO, ONE, X))
    # a positive factor does not change the sign
    assert same(where(">", ir.binary(B.MUL, ir.const(3), X), ZERO, X, ONE),
                where(">", X, ZERO, X, ONE))
    # Near misses: > is not >=, the branches are not interchangeable, a negative factor flips.
    assert not same(where(">", X, Y, X, ONE), where(">=", X, Y, X, ONE))
    assert not same(where(">", X, Y, X, ONE), where(">", X, Y, ONE, X))
    assert not same(where(">", ir.binary(B.MUL, ir.const(-3), X), ZERO, X, ONE),
                    where(">", X, ZERO, X, ONE))


def test_where_is_max_or_min_when_its_branches_are_its_sides() -> None:
    assert same(where(">", X, ZERO, X, ZERO), ir.binary(B.MAX, X, ZERO))
    assert same(where(">=", X, Y, X, Y), ir.binary(B.MAX, X, Y))
    assert same(where("<", X, Y, X, Y), operations.min_expr(X, Y))
    assert same(where(">", X, Y, Y, X), operations.min_expr(X, Y))
    assert not same(where(">", X, Y, X, ZERO), ir.binary(B.MAX, X, Y))
    assert not same(where(">", X, ONE, X, ZERO), ir.binary(B.MAX, X, ZERO))


def test_where_of_equal_branches_and_of_known_conditions() -> None:
    assert same(where(">", X, Y, X, X), X)
    assert same(where(">", ONE, ZERO, X, Y), X)
    assert same(where(">", ZERO, ZERO, X, Y), Y)
    assert same(where(">=", ZERO, ZERO, X, Y), X)
    assert same(where(">", X, ir.inf(True), Y, ONE), Y)  # x > -inf
    assert same(where(">", ir.inf(True), X, Y, ONE), ONE)
    assert same(where(">=", ir.inf(False), ir.inf(False), Y, ONE), Y)
    assert not same(where(">", X, ZERO, X, Y), X)


def test_where_with_an_infinite_branch_has_no_normal_form() -> None:
    with pytest.raises(NotNormalizable):
        normalize(where(">", X, Y, X, ir.inf(True)))


def test_the_evaluators_agree_with_where() -> None:
    from tnp_runtime.core.evaluate import Evaluator, input_value

    index = {"M": 1, "N": 2}
    x = input_value(X, (1, 2))
    value = Evaluator().at(where(">", X, ZERO, X, ONE), index)
    assert value == (x if x > 0 else 1.0)
    f = declare("f", 2)
    assert math.isfinite(Evaluator().at(ir.apply(f, (X, Y)), index))
