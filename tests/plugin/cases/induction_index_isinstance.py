"""Known bug (tests/support/pending.py): `isinstance(j, int)` on the loop index. When the loop
runs it is True, so `isinstance(j, int) and j == 148` is true at j = 148, where the tile is
wrong; unrolling and the runtime refuse it. In the symbolic step of the induction the index is
a symbolic integer, which is not an `int`: `isinstance` answers False without recording
anything, `j == 148` is never evaluated, and the step stands for j = 148: mypy passes the
kernel."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 4), FullDim("N", 160)
T = 4


@tnp.kernel
def checked_index(x: Typed[L["M N"]], out: TypedResult[L["2 * (M N)"]]) -> None:
    for j in range(0, N.size, T):
        tile = x.slice(N, j, j + T)
        out.assign(tile * 3 if isinstance(j, int) and j == 148 else tile * 2)  # E: kernel computes `3 * (M N)` over M[0:4] N[148:152]; the spec requires `2 * (M N)`  [tnp-spec]
        # ^N: differs in: kernel `3` where the spec has `2`
        # ^N: kernel - spec = `M N`
        # ^N: counterexample on random inputs ...
        # ^N: when j = 148
        # ^N: the constant 3 here: with 2 instead, the tile equals the spec


def main() -> None:
    x = Typed(np.random.default_rng(0).standard_normal((M.size, N.size)), M, N)
    checked_index(x, checked_index.result())


if __name__ == "__main__":
    main()
