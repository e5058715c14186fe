"""The elementwise functions (exp, log, sqrt, sin, cos, tanh, sigmoid, erf, abs): the one list
of them.

Each entry says everything tnp needs to know about one function, and every other place derives
its own view from `ELEMENTWISE`:

* the spec language's keywords and calls (`spec_syntax.KEYWORDS`, the parser and the resolver);
* the runtime's API functions (`tnp.exp`, ... are made from the entries in `functions`, and
  apply `getattr(numpy, entry.numpy)` to arrays, `entry.real` to plain numbers);
* the plugin's recognition of `tnp.exp(...)`, `np.exp(...)` and `math.exp(...)` calls
  (`tnp_mypy.names`) and its evaluation of them on plain numbers (`entry.real`);
* the normal form (`normalize` dispatches on `entry.normal`), the counterexample evaluator
  (`evaluate`, `entry.real`) and the spot check (`spot_check`, `entry.bound`);
* the text of terms (`render` prints `op.value`, which is `name`: checked by the tests).

Adding a function (say `asinh`) takes:

1. its normal-form rule, `asinh(a: Value) -> Value` in `normal_functions` (identities of
   real arithmetic only: an opaque `atom_poly(_func("asinh", a))` is always sound; a constant is
   evaluated with `_float_function`), with tests in tests/core/test_normal_functions.py (a case the
   rule must simplify and one it must leave alone);
2. its round-off rule for the spot check, `_asinh_bound` below (value and round-off bound of the
   argument to value and bound of the result; `ValueError` outside the domain);
3. a member `ASINH = "asinh"` of `ir.UnaryOp` (the IR's closed set of operations; the value is
   the name);
4. its entry in `ELEMENTWISE` below (with `numpy=None` where NumPy has no such function: the
   runtime then applies `real` to each element);
5. its two overloads and its `__all__` entry in the stubs (`src/tnp_runtime-stubs/__init__.pyi`:
   mypy reads declarations, not this table), which tests/plugin/test_stubs.py demands;
6. the grammar's FUNC rule in docs/DESIGN.md §4.1 (tests/test_docs.py checks it), the
   differential oracle's functions (tests/differential/oracle.py) and the tests' evaluator of
   normal forms (tests/support/normal_eval.py).

tests/core/test_elementwise.py checks that the entries, `ir.UnaryOp`, NumPy and `math` agree.
This module imports the standard library and the core only (never NumPy): the plugin uses it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from tnp_runtime.core import normal, normal_functions, normal_rules
from tnp_runtime.core.ir import UnaryOp
from tnp_runtime.core.normal_terms import Value
from tnp_runtime.core.round_off import EPS, INFINITIES, TINY


@dataclass(frozen=True, slots=True)
class Elementwise:
    """One elementwise function.

    `name` is its spec keyword and its name in the API (`tnp.<name>`, `np.<name>`,
    `math.<name>`); `op` is its IR operation (`op.value == name`); `numpy` the name of the NumPy
    function the runtime applies to arrays (None where NumPy has none, erf and sigmoid: the
    runtime then applies `real` to each element); `real` its float64 function on one number (raising
    `ValueError` outside its domain, `OverflowError` when the result overflows); `normal` its
    normal-form rule; `bound` its round-off rule for the spot check (see `round_off`).
    """

    name: str
    op: UnaryOp
    numpy: str | None
    real: Callable[[float], float]
    normal: Callable[[Value], Value]
    bound: Callable[[float, float], tuple[float, float]]


# Round-off rules: (x, e) -> (f(x), bound), for x carrying a round-off bound e. Each adds the
# error e propagates through f (to first order) to f's own rounding (`EPS`, libm is within one
# ulp) and `TINY`. They raise what `real` raises outside the domain or on overflow.


def _exp_bound(v: float, e: float) -> tuple[float, float]:
    if v in INFINITIES:  # exp(-inf) = 0 and exp(inf) = inf, exactly
        return math.exp(v), 0.0
    w = math.exp(v)
    # exp(v ± e) is within w * expm1(e) of w (not only to first order: a refutation relies on it)
    return w, w * (math.expm1(e) + EPS) + TINY


def _log_bound(v: float, e: float) -> tuple[float, float]:
    w = math.log(v)
    # log is (1 / (v - e))-Lipschitz on [v - e, v + e]; past that the argument may be <= 0.
    spread = e / (v - e) if v > e else math.inf
    return w, spread + EPS * abs(w) + TINY


def _sqrt_bound(v: float, e: float) -> tuple[float, float]:
    w = math.sqrt(v)
    spread = min(e / (2 * w), math.sqrt(e)) if w > 0 else math.sqrt(e)
    return w, spread + EPS * w + TINY


def _sin_bound(v: float, e: float) -> tuple[float, float]:
    return math.sin(v), e + EPS  # 1-Lipschitz


def _cos_bound(v: float, e: float) -> tuple[float, float]:
    return math.cos(v), e + EPS  # 1-Lipschitz


def _tanh_bound(v: float, e: float) -> tuple[float, float]:
    return math.tanh(v), e + EPS + TINY  # 1-Lipschitz


def _sigmoid_bound(v: float, e: float) -> tuple[float, float]:
    return normal_functions.sigmoid_real(v), e / 4 + EPS + TINY  # (1/4)-Lipschitz


_ERF_LIPSCHITZ: Final = 1.1284  # 2/sqrt(pi), rounded up


def _erf_bound(v: float, e: float) -> tuple[float, float]:
    return math.erf(v), _ERF_LIPSCHITZ * e + EPS + TINY


def _abs_bound(v: float, e: float) -> tuple[float, float]:
    return abs(v), e + TINY  # exact, 1-Lipschitz


ELEMENTWISE: Final[Mapping[str, Elementwise]] = MappingProxyType(
    {
        f.name: f
        for f in (
            Elementwise("exp", UnaryOp.EXP, "exp", math.exp, normal.exp, _exp_bound),
            Elementwise("log", UnaryOp.LOG, "log", math.log, normal_rules.log, _log_bound),
            Elementwise("sqrt", UnaryOp.SQRT, "sqrt", math.sqrt, normal_rules.sqrt, _sqrt_bound),
            Elementwise("sin", UnaryOp.SIN, "sin", math.sin, normal_rules.sin, _sin_bound),
            Elementwise("cos", UnaryOp.COS, "cos", math.cos, normal_rules.cos, _cos_bound),
            Elementwise(
                "tanh", UnaryOp.TANH, "tanh", math.tanh, normal_functions.tanh, _tanh_bound
            ),
            Elementwise(
                "sigmoid", UnaryOp.SIGMOID, None, normal_functions.sigmoid_real,
                normal_functions.sigmoid, _sigmoid_bound,
            ),
            Elementwise("erf", UnaryOp.ERF, None, math.erf, normal_functions.erf, _erf_bound),
            Elementwise("abs", UnaryOp.ABS, "abs", abs, normal_functions.absolute, _abs_bound),
        )
    }
)
"""Every elementwise function by name, in the order messages list them."""

BY_OP: Final[Mapping[UnaryOp, Elementwise]] = MappingProxyType(
    {f.op: f for f in ELEMENTWISE.values()}
)
"""The same entries by IR operation (every `UnaryOp` but `NEG`)."""
