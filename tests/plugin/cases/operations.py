"""The operations kernels use, proved (no error) or refused in both halves: tanh, sigmoid (met
by its formula), erf, abs, min (elementwise, running, reduced), the mean of tiles, and powers."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult, exp

M, N = FullDim("M", 8), FullDim("N", 8)
T = 4


@tnp.kernel
def odd_functions(x: Typed[L["M N"]], c: TypedResult[L["tanh(M N) + erf(M N)"]]) -> None:
    for im in range(0, M.size, T):
        t = x.slice(M, im, im + T)
        c.assign(-tnp.tanh(-t) - tnp.erf(0 - t))


@tnp.kernel
def sigmoid_formula(x: Typed[L["M N"]], c: TypedResult[L["sigmoid(M N)"]]) -> None:
    c.assign(1 / (1 + exp(-x)))


@tnp.kernel
def absolute(x: Typed[L["M N"]], c: TypedResult[L["abs(M N) * 2"]]) -> None:
    c.assign(abs(-x) + tnp.abs(abs(x)))


@tnp.kernel
def running_min(x: Typed[L["M N"]], c: TypedResult[L["min[N](M N)"]]) -> None:
    acc: Typed | float = np.inf
    for jn in range(0, N.size, T):
        acc = tnp.min(acc, x.slice(N, jn, jn + T).min(N))
    assert isinstance(acc, Typed)
    c.assign(acc)


@tnp.kernel
def clamp(x: Typed[L["M N"]], c: TypedResult[L["min(max(M N, 0), 6)"]]) -> None:
    c.assign(x.maximum(0).minimum(6))


@tnp.kernel
def tiled_mean(x: Typed[L["M N"]], c: TypedResult[L["mean[N](M N)"]]) -> None:
    acc: Typed | float = 0
    for jn in range(0, N.size, T):
        acc = acc + x.slice(N, jn, jn + T).sum(N)
    assert isinstance(acc, Typed)
    c.assign(acc / N.size)


@tnp.kernel
def tile_means(x: Typed[L["M N"]], c: TypedResult[L["mean[N](M N)"]]) -> None:
    acc: Typed | float = 0
    for jn in range(0, N.size, T):
        acc = acc + x.slice(N, jn, jn + T).mean(N)
        # ^N: the constant 4 here: with 8 instead, the tile equals the spec
    assert isinstance(acc, Typed)
    c.assign(acc)  # E: kernel computes `(M N -> M) / 4` over M[0:8]; the spec requires `(M N -> M) / 8`  [tnp-spec]
    # ^N: differs in: kernel `4` where the spec has `8`
    # ^N: kernel - spec = `(M N -> M) / 8`
    # ^N: counterexample on random inputs ...


@tnp.kernel
def powers(x: Typed[L["M N"]], c: TypedResult[L["-x:M N ** 2 + M N ** -1 + M N ** 0.5"]]) -> None:
    c.assign(-(x * x) + 1 / x + tnp.sqrt(x))


@tnp.kernel
def rmsnorm(x: Typed[L["M N"]], c: TypedResult[L["M N * ((mean[N](M N ** 2) + 1e-6) ** -0.5 -> M N)"]]) -> None:
    scale = ((x ** 2).mean(N) + 1e-6) ** -0.5
    c.assign(x * scale.repeat(N))


@tnp.kernel
def fractional_power(x: Typed[L["M N"]], c: TypedResult[L["M N"]]) -> None:
    c.assign(x ** 0.3)  # E: `x ** 0.3`: tnp proves whole and half-integer powers only  [tnp-dim]
    # ^N: write the power with exp and log: exp(y * log(x)) for x ** y (x > 0)


rng = np.random.default_rng(0)
x = Typed(rng.standard_normal((8, 8)), M, N)
p = Typed(rng.uniform(0.5, 2.0, (8, 8)), M, N)
odd_functions(x, TypedResult("tanh(M N) + erf(M N)"))
sigmoid_formula(x, TypedResult("sigmoid(M N)"))
absolute(x, TypedResult("abs(M N) * 2"))
running_min(x, TypedResult("min[N](M N)"))
clamp(x, TypedResult("min(max(M N, 0), 6)"))
tiled_mean(x, TypedResult("mean[N](M N)"))
powers(p, TypedResult("-x:M N ** 2 + M N ** -1 + M N ** 0.5"))
tile_means(x, TypedResult("mean[N](M N)"))
rmsnorm(x, TypedResult("M N * ((mean[N](M N ** 2) + 1e-6) ** -0.5 -> M N)"))
