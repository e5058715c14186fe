"""Kernel form: a correct kernel, one with a wrong constant, one that skips a tile."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult, einsum

M, N, K = FullDim("M", 10), FullDim("N", 10), FullDim("K", 10)
TILE = 5


@tnp.kernel
def matmul(a: Typed[L["M N"]], b: Typed[L["N K"]], c: TypedResult[L["6 * (M N, N K -> M K)"]]) -> None:
    for im in range(0, M.size, TILE):
        for ik in range(0, K.size, TILE):
            acc: Typed | None = None
            for in_ in range(0, N.size, TILE):
                ta = a.slice(M, im, im + TILE).slice(N, in_, in_ + TILE)
                tb = b.slice(N, in_, in_ + TILE).slice(K, ik, ik + TILE)
                t = einsum(ta * 3, tb * 2, "M N, N K -> M K")
                acc = acc + t if acc is not None else t
            assert acc is not None
            c.assign(acc)


@tnp.kernel
def wrong_constant(a: Typed[L["M N"]], b: Typed[L["N K"]], c: TypedResult[L["2 * (M N, N K -> M K)"]]) -> None:
    for im in range(0, M.size, TILE):
        for ik in range(0, K.size, TILE):
            t = einsum(a.slice(M, im, im + TILE) * 2, b.slice(K, ik, ik + TILE) * 2, "M N, N K -> M K")
            c.assign(t)  # E: kernel computes `4 * (M N, N K -> M K)` over M[0:5] K[0:5]; the spec requires `2 * (M N, N K -> M K)`  [tnp-spec]
            # ^N: differs in: kernel `4` where the spec has `2`
            # ^N: kernel - spec = `2 * (M N, N K -> M K)`
            # ^N: counterexample on random inputs ...
            # ^N: when im = 0, ik = 0
            # ^N: when im = 0, ik = 5
            # ^N: when im = 5, ik = 0


@tnp.kernel
def skips_a_tile(a: Typed[L["M N"]], b: Typed[L["N K"]], c: TypedResult[L["(M N, N K -> M K)"]]) -> None:  # E: result `(M N, N K -> M K)` incomplete when the kernel returns: 1 region never written: M[5:10] K[0:10]  [tnp-coverage]
# ^N: 50 of 100 elements never written (50%)
    for im in range(0, M.size - TILE, TILE):
        c.assign(einsum(a.slice(M, im, im + TILE), b, "M N, N K -> M K"))


def main() -> None:
    a = Typed(np.ones((10, 10)), M, N)
    b = Typed(np.ones((10, 10)), N, K)
    c = TypedResult("6 * (M N, N K -> M K)")
    matmul(a, b, c)
    print(c.arr.sum())
    d = TypedResult("2 * (M N, N K -> M K)")
    wrong_constant(a, b, d)


if __name__ == "__main__":
    main()
