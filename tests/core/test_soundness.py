"""Property: whenever the prover says Proved, the two terms are numerically equal.

Pairs are built from the whole operator set: a random term and a rewriting of it by identities
of real arithmetic (so that proofs happen often), or a mutated copy (so that refutations do).
Denominators and the arguments of log and sqrt are kept positive by construction, because
"Proved" assumes what is divided by is nonzero and that log and sqrt stay in their real domain;
mutated pairs may leave it, and indices where a side is NaN are not compared.
"""

from __future__ import annotations

import math
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tnp_runtime.core import ir
from tnp_runtime.core.dims import FullDim, Interval
from tnp_runtime.core.evaluate import Evaluator, differ
from tnp_runtime.core.ir import Binary, Const, Expr, Inf, Input, Reduce, Unary
from tnp_runtime.core.ir import BinaryOp as B
from tnp_runtime.core.ir import ReduceOp as R
from tnp_runtime.core.ir import UnaryOp as U
from tnp_runtime.core.prove import Proved, Refuted, prove

LEAVES = [
    ir.input_leaf("X", ("M", "N")),
    ir.input_leaf("Y", ("M", "N")),
    ir.input_leaf("W", ("M",)),
    ir.input_leaf("Z", ("N",)),
]
N_SIZE = 8
TILE = (FullDim("M", 3).full, FullDim("N", N_SIZE).full)


def _positive(e: Expr) -> Expr:
    return ir.binary(B.ADD, ir.binary(B.MUL, e, e), ir.const(1))


def terms(depth: int) -> st.SearchStrategy[Expr]:
    leaf = st.one_of(
        st.sampled_from(LEAVES),
        st.sampled_from([Fraction(1, 2), Fraction(2), Fraction(-3), Fraction(1, 10)]).map(
            ir.const
        ),
    )
    if depth == 0:
        return leaf
    sub = terms(depth - 1)
    intervals = st.tuples(st.integers(0, N_SIZE - 1), st.integers(1, N_SIZE)).map(
        lambda t: Interval(min(t[0], t[1] - 1), max(t[0] + 1, t[1]))
    )
    return st.one_of(
        leaf,
        st.tuples(st.sampled_from([B.ADD, B.SUB, B.MUL, B.MAX]), sub, sub).map(
            lambda t: ir.binary(*t)
        ),
        st.tuples(sub, sub).map(lambda t: ir.binary(B.DIV, t[0], _positive(t[1]))),
        st.tuples(sub, sub).map(lambda t: ir.binary(B.DIV, t[0], ir.unary(U.EXP, t[1]))),
        sub.map(lambda e: ir.unary(U.NEG, e)),
        sub.map(lambda e: ir.unary(U.EXP, ir.binary(B.MUL, e, ir.const(Fraction(1, 4))))),
        sub.map(lambda e: ir.unary(U.LOG, ir.unary(U.EXP, e))),
        sub.map(lambda e: ir.unary(U.LOG, _positive(e))),
        sub.map(lambda e: ir.unary(U.SQRT, _positive(e))),
        sub.map(lambda e: ir.unary(U.SIN, e)),
        sub.map(lambda e: ir.unary(U.COS, e)),
        sub.map(lambda e: ir.binary(B.MAX, ir.inf(True), e)),
        sub.map(lambda e: ir.unary(U.EXP, ir.binary(B.SUB, ir.inf(True), e))),
        st.tuples(st.sampled_from([R.SUM, R.MAX]), intervals, sub).map(
            lambda t: ir.reduce(t[0], "N", t[1], t[2])
        ),
    )


