"""The stubs under `mypy --strict`: ordinary kernel code type-checks without spurious errors."""

import math
from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Saved, Typed, TypedResult, einsum, exp, max, sqrt

M, N = FullDim("M", 8), FullDim("N", 8)


@tnp.kernel
def softmax_rows(x: Typed[L["M N"]], c: TypedResult[L["softmax[N](M N)"]]) -> None:
    for im in range(0, M.size, 4):
        rows = x.slice(M, im, im + 4)
        peak = rows.max(N)
        e = exp(rows - peak.repeat(N))
        c.assign(e / e.sum(N).repeat(N))


@tnp.kernel
def normalize_rows(
    x: Typed[L["M N"]],
    total: Saved[L["M"], L["log(sum[N](exp(x:M N)))"]],
    c: TypedResult[L["softmax[N](x:M N)"]],
) -> None:
    # A saved input has Typed's methods and passes where a Typed is expected.
    shifted: Typed = x - total.repeat(N)
    c.assign(exp(shifted))


def arithmetic(a: Typed[L["M N"]], b: Typed[L["M N"]]) -> Typed:
    acc: Typed | None = None
    for _ in range(2):
        t = a * 3 + 3 * b - a / 2 + 2 / b - (-a)
        acc = acc + t if acc is not None else t
    assert acc is not None
    running = max(-np.inf, acc.max(N))
    scaled = exp(-np.inf - running) * sqrt(4.0) + np.float64(16) + math.sqrt(16)
    both = einsum(a, b.rearrange(N, M), "M N, N M -> M")
    return scaled.repeat(N) + both.repeat(N[0:8]) + tnp.log(a) + tnp.sin(a) + tnp.cos(a)


softplus = tnp.opaque("softplus", lambda v: np.log1p(np.exp(v)))


@tnp.opaque
def blend(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return np.asarray(u * 0.5 + v)


def operations(a: Typed[L["M N"]], b: Typed[L["M N"]]) -> Typed:
    funcs = tnp.tanh(a) + tnp.sigmoid(a) + tnp.erf(a) + tnp.abs(a) + abs(b)
    powers = a ** 2 + (a * a + 1) ** -0.5
    low: Typed | float = np.inf
    low = tnp.min(low, a.min(N).repeat(N)) + a.minimum(0) + a.mean(N).repeat(N)
    relu = tnp.where(a > 0, a, 0) + tnp.where(0.5 <= b, 1, b)
    declared: Typed = softplus(a) + blend(a, b)
    return funcs + powers + low + relu + declared + tnp.min(2, 3) + tnp.abs(-1.0)


def script() -> float:
    a = Typed(np.ones((8, 8)), M, N, name="A")
    c = TypedResult("softmax[N](M N)")
    softmax_rows(a, c)
    d = TypedResult("softmax[N](x:M N)")
    normalize_rows(a, Typed(np.log(np.exp(a.arr).sum(axis=1)), M), d)
    dims: tuple[tnp.Sliced, ...] = a.dim_type
    return float(c.arr.sum() + d.arr.sum()) + dims[0].length + M[0:4].stop + tnp.dim("K", 3).size
