"""Whether a scope writes a result: the scopes whose static check may not stop silently.

A scope writes a result when its code, or a function of the module it names (transitively),
mentions `TypedResult`, an attribute named `assign`, `tnp.assert_spec` (an assertion is proved
as a tile is), or a `@tnp.kernel` with a result; a kernel
writes one when a parameter is a `TypedResult`. A function without parameters does not count
where it is named: it is analysed as a scope of its own, so a stop before its call misses
nothing of it (`if __name__ == "__main__": main()` after a module-level `try`).

The test is syntactic on purpose: a check that stops has not seen the rest of the scope, so
what the interpreter met before the stop cannot say whether a result is written after it.
Over-approximating costs an error on a scope that writes nothing (a `.assign` of another
library); under-approximating would be a silent pass.
"""

from __future__ import annotations

from mypy.nodes import Decorator, FuncDef, MemberExpr, MypyFile, Node
from mypy.types import CallableType, Instance, get_proper_type

from tnp_mypy import names
from tnp_mypy.compat import names_and_members
from tnp_mypy.interpreter import symbols


def kernel_writes(fn: FuncDef) -> bool:
    """True if a parameter of `fn` is a `TypedResult` (as its annotation says)."""
    arg_types = fn.type.arg_types if isinstance(fn.type, CallableType) else []
    for arg_type in arg_types:
        proper = get_proper_type(arg_type)
        if isinstance(proper, Instance) and proper.type.fullname in names.TYPED_RESULT:
            return True
    return False


def scope_writes(tree: MypyFile, scope: FuncDef | MypyFile) -> bool:
    """True if running `scope` (a function of `tree`, or `tree`'s top level) may write a
    result, through the functions of `tree` it names too (a name is enough: over-approximate)."""
    if isinstance(scope, MypyFile):
        # The module's own statements; its functions count where the module names them.
        pending: list[Node] = [
            s for s in scope.defs if not isinstance(s, (FuncDef, Decorator))
        ]
        seen: set[FuncDef] = set()
    else:
        pending, seen = [scope.body], {scope}
    while pending:
        node = pending.pop()
        name_exprs, member_exprs = names_and_members(node)
        for ref in (*name_exprs, *member_exprs):
            if isinstance(ref, MemberExpr) and ref.name == "assign":
                return True
            if ref.fullname in names.TYPED_RESULT or ref.fullname in names.ASSERT_SPEC:
                return True
            function = symbols.function_of(ref.node)
            if function is None:
                continue
            fn, kernel = function
            if kernel and kernel_writes(fn):
                return True
            if not kernel and not fn.arguments:
                continue  # analysed as a scope of its own, in full: nothing is missed here
            if fn.fullname == f"{tree.fullname}.{fn.name}" and fn not in seen:
                seen.add(fn)
                pending.append(fn.body)
    return False
