"""Numbers imported from another module: a `Final` one is known (its tiles are proved, a wrong
one refused); a plain one is not, and the stop names it and the fix at the read."""

from typing import Literal as L

from shapes import M, N, sizes  # noqa: F401  (N: the spec's dim, read by tnp)
from shapes.sizes import TILE_FINAL, TILE_PLAIN

import tnp_runtime as tnp
from tnp_runtime import Typed, TypedResult


@tnp.kernel
def final_tile(x: Typed[L["M N"]], c: TypedResult[L["2 * x:M N"]]) -> None:
    for im in range(0, M.size, TILE_FINAL):
        c.assign(x.slice(M, im, im + TILE_FINAL) * 2)


@tnp.kernel
def final_tile_wrong(x: Typed[L["M N"]], c: TypedResult[L["2 * x:M N"]]) -> None:
    for im in range(0, M.size, sizes.TILE_FINAL):
        c.assign(x.slice(M, im, im + sizes.TILE_FINAL) * 3)  # E: kernel computes `3 * (M N)` over M[0:4] N[0:8]; the spec requires `2 * (M N)`  [tnp-spec]
        # ^N: differs in: kernel `3` where the spec has `2`
        # ^N: kernel - spec = `M N`
        # ^N: counterexample on random inputs ...
        # ^N: when im = 0
        # ^N: when im = 4
        # ^N: the constant 3 here: with 2 instead, the tile equals the spec


@tnp.kernel
def plain_tile(x: Typed[L["M N"]], c: TypedResult[L["2 * x:M N"]]) -> None:
    for im in range(0, M.size, TILE_PLAIN):  # E: tnp cannot follow `TILE_PLAIN`, a number imported from `shapes.sizes` that is not `Final`: mypy knows another module's number only when it is declared `TILE_PLAIN: Final = ...` there; the static check of this scope stops here (the runtime still checks it)  [tnp-unsupported]
        # ^N: this scope writes a result and mypy did not check all of it; `unsupported = "note"` in [tool.tnp_mypy] shows this as a note instead
        c.assign(x.slice(M, im, im + TILE_PLAIN) * 2)


@tnp.kernel
def plain_tile_attribute(x: Typed[L["M N"]], c: TypedResult[L["2 * x:M N"]]) -> None:
    for im in range(0, M.size, sizes.TILE_PLAIN):  # E: tnp cannot follow `TILE_PLAIN`, a number imported from `shapes.sizes` that is not `Final`: mypy knows another module's number only when it is declared `TILE_PLAIN: Final = ...` there; the static check of this scope stops here (the runtime still checks it)  [tnp-unsupported]
        # ^N: this scope writes a result and mypy did not check all of it; `unsupported = "note"` in [tool.tnp_mypy] shows this as a note instead
        c.assign(x.slice(M, im, im + sizes.TILE_PLAIN) * 2)
