"""`# type: ignore[tnp-spec]` silences a tnp error (and its notes) like any mypy code."""

import numpy as np

from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 8), FullDim("N", 8)


def ignored() -> None:
    x = Typed(np.ones((8, 8)), M, N, name="X")
    c = TypedResult("2 * X:M N")
    c.assign(x * 3)  # type: ignore[tnp-spec]


def not_ignored() -> None:
    x = Typed(np.ones((8, 8)), M, N, name="X")
    c = TypedResult("2 * X:M N")
    c.assign(x * 3)  # type: ignore[tnp-dim]  # E: kernel computes `3 * (M N)` over M[0:8] N[0:8]; the spec requires `2 * (M N)`  [tnp-spec]
    # ^N[mypy>=2.0]: Error code "tnp-spec" not covered by "type: ignore[tnp-dim]" comment
    # ^N[mypy<2.0]: Error code "tnp-spec" not covered by "type: ignore" comment
    # ^N: differs in: kernel `3` where the spec has `2`
    # ^N: kernel - spec = `M N`
    # ^N: counterexample on random inputs ...
    # ^N: the constant 3 here: with 2 instead, the tile equals the spec


ignored()
