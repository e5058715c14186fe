"""A 1-D convolution (cross-correlation, as in deep learning), tiled over output positions:
out[p] = sum[k] w[k] * x[p + k], over output positions P.

The spec reads x at a position computed from two dims: `x:N[P + K]` is x at N = P + K, so
`(w:K, x:N[P + K] -> P)` multiplies each tap of the filter by the input it sees and sums over K.
Two kernels compute it, as kernel authors write it in Triton or Pallas:

- `conv1d_window` takes, per output tile, the window of x the tile sees: `x.window(N,
  P[o:o + T], K)` has dims P and K, and at (o, k) the value of x at N = o + k. The product with
  the filter, summed over K, is the spec restricted to the tile.
- `conv1d_unrolled` unrolls the filter: for each tap k, x shifted by k (`x.shift(N, P[o:o + T],
  k)`, x at N = o + k) times the tap (`w.at(K, k)`). tnp writes the spec's sum over the three taps
  out as its terms to meet it.

An output tile of T positions reads N[o : o + T + 2]: a tile that reads past x is `tnp-dim`
(examples/buggy/conv1d_tile_without_halo.py), a wrong offset is `tnp-spec`
(examples/buggy/conv1d_wrong_offset.py).
"""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

N, P, K = FullDim("N", 130), FullDim("P", 128), FullDim("K", 3)
TILE = 32


@tnp.kernel
def conv1d_window(
    x: Typed[L["N"]], w: Typed[L["K"]], out: TypedResult[L["(w:K, x:N[P + K] -> P)"]]
) -> None:
    for o in range(0, P.size, TILE):
        seen = x.window(N, P[o : o + TILE], K)  # dims P K: x at N = o + k
        out.assign((seen * w.repeat(P[o : o + TILE])).sum(K))


@tnp.kernel
def conv1d_unrolled(
    x: Typed[L["N"]], w: Typed[L["K"]], out: TypedResult[L["(w:K, x:N[P + K] -> P)"]]
) -> None:
    for o in range(0, P.size, TILE):
        acc: Typed | None = None
        for k in range(K.size):
            tap = w.at(K, k).repeat(P[o : o + TILE])
            term = x.shift(N, P[o : o + TILE], k) * tap  # x at N = o + k, times w[k]
            acc = term if acc is None else acc + term
        assert acc is not None
        out.assign(acc)


def reference(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    return np.correlate(x, w, mode="valid")


def main() -> None:
    rng = np.random.default_rng(0)
    x = Typed(rng.standard_normal(N.size), N)
    w = Typed(rng.standard_normal(K.size), K)
    for kernel in (conv1d_window, conv1d_unrolled):
        out = TypedResult("(w:K, x:N[P + K] -> P)")
        kernel(x, w, out)
        assert np.allclose(out.arr, reference(x.arr, w.arr))
    print(f"conv1d: OK ({P.size} outputs, {P.size // TILE} tiles proved, window and unrolled)")


if __name__ == "__main__":
    main()
