"""Correct kernels: each passes, on any inputs."""

from typing import Literal as L

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 8), FullDim("N", 16)
TILE = 4


@tnp.kernel
def double(x: Typed[L["M N"]], c: TypedResult[L["2 * M N"]]) -> None:
    for i in range(0, M.size, TILE):
        c.assign(x.slice(M, i, i + TILE) * 2)


@tnp.kernel
def row_sum(x: Typed[L["M N"]], c: TypedResult[L["sum[N](M N)"]], tile: int = TILE) -> None:
    for i in range(0, M.size, tile):
        acc: Typed | None = None
        for j in range(0, N.size, tile):
            part = x.slice(M, i, i + tile).slice(N, j, j + tile).sum(N)
            acc = part if acc is None else acc + part
        assert acc is not None
        c.assign(acc)


def not_a_kernel(x: Typed[L["M N"]]) -> Typed[L["M N"]]:
    return x
