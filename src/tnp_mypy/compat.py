"""What differs between the mypy versions tnp_mypy supports, kept in one place.

Every supported mypy (see `tnp_mypy.MIN_MYPY`) must run the plugin the same way: code here uses
only what all of them have, and says which version changed what.
"""

from __future__ import annotations

import importlib
from typing import Any

from mypy.checker import TypeChecker
from mypy.nodes import FuncItem, MemberExpr, NameExpr, Node
from mypy.server.subexpr import get_subexpressions

# mypy's compiled collector of names and members (fast), from mypy 1.19 on; None before.
_COMPILED_COLLECTOR: Any = getattr(
    importlib.import_module("mypy.traverser"), "NameAndMemberCollector", None
)


def names_and_members(node: Node) -> tuple[list[NameExpr], list[MemberExpr]]:
    """Every name and every member expression under `node`, in source order."""
    if _COMPILED_COLLECTOR is None:
        # Before 1.19: every subexpression (a compiled finder too; mypy's compiled visitors
        # cannot be subclassed from interpreted code there), filtered.
        found = get_subexpressions(node)
        return (
            [e for e in found if isinstance(e, NameExpr)],
            [e for e in found if isinstance(e, MemberExpr)],
        )
    collector = _COMPILED_COLLECTOR()
    node.accept(collector)
    return collector.name_exprs, collector.member_exprs


def current_function(api: TypeChecker) -> FuncItem | None:
    """The innermost function (a lambda included) mypy is checking; None at module level.

    `CheckerScope.current_function()` only exists from mypy 1.16 (it was `top_function()`
    before); the scope's `stack` of modules, classes and functions exists in every version."""
    for item in reversed(api.scope.stack):
        if isinstance(item, FuncItem):
            return item
    return None


def cache_safe(value: Any) -> Any:
    """`value` (JSON-like) with every float written as its `repr`.

    mypy 1.20 to 2.1 store a plugin's `report_config_data` in their binary cache (even with
    `--no-incremental`), whose writer knows None, bools, ints, strings, lists, tuples and dicts
    but not floats: a float there is an INTERNAL ERROR. `repr` keeps every distinct float
    distinct, so a changed setting still invalidates the cache."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return {key: cache_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [cache_safe(item) for item in value]
    return value
