"""Run with `unsupported = "note"` and max_statements = 40 (note.ini): a stopped check is a note,
at a construct the plugin cannot follow and at the budget alike; errors before it still show."""

import numpy as np

from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 64), FullDim("N", 8)


def try_block() -> None:
    x = Typed(np.ones((64, 8)), M, N, name="X")
    c = TypedResult("X:M N")
    c.assign(x.slice(M, 0, 8) * 2)  # E: kernel computes `2 * (M N)` over M[0:8] N[0:8]; the spec requires `M N`  [tnp-spec]
    # ^N: kernel - spec = `M N`
    # ^N: counterexample ...
    # ^N: the tile equals the spec without the `* 2` applied here
    try:  # N: tnp cannot follow a `TryStmt` statement; the static check of this scope stops here (the runtime still checks it)
        c.assign(x * 2)
    except ValueError:
        print("done")


def many_tiles() -> None:
    x = Typed(np.ones((64, 8)), M, N, name="X")
    c = TypedResult("X:M N")
    for im in range(0, 64, 1):
        tile = x.slice(M, im, im + 1)
        c.assign(tile)  # N: tnp stopped the static check after 40 statements (max_statements in [tool.tnp_mypy]); the runtime still checks the rest
    print(c.arr)
