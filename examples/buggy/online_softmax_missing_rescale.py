"""Bug: the running sum is not rescaled by exp(old max - new max) when the max grows.

Each block's exp(x - max) is taken against the max *so far*, so blocks summed before the max
grew are too large: the row sums come out wrong, yet every dim matches. tnp reports `tnp-spec`
at the first `c.assign`: the kernel's denominator is a sum of exp(x - m_k) over the blocks with
different m_k, where the spec requires `sum[N](exp(x))` scaled by exp(-max) throughout.
"""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult, exp, max

M, N = FullDim("M", 64), FullDim("N", 512)
TILE_M, TILE_N = 32, 64


@tnp.kernel
def online_softmax(x: Typed[L["M N"]], c: TypedResult[L["softmax[N](M N)"]]) -> None:
    for im in range(0, M.size, TILE_M):
        rows = x.slice(M, im, im + TILE_M)
        # Running values start as plain numbers and become tiles: for mypy they are
        # `Typed | float` until the loop is done.
        running_max: Typed | float = -np.inf
        running_sum: Typed | float = 0
        for jn in range(0, N.size, TILE_N):
            block = rows.slice(N, jn, jn + TILE_N)
            new_max = max(running_max, block.max(N))
            block_sum = exp(block - new_max.repeat(N[jn : jn + TILE_N])).sum(N)
            running_sum = running_sum + block_sum  # forgot: * exp(running_max - new_max)
            running_max = new_max
        assert isinstance(running_max, Typed) and isinstance(running_sum, Typed)
        for jn in range(0, N.size, TILE_N):
            block = rows.slice(N, jn, jn + TILE_N)
            numerator = exp(block - running_max.repeat(N[jn : jn + TILE_N]))
            c.assign(numerator / running_sum.repeat(N[jn : jn + TILE_N]))  # error: tnp-spec


def main() -> None:
    rng = np.random.default_rng(0)
    x = Typed(10 * rng.standard_normal((M.size, N.size)), M, N)
    c = TypedResult("softmax[N](M N)")
    online_softmax(x, c)
    print("unreachable: tnp accepted an online softmax whose running sum is never rescaled")


if __name__ == "__main__":
    main()
