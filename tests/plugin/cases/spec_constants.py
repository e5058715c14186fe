"""A constant the kernel computes in float64 (`np.sqrt(2 / np.pi)` of the tanh GELU), written
in the spec as Python prints it: the spec's number stands for what the kernel's float stands
for, so the two meet. A different constant is still refused."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 8), FullDim("N", 8)
C = float(np.sqrt(2 / np.pi))


@tnp.kernel
def gelu_tanh(
    x: Typed[L["M N"]],
    y: TypedResult[L["0.5 * M N * (1 + tanh(0.7978845608028654 * (M N + 0.044715 * M N ** 3)))"]],
) -> None:
    y.assign(0.5 * x * (1 + tnp.tanh(C * (x + 0.044715 * x * x * x))))


@tnp.kernel
def scaled(x: Typed[L["M N"]], y: TypedResult[L["0.797 * M N"]]) -> None:
    y.assign(C * x)  # E: kernel computes `0.7978845608028654 * (M N)` over M[0:8] N[0:8]; the spec requires `0.797 * (M N)`  [tnp-spec]
    # ^N: differs in: kernel `0.7978845608028654` where the spec has `0.797`
    # ^N: kernel - spec = `(112424031/127095877000) * (M N)`
    # ^N: counterexample on random inputs ...
    # ^N: the constant 0.7978845608028654 here: with 0.797 instead, the tile equals the spec


rng = np.random.default_rng(0)
gelu_tanh(Typed(rng.standard_normal((8, 8)), M, N), gelu_tanh.result())
scaled(Typed(rng.standard_normal((8, 8)), M, N), scaled.result())
