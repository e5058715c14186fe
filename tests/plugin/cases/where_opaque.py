"""`tnp.where` with a value condition and functions declared with `tnp.opaque`, in both halves:
a ReLU written with where meets `max` (and `x > 0` meets `0 < x`), an opaque function is equal
to itself of an equal argument and to nothing else, and an index predicate or a bool is no
condition for where."""

from typing import Any
from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 8), FullDim("N", 8)
T = 4
FLAG: Any = True
softplus = tnp.opaque("softplus", lambda x: np.log1p(np.exp(x)))


@tnp.opaque
def clip_mul(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.asarray(np.clip(x * y, -1, 1))


@tnp.kernel
def relu(x: Typed[L["M N"]], c: TypedResult[L["max(M N, 0)"]]) -> None:
    for im in range(0, M.size, T):
        t = x.slice(M, im, im + T)
        c.assign(tnp.where(0 < t, t, 0))


@tnp.kernel
def leaky(x: Typed[L["M N"]], c: TypedResult[L["where(M N >= 0, M N, M N / 100)"]]) -> None:
    c.assign(tnp.where(x * 2 >= 0, x, 0.01 * x))


@tnp.kernel
def opaque_calls(
    x: Typed[L["M N"]], y: Typed[L["M N"]],
    c: TypedResult[L["softplus(x:M N * 2) + clip_mul(x:M N, y:M N)"]],
) -> None:
    c.assign(softplus(x + x) + clip_mul(x, y))


@tnp.kernel
def wrong_argument(x: Typed[L["M N"]], c: TypedResult[L["softplus(M N)"]]) -> None:
    c.assign(softplus(-x))  # E: kernel computes `softplus(-(M N))` over M[0:8] N[0:8]; the spec requires `softplus(M N)`  [tnp-spec]
    # ^N: differs in: kernel `-(M N)` where the spec has `M N`
    # ^N: counterexample on random inputs ...


@tnp.kernel
def wrong_side(x: Typed[L["M N"]], c: TypedResult[L["max(M N, 0)"]]) -> None:
    c.assign(tnp.where(x < 0, x, 0))  # E: kernel computes `-max(-(M N), 0)` over M[0:8] N[0:8]; the spec requires `max(0, M N)`  [tnp-spec]
    # ^N: counterexample on random inputs ...
    # ^N: the `where` here: with its two branches swapped, the tile equals the spec


@tnp.kernel
def not_a_condition(x: Typed[L["M N"]], c: TypedResult[L["M N"]]) -> None:
    c.assign(tnp.where(FLAG, x, 0))  # E: tnp.where takes a comparison of values (x > y, x <= 0, ...) as its condition, not a bool  [tnp-dim]
    # ^N: to keep or drop positions by their index (qctx >= nctx), mask the value: x.mask(...)


rng = np.random.default_rng(0)
x = Typed(rng.standard_normal((8, 8)), M, N)
y = Typed(rng.standard_normal((8, 8)), M, N)
relu(x, TypedResult("max(M N, 0)"))
leaky(x, TypedResult("where(M N >= 0, M N, M N / 100)"))
opaque_calls(x, y, TypedResult("softplus(x:M N * 2) + clip_mul(x:M N, y:M N)"))


@tnp.kernel
def asserted(x: Typed[L["M N"]], c: TypedResult[L["softplus(M N) + max(M N, 0)"]]) -> None:
    relu = tnp.where(x > 0, x, 0)
    tnp.assert_spec(relu, "where(0 < M N, M N, 0)")
    tnp.assert_spec(softplus(x), "softplus(M N)")
    c.assign(softplus(x) + relu)


asserted(x, TypedResult("softplus(M N) + max(M N, 0)"))
