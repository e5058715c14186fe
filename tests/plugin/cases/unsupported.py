"""A construct the interpreter cannot follow: one note, and nothing reported after it."""

import numpy as np

from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 8), FullDim("N", 8)


def data_dependent() -> None:
    x = Typed(np.ones((8, 8)), M, N, name="X")
    c = TypedResult("X:M N")
    stop = int(np.random.default_rng(0).integers(1, 3))
    for im in range(0, 8, 4 * stop):  # N: tnp cannot follow a `range` whose bounds it does not know; the static check of this scope stops here (the runtime still checks it)
        c.assign(x.slice(M, im, im + 4) * 2)


def try_block() -> None:
    x = Typed(np.ones((8, 8)), M, N, name="X")
    c = TypedResult("X:M N")
    try:  # N: tnp cannot follow a `TryStmt` statement; the static check of this scope stops here (the runtime still checks it)
        c.assign(x * 2)
    except ValueError:
        print("done")
