"""mypy symbols and types as interpreter values.

Another module's syntax tree may already be freed, so what the interpreter knows of an imported
name comes from its mypy type: `FullDim[Literal["M"], Literal[10]]` is the dim M of size 10, a
`Final` int its value. Names of the module being checked may also be read from its tree: the
last top-level assignment of a constant (`TILE = 32`).
"""

from __future__ import annotations

from mypy.nodes import (
    AssignmentStmt,
    Decorator,
    Expression,
    FuncDef,
    MypyFile,
    NameExpr,
    RefExpr,
    SymbolNode,
    TupleExpr,
    TypeInfo,
    Var,
)
from mypy.types import Instance, LiteralType, Type, UnionType, get_proper_type

from tnp_mypy import names
from tnp_runtime.core.dims import FullDim


def literal(typ: Type | None) -> object | None:
    """The value of a literal type (`Literal[10]`, or an inferred `int` known to be 10)."""
    if typ is None:
        return None
    proper = get_proper_type(typ)
    if isinstance(proper, LiteralType):
        return proper.value
    if isinstance(proper, Instance) and proper.last_known_value is not None:
        return proper.last_known_value.value
    return None


def dim_from_type(typ: Type | None) -> FullDim | None:
    """The dim a `FullDim[Literal[name], Literal[size]]` type stands for."""
    if typ is None:
        return None
    proper = get_proper_type(typ)
    if not isinstance(proper, Instance) or proper.type.fullname not in names.FULL_DIM:
        return None
    if len(proper.args) != 2:
        return None
    name, size = (literal(arg) for arg in proper.args)
    if not isinstance(name, str) or not isinstance(size, int) or isinstance(size, bool):
        return None
    try:
        return FullDim(name, size)
    except ValueError:
        return None


def annotation_text(typ: Type | None, fullnames: frozenset[str]) -> str | None:
    """"M N" from `Typed[Literal["M N"]]` when the type's class is one of `fullnames`."""
    if typ is None:
        return None
    proper = get_proper_type(typ)
    if not isinstance(proper, Instance) or proper.type.fullname not in fullnames:
        return None
    if len(proper.args) != 1:
        return None
    text = literal(proper.args[0])
    return text if isinstance(text, str) else None


def saved_texts(typ: Type | None) -> tuple[str, str] | None:
    """(dims, definition) from `Saved[Literal[dims], Literal[definition]]`, which mypy sees as
    the union `Typed[Literal[dims]] | SavedValue[Literal[definition]]`; else None."""
    if typ is None:
        return None
    proper = get_proper_type(typ)
    if not isinstance(proper, UnionType) or len(proper.items) != 2:
        return None
    typed, saved = proper.items
    dims = annotation_text(typed, names.TYPED)
    definition = annotation_text(saved, names.SAVED_VALUE)
    if dims is None or definition is None:
        return None
    return dims, definition


def is_kernel(decorator: Decorator) -> bool:
    return any(
        isinstance(d, RefExpr) and d.fullname in names.KERNEL for d in decorator.decorators
    )


def is_opaque(decorator: Decorator) -> bool:
    """`@tnp.opaque` on a def."""
    return any(
        isinstance(d, RefExpr) and d.fullname in names.OPAQUE_DECLARATION
        for d in decorator.decorators
    )


def top_level_assignments(tree: MypyFile) -> dict[str, Expression]:
    """Each module-level name's last plain assignment (`X = e`, `A, B = e1, e2`)."""
    found: dict[str, Expression] = {}
    for statement in tree.defs:
        if not isinstance(statement, AssignmentStmt):
            continue
        for lvalue in statement.lvalues:
            if isinstance(lvalue, NameExpr):
                found[lvalue.name] = statement.rvalue
            elif (
                isinstance(lvalue, TupleExpr)
                and isinstance(statement.rvalue, TupleExpr)
                and len(lvalue.items) == len(statement.rvalue.items)
            ):
                for target, item in zip(lvalue.items, statement.rvalue.items, strict=True):
                    if isinstance(target, NameExpr):
                        found[target.name] = item
    return found


def function_of(node: SymbolNode | None) -> tuple[FuncDef, bool] | None:
    """The function a name refers to, and whether it is a `@kernel`."""
    if isinstance(node, Decorator):
        return node.func, is_kernel(node)
    if isinstance(node, FuncDef):
        return node, False
    return None


def type_text(node: SymbolNode | None) -> str | None:
    """The type of a variable or function as text, for the cache to notice a change; None
    for other nodes (and for a name that is gone)."""
    if isinstance(node, Decorator):
        node = node.func
    if isinstance(node, (Var, FuncDef)):
        return str(node.type)
    return None


def class_name(node: SymbolNode | None) -> str | None:
    return node.fullname if isinstance(node, TypeInfo) else None
