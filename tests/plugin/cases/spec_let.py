"""`let` in a spec: named subexpressions, substituted where they are used (the same proof as the
spec written out). A binding never used and a name neither bound nor a dim are `tnp-bad-spec`,
with a caret under the fault."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 4), FullDim("N", 8)


@tnp.kernel
def centre(x: Typed[L["M N"]], c: TypedResult[L["let mu = sum[N](x:M N) / 8 in x:M N - (mu -> M N)"]]) -> None:
    mean = x.sum(N) / 8
    c.assign(x - mean.repeat(N))


@tnp.kernel
def centre_written_out(x: Typed[L["M N"]], c: TypedResult[L["x:M N - (sum[N](x:M N) / 8 -> M N)"]]) -> None:
    centre(x, c)  # another text of the same spec: the same tree


data = np.arange(32.0).reshape(4, 8)
centre(Typed(data, M, N), centre.result())
centre_written_out(Typed(data, M, N), centre_written_out.result())

# Script form, two bindings, the second using the first.
y = Typed(data, M, N, name="y")
r = TypedResult("let s = sum[N](y:M N), m = s / 8 in (m - s / 8 + 1 -> M N) * y:M N")
r.assign(y - y + y)


def unused() -> None:
    TypedResult("let mu = sum[N](M N) in muu * 2")  # E: bad spec: 'mu' is bound by let but never used ('muu' is written where it may be meant)  [tnp-bad-spec]
    # ^N:     let mu = sum[N](M N) in muu * 2
    # ^N:         ^
    # ^N: fix: use mu in the spec, or remove its binding


@tnp.kernel
def unknown_name(x: Typed[L["M N"]], c: TypedResult[L["let mu = sum[N](x:M N) in mu + bogus"]]) -> None:  # E: bad spec: unknown name 'bogus': neither bound by let nor a dim  [tnp-bad-spec]
    # ^N:     let mu = sum[N](x:M N) in mu + bogus
    # ^N:                                    ^
    # ^N: fix: the let binds mu; the dims are M, N
    c.assign(x.sum(N))
