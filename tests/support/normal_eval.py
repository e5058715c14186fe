"""Float64 evaluation of a normal form, written for the tests alone.

The prover's soundness rests on one property: a term and its normal form have the same value
at every index. `evaluate.Evaluator` evaluates terms (IR); this evaluates normal forms, with the
same deterministic inputs, so a test can compare the two without trusting either the normal
form's construction or the prover.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator

from tnp_runtime.core import ir, opaque
from tnp_runtime.core.dims import IntervalSet
from tnp_runtime.core.evaluate import input_value
from tnp_runtime.core.indexing import read_position
from tnp_runtime.core.normal import (
    Call,
    ExtInf,
    Func,
    Ind,
    Leaf,
    MaxAtom,
    MaxOf,
    Mono,
    Poly,
    SumAtom,
)
from tnp_runtime.core.normal_mask import Masked, MValue, PartialMax

_FUNCS = {"log": math.log, "sqrt": math.sqrt, "sin": math.sin, "cos": math.cos,
          "tanh": math.tanh, "erf": math.erf, "abs": abs}


def value_at(value: MValue, index: dict[str, int]) -> float:
    """The value at `index`; NaN where a function leaves its real domain or a divisor is 0
    (where "Proved" claims nothing), inf where exp overflows. A masked value is -inf where its
    predicate fails, a partial maximum where no guard holds."""
    if isinstance(value, ExtInf):
        return -math.inf if value.negative else math.inf
    try:
        if isinstance(value, Masked):
            return _poly(value.poly, index) if value.pred.holds(index) else -math.inf
        if isinstance(value, PartialMax):
            return max(_poly(arg, index) for arg in value.args)
        return _poly(value, index)
    except (ValueError, ZeroDivisionError):
        return math.nan
    except OverflowError:
        return math.inf


def _poly(poly: Poly, index: dict[str, int]) -> float:
    return math.fsum(float(coef) * _mono(mono, index) for mono, coef in poly.terms)


def _mono(mono: Mono, index: dict[str, int]) -> float:
    result = 1.0
    for atom, power in mono.factors:
        result *= _atom(atom, index) ** power
    if mono.exponent is not None:
        result *= math.exp(_poly(mono.exponent, index))
    return result


def _bound(
    bindings: tuple[tuple[str, IntervalSet], ...], index: dict[str, int]
) -> Iterator[dict[str, int]]:
    ranges = [
        [i for interval in over.intervals for i in range(interval.start, interval.stop)]
        for _, over in bindings
    ]
    for point in itertools.product(*ranges):
        yield {**index, **{dim: i for (dim, _), i in zip(bindings, point, strict=True)}}


def _atom(
    atom: Leaf | SumAtom | MaxAtom | MaxOf | Func | Call | Ind, index: dict[str, int]
) -> float:
    match atom:
        case Ind(pred=pred):
            return 1.0 if pred.holds(index) else 0.0
        case MaxAtom(bindings=bindings, body=body, guard=guard) if guard is not None:
            kept = [_poly(body, inner) for inner in _bound(bindings, index) if guard.holds(inner)]
            return max(kept, default=-math.inf)
        case Leaf(input=node, index=positions):
            read = ir.read(node, dict(positions))
            if isinstance(read, ir.Read):
                return input_value(node, read_position(read, index))
            return input_value(node, tuple(index[d] for d in node.dims))
        case SumAtom(bindings=bindings, body=body):
            return math.fsum(_mono(body, inner) for inner in _bound(bindings, index))
        case MaxAtom(bindings=bindings, body=body):
            return max(_poly(body, inner) for inner in _bound(bindings, index))
        case MaxOf(args=args):
            return max(_poly(arg, index) for arg in args)
        case Func(name="group", arg=arg):
            return _poly(arg, index)
        case Func(name=name, arg=arg):
            return _FUNCS[name](_poly(arg, index))
        case Call(func=func, args=args) if func.is_where:  # (d, a, b)
            d, a, b = (_poly(arg, index) for arg in args)
            return opaque.where_value(func, d, 0.0, a, b)
        case Call(func=func, args=args):
            return opaque.stand_in(func, [_poly(arg, index) for arg in args])
    raise AssertionError(atom)


def close(a: float, b: float, scale: float = 1.0) -> bool:
    """Equal up to float64 round-off, relative to `scale` (the size of the terms summed)."""
    if math.isnan(a) or math.isnan(b):
        return True  # outside the real domain of log/sqrt: nothing is claimed there
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= 1e-7 * max(1.0, abs(a), abs(b), scale)

