"""GELU, exact (with erf) and its tanh approximation, tiled over rows and columns.

Exact: `x * (1 + erf(x / sqrt(2))) / 2`. Approximate: `x * (1 + tanh(c * (x + 0.044715 x³)))
/ 2` with c = sqrt(2 / pi). tnp proves each tile against the spec written with `erf`, `tanh`
and `**`; the constants the kernel computes in float64 (`math.sqrt(2)`, `math.sqrt(2 / math.pi)`)
are the spec's `sqrt(2)` and `sqrt(2 / 3.141592653589793)` (the same float64 values).

What is proved, and what is not: erf and tanh are opaque functions to the prover (apart from
being odd, tanh(-x) = -tanh(x), and their values at constants). The kernel must therefore apply
them to the same argument as the spec, up to the identities of arithmetic: here `x / sqrt(2)`
and `x * (1 / sqrt(2))` meet, and so do `x * x * x` and `x ** 3`; a kernel that computed erf
from a series would not be proved equal. A constant is the float64 value the kernel computes:
`C * 0.044715` folded into one constant is a different float from the spec's product of the
two, so the kernel multiplies by C last, as the spec does.
"""

import math
from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 64), FullDim("N", 96)
TILE_M, TILE_N = 16, 32
C = math.sqrt(2 / math.pi)

EXACT = "M N * (1 + erf(M N / sqrt(2))) / 2"
APPROX = "0.5 * M N * (1 + tanh(sqrt(2 / 3.141592653589793) * (M N + 0.044715 * M N ** 3)))"


@tnp.kernel
def gelu(x: Typed[L["M N"]], c: TypedResult[L["M N * (1 + erf(M N / sqrt(2))) / 2"]]) -> None:
    for im in range(0, M.size, TILE_M):
        for jn in range(0, N.size, TILE_N):
            t = x.slice(M, im, im + TILE_M).slice(N, jn, jn + TILE_N)
            c.assign(0.5 * t * (1 + tnp.erf(t * (1 / math.sqrt(2)))))


@tnp.kernel
def gelu_tanh(x: Typed[L["M N"]], c: TypedResult[L[
    "0.5 * M N * (1 + tanh(sqrt(2 / 3.141592653589793) * (M N + 0.044715 * M N ** 3)))"
]]) -> None:
    for im in range(0, M.size, TILE_M):
        for jn in range(0, N.size, TILE_N):
            t = x.slice(M, im, im + TILE_M).slice(N, jn, jn + TILE_N)
            inner = C * (t + 0.044715 * (t * t * t))
            c.assign(t * (1 + tnp.tanh(inner)) / 2)


def reference_exact(x: np.ndarray) -> np.ndarray:
    erf = np.vectorize(math.erf)
    result: np.ndarray = x * (1 + erf(x / np.sqrt(2))) / 2
    return result


def reference_tanh(x: np.ndarray) -> np.ndarray:
    result: np.ndarray = 0.5 * x * (1 + np.tanh(C * (x + 0.044715 * x**3)))
    return result


def main() -> None:
    rng = np.random.default_rng(0)
    x = Typed(3 * rng.standard_normal((M.size, N.size)), M, N)
    exact = TypedResult(EXACT)
    gelu(x, exact)
    assert np.allclose(exact.arr, reference_exact(x.arr))
    approx = TypedResult(APPROX)
    gelu_tanh(x, approx)
    assert np.allclose(approx.arr, reference_tanh(x.arr))
    assert np.allclose(exact.arr, approx.arr, atol=1e-2)
    tiles = (M.size // TILE_M) * (N.size // TILE_N)
    print(f"gelu: OK ({M.size}x{N.size}, {tiles} tiles proved for erf and for tanh)")


if __name__ == "__main__":
    main()
