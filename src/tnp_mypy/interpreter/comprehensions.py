"""Comprehensions (list, set, dict, generator), `sum` over them, and the dicts they make, as the
interpreter follows them: with Python's semantics, element by element.

A generator expression is a real Python generator over abstract values: its first iterable is
evaluated where it is written, the rest lazily, as the code consuming it asks, so a tile made in
`sum(t.slice(N, j, j + 4).sum(N) for j in range(0, 16, 4))` is checked (and its error reported
at its line, "when j = 4") in the order the runtime makes it. Each element costs one statement
of the budget. The comprehension's variables live in a scope of their own, which sees the
enclosing frame's variables as they are when an element is made.

Part of the interpreter: it calls the other modules' functions (`control.tick`,
`statements.store`, `control.truth`, `expressions.binary`) and the running loops
(`Interpreter.loops`), as they call each other.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Final

from mypy.nodes import (
    Context,
    DictionaryComprehension,
    Expression,
    GeneratorExpr,
    ListComprehension,
    NameExpr,
    SetComprehension,
)

from tnp_mypy.interpreter.speculation import refuse_symbolic
from tnp_mypy.interpreter.values import OPAQUE, ResultValue, TypedValue, Value

if TYPE_CHECKING:
    from tnp_mypy.interpreter.control import Frame
    from tnp_mypy.interpreter.evaluator import Interpreter

COMPREHENSIONS: Final = (GeneratorExpr, ListComprehension, SetComprehension,
                         DictionaryComprehension)
# What a comprehension may loop over (iterators include the generators made here).
ITERABLE: Final = (range, tuple, list, dict, set, Iterator)


def evaluate(interp: Interpreter, frame: Frame, e: Expression) -> Value:
    """The value of a comprehension `e` (one of `COMPREHENSIONS`) in `frame`."""
    if isinstance(e, (ListComprehension, SetComprehension)):
        items = _generate(interp, frame, e.generator, e)
        if isinstance(e, ListComprehension):
            return list(items)
        elements = list(items)
        # A set keeps elements by hash: one holding a symbolic index decides unrecorded.
        refuse_symbolic(bool(interp.speculations), "a set", elements)
        try:
            return set(elements)
        except TypeError:  # an unhashable element: the runtime raises TypeError
            _stop_silently()
    if isinstance(e, GeneratorExpr):
        return _generate(interp, frame, e, e)
    assert isinstance(e, DictionaryComprehension)
    key_expr = e.key
    if key_expr is None:
        raise interp.unsupported("this dict comprehension", e)
    pairs = _loops(interp, frame, e.sequences, e.indices, e.condlists, any(e.is_async), e,
                   lambda inner: (interp.expr(inner, key_expr), interp.expr(inner, e.value)))
    found: dict[object, Value] = {}
    for pair in pairs:
        assert isinstance(pair, tuple)
        refuse_symbolic(bool(interp.speculations), "a dict key", pair[0])
        try:
            found[pair[0]] = pair[1]
        except TypeError:
            _stop_silently()
    return found


def _generate(
    interp: Interpreter, frame: Frame, g: GeneratorExpr, where: Context
) -> Iterator[Value]:
    return _loops(interp, frame, g.sequences, g.indices, g.condlists, any(g.is_async), where,
                  lambda inner: interp.expr(inner, g.left_expr))


def _loops(
    interp: Interpreter,
    frame: Frame,
    sequences: Sequence[Expression],
    indices: Sequence[Expression],
    condlists: Sequence[Sequence[Expression]],
    is_async: bool,
    where: Context,
    element: _Element,
) -> Iterator[Value]:
    """A generator of `element(inner frame)` over the nested `for ... in ... if ...` clauses.

    The first iterable is evaluated now (as Python does); everything else when asked."""
    if is_async:
        raise interp.unsupported("an `async` comprehension", where)
    first = interp.expr(frame, sequences[0])
    if first is OPAQUE:
        raise interp.unsupported("a comprehension over a value it does not know", sequences[0])
    _check_iterable(interp, first, sequences[0])
    return _level(interp, frame, {}, 0, first, sequences, indices, condlists, where, element)


def _level(
    interp: Interpreter,
    frame: Frame,
    own: dict[str, Value],
    depth: int,
    iterable: Value,
    sequences: Sequence[Expression],
    indices: Sequence[Expression],
    condlists: Sequence[Sequence[Expression]],
    where: Context,
    element: _Element,
) -> Iterator[Value]:
    from tnp_mypy.interpreter import control, statements
    from tnp_mypy.interpreter.control import Frame

    assert isinstance(iterable, ITERABLE)
    index = indices[depth]
    for item in iterable:
        control.tick(interp, where)
        # The comprehension's scope: the enclosing variables as they are now, then its own.
        scratch = Frame({}, frame.function, frame.results)
        statements.store(interp, scratch, index, item)
        own = {**own, **scratch.variables}
        inner = Frame({**frame.variables, **own}, frame.function, frame.results)
        named = isinstance(index, NameExpr) and isinstance(item, int)
        if named:
            assert isinstance(index, NameExpr)
            interp.loops.append((index.name, item))
        try:
            if not all(control.truth(interp, interp.expr(inner, c), c) for c in condlists[depth]):
                continue
            if depth + 1 < len(sequences):
                nested = interp.expr(inner, sequences[depth + 1])
                _check_iterable(interp, nested, sequences[depth + 1])
            else:
                value = element(inner)
        finally:
            if named:
                interp.loops.pop()
        if depth + 1 < len(sequences):
            yield from _level(interp, frame, own, depth + 1, nested, sequences, indices,
                              condlists, where, element)
        else:
            yield value


def _stop_silently() -> None:
    """End the analysis without a finding: the runtime raises a Python error here."""
    from tnp_mypy.interpreter.control import Stop

    raise Stop(None)


def _check_iterable(interp: Interpreter, value: Value, where: Context) -> None:
    if not isinstance(value, ITERABLE):
        raise interp.unsupported("a comprehension over a value it does not know", where)


def builtin_sum(
    interp: Interpreter, args: list[Value], kwargs: dict[str, Value], where: Context
) -> Value:
    """`sum(iterable, start=0)` as Python computes it: `start + x1 + x2 + ...`, left to right,
    each `+` the interpreter's own (so tiles add as `Typed.__add__`/`__radd__` do)."""
    if len(args) == 2 and not kwargs:
        iterable, total = args
    elif len(args) == 1 and set(kwargs) <= {"start"}:
        iterable, total = args[0], kwargs.get("start", 0)
    else:
        raise interp.unsupported("this call of `sum`", where)
    if iterable is OPAQUE:
        if isinstance(total, (TypedValue, ResultValue)):
            raise interp.unsupported("`sum` of values it does not know", where)
        return OPAQUE
    if not isinstance(iterable, ITERABLE):
        raise interp.unsupported("`sum` of values it does not know", where)
    from tnp_mypy.interpreter import control, expressions

    for item in iterable:
        control.tick(interp, where)
        total = expressions.binary(interp, "+", total, item, where)
    return total


def dict_method(
    interp: Interpreter, items: dict[object, Value], name: str, args: list[Value],
    kwargs: dict[str, Value], where: Context,
) -> Value:
    """The dict methods that read a dict; others stop the analysis."""
    refuse_symbolic(bool(interp.speculations), "a dict lookup", args)
    if kwargs:
        raise interp.unsupported(f"`dict.{name}` with keywords", where)
    if name == "items" and not args:
        return list(items.items())
    if name == "keys" and not args:
        return list(items)
    if name == "values" and not args:
        return list(items.values())
    if name == "get" and 1 <= len(args) <= 2:
        try:
            return items.get(args[0], args[1] if len(args) == 2 else None)
        except TypeError:
            _stop_silently()
    raise interp.unsupported(f"`dict.{name}` here", where)


if TYPE_CHECKING:
    from collections.abc import Callable

    _Element = Callable[[Frame], Value]
