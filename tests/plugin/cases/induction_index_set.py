"""Known bug (tests/support/pending.py): the loop index looked up in a set. `j in special` is
true at j = 148 when the loop runs, so the tile written there is wrong, and unrolling and the
runtime refuse it. In the symbolic step of the induction the index hashes by its affine form,
never meets the set's 148, and the lookup is answered False without comparing (so without
recording a condition on k): the step stands for j = 148 and mypy passes the kernel. The same
for a dict's `get`."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 4), FullDim("N", 160)
T = 4


@tnp.kernel
def tile_in_a_set(x: Typed[L["M N"]], out: TypedResult[L["2 * (M N)"]]) -> None:
    special = {i for i in range(148, 152, 4)}
    for j in range(0, N.size, T):
        tile = x.slice(N, j, j + T)
        out.assign(tile * 3 if j in special else tile * 2)  # E: kernel computes `3 * (M N)` over M[0:4] N[148:152]; the spec requires `2 * (M N)`  [tnp-spec]
        # ^N: differs in: kernel `3` where the spec has `2`
        # ^N: kernel - spec = `M N`
        # ^N: counterexample on random inputs ...
        # ^N: when j = 148
        # ^N: the constant 3 here: with 2 instead, the tile equals the spec


@tnp.kernel
def scale_from_a_dict(x: Typed[L["M N"]], out: TypedResult[L["2 * (M N)"]]) -> None:
    scale = {p: 3 for p in range(148, 152, 4)}
    for j in range(0, N.size, T):
        out.assign(x.slice(N, j, j + T) * scale.get(j, 2))  # E: kernel computes `3 * (M N)` over M[0:4] N[148:152]; the spec requires `2 * (M N)`  [tnp-spec]
        # ^N: differs in: kernel `3` where the spec has `2`
        # ^N: kernel - spec = `M N`
        # ^N: counterexample on random inputs ...
        # ^N: when j = 148
        # ^N: the constant 3 here: with 2 instead, the tile equals the spec


def main() -> None:
    x = Typed(np.random.default_rng(0).standard_normal((M.size, N.size)), M, N)
    tile_in_a_set(x, tile_in_a_set.result())


if __name__ == "__main__":
    main()
