"""Helpers of the same module are inlined where they are called; `.dim_type[i]`, `dim[a:b]`,
`while` and tuple unpacking are followed."""

import numpy as np

from tnp_runtime import FullDim, Sliced, Typed, TypedResult

M, N = FullDim("M", 8), FullDim("N", 8)


def row_tile(x: Typed, start: int, stop: int) -> Typed:
    first: Sliced = x.dim_type[0]
    return x.slice(first.dim[start:stop]) * 2


def write_rows(x: Typed, c: TypedResult, step: int) -> None:
    start = 0
    while start < M.size:
        lo, hi = start, start + step
        c.assign(row_tile(x, lo, hi) + 1)  # E: kernel computes `2 * (M N) + 1` over M[0:2] N[0:8]; the spec requires `2 * (M N)`  [tnp-spec]
        # ^N: kernel - spec = `1`
        # ^N: counterexample on random inputs ...
        # ^N: the tile equals the spec without the `+ 1` applied here
        start += step


def main() -> None:
    x = Typed(np.ones((8, 8)), M, N, name="X")
    c = TypedResult("2 * X:M N + 1")
    write_rows(x, c, 4)
    d = TypedResult("2 * X:M N")
    write_rows(x, d, 2)
    print(c.arr, d.arr)


main()
