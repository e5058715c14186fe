"""A 3x3 2-D convolution (cross-correlation), tiled over output rows and columns:
out[i, j] = sum[a, b] w[a, b] * x[i + a, j + b].

The spec reads x at two computed positions, `x:H[OH + KH] W[OW + KW]`. `conv2d` takes, per
output tile, the window of x it sees along both dims (`window` twice: dims OH KH OW KW),
multiplies it by the filter and sums over the taps. `conv2d_unrolled` unrolls the nine taps:
x shifted by (a, b) times `w.at(KH, a).at(KW, b)`; tnp writes the spec's two sums over the taps
out as their nine terms to meet it. The tile at (i, j) reads H[i : i + T + 2] and
W[j : j + T + 2].
"""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

H, W = FullDim("H", 34), FullDim("W", 66)
OH, OW = FullDim("OH", 32), FullDim("OW", 64)
KH, KW = FullDim("KH", 3), FullDim("KW", 3)
TILE_H, TILE_W = 16, 32

SPEC = "(w:KH KW, x:H[OH + KH] W[OW + KW] -> OH OW)"


@tnp.kernel
def conv2d(
    x: Typed[L["H W"]],
    w: Typed[L["KH KW"]],
    out: TypedResult[L["(w:KH KW, x:H[OH + KH] W[OW + KW] -> OH OW)"]],
) -> None:
    for i in range(0, OH.size, TILE_H):
        for j in range(0, OW.size, TILE_W):
            rows, cols = OH[i : i + TILE_H], OW[j : j + TILE_W]
            seen = x.window(H, rows, KH).window(W, cols, KW)  # dims OH KH OW KW
            taps = w.repeat(rows).repeat(cols)  # dims KH KW OH OW
            out.assign((seen * taps).sum(KH).sum(KW).rearrange(OH, OW))


@tnp.kernel
def conv2d_unrolled(
    x: Typed[L["H W"]],
    w: Typed[L["KH KW"]],
    out: TypedResult[L["(w:KH KW, x:H[OH + KH] W[OW + KW] -> OH OW)"]],
) -> None:
    for i in range(0, OH.size, TILE_H):
        for j in range(0, OW.size, TILE_W):
            rows, cols = OH[i : i + TILE_H], OW[j : j + TILE_W]
            acc: Typed | None = None
            for a in range(KH.size):
                for b in range(KW.size):
                    tap = w.at(KH, a).at(KW, b).repeat(rows).repeat(cols)
                    term = x.shift(H, rows, a).shift(W, cols, b) * tap  # x[i + a, j + b]
                    acc = term if acc is None else acc + term
            assert acc is not None
            out.assign(acc)


def reference(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    out = np.zeros((OH.size, OW.size))
    for a in range(KH.size):
        for b in range(KW.size):
            out += w[a, b] * x[a : a + OH.size, b : b + OW.size]
    return out


def main() -> None:
    rng = np.random.default_rng(0)
    x = Typed(rng.standard_normal((H.size, W.size)), H, W)
    w = Typed(rng.standard_normal((KH.size, KW.size)), KH, KW)
    for kernel in (conv2d, conv2d_unrolled):
        out = TypedResult(SPEC)
        kernel(x, w, out)
        assert np.allclose(out.arr, reference(x.arr, w.arr))
    tiles = (OH.size // TILE_H) * (OW.size // TILE_W)
    print(f"conv2d: OK ({OH.size}x{OW.size} outputs, 3x3 filter, {tiles} tiles proved, "
          "window and unrolled)")


if __name__ == "__main__":
    main()
