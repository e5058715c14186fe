"""Lists changed in place in a tile loop long enough for induction: `append` and item
assignment change a value made before the loop without assigning its name, and that value is
part of the loop's state all the same. Each kernel gets the verdicts of unrolling: after the
loop, the list holds what every iteration put in it (20 iterations here, not the 5 run for
real around a symbolic step), and an attempt at induction that is abandoned leaves the list
as it found it."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 2), FullDim("N", 40)
T = 2


@tnp.kernel
def tiles_kept(x: Typed[L["M N"]], c: TypedResult[L["2 * x:M N"]]) -> None:
    tiles: list[Typed] = []
    for j in range(0, N.size, T):
        tiles.append(x.slice(N, j, j + T) * 2)
    for tile in tiles:
        c.assign(tile)


@tnp.kernel
def last_tile_kept(x: Typed[L["M N"]], c: TypedResult[L["x:M N"]]) -> None:
    # Not proved by induction (the loop writes what it read an iteration before), but its
    # attempt's `append` must not stay in the list the unrolled iterations then read.
    tiles: list[Typed] = [x.slice(N, 0, T)]
    for j in range(T, N.size, T):
        c.assign(tiles[-1])
        tiles.append(x.slice(N, j, j + T))
    c.assign(tiles[-1])


@tnp.kernel
def counted_by_length(x: Typed[L["M N"]], c: TypedResult[L["sum[N](x:M N) / 5"]]) -> None:
    acc: Typed | float = 0
    seen: list[int] = []
    for j in range(0, N.size, T):
        acc = acc + x.slice(N, j, j + T).sum(N)
        seen.append(j)
    assert isinstance(acc, Typed)
    c.assign(acc / len(seen))  # E: kernel computes `(M N -> M) / 20` over M[0:2]; the spec requires `(M N -> M) / 5`  [tnp-spec]
    # ^N: differs in: kernel `20` where the spec has `5`
    # ^N: kernel - spec = `-0.15 * (M N -> M)`
    # ^N: counterexample on random inputs ...
    # ^N: the constant 20 here: with 5 instead, the tile equals the spec


@tnp.kernel
def counted_in_an_item(x: Typed[L["M N"]], c: TypedResult[L["sum[N](x:M N) / 5"]]) -> None:
    acc: Typed | float = 0
    count = [0]
    for j in range(0, N.size, T):
        acc = acc + x.slice(N, j, j + T).sum(N)
        count[0] += 1
    assert isinstance(acc, Typed)
    c.assign(acc / count[0])  # E: kernel computes `(M N -> M) / 20` over M[0:2]; the spec requires `(M N -> M) / 5`  [tnp-spec]
    # ^N: differs in: kernel `20` where the spec has `5`
    # ^N: kernel - spec = `-0.15 * (M N -> M)`
    # ^N: counterexample on random inputs ...
    # ^N: the constant 20 here: with 5 instead, the tile equals the spec


def main() -> None:
    x = Typed(np.random.default_rng(0).standard_normal((M.size, N.size)), M, N)
    tiles_kept(x, tiles_kept.result())
    last_tile_kept(x, last_tile_kept.result())
    counted_by_length(x, counted_by_length.result())


if __name__ == "__main__":
    main()
