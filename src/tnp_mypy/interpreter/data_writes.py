"""In-place writes to the data behind a typed value, as the runtime refuses them (`tnp-write`).

The runtime hands out `.arr` read-only: `x.arr[...] = v`, `x.arr += v`, `x.arr = v`, and the
same through a name bound to `x.arr` (or to a view of it: a subscript with a slice or `...`)
raise `tnp-write` at that statement. These functions find such targets in the syntax; the
interpreter reports them where the runtime raises.

An owner is the `Typed` or the result whose data it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from mypy.nodes import (
    EllipsisExpr,
    Expression,
    IndexExpr,
    MemberExpr,
    NameExpr,
    SliceExpr,
    TupleExpr,
)

from tnp_mypy.interpreter.values import ResultValue, TypedValue, Value

Owner = TypedValue | ResultValue
Lookup = Callable[[str], Value | None]


def _owner_of(value: Value | None) -> Owner | None:
    if isinstance(value, TypedValue) and value.abstract is not None:
        return value
    if isinstance(value, ResultValue) and value.tracker is not None:
        return value
    return None


def arr_owner(e: Expression, lookup: Lookup) -> Owner | None:
    """`x.arr` with `x` a name bound to a `Typed` or a result: that value's owner."""
    if isinstance(e, MemberExpr) and e.name == "arr" and isinstance(e.expr, NameExpr):
        return _owner_of(lookup(e.expr.name))
    return None


def _is_view_index(index: Expression) -> bool:
    """A subscript that gives a view of the array (a slice or `...` in it), not an item."""
    items = index.items if isinstance(index, TupleExpr) else [index]
    return any(isinstance(item, (SliceExpr, EllipsisExpr)) for item in items)


def data_owner(e: Expression, lookup: Lookup, aliases: Mapping[str, Owner]) -> Owner | None:
    """The owner of the typed data `e` denotes: `x.arr`, a name bound to it, or a view."""
    if isinstance(e, NameExpr):
        return aliases.get(e.name)
    if isinstance(e, IndexExpr):
        return data_owner(e.base, lookup, aliases) if _is_view_index(e.index) else None
    return arr_owner(e, lookup)


def written_owner(
    target: Expression, lookup: Lookup, aliases: Mapping[str, Owner], augmented: bool
) -> Owner | None:
    """The owner of the typed data an assignment to `target` writes into, if any.

    Any subscript of typed data stores into it; a plain name is rebound (only an augmented
    assignment, `d += 1`, writes into what it holds); `x.arr = v` replaces typed data."""
    if isinstance(target, IndexExpr):
        base = target.base
        while isinstance(base, IndexExpr):
            base = base.base
        if isinstance(base, NameExpr):
            return aliases.get(base.name)
        return arr_owner(base, lookup)
    if isinstance(target, NameExpr):
        return aliases.get(target.name) if augmented else None
    return arr_owner(target, lookup)
