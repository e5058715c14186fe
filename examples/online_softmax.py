"""Online softmax over N in column blocks: c = softmax[N](x).

Pass 1 walks the column blocks of a row tile once, keeping a running max and a running sum of
exp(x - running max); when the max grows, the sum so far is rescaled by exp(old max - new max).
Pass 2 writes exp(x - max) / sum block by block. tnp proves that the rescaled sum telescopes to
the sum over all of N, and that starting from `-np.inf` and `0` is sound (exp(-inf) = 0).
`tnp.assert_spec` states the running values' invariant at each step of pass 1 and what they are
after it (the row's max, its sum of exp), each proved where it is written.
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
            running_sum = running_sum * exp(running_max - new_max) + block_sum
            running_max = new_max
            # The loop's invariant, over the columns seen so far (an f-string the plugin
            # follows: the loop's values are known to it).
            seen = f"N[0:{jn + TILE_N}]"
            tnp.assert_spec(new_max, f"max[{seen}](M N)")
            tnp.assert_spec(
                running_sum, f"sum[{seen}](exp(M {seen} - (max[{seen}](M N) -> M {seen})))"
            )
        assert isinstance(running_max, Typed) and isinstance(running_sum, Typed)
        # After the loop: the running values are the row's max and its sum of exp.
        tnp.assert_spec(running_max, "max[N](M N)")
        tnp.assert_spec(running_sum, "sum[N](exp(M N - (max[N](M N) -> M N)))")
        for jn in range(0, N.size, TILE_N):
            block = rows.slice(N, jn, jn + TILE_N)
            numerator = exp(block - running_max.repeat(N[jn : jn + TILE_N]))
            c.assign(numerator / running_sum.repeat(N[jn : jn + TILE_N]))


def reference(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=1, keepdims=True))
    result: np.ndarray = e / e.sum(axis=1, keepdims=True)
    return result


def main() -> None:
    rng = np.random.default_rng(0)
    x = Typed(10 * rng.standard_normal((M.size, N.size)), M, N)
    c = TypedResult("softmax[N](M N)")
    online_softmax(x, c)
    assert np.allclose(c.arr, reference(x.arr))
    tiles = (M.size // TILE_M) * (N.size // TILE_N)
    print(f"online_softmax: OK ({M.size}x{N.size}, {tiles} tiles proved)")


if __name__ == "__main__":
    main()
