"""Bug: the row max is taken over M, the rows, instead of over N, the row's entries.

`rows.max(M)` has dims N, and the subtraction that follows still type-checks once the max is
repeated along M; the mistake shows two lines later, where the max meets the row sums (dims M)
in `row_max + log(row_sum)`. tnp reports `tnp-dim` there, and a note at the line of the
`.max(M)` says that the left operand lost M in that reduction.
"""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult, exp

M, N = FullDim("M", 64), FullDim("N", 256)
TILE = 16


@tnp.kernel
def logsumexp(x: Typed[L["M N"]], out: TypedResult[L["log(sum[N](exp(M N)))"]]) -> None:
    for im in range(0, M.size, TILE):
        rows = x.slice(M, im, im + TILE)
        row_max = rows.max(M)  # should be rows.max(N)
        row_sum = exp(rows - row_max.repeat(M[im : im + TILE])).sum(N)
        out.assign(row_max + tnp.log(row_sum))  # error: tnp-dim


def main() -> None:
    rng = np.random.default_rng(0)
    x = Typed(10 * rng.standard_normal((M.size, N.size)), M, N)
    logsumexp(x, TypedResult("log(sum[N](exp(M N)))"))
    print("unreachable: tnp accepted a max over the wrong dim")


if __name__ == "__main__":
    main()
