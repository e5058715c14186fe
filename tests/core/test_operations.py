"""The derived operations (`core.operations`): min, the min reduction, the mean and powers are
terms of the IR's own operations, and their identities hold in the normal form."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from tnp_runtime.core import ir, operations, rules
from tnp_runtime.core.diagnostics import Violation
from tnp_runtime.core.dims import FullDim, Interval
from tnp_runtime.core.normalize import normalize
from tnp_runtime.core.rules import Abstract

M, N = FullDim("M", 4), FullDim("N", 64)
X = Abstract((M.full, N.full), ir.input_leaf("X", ("M", "N")))
Y = Abstract((M.full, N.full), ir.input_leaf("Y", ("M", "N")))
B, U, R = ir.BinaryOp, ir.UnaryOp, ir.ReduceOp


def same(a: Abstract | ir.Expr, b: Abstract | ir.Expr) -> bool:
    ea = a.expr if isinstance(a, Abstract) else a
    eb = b.expr if isinstance(b, Abstract) else b
    return normalize(ea) is normalize(eb)


def test_min_is_minus_max_of_negations_and_plus_inf_is_its_identity() -> None:
    m = operations.minimum(X, Y)
    assert same(m, operations.minimum(Y, X))
    assert same(operations.minimum(X, math.inf), X)
    assert same(operations.minimum(m, X), m)  # min(min(x, y), x) = min(x, y)
    assert not same(m, rules.binary(B.MAX, X, Y))
    assert not same(operations.minimum(X, -math.inf), X)


def test_min_checks_dims_and_names_itself() -> None:
    other = Abstract((M.full,), ir.input_leaf("W", ("M",)))
    with pytest.raises(Violation, match="`min`"):
        operations.minimum(X, other)


def test_running_minima_over_tiles_meet_the_min_over_the_dim() -> None:
    halves = [
        operations.reduce_min(rules.slice_dim(X, "N", lo, lo + 32).value, "N") for lo in (0, 32)
    ]
    running = operations.minimum(operations.minimum(math.inf, halves[0]), halves[1])
    assert same(running, operations.reduce_min(X, "N"))
    assert not same(halves[0], operations.reduce_min(X, "N"))


def test_a_mean_of_tiles_is_their_sums_over_the_full_size() -> None:
    tiles = [rules.slice_dim(X, "N", lo, lo + 32).value for lo in (0, 32)]
    sums = [rules.reduce(R.SUM, t, "N") for t in tiles]
    tiled = rules.binary(B.DIV, rules.binary(B.ADD, sums[0], sums[1]), 64)
    assert same(tiled, operations.mean(X, "N"))
    # Near miss: the mean of the two tile means is the mean here (equal sizes), but one tile's
    # mean is not the dim's.
    means = [operations.mean(t, "N") for t in tiles]
    assert same(rules.binary(B.DIV, rules.binary(B.ADD, means[0], means[1]), 2),
                operations.mean(X, "N"))
    assert not same(means[0], operations.mean(X, "N"))
    assert not same(rules.binary(B.ADD, means[0], means[1]), operations.mean(X, "N"))


@pytest.mark.parametrize("k", [0, 1, 2, 3, 5, 8, -1, -2, -3])
def test_whole_powers_are_the_rings(k: int) -> None:
    product: Abstract | float = 1
    for _ in range(abs(k)):
        product = rules.binary(B.MUL, X, product) if isinstance(product, Abstract) else X
    if k < 0:
        assert isinstance(product, Abstract)
        product = rules.binary(B.DIV, 1, product)
    power = operations.power(X, k)
    if isinstance(product, Abstract):
        assert same(power, product)
    else:
        assert same(power, ir.const(1))
    assert not same(power, operations.power(X, k + 1))


def test_half_integer_powers_are_square_roots() -> None:
    assert same(operations.power(X, 0.5), ir.unary(U.SQRT, X.expr))
    assert same(operations.power(X, -0.5), rules.binary(B.DIV, 1, rules.unary(U.SQRT, X)))
    assert same(operations.power(X, 1.5), rules.binary(B.MUL, X, rules.unary(U.SQRT, X)))
    assert not same(operations.power(X, 0.5), X)


@pytest.mark.parametrize("bad", [0.3, math.nan, math.inf, "2", None, True, 1 << 30])
def test_other_exponents_are_refused_with_what_to_write(bad: object) -> None:
    with pytest.raises(Violation) as err:
        operations.power(X, bad)
    assert err.value.diagnostic.code.value == "tnp-dim"


def test_power_exponent_is_exact() -> None:
    assert operations.power_exponent(2) == 2
    assert operations.power_exponent(-0.5) == Fraction(-1, 2)


def test_reductions_name_a_missing_dim() -> None:
    with pytest.raises(Violation, match="mean over K"):
        operations.mean(X, "K")
    with pytest.raises(Violation, match="min over K"):
        operations.reduce_min(X, "K")


def test_reduce_min_keeps_the_slice() -> None:
    tile = rules.slice_dim(X, "N", 0, 32).value
    reduced = operations.reduce_min(tile, "N")
    assert reduced.dims == (M.full,)
    assert same(reduced, rules.unary(
        U.NEG, Abstract((M.full,), ir.reduce(R.MAX, "N", Interval(0, 32),
                                             ir.unary(U.NEG, X.expr)))))
