"""Bug: the tanh approximation of GELU with the constant 0.44715 for 0.044715.

The dims are right and the output looks like a GELU, so only the proof catches it: tnp
reports `tnp-spec` at the first `c.assign`, naming both sides (the kernel's tanh argument holds
0.44715·x³ where the spec's holds 0.044715·x³), with a counterexample.
"""

import math
from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 32), FullDim("N", 64)
TILE = 16
C = math.sqrt(2 / math.pi)


@tnp.kernel
def gelu_tanh(x: Typed[L["M N"]], c: TypedResult[L[
    "0.5 * M N * (1 + tanh(sqrt(2 / 3.141592653589793) * (M N + 0.044715 * M N ** 3)))"
]]) -> None:
    for im in range(0, M.size, TILE):
        for jn in range(0, N.size, TILE):
            t = x.slice(M, im, im + TILE).slice(N, jn, jn + TILE)
            inner = C * (t + 0.44715 * t**3)  # a digit lost: 0.044715
            c.assign(t * (1 + tnp.tanh(inner)) / 2)  # error: tnp-spec


rng = np.random.default_rng(0)
x = Typed(rng.standard_normal((M.size, N.size)), M, N)
gelu_tanh(x, TypedResult(
    "0.5 * M N * (1 + tanh(sqrt(2 / 3.141592653589793) * (M N + 0.044715 * M N ** 3)))"
))
print("unreachable: tnp accepted a GELU with the wrong constant")
