"""The values the interpreter computes with.

Plain Python values stand for themselves: ints, floats, bools, None, strings, tuples, ranges,
slices, and the core's `FullDim` and `Sliced`. tnp values wrap core state: a `TypedValue` holds
the same `Abstract` the runtime's `Typed` holds, a `ResultValue` the same `ResultTracker`.
`OPAQUE` is a value the interpreter does not know (an array, an RNG, another module's helper):
harmless until it meets a tnp operation or decides control flow, where analysis stops.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from mypy.nodes import FuncDef

from tnp_runtime.core.ir import Input
from tnp_runtime.core.rules import Abstract
from tnp_runtime.core.tracker import ResultTracker


class _Opaque:
    __slots__ = ()

    def __repr__(self) -> str:
        return "OPAQUE"


OPAQUE: Final = _Opaque()


@dataclass(eq=False, slots=True)
class TypedValue:
    """A `Typed`; `abstract` is None after a reported `tnp-dim` (the runtime raised there), so
    nothing computed from it is reported again."""

    abstract: Abstract | None


@dataclass(eq=False, slots=True)
class ResultValue:
    """A `TypedResult` created at `line` (None: a kernel's parameter).

    `escaped`: it left the code the interpreter follows, so its coverage is not checked at the
    end of the scope. `failed`: an error was reported on it; the runtime stops at the first, so
    no further coverage error is derived from a state the runtime never reaches.
    """

    tracker: ResultTracker | None
    line: int | None
    column: int = -1
    escaped: bool = False
    failed: bool = False
    # The inputs bound to names where it was made (script form resolves its spec against them).
    scope_inputs: tuple[Input, ...] = ()


@dataclass(frozen=True, slots=True)
class FunctionValue:
    """A function of the module being checked, inlined when called."""

    node: FuncDef
    kernel: bool


@dataclass(frozen=True, slots=True)
class ModuleValue:
    fullname: str


@dataclass(frozen=True, slots=True)
class Builtin:
    """A function or class the interpreter knows by full name (tnp's API, builtins, math)."""

    fullname: str


@dataclass(frozen=True, slots=True)
class BoundMethod:
    receiver: object
    name: str


Value = object
