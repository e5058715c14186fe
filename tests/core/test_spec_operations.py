"""The spec language's new forms: `**` (precedence, exponents), `min`, `mean`, `where` and the
calls of opaque functions, each resolved to the term the kernel's operation builds, and each
fault a `SpecError` with a fix."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest

from tnp_runtime.core import ir, operations, rules
from tnp_runtime.core.dims import FullDim
from tnp_runtime.core.normalize import normalize
from tnp_runtime.core.opaque import declare
from tnp_runtime.core.spec import Neg, Power, SpecError, SpecInput, parse_spec, resolve_spec

M, N = FullDim("M", 4), FullDim("N", 8)
X = SpecInput(ir.input_leaf("x", ("M", "N")), (M.full, N.full))
Y = SpecInput(ir.input_leaf("y", ("M", "N")), (M.full, N.full))
SOFTPLUS = declare("softplus", 1)
BLEND = declare("blend", 2)
FUNCTIONS = {"softplus": SOFTPLUS, "blend": BLEND}


def resolve(text: str) -> ir.Expr:
    return resolve_spec(text, {"M": M, "N": N}, (X, Y), functions=FUNCTIONS).expr


def same(a: str, b: str) -> bool:
    return normalize(resolve(a)) is normalize(resolve(b))


def test_power_binds_tighter_than_unary_minus() -> None:
    tree = parse_spec("-x:M N ** 2")
    assert isinstance(tree, Neg) and isinstance(tree.operand, Power)
    assert same("-x:M N ** 2", "-(x:M N * x:M N)")
    assert not same("-x:M N ** 2", "(-x:M N) * (-x:M N) * -1 * -1")
    assert same("x:M N ** -1", "1 / x:M N")
    assert same("x:M N ** 0", "1 + 0 * x:M N")
    assert same("x:M N ** 0.5", "sqrt(x:M N)")
    assert parse_spec("x:M N ** -0.5") == Power(parse_spec("x:M N"), Fraction(-1, 2), 6)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("x:M N ** 0.3", "whole and half-integer powers only"),
        ("x:M N ** y:M N", "the exponent of '**' must be a number"),
        ("x:M N ** 2 ** 3", "a second '**'"),
    ],
)
def test_powers_the_prover_cannot_take_are_refused(text: str, problem: str) -> None:
    with pytest.raises(SpecError, match=re.escape(problem)) as err:
        parse_spec(text)
    assert "fix:" in str(err.value)


def test_min_and_mean_are_the_kernels_operations() -> None:
    x = rules.Abstract((M.full, N.full), X.leaf)
    y = rules.Abstract((M.full, N.full), Y.leaf)
    assert resolve("min(x:M N, y:M N)") is operations.minimum(x, y).expr
    assert resolve("min[N](x:M N)") is operations.reduce_min(x, "N").expr
    assert resolve("mean[N](x:M N)") is operations.mean(x, "N").expr
    assert same("mean[N[0:4]](x:M N)", "sum[N[0:4]](x:M N) / 4")
    assert not same("mean[N](x:M N)", "sum[N](x:M N) / 4")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("min(x:M N)", "min(...) takes two arguments"),
        ("min(x:M N, y:M N -> M)", "min(...) takes two arguments and no '->'"),
        ("mean(x:M N)", "mean needs the dim it averages over"),
        ("where(x:M N, 1, 0)", "expected a comparison"),
        ("where(x:M N > 0, 1)", "expected ','"),
        ("nothing(x:M N)", "no function named 'nothing'"),
        ("softplus(x:M N, y:M N)", "softplus takes 1 argument, got 2"),
        ("softplus(x:M N, y:M N -> M N)", "it takes no '->'"),
    ],
)
def test_faults_of_the_new_forms(text: str, problem: str) -> None:
    with pytest.raises(SpecError, match=re.escape(problem)):
        resolve(text)


def test_where_and_opaque_calls_resolve_to_the_kernels_terms() -> None:
    assert same("where(x:M N > 0, x:M N, 0)", "max(x:M N, 0)")
    assert same("where(0 < x:M N, x:M N, 0)", "where(x:M N > 0, x:M N, 0)")
    assert not same("where(x:M N >= 1, x:M N, 0)", "max(x:M N, 0)")
    assert resolve("blend(x:M N, y:M N)") is ir.apply(BLEND, (X.leaf, Y.leaf))
    assert same("softplus(x:M N + y:M N)", "softplus(y:M N + x:M N)")
    assert not same("softplus(x:M N)", "softplus(y:M N)")


def test_a_comparison_outside_where_says_where_it_goes() -> None:
    with pytest.raises(SpecError, match="a comparison goes in where"):
        parse_spec("x:M N > 0")
