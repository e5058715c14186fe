"""Lists of tiles are followed (append, item assignment); a value stored where the interpreter
cannot follow it stops the analysis instead of guessing (silently for a function analysed alone:
its parameters are unknown there)."""

import numpy as np

from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 8), FullDim("N", 8)


class Box:
    flag = True


def tiles_in_a_list() -> None:
    x = Typed(np.ones((8, 8)), M, N, name="X")
    c = TypedResult("X:M N")
    tiles = []
    for im in range(0, 8, 4):
        tiles.append(x.slice(M, im, im + 4))
    tiles[1] = tiles[1] * 2
    # ^N: the tile equals the spec without the `* 2` applied here
    for tile in tiles:
        c.assign(tile)  # E: kernel computes `2 * (M N)` over M[4:8] N[0:8]; the spec requires `M N`  [tnp-spec]
        # ^N: kernel - spec = `M N`
        # ^N: counterexample on random inputs ...


def attribute_condition(box: Box) -> None:
    x = Typed(np.ones((8, 8)), M, N, name="X")
    c = TypedResult("X:M N")
    if box.flag:
        c.assign(x)


tiles_in_a_list()
