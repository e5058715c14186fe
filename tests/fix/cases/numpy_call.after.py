"""NumPy's tanh on a tnp value: the plugin stops there, and NumPy refuses it at run time."""

from typing import Literal as L

import numpy as np

from tnp_runtime import FullDim, Typed, TypedResult, kernel
import tnp_runtime as tnp

M, N = FullDim("M", 8), FullDim("N", 8)


@kernel
def activation(x: Typed[L["M N"]], c: TypedResult[L["tanh(x:M N)"]]) -> None:
    c.assign(tnp.tanh(x))  # type: ignore[arg-type]
