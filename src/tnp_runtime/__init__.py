"""tnp: typed NumPy for tiled kernels.

Every value records which logical dims and which slices of them it holds (its DimType) and
which operations produced it (its ExprType); `TypedResult.assign` proves each tile against a
one-line spec before writing it. See README.md for the spec language and the error codes.

The NumPy-facing names load on first use (PEP 562): the mypy plugin imports
`tnp_runtime.core` on every run that checks a kernel, and must not pay for NumPy there.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Final

from tnp_runtime.core.dims import FullDim, Interval, Sliced
from tnp_runtime.core.elementwise import ELEMENTWISE
from tnp_runtime.core.index_pred import IndexPred, Linear
from tnp_runtime.core.spec import SpecError
from tnp_runtime.core.version import VERSION

__version__: Final = VERSION  # written once, in core/version.py

if TYPE_CHECKING:
    from tnp_runtime.assertion import assert_spec
    from tnp_runtime.errors import TypeCheckError
    from tnp_runtime.functions import dim, einsum, max, min, randn, reveal
    from tnp_runtime.kernel_form import Kernel, kernel
    from tnp_runtime.opaque_api import OpaqueFunction, opaque, where
    from tnp_runtime.result import TypedResult
    from tnp_runtime.saved import Saved
    from tnp_runtime.typed import Condition, Typed

_LAZY: Final = {
    "assert_spec": "tnp_runtime.assertion",
    "TypeCheckError": "tnp_runtime.errors",
    "Typed": "tnp_runtime.typed",
    "TypedResult": "tnp_runtime.result",
    "Saved": "tnp_runtime.saved",
    "kernel": "tnp_runtime.kernel_form",
    "Condition": "tnp_runtime.typed",
    "OpaqueFunction": "tnp_runtime.opaque_api",
    "opaque": "tnp_runtime.opaque_api",
    "where": "tnp_runtime.opaque_api",
    "Kernel": "tnp_runtime.kernel_form",
    **{
        name: "tnp_runtime.functions"
        for name in ("dim", "einsum", "max", "min", "randn", "reveal", *ELEMENTWISE)
    },
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'tnp_runtime' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "Condition",
    "FullDim",
    "IndexPred",
    "Interval",
    "Kernel",
    "Linear",
    "OpaqueFunction",
    "Saved",
    "Sliced",
    "SpecError",
    "TypeCheckError",
    "Typed",
    "TypedResult",
    "assert_spec",
    "dim",
    "einsum",
    "kernel",
    "max",
    "min",
    "opaque",
    "randn",
    "reveal",
    "where",
]
# The elementwise functions (exp, log, ...): one per entry of the registry, `core.elementwise`.
__all__ += ELEMENTWISE
