"""A kernel calling a convolution kernel with a computed argument: the inner spec's read
`x:N[P + K]` of the parameter becomes a read of the argument's inputs (`2 * a` read at P + K)."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

N, P, K = FullDim("N", 10), FullDim("P", 8), FullDim("K", 3)


@tnp.kernel
def conv(x: Typed[L["N"]], w: Typed[L["K"]], out: TypedResult[L["(w:K, x:N[P + K] -> P)"]]) -> None:
    for p in range(0, 8, 4):
        out.assign((x.window(N, P[p : p + 4], K) * w.repeat(P[p : p + 4])).sum(K))


@tnp.kernel
def doubled(a: Typed[L["N"]], w: Typed[L["K"]], out: TypedResult[L["2 * (w:K, a:N[P + K] -> P)"]]) -> None:
    conv(a * 2, w, out)  # type: ignore[arg-type]


@tnp.kernel
def tripled(a: Typed[L["N"]], w: Typed[L["K"]], out: TypedResult[L["3 * (w:K, a:N[P + K] -> P)"]]) -> None:
    conv(a * 2, w, out)  # type: ignore[arg-type]  # E: conv: result out is bound to `3 * (w:K, a:N[P + K] -> P)`, but the kernel declares `(w:K, x:N[P + K] -> P)`, which with these arguments is `2 * sum[K]((a:N[K + P]) * (K))`, not `3 * sum[K]((a:N[K + P]) * (K))`: a result keeps the spec it was first bound to  [tnp-spec]
    # ^N[mypy>=2.0]: Error code "tnp-spec" not covered by "type: ignore[arg-type]" comment
    # ^N[mypy<2.0]: Error code "tnp-spec" not covered by "type: ignore" comment


doubled(Typed(np.arange(10.0), N), Typed(np.ones(3), K), TypedResult("2 * (w:K, a:N[P + K] -> P)"))
tripled(Typed(np.arange(10.0), N), Typed(np.ones(3), K), TypedResult("3 * (w:K, a:N[P + K] -> P)"))


@tnp.kernel
def captured(a: Typed[L["N K"]], w: Typed[L["K"]], out: TypedResult[L["(w:K, a:N K -> P)"]]) -> None:
    conv(a.sum(K), w, out)  # type: ignore[arg-type]  # E: conv: its spec reads a parameter at computed positions, and the argument passed for it cannot be read there (a reduction over K reads it)  [tnp-dim]
    # ^N[mypy>=2.0]: Error code "tnp-dim" not covered by "type: ignore[arg-type]" comment
    # ^N[mypy<2.0]: Error code "tnp-dim" not covered by "type: ignore" comment
    # ^N: pass an input, or a value computed from inputs without reductions over the dims the positions use


captured(Typed(np.ones((10, 3)), N, K), Typed(np.ones(3), K), TypedResult("(w:K, a:N K -> P)"))
