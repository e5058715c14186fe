"""Shifted reads (`window`, `shift`, `at`) and the spec leaf `x:N[P + K]`: a 1-D convolution."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

N, P, K = FullDim("N", 10), FullDim("P", 8), FullDim("K", 3)
SPEC = "(w:K, x:N[P + K] -> P)"


@tnp.kernel
def window(x: Typed[L["N"]], w: Typed[L["K"]], out: TypedResult[L["(w:K, x:N[P + K] -> P)"]]) -> None:
    for o in range(0, 8, 4):
        out.assign((x.window(N, P[o : o + 4], K) * w.repeat(P[o : o + 4])).sum(K))


@tnp.kernel
def split_taps(x: Typed[L["N"]], w: Typed[L["K"]], out: TypedResult[L["(w:K, x:N[P + K] -> P)"]]) -> None:
    for o in range(0, 8, 4):
        first = (x.window(N, P[o : o + 4], K[0:1]) * w.slice(K, 0, 1).repeat(P[o : o + 4])).sum(K)
        rest = (x.window(N, P[o : o + 4], K[1:3]) * w.slice(K, 1, 3).repeat(P[o : o + 4])).sum(K)
        out.assign(first + rest)


@tnp.kernel
def unrolled(x: Typed[L["N"]], w: Typed[L["K"]], out: TypedResult[L["(w:K, x:N[P + K] -> P)"]]) -> None:
    for o in range(0, 8, 4):
        acc = x.shift(N, P[o : o + 4], 0) * w.at(K, 0).repeat(P[o : o + 4])
        for k in range(1, 3):
            acc = acc + x.shift(N, P[o : o + 4], k) * w.at(K, k).repeat(P[o : o + 4])
        out.assign(acc)


@tnp.kernel
def wrong_tap(x: Typed[L["N"]], w: Typed[L["K"]], out: TypedResult[L["(w:K, x:N[P + K] -> P)"]]) -> None:
    acc = x.shift(N, P, 0) * w.at(K, 2).repeat(P)
    for k in range(1, 3):
        acc = acc + x.shift(N, P, k) * w.at(K, 2 - k).repeat(P)
    out.assign(acc)  # E: kernel computes `(w:K[0]) * (x:N[P + 2]) + (w:K[1]) * (x:N[P + 1]) + (w:K[2]) * (x:N[P])` over P[0:8]; the spec requires `sum[K]((x:N[K + P]) * (K))`  [tnp-spec]
    # ^N: counterexample on random inputs ...


@tnp.kernel
def missing_tap(x: Typed[L["N"]], w: Typed[L["K"]], out: TypedResult[L["(w:K, x:N[P + K] -> P)"]]) -> None:
    out.assign((x.window(N, P, K[0:2]) * w.slice(K, 0, 2).repeat(P)).sum(K))  # E: partial reduction: missing sum over K[2:3]: kernel computes `sum[K[0:2]]((K) * (x:N[K + P]))` over P[0:8]; the spec requires `sum[K]((K) * (x:N[K + P]))`  [tnp-reduce]
    # ^N: counterexample on random inputs ...
    # ^N: this line computes the sum over K[0:2] only; the spec's sum needs K[2:3] too


@tnp.kernel
def past_the_end(x: Typed[L["N"]], w: Typed[L["K"]], out: TypedResult[L["(w:K, x:N[P + K] -> P)"]]) -> None:
    for o in range(0, 8, 4):
        block = x.slice(N, o, o + 4)
        # ^N: the value read got its N[0:4] here
        out.assign((block.window(N, P[o : o + 4], K) * w.repeat(P[o : o + 4])).sum(K))  # E: window(N, P[0:4], K[0:3]) reads N at positions 0:6, outside the value's current slice N[0:4]: N[4:6] not held; the value is `x:N` over N[0:4]  [tnp-dim]
        # ^N: N = K + P over P[0:4] K[0:3]
        # ^N: when o = 0
        # ^N: when o = 4


@tnp.kernel
def tap_outside(w: Typed[L["K"]], out: TypedResult[L["K"]]) -> None:
    w.at(K, 3)  # E: at(K, 3) reads K at positions 3:4, outside the value's current slice K[0:3]: K[3:4] not held; the value is `w:K` over K[0:3]  [tnp-dim]
    # ^N: K = 3 over no dims
    out.assign(w)


@tnp.kernel
def name_taken(x: Typed[L["N"]], out: TypedResult[L["N"]]) -> None:
    x.shift(N, N[0:8], 2)
    out.assign(x)
    x.window(N, P, P)  # E: cannot window(N, P[0:8], P[0:8]): the positions and the taps need two dims  [tnp-dim]


def data() -> tuple[Typed[L["N"]], Typed[L["K"]]]:
    return Typed(np.arange(10.0), N), Typed(np.ones(3), K)


window(*data(), TypedResult(SPEC))
split_taps(*data(), TypedResult(SPEC))
unrolled(*data(), TypedResult(SPEC))
wrong_tap(*data(), TypedResult(SPEC))
