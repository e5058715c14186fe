"""`core/evaluate.py`, the float64 evaluation counterexamples come from: input values are fixed
by the input's label and the index, each construct evaluates as its definition says (checked
against a direct computation from `input_value`), and the step budget stops runaway
evaluations."""

from __future__ import annotations

import math

import pytest

from tnp_runtime.core import ir
from tnp_runtime.core.dims import Interval
from tnp_runtime.core.evaluate import EvaluationBudget, Evaluator, differ, input_value
from tnp_runtime.core.ir import BinaryOp, ReduceOp, UnaryOp

A = ir.input_leaf("A", ("M", "N"))
B = ir.input_leaf("B", ("N", "K"))


def a(m: int, n: int) -> float:
    node = A
    assert isinstance(node, ir.Input)
    return input_value(node, (m, n))


def test_input_values_are_fixed_by_label_and_index() -> None:
    node = A
    assert isinstance(node, ir.Input)
    values = {input_value(node, (m, n)) for m in range(4) for n in range(4)}
    assert len(values) == 16 and all(-1.0 <= v < 1.0 for v in values)
    assert input_value(node, (1, 2)) == input_value(node, (1, 2))
    assert input_value(node, (1, 2), label="A#2") != input_value(node, (1, 2))


def test_each_construct_evaluates_as_defined() -> None:
    evaluator = Evaluator()
    at = {"M": 1, "N": 2, "K": 0}
    assert evaluator.at(ir.binary(BinaryOp.MUL, A, ir.const(3)), at) == 3 * a(1, 2)
    assert evaluator.at(ir.binary(BinaryOp.SUB, ir.const(1), A), at) == 1 - a(1, 2)
    assert evaluator.at(ir.unary(UnaryOp.NEG, A), at) == -a(1, 2)
    assert evaluator.at(ir.unary(UnaryOp.EXP, A), at) == math.exp(a(1, 2))
    assert evaluator.at(ir.binary(BinaryOp.MAX, A, ir.const(0)), at) == max(a(1, 2), 0)
    summed = ir.reduce(ReduceOp.SUM, "N", Interval(1, 4), A)
    assert evaluator.at(summed, at) == math.fsum(a(1, n) for n in range(1, 4))
    biggest = ir.reduce(ReduceOp.MAX, "N", Interval(0, 3), A)
    assert evaluator.at(biggest, at) == max(a(1, n) for n in range(3))
    # Inside the reduction N ranges over its interval; outside it is the index's N again.
    mixed = ir.binary(BinaryOp.ADD, summed, A)
    assert evaluator.at(mixed, at) == math.fsum(a(1, n) for n in range(1, 4)) + a(1, 2)
    assert evaluator.at(ir.inf(True), at) == -math.inf


def test_outside_a_functions_domain_is_nan_not_an_error() -> None:
    evaluator = Evaluator()
    at = {"M": 0, "N": 0}
    assert math.isnan(evaluator.at(ir.binary(BinaryOp.DIV, A, ir.const(0)), at))
    assert math.isnan(evaluator.at(ir.unary(UnaryOp.LOG, ir.const(-1)), at))
    assert evaluator.at(ir.unary(UnaryOp.EXP, ir.const(10_000)), at) == math.inf


def test_the_budget_stops_a_huge_reduction() -> None:
    huge = ir.reduce(ReduceOp.SUM, "N", Interval(0, 10**9), A)
    with pytest.raises(EvaluationBudget):
        Evaluator().at(huge, {"M": 0})
    small = ir.reduce(ReduceOp.SUM, "N", Interval(0, 50), A)
    with pytest.raises(EvaluationBudget):
        Evaluator(max_steps=10).at(small, {"M": 0})
    assert Evaluator(max_steps=200).at(small, {"M": 0}) == math.fsum(a(0, n) for n in range(50))


def test_differ_allows_round_off_only() -> None:
    assert not differ(1.0, 1.0 + 1e-12)
    assert differ(1.0, 1.001)
    assert not differ(math.nan, math.nan) and differ(math.nan, 0.0)
    assert not differ(math.inf, math.inf) and differ(math.inf, -math.inf)
    assert differ(math.inf, 1e308)
