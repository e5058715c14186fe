"""The rules of the operations that read at computed positions: `window`, `shift`, `at`.

Like `rules`, the abstract semantics both halves execute (the runtime beside the NumPy
computation, the mypy plugin alone). The index arithmetic is in `indexing`.
"""

from __future__ import annotations

from dataclasses import dataclass

from tnp_runtime.core import blame, ir, rules
from tnp_runtime.core.diagnostics import Code, Diagnostic, LocatedNote, Violation
from tnp_runtime.core.dims import FullDim, Interval, Sliced, render_dims
from tnp_runtime.core.indexing import Capture, affine, reindex, span
from tnp_runtime.core.ir import Gather, Position
from tnp_runtime.core.rules import Abstract


@dataclass(frozen=True, slots=True)
class ReadStep:
    """A read's result, and where it reads the value's data: along `axis`, positions counted
    from `held_start` (the start of the value's slice of the dim read)."""

    value: Abstract
    axis: int
    held_start: int


def as_sliced(dim: FullDim | Sliced) -> Sliced:
    return dim.full if isinstance(dim, FullDim) else dim


def _dim_error(
    message: str, *notes: str, located: tuple[LocatedNote, ...] = ()
) -> Violation:
    return Violation(Diagnostic(Code.DIM, message, notes, located))


def _read(value: Abstract, name: str, action: str, position: Position,
          new: tuple[Sliced, ...]) -> ReadStep:
    """Read `name` of `value` at `position`, a function of the dims `new` (which replace it)."""
    axis = next((i for i, s in enumerate(value.dims) if s.name == name), None)
    if axis is None:
        raise _dim_error(f"cannot {action}: the value has no dim {name}; it is {value.label()}")
    held = value.dims[axis]
    others = {s.name for i, s in enumerate(value.dims) if i != axis}
    for sliced in new:
        if sliced.name in others:
            raise _dim_error(
                f"cannot {action}: the value already has a dim {sliced.name}; "
                f"it is {value.label()}",
                "name the positions after a dim the value does not have",
            )
        if not sliced.in_bounds:
            raise _dim_error(f"cannot {action}: {sliced} is outside dim {sliced.name} "
                             f"of size {sliced.dim.size}")
    if len({s.name for s in new}) != len(new):
        raise _dim_error(f"cannot {action}: the same dim twice")
    reached = span(position, {s.name: s.interval for s in new})
    if not held.interval.contains(reached):
        outside = [
            str(Interval(start, stop))
            for start, stop in (
                (reached.start, min(reached.stop, held.start)),
                (max(reached.start, held.stop), reached.stop),
            )
            if start < stop
        ]
        raise _dim_error(
            f"{action} reads {name} at positions {reached}, outside the value's current "
            f"slice {held}: {name}[{', '.join(outside)}] not held; the value is "
            f"{value.label()}",
            f"{name} = {position} over {render_dims(new) if new else 'no dims'}",
            located=blame.slice_notes("the value read", value.expr, held),
        )
    try:
        expr = reindex(value.expr, {name: position})
    except Capture as err:
        raise _dim_error(
            f"cannot {action}: the value's term cannot be read there ({err}); "
            f"it is {value.label()}",
            "read the input first, then compute",
        ) from None
    dims = (*value.dims[:axis], *new, *value.dims[axis + 1 :])
    return ReadStep(Abstract(dims, expr), axis, held.start)


def window(value: Abstract, name: str, out: Sliced, taps: Sliced) -> ReadStep:
    """`x.window(N, O[a:b], K[c:d])`: dims O and K in place of N; at (o, k) the value of x at
    N = o + k, which must lie within x's current slice of N (else `tnp-dim`)."""
    action = f"window({name}, {out}, {taps})"
    position = affine({out.name: 1, taps.name: 1}) if out.name != taps.name else None
    if position is None:
        raise _dim_error(f"cannot {action}: the positions and the taps need two dims")
    return _read(value, name, action, position, (out, taps))


def shift(value: Abstract, name: str, out: Sliced, offset: int) -> ReadStep:
    """`x.shift(N, O[a:b], k)`: dim O in place of N; at o the value of x at N = o + k."""
    action = f"shift({name}, {out}, {offset})"
    return _read(value, name, action, affine({out.name: 1}, offset), (out,))


def at(value: Abstract, name: str, position: int) -> ReadStep:
    """`w.at(K, k)`: the value at K = k, without the dim K (a filter tap)."""
    return _read(value, name, f"at({name}, {position})", affine({}, position), ())


def gather(value: Abstract, name: str, index: Abstract) -> ReadStep:
    """`logits.gather(V, t)`: the value at V = t, without the dim V; `t` is an input (whole
    numbers in [0, size of V), which the runtime checks) with the value's other dims and
    slices. The value must hold all of V, so every index is in it."""
    action = f"gather({name}, {index.label()})"
    held = value.sliced(name)
    if held is not None and not held.is_full:
        raise _dim_error(
            f"cannot {action}: a gather may read any position of {name}, but the value holds "
            f"only {held}; it is {value.label()}",
            f"gather from a value that holds all of {name}",
        )
    if not isinstance(index.expr, ir.Input):
        raise _dim_error(
            f"cannot {action}: the index of a gather must be an input (a kernel parameter or a "
            "Typed(...)), not a computed value",
        )
    others = tuple(s for s in value.dims if s.name != name)
    if held is not None:
        mismatch = rules.pointwise_mismatch(others, index.dims)
        if mismatch is not None:
            raise _dim_error(
                f"cannot {action}: the index must have the value's other dims and slices, "
                f"{render_dims(others)}; it has {render_dims(index.dims)}",
            )
    size = held.dim.size if held is not None else 1  # no dim: `_read` reports it
    return _read(value, name, action, Gather(index.expr, size), ())
