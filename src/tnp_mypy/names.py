"""Full names the plugin hooks or recognises, as mypy spells them.

The public API is declared in the stubs (`src/tnp_runtime-stubs/__init__.pyi`), so its names are
`tnp_runtime.X`; code that imports a runtime module directly sees `tnp_runtime.<module>.X`.
"""

from __future__ import annotations

from typing import Final

from tnp_runtime.core.elementwise import ELEMENTWISE

FULL_DIM: Final = frozenset({"tnp_runtime.FullDim", "tnp_runtime.core.dims.FullDim"})
SLICED: Final = frozenset({"tnp_runtime.Sliced", "tnp_runtime.core.dims.Sliced"})
DIM_FUNCTION: Final = frozenset({"tnp_runtime.dim", "tnp_runtime.functions.dim"})
TYPED: Final = frozenset({"tnp_runtime.Typed", "tnp_runtime.typed.Typed"})
TYPED_RESULT: Final = frozenset({"tnp_runtime.TypedResult", "tnp_runtime.result.TypedResult"})
KERNEL: Final = frozenset({"tnp_runtime.kernel", "tnp_runtime.kernel_form.kernel"})
ASSIGN: Final = frozenset(f"{name}.assign" for name in TYPED_RESULT)
# Typed's methods (not its operators: an error reported from an operator hook makes mypy print
# a spurious `[operator]` error, and a scope with operators only on parameters is not followed).
TYPED_METHODS: Final = frozenset(
    f"{typed}.{method}"
    for typed in TYPED
    for method in ("slice", "sum", "max", "repeat", "rearrange", "maximum")
)
RANDN: Final = frozenset({"tnp_runtime.randn", "tnp_runtime.functions.randn"})
EINSUM: Final = frozenset({"tnp_runtime.einsum", "tnp_runtime.functions.einsum"})
REVEAL: Final = frozenset({"tnp_runtime.reveal", "tnp_runtime.functions.reveal"})
TNP_MAX: Final = frozenset({"tnp_runtime.max", "tnp_runtime.functions.max"})
# tnp's elementwise functions by their last name component (the registry's names).
TNP_UNARY: Final = frozenset(ELEMENTWISE)
TNP_MODULES: Final = frozenset({"tnp_runtime", "tnp_runtime.functions"})

# Plain-number functions the interpreter evaluates (numpy's and math's, on constants).
NUMERIC_MODULES: Final = frozenset({"math", "numpy"})
NUMERIC_FUNCTIONS: Final = frozenset({*ELEMENTWISE, "float64", "abs"})
INFINITY: Final = frozenset({"numpy.inf", "math.inf", "numpy.Inf", "numpy.infty"})

BUILTINS: Final = "builtins"

TNP_FUNCTIONS: Final = frozenset(
    f"{module}.{name}" for module in TNP_MODULES for name in (*TNP_UNARY, "max")
)
