"""Known bug (tests/support/pending.py): a decision on the text of the loop index. In the
symbolic step of the induction `f"{j}"` is a token standing for the affine form (so that a spec
written as an f-string is the symbolic spec), and a comparison of that text, or its length, is
answered on the token without recording a condition on k: `f"{j}" == "48"` is False there,
`len(f"{j}") == 2 and j > 92` is False (the token is 3 characters, so `j > 92` is not even
reached). When the loop runs each is true at one middle iteration, whose tiles are wrong; unrolling and the runtime refuse them, mypy with
induction passes the kernels. The same
for `f"{j!r}"` and `"%s" % j`."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 4), FullDim("N", 160)
T = 4


@tnp.kernel
def tile_by_text(x: Typed[L["M N"]], out: TypedResult[L["2 * (M N)"]]) -> None:
    for j in range(0, N.size, T):
        tile = x.slice(N, j, j + T)
        out.assign(tile * 3 if f"{j}" == "48" else tile * 2)  # E: kernel computes `3 * (M N)` over M[0:4] N[48:52]; the spec requires `2 * (M N)`  [tnp-spec]
        # ^N: differs in: kernel `3` where the spec has `2`
        # ^N: kernel - spec = `M N`
        # ^N: counterexample on random inputs ...
        # ^N: when j = 48
        # ^N: the constant 3 here: with 2 instead, the tile equals the spec


@tnp.kernel
def tiles_by_digits(x: Typed[L["M N"]], out: TypedResult[L["2 * (M N)"]]) -> None:
    for j in range(0, N.size, T):
        tile = x.slice(N, j, j + T)
        out.assign(tile * 3 if len(f"{j}") == 2 and j > 92 else tile * 2)  # E: kernel computes `3 * (M N)` over M[0:4] N[96:100]; the spec requires `2 * (M N)`  [tnp-spec]
        # ^N: differs in: kernel `3` where the spec has `2`
        # ^N: kernel - spec = `M N`
        # ^N: counterexample on random inputs ...
        # ^N: when j = 96
        # ^N: the constant 3 here: with 2 instead, the tile equals the spec


@tnp.kernel
def tile_by_repr(x: Typed[L["M N"]], out: TypedResult[L["2 * (M N)"]]) -> None:
    for j in range(0, N.size, T):
        tile = x.slice(N, j, j + T)
        out.assign(tile * 3 if f"{j!r}" == "148" else tile * 2)  # E: kernel computes `3 * (M N)` over M[0:4] N[148:152]; the spec requires `2 * (M N)`  [tnp-spec]
        # ^N: differs in: kernel `3` where the spec has `2`
        # ^N: kernel - spec = `M N`
        # ^N: counterexample on random inputs ...
        # ^N: when j = 148
        # ^N: the constant 3 here: with 2 instead, the tile equals the spec


@tnp.kernel
def tile_by_percent(x: Typed[L["M N"]], out: TypedResult[L["2 * (M N)"]]) -> None:
    for j in range(0, N.size, T):
        tile = x.slice(N, j, j + T)
        out.assign(tile * 3 if "%s" % j == "148" else tile * 2)  # noqa: UP031  # E: kernel computes `3 * (M N)` over M[0:4] N[148:152]; the spec requires `2 * (M N)`  [tnp-spec]
        # ^N: differs in: kernel `3` where the spec has `2`
        # ^N: kernel - spec = `M N`
        # ^N: counterexample on random inputs ...
        # ^N: when j = 148
        # ^N: the constant 3 here: with 2 instead, the tile equals the spec


def main() -> None:
    x = Typed(np.random.default_rng(0).standard_normal((M.size, N.size)), M, N)
    tile_by_text(x, tile_by_text.result())


if __name__ == "__main__":
    main()
