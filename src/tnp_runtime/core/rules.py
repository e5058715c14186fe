"""The dim rules: what each operation does to a value's DimType and ExprType.

This is the abstract semantics both halves execute: the runtime calls these functions beside
the NumPy computation, the mypy plugin calls them alone. An `Abstract` value is a DimType and
an expression; a violation raises `Violation` with a `tnp-dim` diagnostic whose message names
both sides. Plain Python numbers broadcast and become constants of the expression.
"""

from __future__ import annotations

import enum
import functools
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Final

from tnp_runtime.core import blame, ir, symbolic, tables
from tnp_runtime.core.constants import float_constant
from tnp_runtime.core.diagnostics import Code, Diagnostic, LocatedNote, Violation
from tnp_runtime.core.dims import DimType, FullDim, Interval, Sliced, render_dims
from tnp_runtime.core.ir import BinaryOp, Expr, ReduceOp, UnaryOp
from tnp_runtime.core.render import Renderer

Scalar = int | float | Fraction

_LABELS: Final = Renderer({}, frozenset())


@dataclass(frozen=True, slots=True)
class Abstract:
    """What the type system knows of a value: its dims (with slices) and its expression."""

    dims: DimType
    expr: Expr

    def sliced(self, name: str) -> Sliced | None:
        for s in self.dims:
            if s.name == name:
                return s
        return None

    def label(self) -> str:
        return f"`{_LABELS.expr(self.expr)}` over {render_dims(self.dims)}"


def write_diagnostic(owner: Abstract | str) -> Diagnostic:
    """`tnp-write`: an in-place write to the data behind a typed value (`owner`) or a result
    (its spec text). That data is read-only while it is typed, so a type always describes the
    numbers behind it."""
    what = f"the value {owner.label()}" if isinstance(owner, Abstract) else f"result `{owner}`"
    return Diagnostic(
        Code.WRITE,
        f"in-place write to the data of {what}: the array behind a typed value is read-only, "
        "so that its type always describes it",
        ("compute a new value instead (e.g. `x * 0`), or copy the data to change it as a "
         "plain array (`np.array(x.arr)`)",),
    )


def _dim_error(
    message: str, *notes: str, located: tuple[LocatedNote, ...] = ()
) -> Violation:
    return Violation(Diagnostic(Code.DIM, message, notes, located))


@functools.lru_cache(maxsize=1024, typed=True)
def scalar_expr(value: Scalar) -> Expr:
    """A Python number as an exact constant: a float as the rational it stands for
    (`constants.float_constant`: 0.1 is 1/10, 1/3 is 1/3)."""
    if isinstance(value, float):
        if math.isnan(value):
            raise _dim_error("nan is not a value the type system can reason about")
        if math.isinf(value):
            return ir.inf(value < 0)
        return ir.const(float_constant(value))
    return ir.const(Fraction(value))


tables.register_cache("rules.scalar_expr", scalar_expr, "none: an LRU of 1024")


class Mismatch(enum.Enum):
    """How two DimTypes fail to meet pointwise (see `pointwise_mismatch`)."""

    DIMS = "different dim names"
    SIZE = "one dim name, two sizes"
    SLICE = "one dim, two slices"


def pointwise_mismatch(left: DimType, right: DimType) -> tuple[Mismatch, str] | None:
    """The rule of pointwise operations: both sides have the same dims (by name, in any order)
    with the same size and slice. None when they meet, else the kind of fault and the dim it
    is about (the first in the left's order; "" for `DIMS`). The spec resolver applies the
    same rule and words its own message."""
    if left == right:
        return None  # the common case, and it must stay cheap
    by_name = {s.name: s for s in right}
    if by_name.keys() != {s.name for s in left}:
        return Mismatch.DIMS, ""
    for s in left:
        other = by_name[s.name]
        if s.dim != other.dim:
            return Mismatch.SIZE, s.name
        if s.interval != other.interval:
            return Mismatch.SLICE, s.name
    return None


