"""The elementwise registry is the one list of functions: the IR, NumPy, the spec language, the
runtime's API and the plugin's names all agree with it, and each round-off rule bounds what it
claims to bound."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tnp_runtime as tnp
from tnp_mypy import names
from tnp_runtime.core import ir, normal
from tnp_runtime.core.constants import float_constant
from tnp_runtime.core.dims import FullDim
from tnp_runtime.core.elementwise import BY_OP, ELEMENTWISE, Elementwise
from tnp_runtime.core.ir import UnaryOp
from tnp_runtime.core.normalize import normalize
from tnp_runtime.core.spec import KEYWORDS, SpecInput, resolve_spec

FUNCTIONS = sorted(ELEMENTWISE.values(), key=lambda f: f.name)


def test_every_ir_operation_but_negation_is_an_entry() -> None:
    assert set(BY_OP) == set(UnaryOp) - {UnaryOp.NEG}
    assert len(BY_OP) == len(ELEMENTWISE)


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.name)
def test_entry_names_agree(function: Elementwise) -> None:
    # The renderer prints `op.value`, the spec language and the API use `name`.
    assert function.op.value == function.name
    assert ELEMENTWISE[function.name] is function
    assert BY_OP[function.op] is function


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.name)
def test_numpy_and_real_functions_agree(function: Elementwise) -> None:
    from tnp_runtime.typed import _NUMPY_UNARY

    if function.numpy is None:  # NumPy has none: the runtime applies `real` to each element
        assert not hasattr(np, function.name)
    xs = np.array([-2.0, 0.25, 0.5, 1.0, 2.0, -40.0, 40.0])
    applied = _NUMPY_UNARY[function.op](np.abs(xs) if function.name in ("log", "sqrt") else xs)
    for x, y in zip(xs, applied, strict=True):
        x = abs(x) if function.name in ("log", "sqrt") else x
        assert float(y) == pytest.approx(function.real(float(x)))


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.name)
def test_every_entry_is_a_spec_keyword_and_resolves_to_its_operation(
    function: Elementwise,
) -> None:
    assert function.name in KEYWORDS
    m = FullDim("M", 4)
    a = SpecInput(ir.input_leaf("A", ("M",)), (m.full,))
    resolved = resolve_spec(f"{function.name}(A:M)", {"M": m}, (a,))
    assert resolved.expr is ir.unary(function.op, a.leaf)


def test_a_name_outside_the_registry_is_no_function_of_the_spec_language() -> None:
    assert KEYWORDS - {"sum", "max", "softmax", "min", "mean", "where", "inf", "mask", "and"} == (
        set(ELEMENTWISE)
    )
    assert "experts" not in KEYWORDS


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.name)
def test_every_entry_is_a_runtime_function(function: Elementwise) -> None:
    made = getattr(tnp, function.name)
    assert function.name in tnp.__all__
    assert made.__name__ == function.name
    assert made(1) == function.real(1.0)


def test_the_runtime_has_no_elementwise_function_outside_the_registry() -> None:
    assert not hasattr(tnp, "frobnicate")
    with pytest.raises(AttributeError):
        tnp.frobnicate  # noqa: B018


def test_the_plugin_recognises_exactly_the_registry() -> None:
    assert names.TNP_UNARY == frozenset(ELEMENTWISE)
    assert frozenset(ELEMENTWISE) <= names.NUMERIC_FUNCTIONS


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.name)
def test_normal_rule_is_the_dispatched_one(function: Elementwise) -> None:
    """A constant argument: the rule's value is the float64 value of the real function."""
    value = normalize(ir.unary(function.op, ir.const(1)))
    assert value is normal.constant(float_constant(function.real(1.0)))


# Round-off rules: a bound that covers the error of the argument propagated through the
# function (passes), and the domain and overflow failures each rule reports (fails).


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.name)
@pytest.mark.parametrize("x", [0.3, 1.0, 1.7])
def test_bound_covers_a_perturbed_argument(function: Elementwise, x: float) -> None:
    e = 1e-9
    w, bound = function.bound(x, e)
    assert w == function.real(x)
    # First order: the change a shift by e makes, up to second-order terms (the spot check
    # allows a factor 8 beyond the bounds, `spot_check.SAFETY`).
    change = max(abs(function.real(shifted) - w) for shifted in (x - e, x + e))
    assert change <= bound * (1 + 1e-6)
    # ... and it is the argument's error that covers it: the function's own rounding does not.
    assert function.bound(x, 0.0)[1] < change


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.name)
def test_bound_of_an_exact_argument_is_the_rounding_only(function: Elementwise) -> None:
    w, bound = function.bound(0.5, 0.0)
    assert 0 < bound <= 4e-16 * max(1.0, abs(w))


@pytest.mark.parametrize(
    ("name", "x"), [("log", 0.0), ("log", -1.0), ("sqrt", -1.0), ("sin", math.inf),
                    ("cos", -math.inf)]
)
def test_bound_outside_the_domain_raises(name: str, x: float) -> None:
    with pytest.raises(ValueError):
        ELEMENTWISE[name].bound(x, 0.0)


def test_exp_bound_overflows_and_is_exact_at_infinities() -> None:
    with pytest.raises(OverflowError):
        ELEMENTWISE["exp"].bound(1000.0, 0.0)
    assert ELEMENTWISE["exp"].bound(-math.inf, 1.0) == (0.0, 0.0)
    assert ELEMENTWISE["exp"].bound(math.inf, 1.0) == (math.inf, 0.0)
