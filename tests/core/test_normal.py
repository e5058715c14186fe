"""Normal-form identities, written as `lhs => rhs` (both normalize to the same object), and
the non-identities the normal form must never claim."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from tnp_runtime.core import ir, normal, rules
from tnp_runtime.core.constants import float_constant
from tnp_runtime.core.dims import Interval
from tnp_runtime.core.ir import BinaryOp as B
from tnp_runtime.core.ir import Expr
from tnp_runtime.core.ir import ReduceOp as R
from tnp_runtime.core.ir import UnaryOp as U
from tnp_runtime.core.normalize import normalize

x = ir.input_leaf("X", ("M", "N"))
y = ir.input_leaf("Y", ("M", "N"))
w = ir.input_leaf("W", ("M",))


def c(v: int | str) -> Expr:
    return ir.const(Fraction(v))


def add(a: Expr, b: Expr) -> Expr:
    return ir.binary(B.ADD, a, b)


def sub(a: Expr, b: Expr) -> Expr:
    return ir.binary(B.SUB, a, b)


def mul(a: Expr, b: Expr) -> Expr:
    return ir.binary(B.MUL, a, b)


def div(a: Expr, b: Expr) -> Expr:
    return ir.binary(B.DIV, a, b)


def mx(a: Expr, b: Expr) -> Expr:
    return ir.binary(B.MAX, a, b)


def exp(a: Expr) -> Expr:
    return ir.unary(U.EXP, a)


def s(lo: int, hi: int, body: Expr, dim: str = "N") -> Expr:
    return ir.reduce(R.SUM, dim, Interval(lo, hi), body)


def m(lo: int, hi: int, body: Expr, dim: str = "N") -> Expr:
    return ir.reduce(R.MAX, dim, Interval(lo, hi), body)


NEG_INF = ir.inf(True)

IDENTITIES: list[tuple[str, Expr, Expr]] = [
    ("constants fold exactly", mul(mul(x, c(3)), c(2)), mul(c(6), x)),
    ("0.1 is one tenth", mul(c("0.1"), c(3)), c("0.3")),
    ("commutative and distributive", mul(x, add(y, c(1))), add(x, mul(y, x))),
    ("x - x", sub(x, x), c(0)),
    ("exp is a homomorphism", mul(exp(x), exp(y)), exp(add(x, y))),
    ("exp(0)", exp(c(0)), c(1)),
    ("exp(-inf) is 0", exp(NEG_INF), c(0)),
    ("exp(-inf - x) is 0", exp(sub(NEG_INF, x)), c(0)),
    ("max(-inf, x)", mx(NEG_INF, x), x),
    ("max is idempotent", mx(x, x), x),
    ("max is commutative", mx(x, y), mx(y, x)),
    ("max is associative", mx(mx(x, y), w), mx(x, mx(y, w))),
    ("max(x + c, y + c)", mx(add(x, w), add(y, w)), add(mx(x, y), w)),
    ("max of constants", mx(c(2), c(3)), c(3)),
    ("adjacent sums merge", add(s(0, 4, x), s(4, 8, x)), s(0, 8, x)),
    ("sums merge in any order", add(s(4, 8, x), add(s(8, 12, x), s(0, 4, x))), s(0, 12, x)),
    ("sum pulls out what does not depend on its dim", s(0, 8, mul(w, x)), mul(w, s(0, 8, x))),
    ("sum of a constant", s(0, 8, w), mul(c(8), w)),
    ("sum distributes over +", s(0, 8, add(x, y)), add(s(0, 8, x), s(0, 8, y))),
    ("sum pulls exp factors out", s(0, 8, exp(sub(x, w))), mul(exp(ir.unary(U.NEG, w)),
                                                            s(0, 8, exp(x)))),
    ("nested sums flatten in any order", s(0, 4, s(0, 8, x), "M"), s(0, 8, s(0, 4, x, "M"))),
    ("adjacent maxima merge", mx(m(0, 4, x), m(4, 8, x)), m(0, 8, x)),
    ("overlapping maxima merge", mx(m(0, 6, x), m(2, 8, x)), m(0, 8, x)),
    ("max(x + c) over N", m(0, 8, add(x, w)), add(m(0, 8, x), w)),
    ("division by a monomial", div(mul(x, y), y), x),
    ("exp cancels in a quotient", div(exp(x), exp(x)), c(1)),
    ("multi-term denominators meet", div(c(1), add(x, y)), div(c(2), mul(c(2), add(y, x)))),
    ("sqrt of a square constant", ir.unary(U.SQRT, c(16)), c(4)),
    ("sqrt of exp halves the exponent", ir.unary(U.SQRT, exp(x)), exp(div(x, c(2)))),
    ("log of exp", ir.unary(U.LOG, exp(x)), x),
    ("log(1)", ir.unary(U.LOG, c(1)), c(0)),
    ("double negation", ir.unary(U.NEG, ir.unary(U.NEG, x)), x),
    ("denominators meet up to an exp factor (sigmoid)",
     div(exp(x), add(exp(x), c(1))), div(c(1), add(c(1), exp(ir.unary(U.NEG, x))))),
    ("exp of log, where log is in its domain", exp(ir.unary(U.LOG, x)), x),
    ("exp(x - log s) is exp(x) / s", exp(sub(x, ir.unary(U.LOG, s(0, 8, y)))),
     div(exp(x), s(0, 8, y))),
    ("exp(2 log s + x) is s² exp(x)", exp(add(mul(c(2), ir.unary(U.LOG, w)), x)),
     mul(mul(w, w), exp(x))),
    ("exp(-log(x + y)) is 1 / (x + y)", exp(ir.unary(U.NEG, ir.unary(U.LOG, add(x, y)))),
     div(c(1), add(y, x))),
    ("tiled sums over a full one merge to 1",
     add(div(s(0, 4, x), s(0, 8, x)), div(s(4, 8, x), s(0, 8, x))), c(1)),
    ("tiled sums times the full one squared merge to its cube",
     add(mul(s(0, 4, x), mul(s(0, 8, x), s(0, 8, x))),
         mul(s(4, 8, x), mul(s(0, 8, x), s(0, 8, x)))),
     mul(s(0, 8, x), mul(s(0, 8, x), s(0, 8, x)))),
    ("a full reduction times tiled ones (two-pass variance)",
     add(mul(s(0, 8, x), s(0, 4, y)), mul(s(0, 8, x), s(4, 8, y))),
     mul(s(0, 8, x), s(0, 8, y))),
    ("a tile of a sum times a tile of the same sum",
     add(mul(s(0, 4, x), s(0, 4, x)), mul(s(0, 4, x), s(4, 8, x))),
     mul(s(0, 4, x), s(0, 8, x))),
    ("exp of a constant is its float64 value", exp(c(1)), c(str(float_constant(math.e)))),
    ("one third written as a float", rules.scalar_expr(1 / 3), div(c(1), c(3))),
    ("a decimal written as a float", rules.scalar_expr(0.044715), c("0.044715")),
    ("log and sqrt of constants are their float64 values", ir.unary(U.LOG, c(2)),
     rules.scalar_expr(math.log(2))),
    ("log of a product with exp (logsumexp)",
     add(m(0, 8, x), ir.unary(U.LOG, s(0, 8, exp(sub(x, m(0, 8, x)))))),
     ir.unary(U.LOG, s(0, 8, exp(x)))),
]


@pytest.mark.parametrize(("name", "lhs", "rhs"), IDENTITIES, ids=[t[0] for t in IDENTITIES])
def test_identity(name: str, lhs: Expr, rhs: Expr) -> None:
    assert normalize(lhs) is normalize(rhs), name


NON_IDENTITIES: list[tuple[str, Expr, Expr]] = [
    ("sqrt(x)² is not x (x may be negative)", mul(ir.unary(U.SQRT, x), ir.unary(U.SQRT, x)), x),
    ("exp(log x / 2) is not x", exp(div(ir.unary(U.LOG, x), c(2))), x),
    ("a tiled sum over a full one is not the sum (the factor is kept)",
     add(div(s(0, 4, x), s(0, 8, x)), div(s(4, 8, x), s(0, 8, x))), s(0, 8, x)),
    ("tiled sums times the full one squared are not the full one",
     add(mul(s(0, 4, x), mul(s(0, 8, x), s(0, 8, x))),
         mul(s(4, 8, x), mul(s(0, 8, x), s(0, 8, x)))), s(0, 8, x)),
    ("exp(1)² is not exp(2) exactly (each is its own float64)", mul(exp(c(1)), exp(c(1))),
     exp(c(2))),
    ("log(x·y) is not log x + log y", ir.unary(U.LOG, mul(x, y)),
     add(ir.unary(U.LOG, x), ir.unary(U.LOG, y))),
    ("overlapping sums do not merge", add(s(0, 6, x), s(2, 8, x)), s(0, 8, x)),
    ("sums over different bodies do not merge", add(s(0, 4, x), s(4, 8, y)), s(0, 8, x)),
    ("sums with different coefficients do not merge", add(s(0, 4, x), mul(c(2), s(4, 8, x))),
     s(0, 8, x)),
    ("a gap stays a gap", add(s(0, 4, x), s(6, 8, x)), s(0, 8, x)),
    ("max is not a sum", m(0, 8, x), s(0, 8, x)),
    ("sin is opaque", ir.unary(U.SIN, add(x, y)), add(ir.unary(U.SIN, x), ir.unary(U.SIN, y))),
]


@pytest.mark.parametrize(
    ("name", "lhs", "rhs"), NON_IDENTITIES, ids=[t[0] for t in NON_IDENTITIES]
)
def test_not_identity(name: str, lhs: Expr, rhs: Expr) -> None:
    assert normalize(lhs) is not normalize(rhs), name


UNDEFINED: list[tuple[str, Expr]] = [
    ("0 * inf", mul(c(0), NEG_INF)),
    ("inf - inf", sub(ir.inf(False), ir.inf(False))),
    ("inf times a term of unknown sign", mul(x, NEG_INF)),
    ("division by an identically zero term", div(x, sub(y, y))),
    ("a sum of infinities", s(0, 4, ir.inf(False))),
    ("sqrt of a negative constant", ir.unary(U.SQRT, c(-4))),
    ("exp of a constant beyond float64", exp(c(1000))),
]


@pytest.mark.parametrize(("name", "expr"), UNDEFINED, ids=[t[0] for t in UNDEFINED])
def test_no_normal_form_rather_than_a_wrong_one(name: str, expr: Expr) -> None:
    with pytest.raises(normal.NotNormalizable):
        normalize(expr)


def test_sum_does_not_capture_a_free_dim_of_the_same_name() -> None:
    # x(M, N) * Σ_N y(M, N): the N of x is the outer index, so the sum stays a factor.
    inner = s(0, 8, y)
    product = mul(x, inner)
    assert normalize(product) is not normalize(s(0, 8, mul(x, y)))
    assert normalize(s(0, 8, product)) is normalize(mul(s(0, 8, x), inner))


def test_normal_form_size_limit_is_reported_not_a_hang() -> None:
    terms = [ir.input_leaf(f"T{i}", ("M",)) for i in range(80)]
    big: Expr = terms[0]
    for t in terms[1:]:
        big = add(big, t)
    with pytest.raises(normal.NormalFormLimit):
        normalize(mul(big, mul(big, big)))


def test_infinities_are_the_canonical_objects() -> None:
    """Normal forms are compared by identity: arithmetic on ±inf returns NEG_INF / POS_INF
    themselves, never an equal copy (a copy made an equal term look different)."""
    neg_inf, pos_inf = normal.NEG_INF, normal.POS_INF
    assert normal.neg(pos_inf) is neg_inf and normal.neg(neg_inf) is pos_inf
    assert normal.mul(neg_inf, neg_inf) is pos_inf and normal.mul(neg_inf, pos_inf) is neg_inf


def test_a_budget_of_term_operations_stops_normalising_and_is_not_the_terms_failure() -> None:
    """`normal.budget` (the repairs a message tries) raises `OutOfBudget` once spent; the term
    is not marked as failing, so the prover normalises it afterwards as before."""
    term = mul(add(x, y), add(x, c(3)))
    with pytest.raises(normal.OutOfBudget), normal.budget(1):
        normalize(term)
    assert normalize(term) is normalize(mul(add(x, c(3)), add(y, x)))
