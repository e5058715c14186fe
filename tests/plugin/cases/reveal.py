"""`tnp.reveal(x)` shows the value's DimType and ExprType as a note, the text the runtime
prints."""

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, einsum

M, N, K = FullDim("M", 8), FullDim("N", 8), FullDim("K", 8)


def show() -> None:
    a = Typed(np.ones((8, 8)), M, N, name="A")
    b = Typed(np.ones((8, 8)), N, K, name="B")
    t = einsum(a.slice(M, 0, 4) * 3, b * 2, "M N, N K -> M K")
    tnp.reveal(t)  # N: tnp.reveal: dims M[0:4] K[0:8]; expr `6 * (M N, N K -> M K)`


show()
