"""Run with max_statements = 40 (budget.ini): the analysis stops with a note, no false error."""

import numpy as np

from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 64), FullDim("N", 8)


def many_tiles() -> None:
    x = Typed(np.ones((64, 8)), M, N, name="X")
    c = TypedResult("X:M N")
    for im in range(0, 64, 1):
        tile = x.slice(M, im, im + 1)
        c.assign(tile)  # N: tnp stopped the static check after 40 statements (max_statements in [tool.tnp_mypy]); the runtime still checks the rest
    print(c.arr)
