"""Python's builtins, math's and numpy's functions on plain numbers, and the methods of lists and
dicts, as the interpreter follows them: computed as Python computes them, on known values.

`BUILTINS` is the table of the builtins followed, by name; a builtin not in it gives a value
the interpreter does not know (and stops the analysis when it is given a tnp value). Iterators
stay lazy, as in Python: a loop over them costs one statement per turn of the budget.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from mypy.nodes import CallExpr

from tnp_mypy import names
from tnp_mypy.interpreter import comprehensions, control, expressions
from tnp_mypy.interpreter.control import ITERABLE, Stop
from tnp_mypy.interpreter.speculation import Abandon, refuse_symbolic
from tnp_mypy.interpreter.values import (
    OPAQUE,
    BoundMethod,
    Builtin,
    ResultValue,
    TypedValue,
    Value,
)
from tnp_runtime.core import fixits, rules, symbolic
from tnp_runtime.core.dims import FullDim
from tnp_runtime.core.elementwise import ELEMENTWISE
from tnp_runtime.core.ir import UnaryOp

if TYPE_CHECKING:
    from tnp_mypy.interpreter.evaluator import Interpreter

Handler = Callable[["Interpreter", str, list[Value], dict[str, Value], CallExpr], Value]

MATH: Final[dict[str, Callable[[float], float]]] = {
    **{name: function.real for name, function in ELEMENTWISE.items()},
    "float64": float,
    "abs": abs,
}
_NUMERIC_CONSTANTS: Final = {"inf": math.inf, "Inf": math.inf, "infty": math.inf, "pi": math.pi,
                             "e": math.e}
_PLAIN: Final[dict[str, Callable[..., object]]] = {
    "min": min, "max": max, "abs": abs, "int": int, "float": float, "round": round, "bool": bool,
}
# Builtins that look at their arguments without keeping them: a result passed to them stays put.
_PURE: Final = frozenset(
    {"print", "reveal_type", "reveal_locals", "repr", "str", "len", "id", "type", "format"}
)
# Builtins a module-level constant may be made with (they have no effect).
_CONSTANT: Final = frozenset({"min", "max", "int", "float"})


def _is_numeric(fullname: str) -> tuple[bool, str]:
    """(numpy's or math's function on numbers?, its last name)."""
    module, _, last = fullname.rpartition(".")
    return module.split(".")[0] in names.NUMERIC_MODULES and last in MATH, last


def known(fullname: str) -> Value | None:
    """A name of the builtins, math or numpy the interpreter knows, as a value."""
    if fullname in names.INFINITY:
        return math.inf
    module, _, last = fullname.rpartition(".")
    if module.split(".")[0] in names.NUMERIC_MODULES and last in _NUMERIC_CONSTANTS:
        return _NUMERIC_CONSTANTS[last]
    if module == names.BUILTINS or _is_numeric(fullname)[0]:
        return Builtin(fullname)
    return None


def is_constant_call(fullname: str) -> bool:
    """A call of `fullname` on constants has no effect (a number function, `min`, ...)."""
    module, _, last = fullname.rpartition(".")
    return _is_numeric(fullname)[0] or (module == names.BUILTINS and last in _CONSTANT)


def call(interp: Interpreter, fullname: str, args: list[Value], kwargs: dict[str, Value],
         where: CallExpr) -> Value:
    """A call of a function that is not tnp's, known by full name."""
    module, _, last = fullname.rpartition(".")
    if _is_numeric(fullname)[0]:
        return numeric(interp, last, args, kwargs, where)
    if module == names.BUILTINS:
        handler = BUILTINS.get(last, _other)
        return handler(interp, last, args, kwargs, where)
    return expressions.opaque_call(args, kwargs)


def numeric(interp: Interpreter, name: str, args: list[Value], kwargs: dict[str, Value],
            where: CallExpr) -> Value:
    """numpy's or math's `name` (one of `MATH`) on a plain number."""
    if len(args) != 1 or kwargs:
        return expressions.opaque_call(args, kwargs)
    (value,) = args
    if isinstance(value, (TypedValue, ResultValue)):
        instead = ": " + fixits.fixable(f"use tnp.{name}") if name in ELEMENTWISE else ""
        raise interp.unsupported(f"numpy's or math's `{name}` on a tnp value{instead}", where)
    if not expressions.is_number(value):
        return OPAQUE
    assert isinstance(value, (int, float))
    try:
        return MATH[name](value)
    except (ValueError, OverflowError):
        raise Stop(None) from None


