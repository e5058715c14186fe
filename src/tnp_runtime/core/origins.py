"""Where a kernel made each value: the source line of the operation that first built an IR node,
and of the operation that gave a value a slice of a dim.

Both halves fill the same two side tables as a kernel runs (the runtime from the user's frame, the
mypy plugin from the expression it evaluates) and read them only to word a failed check
(`core/blame.py`): which line introduced the wrong constant, the reduction over the wrong dim,
the slice that does not match.

Invariants:
- The tables are side tables, never part of a node's identity: interning and hashing of IR nodes
  (`core/ir.py`) are untouched, so a proof never sees them, and verdicts cannot depend on them.
- Weak: an entry lives as long as its node (`tables.py`: nothing resets them).
- First line wins: an interned node built again at another line keeps its first location; a
  slice recorded at two lines is ambiguous, and `slice_origin` then names none (a message names
  a line only when the tables pin one).
- Recording is cheap: a dict lookup when the node already has a location; the caller computes
  the location only when `wanted` says it is needed.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Final

from tnp_runtime.core import tables
from tnp_runtime.core.dims import Interval
from tnp_runtime.core.ir import Apply, Binary, Expr, Mask, Reduce, Unary, nodes


@dataclass(frozen=True, slots=True)
class Location:
    """A line of user code; `file` is None where the reporter knows it is the file being
    checked (the mypy plugin analyses one module at a time)."""

    file: str | None
    line: int


_LINES: Final[weakref.WeakKeyDictionary[Expr, Location]] = weakref.WeakKeyDictionary()
_SLICES: Final[weakref.WeakKeyDictionary[Expr, dict[tuple[str, Interval], set[Location]]]] = (
    weakref.WeakKeyDictionary()
)
tables.register("origins.lines", _LINES, "none: weak, an entry dies with its node", clear=False)
tables.register("origins.slices", _SLICES, "none: weak, an entry dies with its node",
                clear=False)


# The location of nodes a kernel received rather than made (the term a `Saved` parameter
# stands for): a kernel's operation that makes such a node claims it, a walk under one stops.
EXTERNAL: Final = Location(None, 0)


def wanted(expr: Expr) -> bool:
    """Whether `record(expr, ...)` would store anything (no location, or received)."""
    found = _LINES.get(expr)
    return found is None or found is EXTERNAL


def record(expr: Expr, where: Location) -> None:
    """`expr` was built (or produced) by the operation at `where`, unless it has a location;
    so were the nodes under it without one (an einsum builds a product and its sums in one
    operation). The walk stops at nodes with a location: it visits what the operation made.
    `where` EXTERNAL marks a term the kernel received (a parameter's)."""
    if where is not EXTERNAL and _LINES.get(expr) is EXTERNAL:
        _LINES[expr] = where  # made again by the kernel's own operation
    stack = [expr]
    while stack:
        node = stack.pop()
        if node in _LINES and node is not expr:
            continue
        _LINES.setdefault(node, where)
        match node:
            case Binary(left=left, right=right):
                stack += (left, right)
            case Unary(operand=operand) | Mask(operand=operand):
                stack.append(operand)
            case Reduce(body=body):
                stack.append(body)
            case Apply(args=args):
                stack.extend(args)
            case _:
                pass


def record_slice(expr: Expr, dim: str, interval: Interval, where: Location) -> None:
    """A value with term `expr` was given `interval` of `dim` at `where` (a slice, a repeat)."""
    by_slice = _SLICES.get(expr)
    if by_slice is None:
        by_slice = _SLICES[expr] = {}
    by_slice.setdefault((dim, interval), set()).add(where)


def line_of(expr: Expr) -> Location | None:
    """Where `expr` was first built by a kernel's operation (None: never by one)."""
    found = _LINES.get(expr)
    return None if found is EXTERNAL else found


def slice_origin(expr: Expr, dim: str, interval: Interval) -> Location | None:
    """The one operation that gave a value with term `expr` its `interval` of `dim`.

    A value keeps the slices of the operands of a pointwise operation, so when `expr` itself
    has no record, its operands (down the pointwise operations that keep `dim` free) are
    searched. None unless exactly one location is found."""
    found: set[Location] = set()
    stack = [expr]
    seen: set[int] = set()
    while stack and len(found) <= 1:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        recorded = _SLICES.get(node, {}).get((dim, interval))
        if recorded:
            found |= recorded
            continue
        match node:
            case Binary(left=left, right=right):
                stack += [left, right]
            case Unary(operand=operand) | Mask(operand=operand):
                stack.append(operand)
            case Reduce(dim=bound, body=body) if bound != dim:
                stack.append(body)
            case _:
                pass
    return next(iter(found)) if len(found) == 1 else None


def removed_by(expr: Expr, dim: str | None) -> list[Reduce]:
    """The reductions over `dim` (any dim: None) in `expr`, outermost first: the operations
    that took dims away from a value with term `expr`."""
    return [
        node for node in nodes(expr)
        if isinstance(node, Reduce) and (dim is None or node.dim == dim)
    ]


__all__ = ["Location", "line_of", "record", "record_slice", "removed_by", "slice_origin",
           "wanted"]