def match_dims(op_text: str, left: Abstract, right: Abstract) -> None:
    """Raise the `tnp-dim` violation of `op_text` on operands whose dims do not meet."""
    found = pointwise_mismatch(left.dims, right.dims)
    if found is None:
        return  # no message is built
    kind, name = found
    sides = f"left is {left.label()}; right is {right.label()}"
    if kind is Mismatch.DIMS:
        left_names = {s.name for s in left.dims}
        right_names = {s.name for s in right.dims}
        only_left = sorted(left_names - right_names)
        only_right = sorted(right_names - left_names)
        parts = []
        if only_left:
            parts.append(f"only the left has {' '.join(only_left)}")
        if only_right:
            parts.append(f"only the right has {' '.join(only_right)}")
        raise _dim_error(
            f"operands of `{op_text}` have different dims: {'; '.join(parts)}; {sides}",
            "reduce a dim away (.sum, .max) or broadcast one (.repeat) so both sides match",
            located=blame.mismatch_notes(
                op_text, (left.dims, left.expr), (right.dims, right.expr), None
            ),
        )
    s, other = left.sliced(name), right.sliced(name)
    assert s is not None and other is not None
    if kind is Mismatch.SIZE:
        raise _dim_error(
            f"operands of `{op_text}` disagree on dim {s.name}: size {s.dim.size} vs "
            f"{other.dim.size}; {sides}"
        )
    raise _dim_error(
        f"operands of `{op_text}`: slices of {s.name} differ ({s} vs {other}); {sides}",
        "slice both operands to the same tile of each dim",
        located=blame.mismatch_notes(
            op_text, (left.dims, left.expr), (right.dims, right.expr), s.name
        ),
    )


def binary(op: BinaryOp, left: Abstract | Scalar, right: Abstract | Scalar) -> Abstract:
    """An elementwise binary op; at least one side is an `Abstract`. Keeps the left's order."""
    op_text = op.value
    if isinstance(left, Abstract) and isinstance(right, Abstract):
        match_dims(op_text, left, right)
        return Abstract(left.dims, ir.binary(op, left.expr, right.expr))
    if isinstance(left, Abstract):
        assert not isinstance(right, Abstract)
        return Abstract(left.dims, ir.binary(op, left.expr, scalar_expr(right)))
    assert isinstance(right, Abstract)
    return Abstract(right.dims, ir.binary(op, scalar_expr(left), right.expr))


def unary(op: UnaryOp, value: Abstract) -> Abstract:
    return Abstract(value.dims, ir.unary(op, value.expr))


def find(value: Abstract, name: str, action: str) -> Sliced:
    """The value's slice of `name`; a `tnp-dim` violation naming `action` if it has none."""
    found = value.sliced(name)
    if found is None:
        raise _dim_error(
            f"cannot {action} {name}: the value has no dim {name}; it is {value.label()}"
        )
    return found


def reduce(op: ReduceOp, value: Abstract, name: str) -> Abstract:
    """Reduce over the value's current slice of `name`; the dim goes away."""
    sliced = find(value, name, op.value + " over")
    dims = tuple(s for s in value.dims if s.name != name)
    return Abstract(dims, ir.reduce(op, name, sliced.interval, value.expr))


class SliceFault(enum.Enum):
    """Why a slice cannot be taken of what a value holds (see `slice_fault`)."""

    OUTSIDE_DIM = "outside the dim"
    OUTSIDE_HELD = "outside the slice the value holds"


def slice_fault(held: Sliced, wanted: Interval) -> SliceFault | None:
    """The rule of slicing: a slice lies within what the value holds of its dim (positions
    are absolute in the whole dim). None when it does; else whether it even leaves the dim.
    The spec resolver applies the same rule to the slices a spec writes."""
    if held.interval.contains(wanted):
        return None
    if Sliced(held.dim, wanted).in_bounds:
        return SliceFault.OUTSIDE_HELD
    return SliceFault.OUTSIDE_DIM


@dataclass(frozen=True, slots=True)
class SliceStep:
    """A slice's result and where it falls in the value's data along axis `axis`."""

    value: Abstract
    axis: int
    offset_start: int
    offset_stop: int


