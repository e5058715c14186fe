"""Script form in a function: `.arr` read before every tile is written is reported at the
`TypedResult(...)` line; a result never read is checked when the function returns."""

import numpy as np

from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 8), FullDim("N", 8)


def read_too_early() -> None:
    x = Typed(np.ones((8, 8)), M, N, name="X")
    c = TypedResult("2 * X:M N")  # E: result `2 * X:M N` incomplete when `.arr` is read: 1 region never written: M[4:8] N[0:8]  [tnp-coverage]
    # ^N: 32 of 64 elements never written (50%)
    for im in range(0, 4, 4):
        c.assign(x.slice(M, im, im + 4) * 2)
    print(c.arr)


def never_finished() -> None:
    x = Typed(np.ones((8, 8)), M, N, name="X")
    c = TypedResult("X:M N")  # E: result `X:M N` incomplete when `never_finished` returns: 1 region never written: M[0:8] N[4:8]  [tnp-coverage]
    # ^N: 32 of 64 elements never written (50%)
    c.assign(x.slice(N, 0, 4))


def escapes() -> TypedResult:
    x = Typed(np.ones((8, 8)), M, N, name="X")
    c = TypedResult("X:M N")
    c.assign(x.slice(N, 0, 4))
    return c


never_finished()
escapes()
read_too_early()
