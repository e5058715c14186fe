"""`tnp-dim`: an input naming a dim twice (`Typed(arr, M, M)`, `randn(M, M)`) is refused where it
is made, by the same core check in both halves."""

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed

M, N = FullDim("M", 4), FullDim("N", 4)


def distinct() -> None:
    x = Typed(np.ones((4, 4)), M, N, name="x")
    print(x.sum(N))


def twice() -> None:
    x = Typed(np.ones((4, 4)), M, M, name="x")  # E: Typed(...) names a dim twice: M[0:4] M[0:4]  [tnp-dim]
    print(x.sum(M))


def twice_random() -> None:
    y = tnp.randn(N, M, N, seed=0)  # E: Typed(...) names a dim twice: N[0:4] M[0:4] N[0:4]  [tnp-dim]
    print(y)


distinct()
twice()
