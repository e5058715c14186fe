"""`core/normalize.py`, from IR to normal form: terms equal by the algebra the prover knows get
one normal form, terms that differ get different ones, and a term without a normal form raises
`NotNormalizable` each time it is asked (through the public `normalize` only: the normal form's
own rules are tests/core/test_normal.py's)."""

from __future__ import annotations

import pytest

from tnp_runtime.core import ir, normal
from tnp_runtime.core.dims import Interval
from tnp_runtime.core.evaluate import Evaluator
from tnp_runtime.core.ir import BinaryOp, Expr, ReduceOp, UnaryOp
from tnp_runtime.core.normalize import normalize

A = ir.input_leaf("A", ("M", "N"))
B = ir.input_leaf("B", ("N", "K"))
X = ir.input_leaf("X", ("M", "N"))


def mul(left: Expr, right: Expr) -> Expr:
    return ir.binary(BinaryOp.MUL, left, right)


def add(left: Expr, right: Expr) -> Expr:
    return ir.binary(BinaryOp.ADD, left, right)


def sum_n(body: Expr, start: int = 0, stop: int = 8) -> Expr:
    return ir.reduce(ReduceOp.SUM, "N", Interval(start, stop), body)


EQUAL = {
    "a + a == 2 a": (add(A, A), mul(ir.const(2), A)),
    "commutative": (mul(A, X), mul(X, A)),
    "distributive": (mul(A, add(X, ir.const(1))), add(mul(A, X), A)),
    "tiles of a sum": (add(sum_n(mul(A, B), 0, 4), sum_n(mul(A, B), 4, 8)), sum_n(mul(A, B))),
    "scale out of a sum": (sum_n(mul(ir.const(3), A)), mul(ir.const(3), sum_n(A))),
    "exp of a sum": (ir.unary(UnaryOp.EXP, add(A, X)),
                     mul(ir.unary(UnaryOp.EXP, A), ir.unary(UnaryOp.EXP, X))),
}
DIFFERENT = {
    "other input": (A, X),
    "other factor": (mul(ir.const(2), A), mul(ir.const(3), A)),
    "a tile short": (add(sum_n(A, 0, 4), sum_n(A, 4, 6)), sum_n(A)),
    "max is not sum": (ir.reduce(ReduceOp.MAX, "N", Interval(0, 8), A), sum_n(A)),
}


@pytest.mark.parametrize("name", list(EQUAL))
def test_equal_terms_have_one_normal_form(name: str) -> None:
    left, right = EQUAL[name]
    assert normalize(left) == normalize(right)
    # Not vacuous: the two terms have the same value (at one index).
    index = {"M": 1, "K": 2, "N": 3}
    assert Evaluator().at(left, index) == pytest.approx(Evaluator().at(right, index))


@pytest.mark.parametrize("name", list(DIFFERENT))
def test_different_terms_have_different_normal_forms(name: str) -> None:
    left, right = DIFFERENT[name]
    assert normalize(left) != normalize(right)


def test_normalizing_is_memoized_per_node() -> None:
    term = mul(A, add(X, B))
    assert normalize(term) is normalize(term)


def test_a_term_without_a_normal_form_fails_every_time() -> None:
    undefined = ir.binary(BinaryOp.SUB, ir.inf(False), ir.inf(False))
    for _ in range(2):
        with pytest.raises(normal.NotNormalizable, match="inf - inf"):
            normalize(undefined)
    # Built on top of it, a term fails too.
    with pytest.raises(normal.NotNormalizable):
        normalize(mul(A, undefined))
    assert isinstance(normalize(ir.inf(True)), normal.ExtInf)
