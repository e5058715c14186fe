"""Both sides of a failed tile evaluated for its message, with their round-off bounds.

The spot check (`spot_check`) evaluates a *proved* tile's two sides and calls a difference
beyond rounding a bug of tnp. A *failed* tile's message needs the same evaluation the other way
round: where do the sides differ, by how much, and is that beyond what float64 rounding of the
two terms explains? `judge` walks both sides as the spot check does (its points, input
distributions and compression of large dims, so a kernel of any size gets numbers); `bound_at`
gives the round-off bound at the counterexample evaluator's own inputs (`evaluate`), position by
position. Both run only once a check has failed, and never decide a verdict.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass

from tnp_runtime.core import evaluate, symbolic
from tnp_runtime.core.dims import DimType
from tnp_runtime.core.indexing import read_dims
from tnp_runtime.core.ir import Expr, Input
from tnp_runtime.core.spot_check import (
    _DISTRIBUTIONS,
    COMPRESSIONS,
    MAX_STEPS,
    POINTS,
    _Budget,
    _compare,
    _Inconclusive,
    _mask_dims,
    _Partitions,
    _points,
    _reaches,
    _ReadsPositions,
    _Walker,
)


@dataclass(frozen=True, slots=True)
class Judged:
    """Both sides of a refuted tile evaluated at one index as the spot check does: the values,
    the round-off bound of their difference (the spot check's tolerance: SAFETY times both
    sides' bounds), and how the inputs were drawn. `beyond`: the difference exceeds it."""

    index: tuple[tuple[str, int], ...]
    kernel_value: float
    spec_value: float
    tolerance: float
    inputs: str

    @property
    def beyond(self) -> bool:
        return abs(self.kernel_value - self.spec_value) > self.tolerance


def judge(
    kernel: Expr,
    spec: Expr,
    tile: DimType,
    sizes: Mapping[str, int] | None = None,
    cuts: Mapping[str, frozenset[int]] | None = None,
) -> Judged | None:
    """For the message of a tile the prover could not prove (never on the success path): the
    first index, at the spot check's points and inputs, where the two sides differ beyond what
    float64 rounding explains; else the last point where they could be compared (within
    rounding); None when no point is conclusive within the budget. Large dims are compressed
    as in `spot_check`, so a kernel of any size gets its numbers: the inputs, constant on random
    blocks, are as valid as any, so a difference on them is a real one. `cuts`: positions of a
    compressed dim where a block must start (the ends of the intervals the two sides reduce
    over), so that two pieces of a dim the sides combine differently get values of their own
    (a running sum not rescaled between its first and second tile differs only when the
    second tile's inputs differ from the first's)."""
    if symbolic.active():
        return None
    extents = {**(sizes or {}), **{s.name: s.dim.size for s in tile}}
    if not sizes:
        extents = {**_reaches(kernel, spec), **extents}
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 100_000))
    try:
        exact: frozenset[str] = frozenset()
        masked = _mask_dims(kernel, spec)
        rungs = list(COMPRESSIONS)
        while rungs:
            blocks, specials = rungs[0]
            partitions = _Partitions(extents, blocks, specials, exact, masked, cuts)
            try:
                return _judge(kernel, spec, tile, partitions)
            except _Inconclusive:
                return None
            except _ReadsPositions:
                exact = read_dims(kernel) | read_dims(spec)
                continue
            except _Budget:
                if partitions.all_exact():
                    return None
                rungs.pop(0)
    finally:
        sys.setrecursionlimit(limit)
    return None


class _AtInputs(_Walker):
    """The walker on the counterexample evaluator's inputs (`evaluate.input_value`), every dim
    exact: the round-off bound of the values `evaluate` computed."""

    def __init__(
        self, partitions: _Partitions, steps: list[int], labels: Mapping[Input, str]
    ) -> None:
        super().__init__(partitions, -1.0, 1.0, steps)
        self.labels = labels

    def input(self, node: Input, classes: list[int]) -> float:
        return evaluate.input_value(node, tuple(classes), self.labels.get(node))


def bound_at(
    kernel: Expr,
    spec: Expr,
    index: tuple[tuple[str, int], ...],
    labels: Mapping[Input, str],
    sizes: Mapping[str, int] | None = None,
) -> float | None:
    """The round-off tolerance (as `_compare` measures it) of the two sides at `index` on the
    counterexample evaluator's inputs, position by position; None past the budget or where the
    values give no bound (NaN, overflow). For a message only."""
    extents = {**_reaches(kernel, spec), **(sizes or {}), **dict((d, i + 1) for d, i in index)}
    partitions = _Partitions(extents, 1, 1, exact=frozenset(extents))
    walker = _AtInputs(partitions, [MAX_STEPS], labels)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 100_000))
    try:
        k, s = walker.at(kernel, dict(index)), walker.at(spec, dict(index))
    except (_Budget, _Inconclusive, _ReadsPositions, RecursionError):
        return None
    finally:
        sys.setrecursionlimit(limit)
    disagree, tolerance = _compare(k, s)
    return None if disagree is None else tolerance


def _judge(kernel: Expr, spec: Expr, tile: DimType, partitions: _Partitions) -> Judged | None:
    steps = [MAX_STEPS]
    last: Judged | None = None
    for n, point in enumerate(_points(tile, POINTS)):
        low, high = _DISTRIBUTIONS[n % len(_DISTRIBUTIONS)]
        walker = _Walker(partitions, low, high, steps)
        env = {name: partitions.of(name, i + 1).class_of(i) for name, i in point.items()}
        k, s = walker.at(kernel, dict(env)), walker.at(spec, dict(env))
        disagree, tolerance = _compare(k, s)
        if disagree is None:
            continue
        how = f"inputs drawn uniformly from [{low:g}, {high:g})"
        compressed = partitions.compressed()
        if compressed:
            how += f", constant on random blocks of {', '.join(compressed)}"
        last = Judged(tuple(point.items()), k[0], s[0], tolerance, how)
        if disagree:
            return last
    return last


__all__ = ["Judged", "bound_at", "judge"]