def _pure(interp: Interpreter, name: str, args: list[Value], kwargs: dict[str, Value],
          where: CallExpr) -> Value:
    return OPAQUE


def _len(interp: Interpreter, name: str, args: list[Value], kwargs: dict[str, Value],
         where: CallExpr) -> Value:
    if len(args) == 1 and isinstance(args[0], str):
        refuse_symbolic(bool(interp.speculations), "the length of a text", args[0])
    if len(args) == 1 and isinstance(args[0], (tuple, list, str, range, dict, set)):
        return len(args[0])
    return OPAQUE


def _range(interp: Interpreter, name: str, args: list[Value], kwargs: dict[str, Value],
           where: CallExpr) -> Value:
    if kwargs or not all(isinstance(a, int) for a in args) or not 1 <= len(args) <= 3:
        raise interp.unsupported("a `range` whose bounds it does not know", where)
    try:
        return range(*[a for a in args if isinstance(a, int)])
    except ValueError:
        raise Stop(None) from None


def _plain(interp: Interpreter, name: str, args: list[Value], kwargs: dict[str, Value],
           where: CallExpr) -> Value:
    """min, max, abs, int, float, round, bool on plain values; abs of a Typed value."""
    value = args[0] if len(args) == 1 else None
    if name == "abs" and not kwargs and isinstance(value, TypedValue):
        if value.abstract is None:
            return value
        return TypedValue(rules.unary(UnaryOp.ABS, value.abstract))
    if kwargs or any(isinstance(a, (TypedValue, ResultValue)) for a in args):
        raise interp.unsupported(f"`{name}` on tnp values", where)
    if any(a is OPAQUE for a in args):
        return OPAQUE
    try:
        return _PLAIN[name](*args)
    except (TypeError, ValueError, OverflowError):
        raise Stop(None) from None


def _iterator(interp: Interpreter, name: str, args: list[Value], kwargs: dict[str, Value],
              where: CallExpr) -> Value:
    """enumerate, zip, list, tuple, reversed: lazy iterators, or a list built against the
    budget (`list(range(10**9))` stops when the budget ends)."""
    if any(a is OPAQUE for a in args):
        return OPAQUE
    if kwargs or any(not isinstance(a, ITERABLE) for a in args):
        raise interp.unsupported(f"`{name}` of values it does not know", where)
    iterables = [a for a in args if isinstance(a, ITERABLE)]
    if name == "enumerate" and len(iterables) == 1:
        return enumerate(iterables[0])
    if name == "zip":
        return zip(*iterables, strict=False)
    if name == "reversed" and len(iterables) == 1 and isinstance(
        iterables[0], (range, tuple, list)
    ):
        return reversed(iterables[0])
    if name in ("list", "tuple") and len(iterables) == 1:
        items: list[Value] = []
        for item in iterables[0]:
            control.tick(interp, where)
            items.append(item)
        return items if name == "list" else tuple(items)
    raise interp.unsupported(f"this call of `{name}`", where)


def _sum(interp: Interpreter, name: str, args: list[Value], kwargs: dict[str, Value],
         where: CallExpr) -> Value:
    return comprehensions.builtin_sum(interp, args, kwargs, where)


def _isinstance(interp: Interpreter, name: str, args: list[Value], kwargs: dict[str, Value],
                where: CallExpr) -> Value:
    """`isinstance(x, Typed)` (or a tuple of classes) on a value the interpreter knows,
    as `assert isinstance(acc, Typed)` narrows an accumulator that started as `0`."""
    if kwargs or len(args) != 2 or args[0] is OPAQUE:
        raise interp.unsupported("this call of `isinstance`", where)
    value, classes = args
    targets = classes if isinstance(classes, tuple) else (classes,)
    answers = [_instance_of(value, t) for t in targets]
    if any(answer is None for answer in answers):
        raise interp.unsupported("`isinstance` with a class it does not know", where)
    return any(answers)


def _instance_of(value: Value, cls: Value) -> bool | None:
    """`isinstance(value, cls)` for the classes tnp kernels test; None for any other class."""
    if not isinstance(cls, Builtin):
        return None
    kinds: dict[str, type | tuple[type, ...]] = {
        "Typed": TypedValue, "TypedResult": ResultValue, "FullDim": FullDim,
    }
    member = names.API.get(cls.fullname)
    if member in kinds:
        return isinstance(value, kinds[member])
    plain: dict[str, type] = {"builtins.int": int, "builtins.float": float, "builtins.bool": bool}
    if cls.fullname in plain:
        # A symbolic loop index is an integer at every k: what `isinstance` says of any int.
        subject = 0 if symbolic.is_symbolic(value) else value
        return isinstance(subject, plain[cls.fullname])
    return None