def slice_dim(value: Abstract, name: str, start: int, stop: int) -> SliceStep:
    """Take `[start, stop)` of `name` in absolute indices of the dim; must lie in the value's
    current slice of it."""
    axis = next((i for i, s in enumerate(value.dims) if s.name == name), None)
    if axis is None:
        raise _dim_error(
            f"cannot slice {name}: the value has no dim {name}; it is {value.label()}"
        )
    current = value.dims[axis]
    if not (symbolic.is_integer(start) and symbolic.is_integer(stop)) or start >= stop:
        raise _dim_error(f"slice {name}[{start}:{stop}] is empty or not integer")
    held = current.interval
    fault = slice_fault(current, Interval(start, stop))
    if fault is not None:
        wanted = Sliced(current.dim, Interval(start, stop))
        if fault is SliceFault.OUTSIDE_DIM:
            raise _dim_error(
                f"slice {wanted} is outside dim {name} of size {current.dim.size}; "
                f"the value is {value.label()}"
            )
        raise _dim_error(
            f"slice {wanted} is outside the value's current slice {current}; "
            f"the value is {value.label()}",
            "slice indices are absolute positions in the whole dim",
        )
    dims = list(value.dims)
    dims[axis] = Sliced(current.dim, Interval(start, stop))
    return SliceStep(Abstract(tuple(dims), value.expr), axis, start - held.start, stop - held.start)


def repeat(value: Abstract, sliced: Sliced | FullDim) -> Abstract:
    """Broadcast along a new dim (or a slice of it), added last."""
    if isinstance(sliced, FullDim):
        sliced = sliced.full
    if value.sliced(sliced.name) is not None:
        raise _dim_error(f"cannot repeat along {sliced.name}: the value already has it; "
                         f"it is {value.label()}",
                         located=blame.repeat_notes(value.dims, value.expr, sliced.name))
    if not sliced.in_bounds:
        raise _dim_error(f"repeat slice {sliced} is outside dim {sliced.name} "
                         f"of size {sliced.dim.size}")
    return Abstract((*value.dims, sliced), value.expr)


def rearrange(value: Abstract, names: Sequence[str]) -> tuple[Abstract, tuple[int, ...]]:
    """Reorder dims; returns the value and the axis permutation for the data."""
    current = [s.name for s in value.dims]
    if sorted(names) != sorted(current) or len(set(names)) != len(names):
        raise _dim_error(
            f"rearrange({', '.join(names)}) is not a reordering of the value's dims "
            f"{' '.join(current)}; the value is {value.label()}"
        )
    perm = tuple(current.index(n) for n in names)
    return Abstract(tuple(value.dims[i] for i in perm), value.expr), perm


@dataclass(frozen=True, slots=True)
class EinsumStep:
    """An einsum's result and the NumPy subscripts that compute it on the data."""

    value: Abstract
    numpy_subscripts: str


@dataclass(frozen=True, slots=True)
class SliceClash:
    """Operand `operand` (0-based) holds `other` of a dim of which an earlier one holds
    `first`."""

    operand: int
    first: Sliced
    other: Sliced


def shared_slices(operands: Sequence[DimType]) -> dict[str, Sliced] | SliceClash:
    """The rule of contractions: operands are multiplied pointwise, so a dim they share is
    the same slice in each. Every dim of the operands with its slice, in order of first
    appearance, or the first clash."""
    by_name: dict[str, Sliced] = {}
    for position, dims in enumerate(operands):
        for s in dims:
            seen = by_name.setdefault(s.name, s)
            if seen != s:
                return SliceClash(position, seen, s)
    return by_name


def contract(
    exprs: Sequence[Expr], shared: Mapping[str, Sliced], out: Collection[str], op: ReduceOp
) -> Expr:
    """The product of `exprs`, reduced with `op` over each dim of `shared` not in `out`: one
    reduction per dim, innermost first in sorted name order, so that the same contraction
    always builds the same (interned) node."""
    expr = exprs[0]
    for other in exprs[1:]:
        expr = ir.binary(BinaryOp.MUL, expr, other)
    for name in sorted(shared.keys() - set(out)):
        expr = ir.reduce(op, name, shared[name].interval, expr)
    return expr


