"""`tnp.where` with a value condition and `tnp.opaque` functions: the runtime's side of
`core.opaque` (the same core rules, `core.operations.where` and `core.operations.call`, that
the mypy plugin applies to the same calls)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, Final, overload

import numpy as np

from tnp_runtime.core import operations
from tnp_runtime.core.diagnostics import Violation
from tnp_runtime.core.opaque import declare
from tnp_runtime.core.rules import Abstract, Scalar
from tnp_runtime.errors import fail, reraise
from tnp_runtime.typed import Condition, Typed, _align, _is_number, as_scalar

Operand = Typed[Any] | Scalar


def _abstract(value: Operand) -> Abstract | Scalar:
    return value.abstract if isinstance(value, Typed) else value


def _data(value: Operand, result: Abstract) -> Any:
    """`value`'s data with its axes in the result's order (a number as it is)."""
    if isinstance(value, Typed):
        return _align(value, result.dims)
    return np.float64(value)


def _operand(value: object, what: str) -> Operand:
    if isinstance(value, Typed):
        return value
    if _is_number(value):
        return as_scalar(value)
    raise TypeError(f"{what} takes Typed values or numbers, got {type(value).__name__}")


def where(cond: object, a: object, b: object) -> Typed[Any]:
    """`tnp.where(x > y, a, b)`: `a` where the comparison holds, else `b` (pointwise)."""
    if not isinstance(cond, Condition):
        fail(operations.where_condition_diagnostic(type(cond).__name__))
    then, other = _operand(a, "where"), _operand(b, "where")
    operands = [cond.left, cond.right, then, other]
    try:
        value = operations.where(cond.relation, *(_abstract(o) for o in operands))
    except Violation as err:
        reraise(err)
    x, y, first, second = (_data(o, value) for o in operands)
    with np.errstate(invalid="ignore"):
        holds = _RELATIONS[cond.relation](x, y)
    data = np.broadcast_to(np.where(holds, first, second), [s.length for s in value.dims])
    return Typed._make(np.array(data, dtype=np.float64), value)


_RELATIONS: Final[dict[str, Callable[[Any, Any], Any]]] = {
    ">": np.greater, ">=": np.greater_equal, "<": np.less, "<=": np.less_equal,
}


class OpaqueFunction:
    """A NumPy function declared to tnp (`tnp.opaque`): applied to Typed values it keeps their
    dims and records an uninterpreted function of its arguments (`core.opaque`), so the kernel
    is still checked; on plain numbers it is the function itself. It must be elementwise: its
    result has the shape of its (broadcast) arguments."""

    __slots__ = ("fn", "func", "name")

    def __init__(self, name: str, fn: Callable[..., Any]) -> None:
        if not name.isidentifier():
            raise TypeError(f"tnp.opaque: the name must be an identifier, got {name!r}")
        parameters = inspect.signature(fn).parameters.values()
        arity = sum(
            1 for p in parameters
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
        )
        self.name = name
        self.fn = fn
        self.func = declare(name, arity, fn)

    def __call__(self, *args: object) -> Any:
        operands = [_operand(a, self.name) for a in args]
        if not any(isinstance(o, Typed) for o in operands):
            return float(self.fn(*operands))
        try:
            value = operations.call(self.func, [_abstract(o) for o in operands])
        except Violation as err:
            reraise(err)
        with np.errstate(all="ignore"):
            data = np.asarray(self.fn(*(_data(o, value) for o in operands)), dtype=np.float64)
        shape = tuple(s.length for s in value.dims)
        if data.shape != shape:
            raise TypeError(
                f"tnp.opaque function {self.name} must be elementwise: it returned shape "
                f"{data.shape} for arguments of shape {shape}"
            )
        return Typed._make(data.copy(), value)

    def __repr__(self) -> str:
        return f"tnp.opaque({self.name!r})"


@overload
def opaque(name: str, fn: Callable[..., Any]) -> OpaqueFunction: ...
@overload
def opaque(name: Callable[..., Any]) -> OpaqueFunction: ...
def opaque(name: str | Callable[..., Any], fn: Callable[..., Any] | None = None
                    ) -> OpaqueFunction:
    """`tnp.opaque("softplus", lambda x: np.log1p(np.exp(x)))`, or `@tnp.opaque` on a `def`
    (named after the function)."""
    if callable(name) and fn is None:
        return OpaqueFunction(name.__name__, name)
    if isinstance(name, str) and fn is not None and callable(fn):
        return OpaqueFunction(name, fn)
    raise TypeError('tnp.opaque("name", function), or @tnp.opaque on a def')