def _other(interp: Interpreter, name: str, args: list[Value], kwargs: dict[str, Value],
           where: CallExpr) -> Value:
    """A builtin not followed: harmless on plain values."""
    if any(isinstance(v, (TypedValue, ResultValue)) for v in (*args, *kwargs.values())):
        raise interp.unsupported(f"the builtin `{name}` on tnp values", where)
    return OPAQUE


BUILTINS: Final[dict[str, Handler]] = {
    **{name: _pure for name in _PURE},
    "len": _len,
    "range": _range,
    **{name: _plain for name in _PLAIN},
    **{name: _iterator for name in ("enumerate", "zip", "list", "tuple", "reversed")},
    "sum": _sum,
    "isinstance": _isinstance,
}


# -- methods of plain values -------------------------------------------------------------------


def method(interp: Interpreter, bound: BoundMethod, args: list[Value], kwargs: dict[str, Value],
           where: CallExpr) -> Value:
    """A method of a plain value: lists' and dicts' are followed; others (str.format, an
    array's methods) have no tnp effect."""
    receiver = bound.receiver
    if interp.speculations and isinstance(receiver, (list, dict)) and bound.name in _CHANGES:
        # A container outlives the symbolic step, which stands for many iterations: what each
        # would add cannot be written once. Abandoned before the change (`induction`).
        raise Abandon(f"`{type(receiver).__name__}.{bound.name}` in the symbolic step")
    if isinstance(receiver, str) and bound.name in ("format", "join"):
        return _str_method(receiver, bound.name, args, kwargs)
    if isinstance(receiver, list):
        return _list_method(interp, receiver, bound.name, args, kwargs, where)
    if isinstance(receiver, dict):
        return comprehensions.dict_method(interp, receiver, bound.name, args, kwargs, where)
    if any(isinstance(v, ResultValue) for v in (*args, *kwargs.values())):
        return expressions.opaque_call(args, kwargs)
    return OPAQUE


# The list and dict methods that change their receiver (those the interpreter follows, and
# those it would refuse anyway).
_CHANGES: Final = frozenset({
    "append", "extend", "pop", "insert", "remove", "clear", "sort", "reverse", "update",
    "setdefault", "popitem",
})


def _str_method(text: str, name: str, args: list[Value], kwargs: dict[str, Value]) -> Value:
    """`str.format` and `str.join` of known plain values, computed: an f-string is made of
    them (mypy reads `f"N[0:{j}]"` as `"".join(["N[0:", "{:{}}".format(j, ""), "]"])`), so a
    spec written as an f-string of loop variables is known. Anything else is unknown."""
    plain = (str, int, float, bool)
    try:
        if name == "join" and len(args) == 1 and not kwargs and isinstance(args[0], (list, tuple)):
            if all(isinstance(item, str) for item in args[0]):
                return text.join(args[0])
        # A symbolic loop index formats as a token the spec grammar reads back (`symbolic`).
        if name == "format" and all(
            isinstance(v, plain) or symbolic.is_symbolic(v) for v in (*args, *kwargs.values())
        ):
            return text.format(*args, **kwargs)
    except (ValueError, IndexError, KeyError, TypeError):
        pass
    return OPAQUE


def _list_method(
    interp: Interpreter, items: list[Value], name: str, args: list[Value],
    kwargs: dict[str, Value], where: CallExpr,
) -> Value:
    """The list methods that change a list, followed; others stop the analysis."""
    if kwargs:
        raise interp.unsupported(f"`list.{name}` with keywords", where)
    if name == "append" and len(args) == 1:
        items.append(args[0])
        return None
    if name == "extend" and len(args) == 1 and isinstance(args[0], (list, tuple, range)):
        items.extend(args[0])
        return None
    if name == "pop" and len(args) <= 1 and items:
        index = args[0] if args else -1
        if isinstance(index, int) and -len(items) <= index < len(items):
            return items.pop(index)
    if name in ("index", "count") and len(args) == 1:
        return OPAQUE
    raise interp.unsupported(f"`list.{name}` here", where)
