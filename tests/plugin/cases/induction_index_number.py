"""Known bug (tests/support/pending.py): the loop index compared with a number that is not an
int. `j == N.size / 2` (a float: `/` is true division) is true at j = 80 when the loop runs, so
the tile written there is wrong, and unrolling and the runtime refuse it. In the symbolic step
of the induction the comparison is answered False without recording a condition on k, so the
step stands for j = 80 and the wrong tile is never checked: mypy passes the kernel. The same
for `!=`, for a bool (`j - 147 == True` is true at j = 148) and for an integer counted by
the loop (`count == 37.0`), and for `j in [148.0]` (a list compares with `==`)."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 4), FullDim("N", 160)
T = 4
ONE = True  # a bool is an int: 1 == True


@tnp.kernel
def middle_tile_by_float(x: Typed[L["M N"]], out: TypedResult[L["2 * (M N)"]]) -> None:
    for j in range(0, N.size, T):
        tile = x.slice(N, j, j + T)
        if j == N.size / 2:
            out.assign(tile * 3)  # E: kernel computes `3 * (M N)` over M[0:4] N[80:84]; the spec requires `2 * (M N)`  [tnp-spec]
            # ^N: differs in: kernel `3` where the spec has `2`
            # ^N: kernel - spec = `M N`
            # ^N: counterexample on random inputs ...
            # ^N: when j = 80
            # ^N: the constant 3 here: with 2 instead, the tile equals the spec
        else:
            out.assign(tile * 2)


@tnp.kernel
def middle_tile_by_float_ne(x: Typed[L["M N"]], out: TypedResult[L["2 * (M N)"]]) -> None:
    for j in range(0, N.size, T):
        tile = x.slice(N, j, j + T)
        out.assign(tile * 2 if j != N.size / 2 else tile * 3)  # E: kernel computes `3 * (M N)` over M[0:4] N[80:84]; the spec requires `2 * (M N)`  [tnp-spec]
        # ^N: differs in: kernel `3` where the spec has `2`
        # ^N: kernel - spec = `M N`
        # ^N: counterexample on random inputs ...
        # ^N: when j = 80
        # ^N: the constant 3 here: with 2 instead, the tile equals the spec


@tnp.kernel
def tile_by_bool(x: Typed[L["M N"]], out: TypedResult[L["2 * (M N)"]]) -> None:
    for j in range(0, N.size, T):
        tile = x.slice(N, j, j + T)
        out.assign(tile * 3 if j - 147 == ONE else tile * 2)  # E: kernel computes `3 * (M N)` over M[0:4] N[148:152]; the spec requires `2 * (M N)`  [tnp-spec]
        # ^N: differs in: kernel `3` where the spec has `2`
        # ^N: kernel - spec = `M N`
        # ^N: counterexample on random inputs ...
        # ^N: when j = 148
        # ^N: the constant 3 here: with 2 instead, the tile equals the spec


@tnp.kernel
def counted_tiles_by_float(x: Typed[L["M N"]], out: TypedResult[L["2 * (M N)"]]) -> None:
    count = 0
    for j in range(0, N.size, T):
        tile = x.slice(N, j, j + T)
        out.assign(tile * 3 if count == 37.0 else tile * 2)  # E: kernel computes `3 * (M N)` over M[0:4] N[148:152]; the spec requires `2 * (M N)`  [tnp-spec]
        # ^N: differs in: kernel `3` where the spec has `2`
        # ^N: kernel - spec = `M N`
        # ^N: counterexample on random inputs ...
        # ^N: when j = 148
        # ^N: the constant 3 here: with 2 instead, the tile equals the spec
        count += 1


@tnp.kernel
def tile_in_a_list_of_floats(x: Typed[L["M N"]], out: TypedResult[L["2 * (M N)"]]) -> None:
    for j in range(0, N.size, T):
        tile = x.slice(N, j, j + T)
        out.assign(tile * 3 if j in [148.0] else tile * 2)  # E: kernel computes `3 * (M N)` over M[0:4] N[148:152]; the spec requires `2 * (M N)`  [tnp-spec]
        # ^N: differs in: kernel `3` where the spec has `2`
        # ^N: kernel - spec = `M N`
        # ^N: counterexample on random inputs ...
        # ^N: when j = 148
        # ^N: the constant 3 here: with 2 instead, the tile equals the spec


def main() -> None:
    x = Typed(np.random.default_rng(0).standard_normal((M.size, N.size)), M, N)
    middle_tile_by_float(x, middle_tile_by_float.result())


if __name__ == "__main__":
    main()