@functools.lru_cache(maxsize=256)
def parse_subscripts(
    subscripts: str, count: int
) -> tuple[tuple[tuple[str, ...], ...], tuple[str, ...]]:
    if subscripts.count("->") != 1:
        raise _dim_error(f"einsum subscripts {subscripts!r} need exactly one '->'",
                         "write them as \"M N, N K -> M K\"")
    lhs, rhs = subscripts.split("->")
    parts = tuple(tuple(p.split()) for p in lhs.split(","))
    out = tuple(rhs.split())
    for names in [*parts, out]:
        for name in names:
            if not name.isidentifier():
                raise _dim_error(f"einsum subscripts {subscripts!r}: {name!r} is not a dim name")
        if len(set(names)) != len(names):
            raise _dim_error(f"einsum subscripts {subscripts!r} repeat a dim in one operand")
    if len(parts) != count:
        raise _dim_error(
            f"einsum subscripts {subscripts!r} describe {len(parts)} operands "
            f"but {count} were given"
        )
    return parts, out


tables.register_cache("rules.parse_subscripts", parse_subscripts, "none: an LRU of 256")


def einsum(operands: Sequence[Abstract], subscripts: str) -> EinsumStep:
    """Multiply the operands, sum the dims missing from the output, in one step."""
    parts, out = parse_subscripts(subscripts, len(operands))
    shared = shared_slices([value.dims for value in operands])
    # Operand by operand, its subscripts are checked before its slices.
    clash_at = shared.operand if isinstance(shared, SliceClash) else len(operands)
    for position, (value, names) in enumerate(zip(operands, parts, strict=True), start=1):
        have = {s.name for s in value.dims}
        if have != set(names):
            raise _dim_error(
                f"einsum operand {position} has dims {' '.join(s.name for s in value.dims)} "
                f"but the subscripts {subscripts!r} say {' '.join(names)}; "
                f"operand {position} is {value.label()}"
            )
        if isinstance(shared, SliceClash) and position - 1 == clash_at:
            seen, s = shared.first, shared.other
            raise _dim_error(
                f"einsum operands disagree on {s.name}: {seen} vs {s}; "
                f"operand {position} is {value.label()}",
                "slice every operand to the same tile of a shared dim",
                located=blame.einsum_clash_notes(
                    [(v.dims, v.expr) for v in operands], seen, s
                ),
            )
    assert not isinstance(shared, SliceClash)
    by_name = shared
    for name in out:
        if name not in by_name:
            raise _dim_error(
                f"einsum output dim {name} is in no operand of {subscripts!r}",
                f"broadcast with .repeat({name}) after the einsum",
            )
    expr = contract([value.expr for value in operands], by_name, out, ReduceOp.SUM)
    letters = {name: chr(ord("a") + i) for i, name in enumerate(by_name)}
    numpy_lhs = ",".join("".join(letters[s.name] for s in v.dims) for v in operands)
    numpy_subscripts = numpy_lhs + "->" + "".join(letters[n] for n in out)
    return EinsumStep(Abstract(tuple(by_name[n] for n in out), expr), numpy_subscripts)


def check_tile(
    tile: Abstract, result_dims: DimType, spec_text: str, what: str = "assign"
) -> DimType:
    """The tile's region in the result, in the result's dim order; `tnp-dim` if it has other
    dims or lies outside the result. `what` names the check in messages: "assign" (a tile and
    its result), or "assert_spec" (a value and the spec it is asserted to be)."""
    noun, target = ("tile", "the result") if what == "assign" else ("value", "the spec")
    have = {s.name for s in tile.dims}
    want = {s.name for s in result_dims}
    if have != want:
        raise _dim_error(
            f"{what}: the {noun} has dims {' '.join(sorted(have))} but {target} "
            f"`{spec_text}` has dims {' '.join(s.name for s in result_dims)}; "
            f"the {noun} is {tile.label()}",
            "reduce every dim the spec reduces before writing (.sum, or einsum)"
            if what == "assign"
            else "assert a spec with the value's dims, or reduce the value first",
        )
    region = []
    for target_dim in result_dims:
        s = tile.sliced(target_dim.name)
        assert s is not None
        if s.dim != target_dim.dim or not target_dim.interval.contains(s.interval):
            raise _dim_error(
                f"{what}: the {noun}'s {s} lies outside {target}'s {target_dim}; "
                f"the {noun} is {tile.label()}"
            )
        region.append(s)
    return tuple(region)
