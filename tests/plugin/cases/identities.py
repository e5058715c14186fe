"""Identities of real arithmetic that kernels rely on, proved (no error) in both halves:
a full reduction times tiled ones, exp(x - log s) against exp(x) / s, and constants computed
in float64 (`np.exp(1.0)`, `1 / 3`) against the same constants in the spec."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult, einsum, exp, log

M, N = FullDim("M", 8), FullDim("N", 8)
T = 4


@tnp.kernel
def full_times_tiled(x: Typed[L["M N"]], w: Typed[L["N"]], c: TypedResult[L["((sum[N](M N) -> M N), N -> M)"]]) -> None:
    total = x.sum(N)
    acc: Typed | None = None
    for jn in range(0, N.size, T):
        part = einsum(total.repeat(N[jn : jn + T]), w.slice(N, jn, jn + T), "M N, N -> M")
        acc = part if acc is None else acc + part
    assert acc is not None
    c.assign(acc)


@tnp.kernel
def shares(x: Typed[L["M N"]], c: TypedResult[L["sum[N](M N) / sum[N](M N)"]]) -> None:
    total = x.sum(N)
    c.assign(x.slice(N, 0, T).sum(N) / total + x.slice(N, T, 2 * T).sum(N) / total)


@tnp.kernel
def log_softmax_exp(x: Typed[L["M N"]], c: TypedResult[L["softmax[N](M N)"]]) -> None:
    s = exp(x).sum(N)
    c.assign(exp(x - log(s).repeat(N)))


@tnp.kernel
def float_constants(x: Typed[L["M N"]], c: TypedResult[L["exp(1) * M N + M N / 3"]]) -> None:
    c.assign(x * np.exp(1.0) + x * (1 / 3))


rng = np.random.default_rng(0)
x = Typed(rng.standard_normal((8, 8)), M, N)
w = Typed(rng.standard_normal(8), N)
full_times_tiled(x, w, TypedResult("((sum[N](M N) -> M N), N -> M)"))
shares(x, TypedResult("sum[N](M N) / sum[N](M N)"))
log_softmax_exp(x, TypedResult("softmax[N](M N)"))
float_constants(x, TypedResult("exp(1) * M N + M N / 3"))
