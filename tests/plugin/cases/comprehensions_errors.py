"""Errors inside comprehensions are reported at their line, for the element that makes them, as
the runtime raises them; a partial sum over a generator is a `tnp-reduce`."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 8), FullDim("N", 16)


@tnp.kernel
def row_sums(x: Typed[L["M N"]], c: TypedResult[L["sum[N](x:M N)"]]) -> None:
    for im in range(0, M.size, 4):
        t = x.slice(M, im, im + 4)
        c.assign(sum(t.slice(N, j, j + 4).sum(N) for j in range(0, 12, 4)))  # E: partial reduction: missing sum over N[12:16]: kernel computes `(M N[0:12] -> M)` over M[0:4]; the spec requires `(M N -> M)`  [tnp-reduce]
        # ^N: counterexample on random inputs ...
        # ^N: when im = 0
        # ^N: when im = 4
        # ^N: this line accumulates the sum over N, whose pieces cover N[0:12]; the spec's sum needs N[12:16] too


def tiles_past_the_end() -> None:
    x = Typed(np.ones((8, 16)), M, N, name="X")
    c = TypedResult("2 * X:M N")
    tiles = [
        x.slice(M, i, i + 4)  # E: slice M[8:12] is outside dim M of size 8; the value is `X:M N` over M[0:8] N[0:16]  [tnp-dim]
        # ^N: when i = 8
        for i in range(0, 12, 4)
    ]
    for tile in tiles:
        c.assign(tile * 2)


def wrong_scale_in_a_dict() -> None:
    x = Typed(np.ones((8, 16)), M, N, name="X")
    c = TypedResult("3 * X:M N")
    parts = {i: x.slice(M, i, i + 4) * 2 for i in range(0, 8, 4)}
    # ^N: the constant 2 here: with 3 instead, the tile equals the spec
    for part in parts.values():
        c.assign(part)  # E: kernel computes `2 * (M N)` over M[0:4] N[0:16]; the spec requires `3 * (M N)`  [tnp-spec]
        # ^N: differs in: kernel `2` where the spec has `3`
        # ^N: kernel - spec = `-(M N)`
        # ^N: counterexample on random inputs ...


tiles_past_the_end()
