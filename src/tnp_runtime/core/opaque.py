"""Functions the prover knows nothing about but their identity: declared opaque functions and
`where` with a value condition.

An `ir.Apply` node applies an `Opaque` function to argument terms. The prover treats it as an
uninterpreted function: the same function applied to equal arguments is equal, nothing else
(`normal_calls`). Two declarations are two functions, whatever their names (an `Opaque` is
compared by identity, like an input).

`where(x > y, a, b)` is the opaque function `WHERE_GT` of (x, y, a, b) (and `x >= y` is
`WHERE_GE`; `x < y` is `y > x`): the normal form knows its few identities (`normal_calls`),
and the evaluators know its value.

Evaluation. A declared function is Python code over NumPy: the runtime applies it to the data,
but the evaluators of the core (counterexamples, `evaluate`; the spot check, `spot_check`) run
in the plugin too, which runs no user code. They evaluate a declared function as a *stand-in*:
a smooth function of its arguments fixed by the function's name, `sin(Σ a_i x_i + b)`. A proof
holds for every function (the function is uninterpreted), so the stand-in is as valid an
interpretation as the real one for the spot check, and both halves print the same
counterexamples. A counterexample then shows the stand-in's values, not the declared
function's: the message says "on random inputs" already, and names the functions stood in for.

This module imports the standard library only (the plugin uses it).
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

_SERIALS: Final = itertools.count(1)


@dataclass(frozen=True, eq=False, slots=True, weakref_slot=True)
class Opaque:
    """One function: its `name` (spec text and messages), its number of arguments, and a
    `serial` telling declarations apart. `call` is the runtime's implementation on arrays or
    numbers (None in the plugin); the core never calls it."""

    name: str
    arity: int
    serial: int
    call: Callable[..., object] | None = field(default=None, repr=False)

    @property
    def is_where(self) -> bool:
        return self in WHERES


def declare(name: str, arity: int, call: Callable[..., object] | None = None) -> Opaque:
    """A new opaque function, distinct from every other."""
    return Opaque(name, arity, next(_SERIALS), call)


WHERE_GT: Final = Opaque("where>", 4, 0)
"""where(x > y, a, b), applied to (x, y, a, b)."""
WHERE_GE: Final = Opaque("where>=", 4, 0)
"""where(x >= y, a, b), applied to (x, y, a, b)."""
WHERES: Final = frozenset({WHERE_GT, WHERE_GE})


def where_value(func: Opaque, x: float, y: float, a: float, b: float) -> float:
    """The value of `where` at one point (NaN where the condition is NaN)."""
    if x != x or y != y:
        return math.nan
    taken = x > y if func is WHERE_GT else x >= y
    return a if taken else b


def _coefficients(func: Opaque) -> tuple[float, list[float]]:
    """(b, [a_i]) of the stand-in, fixed by the function's name and arity alone (so the two
    halves agree), each a_i in [0.5, 1.5)."""
    digest = hashlib.blake2b(f"{func.name}|{func.arity}".encode(), digest_size=32).digest()
    words = [int.from_bytes(digest[i : i + 2], "little") / 65536 for i in range(0, 32, 2)]
    return words[0] * math.pi, [0.5 + words[1 + i % 15] for i in range(func.arity)]


def stand_in(func: Opaque, args: Sequence[float]) -> float:
    """The stand-in value of a declared function (see the module docstring)."""
    offset, weights = _coefficients(func)
    return math.sin(offset + math.fsum(w * x for w, x in zip(weights, args, strict=True)))


def stand_in_bound(func: Opaque, args: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """The stand-in's value and round-off bound for arguments with bounds (value, err): sin is
    1-Lipschitz, so the bound is the weighted sum of the arguments' bounds plus rounding."""
    _, weights = _coefficients(func)
    value = stand_in(func, [v for v, _ in args])
    spread = math.fsum(w * e for w, (_, e) in zip(weights, args, strict=True))
    return value, spread + 4 * 2.0**-52 * (1 + math.fsum(abs(v) for v, _ in args))
