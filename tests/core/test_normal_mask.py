"""The normal form of masked values: identities of the extended reals it proves, and the
near misses it must refuse (never a wrong identity: -inf - -inf is NaN)."""

from __future__ import annotations

import pytest

from tests.support.causal import CAUSAL, NCTX, QCTX
from tnp_runtime.core import ir, normal
from tnp_runtime.core.dims import FullDim, Interval, Sliced
from tnp_runtime.core.ir import BinaryOp as B
from tnp_runtime.core.ir import Expr
from tnp_runtime.core.ir import ReduceOp as R
from tnp_runtime.core.ir import UnaryOp as U
from tnp_runtime.core.normal_mask import Masked, PartialMax, predicates_of
from tnp_runtime.core.normalize import normalize
from tnp_runtime.core.prove import Proved, Refuted, Unknown, prove

S = ir.input_leaf("S", ("qctx", "nctx"))
T = ir.input_leaf("T", ("qctx", "nctx"))
NEG = ir.inf(True)
TILE = (FullDim("qctx", 8).full, FullDim("nctx", 8).full)
ROWS = (FullDim("qctx", 8).full,)


def m(operand: Expr, pred: object = CAUSAL, fill: Expr = NEG) -> Expr:
    return ir.mask(pred, fill, operand)  # type: ignore[arg-type]


def c(value: int) -> Expr:
    return ir.const(value)


def _max_n(body: Expr) -> Expr:
    return ir.reduce(R.MAX, "nctx", Interval(0, 8), body)


PROVED = [
    # exp(-inf) = 0: exp of a -inf mask is the fill-0 mask of exp.
    (ir.unary(U.EXP, m(S)), m(ir.unary(U.EXP, S), fill=c(0))),
    # A finite term added to, subtracted from, or a positive constant times a masked value.
    (ir.binary(B.ADD, m(S), T), m(ir.binary(B.ADD, S, T))),
    (ir.binary(B.SUB, m(S), T), m(ir.binary(B.SUB, S, T))),
    (ir.binary(B.MUL, c(2), m(S)), m(ir.binary(B.MUL, c(2), S))),
    (ir.binary(B.DIV, m(S), c(4)), m(ir.binary(B.DIV, S, c(4)))),
    # Two masks: the conjunction.
    (ir.binary(B.ADD, m(S), m(T, NCTX < 5)), m(ir.binary(B.ADD, S, T), CAUSAL & (NCTX < 5))),
    (m(m(S), NCTX < 5), m(S, CAUSAL & (NCTX < 5))),
    # -inf is the identity of max.
    (ir.binary(B.MAX, NEG, m(S)), m(S)),
    # fill 0 is the indicator times the value, so a sum of it is a sum of that product.
    (
        ir.reduce(R.SUM, "nctx", Interval(0, 8), m(S, fill=c(0))),
        ir.reduce(R.SUM, "nctx", Interval(0, 8), ir.unary(U.EXP, m(ir.unary(U.LOG, S)))),
    ),
    # A running max over a band that starts at -inf and meets a finite term is finite.
    (
        ir.binary(
            B.MAX, ir.binary(B.MAX, NEG, _max_n(m(S))), ir.reduce(R.MAX, "nctx", Interval(0, 1), S)
        ),
        ir.binary(B.MAX, ir.reduce(R.MAX, "nctx", Interval(0, 1), S), _max_n(m(S))),
    ),
]


@pytest.mark.parametrize(("kernel", "spec"), PROVED)
def test_identities_of_masked_values_are_proved(kernel: Expr, spec: Expr) -> None:
    region = ROWS if "nctx" not in ir.free_dims(kernel) else TILE
    assert prove(kernel, spec, region) == Proved()


NOT_NORMALIZABLE = [
    ir.unary(U.NEG, m(S)),  # +inf where masked
    ir.binary(B.SUB, m(S), m(S)),  # -inf - -inf is NaN, not 0
    ir.binary(B.SUB, T, m(S)),
    ir.binary(B.MUL, m(S), T),  # a product with a term of unknown sign
    ir.binary(B.MUL, c(-1), m(S)),
    ir.binary(B.MUL, c(0), m(S)),  # 0 * -inf
    ir.binary(B.DIV, c(1), m(S)),
    ir.reduce(R.SUM, "nctx", Interval(0, 8), m(S)),  # a sum of -inf
    ir.unary(U.LOG, m(S)),
    ir.binary(B.MAX, m(S), T),
    m(S, fill=ir.inf(False)) if False else ir.binary(B.ADD, m(S), ir.inf(False)),
    # A max over a band may be -inf where a row has no key: subtracting it is refused.
    ir.binary(B.SUB, T, _max_n(m(S))),
    ir.unary(U.EXP, _max_n(m(S))),
    ir.reduce(R.SUM, "nctx", Interval(0, 8), ir.unary(U.EXP, ir.binary(B.SUB, m(S), _max_n(m(S))))),
    # An indicator has no inverse.
    ir.binary(B.DIV, c(1), m(S, fill=c(0))),
]


@pytest.mark.parametrize("term", NOT_NORMALIZABLE)
def test_what_is_not_an_identity_has_no_normal_form(term: Expr) -> None:
    with pytest.raises(normal.NotNormalizable):
        normalize(term)


def test_a_subtraction_of_a_mask_from_itself_is_never_proved_zero() -> None:
    verdict = prove(ir.binary(B.SUB, m(S), m(S)), c(0), TILE)
    assert not isinstance(verdict, Proved)


NEAR_MISSES = [
    (m(S), m(S, QCTX > NCTX)),  # off by one on the diagonal
    (m(S), m(S, QCTX <= NCTX)),  # the wrong side
    (m(S, fill=c(0)), m(S, fill=c(1))),  # another fill
    (m(S, fill=c(0)), S),
    (ir.unary(U.EXP, m(S)), ir.unary(U.EXP, S)),
]


@pytest.mark.parametrize(("kernel", "spec"), NEAR_MISSES)
def test_near_misses_are_refused(kernel: Expr, spec: Expr) -> None:
    verdict = prove(kernel, spec, TILE)
    assert isinstance(verdict, Refuted | Unknown) and not isinstance(verdict, Proved)
    assert isinstance(verdict, Refuted), verdict


def test_the_kinds_of_masked_values() -> None:
    assert isinstance(normalize(m(S)), Masked)
    assert normalize(m(S)) is normalize(m(S))
    assert isinstance(normalize(_max_n(m(S))), PartialMax)
    assert predicates_of(normalize(ir.unary(U.EXP, m(S)))) == {CAUSAL}


def test_the_region_decides_what_the_normal_form_cannot() -> None:
    # On a tile strictly below the diagonal the mask is the identity.
    below = (
        Sliced(FullDim("qctx", 16), Interval(8, 16)),
        Sliced(FullDim("nctx", 16), Interval(0, 8)),
    )
    assert prove(m(S), S, below) == Proved()
    above = (
        Sliced(FullDim("qctx", 16), Interval(0, 8)),
        Sliced(FullDim("nctx", 16), Interval(8, 16)),
    )
    assert prove(m(S), NEG, above) == Proved()
    assert not isinstance(prove(m(S), S, TILE), Proved)
