"""Bug: the running sum is not rescaled when the running max grows (as in
`online_softmax_missing_rescale.py`), caught where it happens.

`tnp.assert_spec` states the running sum's invariant in the loop: after the columns N[0:e], it
is sum[N[0:e]](exp(x - max[N[0:e]](x))). The missing rescale breaks it at the second block
(`jn = 64`), so tnp reports it at that assertion, in the first pass, rather than at the `assign`
of the second pass, with a message about that step alone: `tnp-spec`, showing the sum of the
first block still against its own max (every block is summed, so no interval is missing).
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
        running_max: Typed | float = -np.inf
        running_sum: Typed | float = 0
        for jn in range(0, N.size, TILE_N):
            block = rows.slice(N, jn, jn + TILE_N)
            new_max = max(running_max, block.max(N))
            block_sum = exp(block - new_max.repeat(N[jn : jn + TILE_N])).sum(N)
            running_sum = running_sum + block_sum  # forgot: * exp(running_max - new_max)
            running_max = new_max
            seen = f"N[0:{jn + TILE_N}]"
            invariant = f"sum[{seen}](exp(M {seen} - (max[{seen}](M N) -> M {seen})))"
            tnp.assert_spec(running_sum, invariant)  # error: tnp-spec
        assert isinstance(running_max, Typed) and isinstance(running_sum, Typed)
        for jn in range(0, N.size, TILE_N):
            block = rows.slice(N, jn, jn + TILE_N)
            numerator = exp(block - running_max.repeat(N[jn : jn + TILE_N]))
            c.assign(numerator / running_sum.repeat(N[jn : jn + TILE_N]))


def main() -> None:
    rng = np.random.default_rng(0)
    x = Typed(10 * rng.standard_normal((M.size, N.size)), M, N)
    c = TypedResult("softmax[N](M N)")
    online_softmax(x, c)
    print("unreachable: tnp accepted a running sum that is never rescaled")


if __name__ == "__main__":
    main()
