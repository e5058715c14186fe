"""Tile loops proved once, by induction, instead of unrolled.

For `for j in range(a, b, T)` with `n` iterations (`n >= MIN_ITERATIONS`), where the state
after `k` iterations is the loop's *carried* names (`carried_names`):

1. **Samples.** Iterations 0 and 1 run as unrolled code, for real: their findings, proofs,
   spot checks and writes are those of any unrolled iteration. A finding there ends the
   attempt (the rest is unrolled, so every error is reported as unrolling reports it).
2. **Guess.** Each carried value after k = 1 and 2 iterations is lined up into a template
   `I(k)` (`core.template`): typed values by their normal forms, integers affine in k, other
   values equal. `I(2)` must have the second sample's normal form (the base case).
3. **Step.** The body runs once more, speculatively (`speculation`), with `k` a symbolic
   integer over `[2, n - 2]` probed at 2 (`core.symbolic`), `j = a + k*T`, and the carried
   names bound to `I(k)`: every `assign` is proved for that symbolic tile, and at the end every
   carried value must be `I(k + 1)`. Every decision the run took on `k` is a recorded linear
   condition; the step stands for the k from 2 up to the last one where all of them hold
   (`Recorder.reach`: up to the iteration before last, or to the one before a condition changes,
   `if j == X`). The regions the step writes must be disjoint across those iterations and are
   merged into one region per `assign` (a tile of width T at a start with coefficient T in k).
4. **Next.** The carried names are bound to `I(reach + 1)`, with concrete integers, and the
   next iteration runs unrolled, for real: the last one (a ragged last tile, `min(j + T, n)`,
   is this iteration), or the one where a condition changed (an `if j == X` branch), after which
   the loop goes on from step 1 with new samples.

By induction over k, the state after every iteration the step stands for is `I(k)`, every
tile the step writes is its spec, and the state the code after the loop sees is the real one.
Anything that fails (no template, a step that does not give `I(k + 1)`, a condition false
at the probe, a finding, a construct the step cannot take symbolically) abandons the attempt
*before* anything of the step is kept, and the rest of the loop is unrolled: never a pass that
was not proved.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from mypy.nodes import (
    AssignmentStmt,
    Block,
    BreakStmt,
    ClassDef,
    ContinueStmt,
    Decorator,
    DelStmt,
    Expression,
    ForStmt,
    FuncBase,
    GlobalDecl,
    LambdaExpr,
    ListExpr,
    NameExpr,
    Node,
    NonlocalDecl,
    OperatorAssignmentStmt,
    ReturnStmt,
    StarExpr,
    Statement,
    TryStmt,
    TupleExpr,
    WithStmt,
    YieldExpr,
    YieldFromExpr,
)

from tnp_mypy.interpreter import control
from tnp_mypy.interpreter.control import Frame
from tnp_mypy.interpreter.speculation import Abandon, Speculation
from tnp_mypy.interpreter.values import OPAQUE, ResultValue, TypedValue, Value
from tnp_runtime.core import origins, symbolic, template
from tnp_runtime.core.dims import DimType, Interval, Sliced
from tnp_runtime.core.symbolic import Var

if TYPE_CHECKING:
    from tnp_mypy.interpreter.evaluator import Interpreter

# Below this many iterations, unrolling costs about what the proof by induction costs.
MIN_ITERATIONS: Final = 9
# Iterations run for real before the guess (the samples of the template).
SAMPLES: Final = 2
_UNBOUND: Final = object()
_TRACE: Final = bool(os.environ.get("TNP_MYPY_TRACE"))


def _trace(message: str) -> None:
    if _TRACE:
        print(f"tnp induction: {message}", file=sys.stderr)


# -- which loops, which names -----------------------------------------------------------------


# Attributes of syntax nodes that hold no code of the node itself (a name's definition).
_NOT_CODE: Final = frozenset({"node", "def_var", "info", "type", "unanalyzed_type"})


def _children(node: Node) -> Iterator[Node]:
    """The statements and expressions directly inside `node`, by its attributes. mypy's own
    visitors cannot be subclassed from interpreted code when mypy is compiled, so the walk
    reads the attributes (`__mypyc_attrs__` compiled, `__slots__` interpreted)."""
    kind = type(node)
    names = getattr(kind, "__mypyc_attrs__", None)
    if names is None:
        names = [n for k in kind.__mro__ for n in getattr(k, "__slots__", ())]
    for attr in names:
        if attr in _NOT_CODE or attr.startswith("_"):
            continue
        value = getattr(node, attr, None)
        items = value if isinstance(value, (list, tuple)) else (value,)
        for item in items:
            if isinstance(item, (Expression, Statement, Block)):
                yield item


class _Names:
    """Names a block assigns and reads; `refused` names a construct the step does not take
    (`return`, deleting names, nested functions); `exits` says it may `break` or `continue`."""

    def __init__(self) -> None:
        self.assigned: set[str] = set()
        self.read: set[str] = set()
        self.refused: str | None = None
        # A `break` or `continue` somewhere in the block.
        self.exits = False

    def walk(self, node: Node) -> None:
        stack: list[tuple[Node, bool]] = [(node, False)]
        while stack:
            item, target = stack.pop()
            match item:
                case NameExpr():
                    (self.assigned if target else self.read).add(item.name)
                    continue
                case TupleExpr() | ListExpr() | StarExpr() if target:
                    stack.extend((child, True) for child in _children(item))
                    continue
                case AssignmentStmt():
                    stack.append((item.rvalue, False))
                    stack.extend((lvalue, True) for lvalue in item.lvalues)
                    continue
                case OperatorAssignmentStmt():
                    stack.extend(((item.rvalue, False), (item.lvalue, False), (item.lvalue, True)))
                    continue
                case ForStmt():
                    stack.extend(((item.expr, False), (item.index, True), (item.body, False)))
                    if item.else_body is not None:
                        stack.append((item.else_body, False))
                    continue
                case WithStmt():
                    stack.extend((t, True) for t in item.target if t is not None)
                    stack.extend((e, False) for e in item.expr)
                    stack.append((item.body, False))
                    continue
                case BreakStmt() | ContinueStmt():
                    self.exits = True
                    continue
                case ReturnStmt() | DelStmt() | GlobalDecl() | \
                        NonlocalDecl() | TryStmt() | FuncBase() | Decorator() | LambdaExpr() | \
                        YieldExpr() | YieldFromExpr() | ClassDef():
                    self.refused = self.refused or type(item).__name__
                    continue
            # Any other target (`x.attr`, `x[i]`) reads its parts.
            stack.extend((child, False) for child in _children(item))


@dataclass(frozen=True, slots=True)
class LoopShape:
    """What the driver needs of a loop's body: the names the state after an iteration consists
    of (`carried`), and those every iteration assigns before reading (`temporaries`)."""

    carried: tuple[str, ...]
    temporaries: tuple[str, ...]
    refused: str | None


def loop_shape(interp: Interpreter, s: ForStmt) -> LoopShape:
    """The carried names: every name the body assigns except those the body's top level
    assigns unconditionally before any read of them (`x = ...` as a statement of the body
    itself). Those are temporaries: their value before an iteration is never read, and after
    the loop it is the last iteration's, which runs for real. Everything else the body assigns
    (a running value, a name assigned in a branch or a nested loop, the nested loop's index)
    may be read before it is written, or survive from a middle iteration, so it is part of the
    state the induction proves."""
    found = interp.loop_shapes.get(s)
    if found is not None:
        return found
    everything = _Names()
    everything.walk(s.body)
    definite: set[str] = set()
    read_first: set[str] = set()
    for statement in s.body.body:
        names = _Names()
        names.walk(statement)
        read_first |= names.read - definite
        if isinstance(statement, AssignmentStmt):
            definite |= names.assigned - read_first
    index = {s.index.name} if isinstance(s.index, NameExpr) else set()
    # After a `continue`, an iteration's later assignments do not happen: no name is then
    # surely assigned before it is read, and every name the body assigns is carried.
    temporaries = set() if everything.exits else (definite - read_first) - index
    carried = everything.assigned - temporaries - index
    shape = LoopShape(tuple(sorted(carried)), tuple(sorted(temporaries)), everything.refused)
    interp.loop_shapes[s] = shape
    return shape


def applies(interp: Interpreter, s: ForStmt, items: range) -> bool:
    """Try induction on this loop: a range of enough iterations, a plain name as its index,
    a body without `return`, `try` and the like (`_Names.refused`), and induction not turned
    off (`induction = false`)."""
    if not interp.config.induction or len(items) < MIN_ITERATIONS:
        return False
    if not isinstance(s.index, NameExpr):
        return False
    return loop_shape(interp, s).refused is None


# -- the driver -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _State:
    """A template per carried name: how its value after k iterations is built."""

    typed: Mapping[str, template.ValueTemplate]
    integers: Mapping[str, template.IntTemplate]
    fixed: Mapping[str, Value]

    def bind(self, frame: Frame, k: int) -> None:
        for name, value_template in self.typed.items():
            closed = value_template.at(k)
            # A closed form built here, not by the kernel's operations: no line of the kernel
            # made it (`core.origins`; a message names no line for it).
            origins.record(closed.expr, origins.EXTERNAL)
            frame.variables[name] = TypedValue(closed)
        for name, int_template in self.integers.items():
            frame.variables[name] = int_template.at(k)
        for name, value in self.fixed.items():
            if value is _UNBOUND:
                frame.variables.pop(name, None)
            else:
                frame.variables[name] = value

    def matches(self, frame: Frame, k: int) -> bool:
        """Is the frame's state the template at k? (Symbolic comparisons are recorded.)"""
        for name, value_template in self.typed.items():
            value = frame.variables.get(name)
            if not isinstance(value, TypedValue) or value.abstract is None:
                return False
            if not template.same_value(value.abstract, value_template.at(k)):
                return False
        for name, int_template in self.integers.items():
            value = frame.variables.get(name, _UNBOUND)
            if not symbolic.is_integer(value) or value != int_template.at(k):
                return False
        for name, fixed in self.fixed.items():
            value = frame.variables.get(name, _UNBOUND)
            if value is not fixed and not (_plain(value) and value == fixed):
                return False
        return True


def _plain(value: object) -> bool:
    return value is None or isinstance(value, (bool, float, str)) or (
        isinstance(value, int) and not isinstance(value, bool)
    )


def _guess(samples: Sequence[Mapping[str, Value]], k0: int) -> _State | None:
    typed: dict[str, template.ValueTemplate] = {}
    integers: dict[str, template.IntTemplate] = {}
    fixed: dict[str, Value] = {}
    for name in samples[0]:
        values = [sample[name] for sample in samples]
        first = values[0]
        if all(isinstance(v, TypedValue) and v.abstract is not None for v in values):
            abstracts = [v.abstract for v in values if isinstance(v, TypedValue)]
            found = template.guess_value([a for a in abstracts if a is not None], k0)
            if found is None:
                _trace(f"no template for `{name}`")
                return None
            typed[name] = found
        elif all(symbolic.is_integer(v) for v in values):
            counter = template.guess_int(values, k0)
            if counter is None:
                return None
            integers[name] = counter
        elif all(v is first for v in values) and (
            first is _UNBOUND or _plain(first) or isinstance(first, ResultValue)
        ):
            fixed[name] = first
        elif all(_plain(v) and v == first for v in values):
            fixed[name] = first
        else:
            _trace(f"`{name}` is not a value the induction can follow")
            return None
    return _State(typed, integers, fixed)


def run(interp: Interpreter, frame: Frame, s: ForStmt, items: range) -> bool:
    """Run the loop `for <name> in items`: by induction where it can, unrolled where not.
    Returns True if the loop left by `break` (only unrolled iterations can).

    The iterations are taken in segments: two samples, a symbolic step proving as many of the
    following iterations as its recorded conditions allow (up to the one before last), then
    one iteration unrolled: the last, or the first one where a condition of the step changes
    (`if j == X`, `if j >= X`), after which the next segment starts with new samples."""
    shape = loop_shape(interp, s)
    n, done = len(items), 0
    while n - done >= MIN_ITERATIONS:
        reports = interp.reports
        samples: list[dict[str, Value]] = []
        for index in range(done, done + SAMPLES):
            if control.iterate(interp, frame, s, items[index : index + 1]):
                return True
            samples.append({name: frame.variables.get(name, _UNBOUND) for name in shape.carried})
        done += SAMPLES
        if interp.reports != reports:
            break  # an error in the samples: unrolled from here, as unrolling reports it
        state = _guess(samples, done - SAMPLES + 1)
        # The base case, checked here whatever the guess: the template after `done` iterations
        # is the state the real iterations left (normal forms compared; nothing symbolic).
        if state is None or not state.matches(frame, done):
            break
        reach = _step(interp, frame, s, items, state, shape, done)
        if reach is None:
            break
        _trace(f"line {s.line}: iterations {done} to {reach} of {n} proved by induction")
        state.bind(frame, reach + 1)
        done = reach + 1
        # The next iteration (the last, or where the step's conditions change) is unrolled.
        if control.iterate(interp, frame, s, items[done : done + 1]):
            return True
        done += 1
    return control.iterate(interp, frame, s, items[done:])


def _step(
    interp: Interpreter, frame: Frame, s: ForStmt, items: range, state: _State,
    shape: LoopShape, first: int,
) -> int | None:
    """The symbolic step from the state after `first` iterations: k ranges over `[first, n -
    2]` and is probed at `first`. Returns the last k the step is proved for (the conditions it
    recorded hold up to there), its writes kept; None when it is not proved."""
    assert isinstance(s.index, NameExpr)
    name = s.index.name
    var = symbolic.new_var(f"#{name}", first, len(items) - 2, probe=first)
    k = symbolic.variable(var)
    j = items.start + k * items.step
    saved, data = dict(frame.variables), dict(frame.data)
    results = len(frame.results)
    speculation = Speculation()
    interp.speculations.append(speculation)
    interp.loops.append((name, j))
    try:
        with symbolic.recording() as recorder:
            state.bind(frame, k)
            for temporary in shape.temporaries:
                frame.variables[temporary] = OPAQUE  # never read before written (see loop_shape)
            frame.variables[name] = j
            try:
                control.block(interp, frame, s.body.body)
            except control.Continued:
                pass  # the iteration ends here; its state is the frame's now
            except control.Broke:
                raise Abandon("a `break` in the symbolic step") from None
            if not state.matches(frame, k + 1):
                raise Abandon("the state after the step is not the invariant at k + 1")
            if len(frame.results) != results:
                raise Abandon("a result made inside the loop")
            # Joining the pieces of a tile compares positions in k: recorded, so before `reach`.
            joined = _joined(speculation.writes)
            reach = recorder.reach(var)
            if reach is None:
                raise Abandon(f"the step relied on {recorder.failing()}, false at its probe")
            # The merge substitutes k: what it compares holds for every k of the range.
            merged = [(result, _merge(region, var, reach)) for result, region in joined]
            # What an enclosing run inherits: the conditions over the range proved.
            recorder.narrow(var, reach)
    except Abandon as abandoned:
        _trace(f"line {s.line}: {abandoned.why}")
        return None
    except (control.Stop, symbolic.Escape) as stopped:
        _trace(f"line {s.line}: {type(stopped).__name__}: {stopped}")
        return None
    except Exception as error:  # anything else the step met: unroll instead
        _trace(f"line {s.line}: {type(error).__name__}: {error}")
        return None
    finally:
        interp.loops.pop()
        interp.speculations.pop()
        frame.variables.clear()
        frame.variables.update(saved)
        frame.data.clear()
        frame.data.update(data)
    return reach if _commit(interp, merged) else None


def _merge(region: DimType, var: Var, last: int) -> DimType:
    """The union over every k of `[var.probe, last]` of a region whose bounds are affine in k: one
    dim moves with k, by exactly its width (`T*k : T*k + T`), so the regions are disjoint and
    touch; the others do not move. Anything else is abandoned (unrolling then says what)."""
    moving = [
        axis for axis, s in enumerate(region)
        if _coefficient(s.interval.start, var) or _coefficient(s.interval.stop, var)
    ]
    if len(moving) != 1:
        raise Abandon("a region written at every iteration" if not moving else
                      "a region that moves along two dims")
    (axis,) = moving
    sliced = region[axis]
    start, stop = sliced.interval.start, sliced.interval.stop
    step = _coefficient(start, var)
    width = symbolic.form_of(stop - start)
    if step != _coefficient(stop, var) or width is None or not width.is_constant:
        raise Abandon("a region whose width changes with the iteration")
    if abs(step) != width.constant:
        raise Abandon("regions of successive iterations that overlap or leave gaps")
    # A loop that runs backwards (`range(n - T, -1, -T)`) moves its tile down: the union then
    # starts at the last iteration's tile.
    first_k, last_k = (var.probe, last) if step > 0 else (last, var.probe)
    low = symbolic.value_at(start, {var: first_k})
    high = symbolic.value_at(stop, {var: last_k})
    dims = list(region)
    dims[axis] = Sliced(sliced.dim, Interval(low, high))
    return tuple(dims)


def _joined(
    writes: list[tuple[ResultValue, DimType]],
) -> list[tuple[ResultValue, DimType]]:
    """The regions one iteration writes, with those of one result that touch along one dim and
    agree on the others joined into one (two half tiles make the tile that moves by its width).
    Regions are joined only when one's stop is the other's start, so they stay disjoint; the
    comparisons are recorded decisions like any other of the step."""
    joined: list[tuple[ResultValue, DimType]] = []
    for result, region in writes:
        for index, (other_result, other) in enumerate(joined):
            union = _touching(other, region) if other_result is result else None
            if union is not None:
                joined[index] = (result, union)
                break
        else:
            joined.append((result, region))
    return joined


def _touching(a: DimType, b: DimType) -> DimType | None:
    """`a` and `b` as one box when they agree on every dim but one, where one ends where the
    other starts (dims matched by name); None otherwise."""
    if [s.name for s in a] != [s.name for s in b]:
        return None
    differ = [axis for axis, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(differ) != 1:
        return None
    (axis,) = differ
    x, y = a[axis].interval, b[axis].interval
    if x.stop == y.start:
        interval = Interval(x.start, y.stop)
    elif y.stop == x.start:
        interval = Interval(y.start, x.stop)
    else:
        return None
    box = list(a)
    box[axis] = Sliced(a[axis].dim, interval)
    return tuple(box)


def _coefficient(position: int, var: Var) -> int:
    form = symbolic.form_of(position)
    assert form is not None
    return dict(form.terms).get(var, 0)


def _commit(interp: Interpreter, merged: list[tuple[ResultValue, DimType]]) -> bool:
    """Keep the step's writes: in the enclosing speculation's log if there is one (its own
    merge takes them over its range), else in the results' coverage, all or none (a region
    written twice is left to unrolling to report)."""
    if interp.speculations:
        interp.speculations[-1].writes.extend(merged)
        return True
    for index, (result, region) in enumerate(merged):
        tracker = result.tracker
        if tracker is None or tracker.coverage is None or not tracker.coverage.writable(region):
            _trace("a region of the step was written before")
            return False
        if any(other is result and _intersect(region, earlier)
               for other, earlier in merged[:index]):
            _trace("two regions of the step overlap")
            return False
    for result, region in merged:
        assert result.tracker is not None and result.tracker.coverage is not None
        result.tracker.coverage.record(region)
    return True


def _intersect(a: DimType, b: DimType) -> bool:
    """Do two regions of one result (the same dims, in any order) share a position?"""
    spans = {s.name: s.interval for s in b}
    return all(s.interval.intersects(spans[s.name]) for s in a)


__all__ = ["MIN_ITERATIONS", "LoopShape", "applies", "loop_shape", "run"]
