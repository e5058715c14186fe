"""Run with max_statements = 40 (budget.ini): the analysis stops, no false error; the scope writes
a result, so the stop is an error (`tnp-unsupported`, as for a construct it cannot follow)."""

import numpy as np

from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 64), FullDim("N", 8)


def many_tiles() -> None:
    x = Typed(np.ones((64, 8)), M, N, name="X")
    c = TypedResult("X:M N")
    for im in range(0, 64, 1):
        tile = x.slice(M, im, im + 1)
        c.assign(tile)  # E: tnp stopped the static check after 40 statements (max_statements in [tool.tnp_mypy]); the runtime still checks the rest  [tnp-unsupported]
        # ^N: this scope writes a result and mypy did not check all of it; `unsupported = "note"` in [tool.tnp_mypy] shows this as a note instead
    print(c.arr)
