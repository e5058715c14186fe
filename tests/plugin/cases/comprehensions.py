"""Comprehensions (list, set, dict, generator) and `sum` over a generator are followed: each tile
they make is checked, and every result here is proved complete."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 8), FullDim("N", 16)


@tnp.kernel
def row_sums(x: Typed[L["M N"]], c: TypedResult[L["sum[N](x:M N)"]]) -> None:
    for im in range(0, M.size, 4):
        t = x.slice(M, im, im + 4)
        c.assign(sum(t.slice(N, j, j + 4).sum(N) for j in range(0, N.size, 4)))


def tiles_in_a_list() -> None:
    x = Typed(np.ones((8, 16)), M, N, name="X")
    c = TypedResult("2 * X:M N")
    tiles = [x.slice(M, i, i + 4) for i in range(0, M.size, 4)]
    for tile in tiles:
        c.assign(tile * 2)
    print(c.arr)


def nested_with_a_condition() -> None:
    x = Typed(np.ones((8, 16)), M, N, name="X")
    c = TypedResult("X:M N")
    blocks = [
        x.slice(M, i, i + 4).slice(N, j, j + 8)
        for i in range(0, 8, 4)
        for j in range(0, 16, 8)
        if i + j >= 0
    ]
    for block in blocks:
        c.assign(block)
    print(c.arr)


def dict_and_set() -> None:
    x = Typed(np.ones((8, 16)), M, N, name="X")
    c = TypedResult("3 * X:M N")
    parts = {i: x.slice(M, i, i + 4) * 3 for i in range(0, 8, 4)}
    starts = {i for i in parts}
    for i, part in parts.items():
        assert i in starts
        c.assign(part)
    print(len(starts), c.arr)


def sum_of_a_list() -> None:
    x = Typed(np.ones((8, 16)), M, N, name="X")
    c = TypedResult("sum[N](X:M N) / 2")
    halves = [x.slice(N, j, j + 8).sum(N) / 2 for j in range(0, 16, 8)]
    c.assign(sum(halves))
    print(c.arr)


result = TypedResult("sum[N](x:M N)")
row_sums(Typed(np.ones((8, 16)), M, N), result)
tiles_in_a_list()
nested_with_a_condition()
dict_and_set()
sum_of_a_list()
