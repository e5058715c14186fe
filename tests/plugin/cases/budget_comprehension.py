"""Run with max_statements = 40 (budget.ini): each element of a comprehension costs a statement of
the budget, so a long one stops the check there, an error since the scope writes a result."""

import numpy as np

from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 64), FullDim("N", 8)


def many_rows() -> None:
    x = Typed(np.ones((64, 8)), M, N, name="X")
    c = TypedResult("sum[N](X:M N)")
    rows = [x.slice(M, i, i + 1).sum(N) for i in range(64)]  # E: tnp stopped the static check after 40 statements (max_statements in [tool.tnp_mypy]); the runtime still checks the rest  [tnp-unsupported]
    # ^N: this scope writes a result and mypy did not check all of it; `unsupported = "note"` in [tool.tnp_mypy] shows this as a note instead
    for row in rows:
        c.assign(row)
    print(c.arr)


many_rows()
