"""Layer normalisation over N, with a two-pass variance, tiled over rows and over N.

For each row tile, a first pass over the N tiles sums the row (the mean); a second pass sums
the squared deviations from that mean (the variance: more accurate in floating point than
E[x²] - E[x]², which cancels catastrophically); a third pass writes each tile normalised.

What tnp proves here: the second pass's sum of (x - mean)² over N tiles expands into tiled sums
multiplied by the full-row sum inside `mean`, and those tiles merge, factor and all, into the
spec's single sum over N. `1e-5` in the kernel is the spec's `0.00001`. The spec names its
mean and deviation with `let` (the same spec as the one written out in `SPEC_WRITTEN_OUT`).
"""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult, sqrt

M, N = FullDim("M", 64), FullDim("N", 128)
TILE_M, TILE_N = 16, 32
EPS = 1e-5

# The same spec written out, without `let`: a result made with it is the same spec.
SPEC_WRITTEN_OUT = (
    "(M N - (sum[N](M N) -> M N) / 128) / (sqrt(sum[N]((M N - (sum[N](M N) -> M N) / 128)"
    " * (M N - (sum[N](M N) -> M N) / 128)) / 128 + 0.00001) -> M N)"
)


@tnp.kernel
def layernorm(x: Typed[L["M N"]], c: TypedResult[L[
    "let mu = (sum[N](M N) -> M N) / 128, deviation = M N - mu"
    " in deviation / (sqrt(sum[N](deviation * deviation) / 128 + 0.00001) -> M N)"
]]) -> None:
    for im in range(0, M.size, TILE_M):
        rows = x.slice(M, im, im + TILE_M)
        total: Typed | None = None
        for jn in range(0, N.size, TILE_N):
            part = rows.slice(N, jn, jn + TILE_N).sum(N)
            total = part if total is None else total + part
        assert total is not None
        mean = total / N.size
        squares: Typed | None = None
        for jn in range(0, N.size, TILE_N):
            deviation = rows.slice(N, jn, jn + TILE_N) - mean.repeat(N[jn : jn + TILE_N])
            part = (deviation * deviation).sum(N)
            squares = part if squares is None else squares + part
        assert squares is not None
        scale = 1 / sqrt(squares / N.size + EPS)
        for jn in range(0, N.size, TILE_N):
            deviation = rows.slice(N, jn, jn + TILE_N) - mean.repeat(N[jn : jn + TILE_N])
            c.assign(deviation * scale.repeat(N[jn : jn + TILE_N]))


def reference(x: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=1, keepdims=True)
    result: np.ndarray = (x - mean) / np.sqrt(var + EPS)
    return result


def main() -> None:
    rng = np.random.default_rng(0)
    # A large common offset: E[x²] - E[x]² would lose most digits of the variance here.
    x = Typed(1e4 + rng.standard_normal((M.size, N.size)), M, N)
    c = TypedResult(SPEC_WRITTEN_OUT)
    layernorm(x, c)  # another text of the same spec: accepted, as provably the same
    assert np.allclose(c.arr, reference(x.arr))
    tiles = (M.size // TILE_M) * (N.size // TILE_N)
    print(f"layernorm: OK ({M.size}x{N.size}, {tiles} tiles proved, two-pass variance)")


if __name__ == "__main__":
    main()
