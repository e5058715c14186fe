"""Blame notes are shown with their error only: an error silenced by `# type: ignore` shows no
note of blame at the line it would name (here the `* 3`)."""

import numpy as np

from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 8), FullDim("N", 16)


def silenced() -> None:
    x = Typed(np.ones((8, 16)), M, N, name="a")
    c = TypedResult("2 * a:M N")
    doubled = x * 3
    c.assign(doubled)  # type: ignore[tnp-spec]


silenced()