def rewrite(draw: st.DrawFn, e: Expr, depth: int = 0) -> Expr:
    """An expression equal to `e` over the reals, by random identities at random places."""
    match e:
        case Binary(op=op, left=left, right=right):
            left, right = rewrite(draw, left, depth + 1), rewrite(draw, right, depth + 1)
            choice = draw(st.integers(0, 5))
            if op in (B.ADD, B.MUL, B.MAX) and choice == 0:
                return ir.binary(op, right, left)
            if op is B.SUB and choice == 1:
                return ir.binary(B.ADD, left, ir.binary(B.MUL, ir.const(-1), right))
            if op is B.DIV and choice == 2:
                return ir.binary(B.MUL, left, ir.binary(B.DIV, ir.const(1), right))
            if op is B.MUL and choice == 3 and isinstance(right, Binary) and right.op is B.ADD:
                return ir.binary(
                    B.ADD, ir.binary(B.MUL, left, right.left), ir.binary(B.MUL, left, right.right)
                )
            if op is B.ADD and choice == 4:
                return ir.binary(B.SUB, left, ir.unary(U.NEG, right))
            return ir.binary(op, left, right)
        case Unary(op=op, operand=operand):
            operand = rewrite(draw, operand, depth + 1)
            if (
                op is U.EXP
                and isinstance(operand, Binary)
                and operand.op is B.ADD
                and draw(st.booleans())
            ):
                return ir.binary(
                    B.MUL, ir.unary(U.EXP, operand.left), ir.unary(U.EXP, operand.right)
                )
            return ir.unary(op, operand)
        case Reduce(op=op, dim=dim, interval=interval, body=body):
            body = rewrite(draw, body, depth + 1)
            if interval.length > 1 and draw(st.booleans()):
                cut = draw(st.integers(interval.start + 1, interval.stop - 1))
                a = ir.reduce(op, dim, Interval(interval.start, cut), body)
                b = ir.reduce(op, dim, Interval(cut, interval.stop), body)
                return ir.binary(B.ADD if op is R.SUM else B.MAX, b, a)
            return ir.reduce(op, dim, interval, body)
        case Const() | Inf() | Input():
            if draw(st.integers(0, 9)) == 0:
                return ir.binary(B.MUL, ir.const(1), ir.binary(B.ADD, e, ir.const(0)))
            return e


def mutate(draw: st.DrawFn, e: Expr) -> Expr:
    """Usually a different expression: one leaf or constant replaced."""
    match e:
        case Binary(op=op, left=left, right=right):
            if draw(st.booleans()):
                return ir.binary(op, mutate(draw, left), right)
            return ir.binary(op, left, mutate(draw, right))
        case Unary(op=op, operand=operand):
            return ir.unary(op, mutate(draw, operand))
        case Reduce(op=op, dim=dim, interval=interval, body=body):
            return ir.reduce(op, dim, interval, mutate(draw, body))
        case Const() | Inf() | Input():
            return draw(terms(0))


def _agree(a: float, b: float) -> bool:
    """Equal as reals. A NaN on either side means an operation left its real domain (a
    mutated pair may take log of a negative): "Proved" claims nothing there."""
    if math.isnan(a) or math.isnan(b):
        return True
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= 1e-6 * (1 + abs(a) + abs(b))


@st.composite
def pairs(draw: st.DrawFn) -> tuple[Expr, Expr]:
    e = draw(terms(3))
    other = rewrite(draw, e)
    if draw(st.integers(0, 3)) == 0:
        other = mutate(draw, other)
    return e, other


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pairs())
def test_proved_implies_numerically_equal(pair: tuple[Expr, Expr]) -> None:
    kernel, spec = pair
    verdict = prove(kernel, spec, TILE)
    if isinstance(verdict, Proved):
        evaluator = Evaluator()
        for m_index in range(3):
            for n_index in (0, 3, N_SIZE - 1):
                index = {"M": m_index, "N": n_index}
                k, s = evaluator.at(kernel, index), evaluator.at(spec, index)
                assert _agree(k, s), (index, k, s)
    if isinstance(verdict, Refuted):
        # A refutation must stand on its own: evaluated afresh, the two sides differ there.
        assert verdict.counterexample is not None
        index = dict(verdict.counterexample.index)
        fresh = Evaluator()
        assert differ(fresh.at(kernel, index), fresh.at(spec, index))


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_rewrites_are_mostly_proved(data: st.DataObject) -> None:
    """Guards the property above against vacuity: plain rewrites must mostly prove."""
    e = data.draw(terms(2))
    other = rewrite(data.draw, e)
    verdict = prove(e, other, TILE)
    # Rewriting keeps real equality, so a refutation here is a prover or evaluator bug.
    assert not isinstance(verdict, Refuted), verdict
