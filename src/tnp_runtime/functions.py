"""Free functions of the API: einsum, the elementwise functions (made from the registry,
`core.elementwise`), max, constructors.

Each takes `Typed` values (or plain numbers where that makes sense) and applies the same core
rule the mypy plugin applies to the same call.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from typing import Any, Final, Protocol, TypeVar, cast, overload

import numpy as np

from tnp_runtime.core import rules
from tnp_runtime.core.diagnostics import Violation
from tnp_runtime.core.dims import FullDim
from tnp_runtime.core.elementwise import ELEMENTWISE, Elementwise
from tnp_runtime.core.ir import Input, inputs_of
from tnp_runtime.core.reveal import reveal_text
from tnp_runtime.errors import reraise
from tnp_runtime.typed import Number, Typed, _is_number, as_scalar, spec_input


def dim(name: str, size: int) -> FullDim:
    """`tnp.dim("M", 128)`: the same as `FullDim("M", 128)`."""
    return FullDim(name, size)


def einsum(*args: Any) -> Typed[Any]:
    """`einsum(x, y, "M N, N K -> M K")`: operands first, subscripts last, dims by name."""
    if not args or not isinstance(args[-1], str):
        raise TypeError('einsum(x, y, "M N, N K -> M K"): the subscripts come last')
    *operands, subscripts = args
    for operand in operands:
        if not isinstance(operand, Typed):
            raise TypeError(f"einsum operands must be Typed values, got {type(operand).__name__}")
    try:
        step = rules.einsum([o.abstract for o in operands], subscripts)
    except Violation as err:
        reraise(err)
    data = np.einsum(step.numpy_subscripts, *(o._data for o in operands))
    return Typed._make(np.asarray(data, dtype=np.float64), step.value)


class ElementwiseFunction(Protocol):
    """The type of `tnp.exp`, `tnp.log`, ...: a Typed value in, a Typed value out; a plain
    number in, a float out (the stubs declare each one with these overloads)."""

    @overload
    def __call__(self, x: Typed[Any]) -> Typed[Any]: ...
    @overload
    def __call__(self, x: Number) -> float: ...


def _elementwise(function: Elementwise) -> ElementwiseFunction:
    """`tnp.<name>` for one entry of the registry."""

    def apply(x: Any) -> Any:
        if isinstance(x, Typed):
            return x.unary(function.op)
        if _is_number(x):
            # math's functions take ints as they are (math.log of a huge int is finite)
            return function.real(cast(float, as_scalar(x)))
        raise TypeError(
            f"{function.name}() takes a Typed value or a number, got {type(x).__name__}"
        )

    apply.__name__ = apply.__qualname__ = function.name
    apply.__doc__ = (
        f"`tnp.{function.name}(x)`: elementwise {function.name} of a Typed value (recorded in "
        f"its ExprType); of a plain number, a float."
    )
    return cast(ElementwiseFunction, apply)


ELEMENTWISE_FUNCTIONS: Final[Mapping[str, ElementwiseFunction]] = {
    name: _elementwise(function) for name, function in ELEMENTWISE.items()
}
"""`tnp.exp`, `tnp.log`, ...: one function per entry of `core.elementwise.ELEMENTWISE`, made
here and published as this module's attributes (the package exports them by the same names)."""
globals().update(ELEMENTWISE_FUNCTIONS)


def max(x: Any, y: Any) -> Any:
    """Elementwise max; on two plain numbers, a plain number like `builtins.max`."""
    if isinstance(x, Typed):
        return x.maximum(y)
    if isinstance(y, Typed):
        return y.maximum(x, reflected=True)
    return builtins.max(x, y)


def min(x: Any, y: Any) -> Any:
    """Elementwise min; on two plain numbers, a plain number like `builtins.min`."""
    if isinstance(x, Typed):
        return x.minimum(y)
    if isinstance(y, Typed):
        return y.minimum(x, reflected=True)
    return builtins.min(x, y)


T = TypeVar("T")


def reveal(value: T) -> T:
    """Print a `Typed` value's DimType and ExprType and return it unchanged; under mypy the
    plugin shows the same text as a note (like `reveal_type`)."""
    if isinstance(value, Typed):
        sizes = {
            s.name: s.dim.size
            for leaf in inputs_of(value.expr_type)
            if isinstance(leaf, Input)
            for s in spec_input(leaf).dims
        }
        print(f"tnp.reveal: {reveal_text(value.abstract, sizes)}")
    else:
        print(f"tnp.reveal: {value!r} (not a Typed value)")
    return value


def randn(*dims: FullDim, name: str | None = None, seed: int | None = None) -> Typed[Any]:
    """A `Typed` input of standard normal values over `dims`."""
    rng = np.random.default_rng(seed)
    return Typed(rng.standard_normal(tuple(d.size for d in dims)), *dims, name=name)
