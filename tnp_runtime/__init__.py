"""tnp: typed NumPy for tiled kernels.

Every value records which logical dims and which slices of them it holds (its DimType) and
which operations produced it (its ExprType); `TypedResult.assign` proves each tile against a
one-line spec before writing it. See README.md for the spec language and the error codes.
"""

from tnp_runtime.core.dims import FullDim, Interval, Sliced
from tnp_runtime.errors import SpecError, TypeCheckError
from tnp_runtime.functions import cos, dim, einsum, exp, log, max, randn, reveal, sin, sqrt
from tnp_runtime.kernel import kernel
from tnp_runtime.result import TypedResult
from tnp_runtime.typed import Typed

__all__ = [
    "FullDim",
    "Interval",
    "Sliced",
    "SpecError",
    "TypeCheckError",
    "Typed",
    "TypedResult",
    "cos",
    "dim",
    "einsum",
    "exp",
    "kernel",
    "log",
    "max",
    "randn",
    "reveal",
    "sin",
    "sqrt",
]
