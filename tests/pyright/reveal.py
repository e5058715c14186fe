"""What pyright infers from tnp's stubs, with no plugin: tests/test_pyright.py reads the type each
`reveal_type` line's comment names and compares it with pyright's (strict mode)."""

import math
from typing import Literal as L
from typing import reveal_type

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

# A dim's name written as a literal stays literal; its size is `int` (pyright keeps a literal
# int only where a declared type asks for it).
M, N = FullDim("M", 128), FullDim("N", 64)
reveal_type(M)  # FullDim[Literal['M'], int]
reveal_type(tnp.dim("K", 8))  # FullDim[Literal['K'], int]
reveal_type(M.name)  # Literal['M']
Q: FullDim[L["Q"], L[4]] = FullDim("Q", 4)
reveal_type(Q)  # FullDim[Literal['Q'], Literal[4]]


def named(name: str) -> None:
    reveal_type(FullDim(name, 4))  # FullDim[str, int]


# Annotated values have their literal dims and spec; `Typed(arr, M, N)` alone cannot spell
# "M N" from two arguments (mypy's plugin infers it), and values computed by operations are
# `Typed[Any]` under mypy too: their dims are the plugin's business, not the types'.
@tnp.kernel
def double(x: Typed[L["M N"]], c: TypedResult[L["2 * M N"]]) -> None:
    reveal_type(x)  # Typed[Literal['M N']]
    reveal_type(c)  # TypedResult[Literal['2 * M N']]
    c.assign(x * 2)


a = Typed(np.ones((128, 64)), M, N)
reveal_type(a)  # Typed[Any]
b: Typed[L["M N"]] = Typed(np.ones((128, 64)), M, N)
reveal_type(b)  # Typed[Literal['M N']]
reveal_type(b * 2)  # Typed[Any]
reveal_type(double.result())  # TypedResult[Any]

# A running value that starts as a number: `tnp.max` of it and a tile is a tile.
m: Typed | float = -np.inf
reveal_type(tnp.max(m, b.max(N)))  # Typed[Any]
reveal_type(tnp.max(1.0, 2))  # float
reveal_type(tnp.exp(b))  # Typed[Any]

# NumPy's stubs make `np.sqrt(16)` Any, and pyright makes `b / Any` Any (an overloaded function
# of it, such as `tnp.exp`, is then Unknown in strict mode); `math.sqrt(16)` is a float.
reveal_type(b / np.sqrt(16))  # Any
reveal_type(b / math.sqrt(16))  # Typed[Any]
