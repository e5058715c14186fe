"""Merging the tiles of a reduction keeps the factors the term already holds: tiles of a sum
divided by the whole sum add up to 1, not to the sum; times the whole sum squared, to its cube."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 8), FullDim("N", 8)
T = 4


@tnp.kernel
def shares_as_sum(x: Typed[L["M N"]], c: TypedResult[L["sum[N](M N)"]]) -> None:
    total = x.sum(N)
    c.assign(x.slice(N, 0, T).sum(N) / total + x.slice(N, T, 2 * T).sum(N) / total)  # E: kernel computes `1` over M[0:8]; the spec requires `(M N -> M)`  [tnp-spec]
    # ^N: counterexample on random inputs ...


@tnp.kernel
def cube_as_sum(x: Typed[L["M N"]], c: TypedResult[L["sum[N](M N)"]]) -> None:
    total = x.sum(N)
    acc: Typed | None = None
    for jn in range(0, N.size, T):
        part = x.slice(N, jn, jn + T).sum(N) * total * total
        acc = part if acc is None else acc + part
    assert acc is not None
    c.assign(acc)  # E: kernel computes `(M N -> M) ** 3` over M[0:8]; the spec requires `(M N -> M)`  [tnp-spec]
    # ^N: counterexample on random inputs ...


x = Typed(np.random.default_rng(0).standard_normal((8, 8)), M, N)
shares_as_sum(x, TypedResult("sum[N](M N)"))
cube_as_sum(x, TypedResult("sum[N](M N)"))
