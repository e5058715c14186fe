"""Full names the plugin hooks or recognises, as mypy spells them.

The public API is declared in the stubs (`src/tnp_runtime-stubs/__init__.pyi`), so its names are
`tnp_runtime.X`; code that imports a runtime module directly sees `tnp_runtime.<module>.X`.
`API` maps every such full name (and the full name of each method and attribute of the API's
classes) to its member as the stubs name it (`"Typed"`, `"exp"`, `"Typed.slice"`): the plugin's
hook table and the interpreter's `tnp_api` table are both built from it, so a name recognised
in one is recognised in the other.
"""

from __future__ import annotations

from typing import Final

from tnp_runtime.core.elementwise import ELEMENTWISE

# tnp's elementwise functions by their last name component (the registry's names).
TNP_UNARY: Final = frozenset(ELEMENTWISE)

# Each public member of the stubs' `__all__`: the runtime module that defines it.
_DEFINED_IN: Final[dict[str, str]] = {
    "FullDim": "core.dims",
    "Sliced": "core.dims",
    "Interval": "core.dims",
    "SpecError": "core.spec",
    "IndexPred": "core.index_pred",
    "Linear": "core.index_pred",
    "TypeCheckError": "errors",
    "Typed": "typed",
    "TypedResult": "result",
    "Saved": "saved",
    "kernel": "kernel_form",
    "Kernel": "kernel_form",
    "assert_spec": "assertion",
    "Condition": "typed",
    "OpaqueFunction": "opaque_api",
    "opaque": "opaque_api",
    "where": "opaque_api",
    **{
        name: "functions"
        for name in ("dim", "randn", "einsum", "reveal", "max", "min", *TNP_UNARY)
    },
}
# The methods and attributes of the API's classes (each one the interpreter follows or refuses).
_MEMBERS: Final[dict[str, tuple[str, ...]]] = {
    # Typed's methods (not its operators: an error reported from an operator hook makes mypy
    # print a spurious `[operator]` error, and a scope with operators only on parameters is not
    # followed).
    "Typed": ("slice", "sum", "max", "min", "mean", "repeat", "rearrange", "maximum",
              "minimum", "window", "shift", "at", "gather", "mask", "arr", "dim_type",
              "expr_type", "abstract"),
    "TypedResult": ("assign", "bind", "arr", "spec", "tracker"),
    "Kernel": ("result",),
    "FullDim": ("name", "size", "full"),
    "Sliced": ("dim", "name", "start", "stop", "length", "interval", "is_full", "in_bounds"),
    "Interval": ("start", "stop", "length", "contains", "intersects"),
}


def _spellings(member: str) -> tuple[str, ...]:
    """`tnp_runtime.X` and `tnp_runtime.<module>.X` for a member (`X` or `Class.method`)."""
    owner = member.partition(".")[0]
    return (f"tnp_runtime.{member}", f"tnp_runtime.{_DEFINED_IN[owner]}.{member}")


API: Final[dict[str, str]] = {
    full: member
    for member in (
        *_DEFINED_IN,
        *(f"{cls}.{attribute}" for cls, attributes in _MEMBERS.items() for attribute in attributes),
    )
    for full in _spellings(member)
}


def full_names(*members: str) -> frozenset[str]:
    """Every full name of these members of the API."""
    return frozenset(full for full, member in API.items() if member in members)


FULL_DIM: Final = full_names("FullDim")
SLICED: Final = full_names("Sliced")
DIM_FUNCTION: Final = full_names("dim")
TYPED: Final = full_names("Typed")
TYPED_RESULT: Final = full_names("TypedResult")
# The class in `Saved`'s union that carries a saved input's definition (not a name users write).
SAVED_VALUE: Final = frozenset({"tnp_runtime.SavedValue", "tnp_runtime.saved.SavedValue"})
KERNEL: Final = full_names("kernel")
OPAQUE_DECLARATION: Final = full_names("opaque")
ASSIGN: Final = full_names("TypedResult.assign")
ASSERT_SPEC: Final = full_names("assert_spec")
KERNEL_CALL: Final = frozenset(f"{full}.__call__" for full in full_names("Kernel"))
TYPED_METHODS: Final = full_names(
    *(
        f"Typed.{method}"
        for method in (
            "slice", "sum", "max", "min", "mean", "repeat", "rearrange", "maximum", "minimum",
            "window", "shift", "at", "gather", "mask",
        )
    )
)
RANDN: Final = full_names("randn")
EINSUM: Final = full_names("einsum")
REVEAL: Final = full_names("reveal")
TNP_MAX: Final = full_names("max")
TNP_MODULES: Final = frozenset({"tnp_runtime", "tnp_runtime.functions"})
TNP_FUNCTIONS: Final = full_names(*TNP_UNARY, "max", "min")

# Plain-number functions the interpreter evaluates (numpy's and math's, on constants).
NUMERIC_MODULES: Final = frozenset({"math", "numpy"})
NUMERIC_FUNCTIONS: Final = frozenset({*ELEMENTWISE, "float64", "abs"})
INFINITY: Final = frozenset({"numpy.inf", "math.inf", "numpy.Inf", "numpy.infty"})

BUILTINS: Final = "builtins"
