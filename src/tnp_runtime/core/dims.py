"""Logical dims, their slices, and sets of intervals.

A `FullDim` is a named axis with a size. A `Sliced` is the part of one dim a value currently
holds: always a half-open interval `[start, stop)` with `0 <= start < stop <= size`. A value's
DimType is a tuple of `Sliced`, one per dim, no dim twice; its order is the order of the data's
axes, but rules match dims by name, never by position.

`IntervalSet` is the canonical form of a union of intervals: sorted, disjoint, with touching
intervals merged, so two sets are equal exactly when they cover the same integers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tnp_runtime.core.index_pred import IndexPred, Linear
from tnp_runtime.core.symbolic import is_integer


@dataclass(frozen=True, slots=True)
class Interval:
    """The integers `start <= i < stop`; never empty."""

    start: int
    stop: int

    def __post_init__(self) -> None:
        if not self.start < self.stop:
            raise ValueError(f"empty interval {self.start}:{self.stop}")

    @property
    def length(self) -> int:
        return self.stop - self.start

    def contains(self, other: Interval) -> bool:
        return self.start <= other.start and other.stop <= self.stop

    def intersects(self, other: Interval) -> bool:
        return self.start < other.stop and other.start < self.stop

    def __str__(self) -> str:
        return f"{self.start}:{self.stop}"


@dataclass(frozen=True, slots=True)
class FullDim:
    """A logical dim: a name and a size. Equal dims have equal names and sizes."""

    name: str
    size: int

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise ValueError(f"dim name must be an identifier, got {self.name!r}")
        if not isinstance(self.size, int) or isinstance(self.size, bool) or self.size <= 0:
            raise ValueError(
                f"dim {self.name} must have a positive integer size, got {self.size!r}"
            )

    @property
    def full(self) -> Sliced:
        return Sliced(self, Interval(0, self.size))

    def __getitem__(self, index: slice) -> Sliced:
        """`M[0:5]`: the slice `[0, 5)` of M. Bounds must be explicit or omitted, no step."""
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError(f"index a dim with a slice such as {self.name}[0:4]")
        start = 0 if index.start is None else index.start
        stop = self.size if index.stop is None else index.stop
        if not (is_integer(start) and is_integer(stop)):
            raise TypeError(f"slice bounds of {self.name} must be integers")
        return Sliced(self, Interval(start, stop))

    def __str__(self) -> str:
        return self.name

    # Index predicates (`core/index_pred`): `qctx >= nctx`, `qctx - nctx < 128`. Equality stays
    # the dataclass's (dims are compared and hashed by value); only ordering builds predicates.
    def _position(self) -> Linear:
        return Linear(((self.name, 1),), 0)

    def __add__(self, other: object) -> Linear:
        return self._position() + other

    def __radd__(self, other: object) -> Linear:
        return self._position() + other

    def __sub__(self, other: object) -> Linear:
        return self._position() - other

    def __rsub__(self, other: object) -> Linear:
        return Linear.of(other) - self._position()

    def __neg__(self) -> Linear:
        return -self._position()

    def __mul__(self, factor: object) -> Linear:
        return self._position() * factor

    def __rmul__(self, factor: object) -> Linear:
        return self._position() * factor

    def __ge__(self, other: object) -> IndexPred:
        return self._position() >= other

    def __gt__(self, other: object) -> IndexPred:
        return self._position() > other

    def __le__(self, other: object) -> IndexPred:
        return self._position() <= other

    def __lt__(self, other: object) -> IndexPred:
        return self._position() < other


@dataclass(frozen=True, slots=True)
class Sliced:
    """The interval of `dim` a value holds. May lie outside the dim: rules check that."""

    dim: FullDim
    interval: Interval

    @property
    def name(self) -> str:
        return self.dim.name

    @property
    def start(self) -> int:
        return self.interval.start

    @property
    def stop(self) -> int:
        return self.interval.stop

    @property
    def length(self) -> int:
        return self.interval.length

    @property
    def is_full(self) -> bool:
        return self.interval == Interval(0, self.dim.size)

    @property
    def in_bounds(self) -> bool:
        return 0 <= self.interval.start and self.interval.stop <= self.dim.size

    def __str__(self) -> str:
        return f"{self.dim.name}[{self.interval}]"


DimType = tuple[Sliced, ...]


def dim_names(dims: DimType) -> tuple[str, ...]:
    return tuple(s.name for s in dims)


def render_dims(dims: DimType) -> str:
    """`M[0:5] K[0:10]`: every dim with its slice, in the value's order."""
    return " ".join(str(s) for s in dims) if dims else "(no dims)"


@dataclass(frozen=True, slots=True)
class IntervalSet:
    """A union of intervals in canonical form: sorted, disjoint, touching ones merged."""

    intervals: tuple[Interval, ...]

    @staticmethod
    def of(items: Iterable[Interval]) -> IntervalSet:
        ordered = sorted(items, key=lambda iv: (iv.start, iv.stop))
        merged: list[Interval] = []
        for iv in ordered:
            if merged and iv.start <= merged[-1].stop:
                last = merged[-1]
                merged[-1] = Interval(last.start, max(last.stop, iv.stop))
            else:
                merged.append(iv)
        return IntervalSet(tuple(merged))

    @staticmethod
    def single(interval: Interval) -> IntervalSet:
        return IntervalSet((interval,))

    @property
    def size(self) -> int:
        return sum(iv.length for iv in self.intervals)

    def is_disjoint(self, other: IntervalSet) -> bool:
        return not any(a.intersects(b) for a in self.intervals for b in other.intervals)

    def union(self, other: IntervalSet) -> IntervalSet:
        in_order = self.intervals and other.intervals
        if in_order and self.intervals[-1].stop <= other.intervals[0].start:
            # the common case when tiles arrive in order: append, merging if they touch
            last, first = self.intervals[-1], other.intervals[0]
            if last.stop == first.start:
                joined = Interval(last.start, first.stop)
                return IntervalSet(self.intervals[:-1] + (joined,) + other.intervals[1:])
            return IntervalSet(self.intervals + other.intervals)
        return IntervalSet.of(self.intervals + other.intervals)

    def difference(self, other: IntervalSet) -> IntervalSet:
        pieces: list[Interval] = []
        for iv in self.intervals:
            start = iv.start
            for cut in other.intervals:
                if cut.stop <= start or cut.start >= iv.stop:
                    continue
                if cut.start > start:
                    pieces.append(Interval(start, cut.start))
                start = max(start, cut.stop)
            if start < iv.stop:
                pieces.append(Interval(start, iv.stop))
        return IntervalSet(tuple(pieces))

    def issubset(self, other: IntervalSet) -> bool:
        return not self.difference(other).intervals

    def indices(self) -> Iterable[int]:
        for iv in self.intervals:
            yield from range(iv.start, iv.stop)

    def __str__(self) -> str:
        return ", ".join(str(iv) for iv in self.intervals)
