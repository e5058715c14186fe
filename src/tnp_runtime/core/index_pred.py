"""Predicates on the positions of dims: what a mask keeps (`qctx >= nctx`, `qctx - nctx < 128`).

An `IndexPred` is a conjunction of linear atoms over dim positions, each kept in one canonical
form: `sum(coef_i * dim_i) + const >= 0` with integer coefficients whose gcd is 1 (strict and
reversed comparisons are rewritten over the integers: `a < b` is `b - a - 1 >= 0`). Equal
predicates are therefore equal objects (frozen dataclasses: they hash and compare by value).

A predicate is decided on a box (a range of positions per dim) by interval arithmetic:
`TRUE` when it holds at every index of the box, `FALSE` when it holds at none, else `BAND`.
That is exact for one atom; for a conjunction `FALSE` is only claimed when one atom alone is
false on the whole box (a conjunction of two half-true atoms may still be empty: `BAND` then
keeps the mask, which is sound, only less simplified).

Built in user code from `FullDim`s: `qctx >= nctx`, `qctx - nctx < 128`, `nctx < 100`, joined
with `&`. A predicate has no truth value (`bool(pred)` raises), so `a < b < c` and `and` fail
loudly instead of silently meaning something else.
"""

from __future__ import annotations

import enum
import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# A range of positions of one dim: (lowest, highest), both included.
Range = tuple[int, int]


class Truth(enum.Enum):
    TRUE = "true"
    FALSE = "false"
    BAND = "band"


def _ceil_div(a: int, b: int) -> int:
    return -((-a) // b)


@dataclass(frozen=True, slots=True)
class Linear:
    """`sum(coef * dim) + const` over dim positions; `terms` sorted by dim, no zero coef."""

    terms: tuple[tuple[str, int], ...]
    const: int

    @staticmethod
    def of(value: object) -> Linear:
        """A dim (anything with a `name`), an integer or a `Linear` as a `Linear`."""
        if isinstance(value, Linear):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return Linear((), value)
        name = getattr(value, "name", None)
        if isinstance(name, str) and isinstance(getattr(value, "size", None), int):
            return Linear(((name, 1),), 0)
        raise TypeError(
            f"an index predicate relates dims and integers (qctx >= nctx, nctx < 100), "
            f"got {value!r}"
        )

    @staticmethod
    def make(terms: Iterable[tuple[str, int]], const: int) -> Linear:
        summed: dict[str, int] = {}
        for dim, coef in terms:
            summed[dim] = summed.get(dim, 0) + coef
        return Linear(tuple(sorted((d, c) for d, c in summed.items() if c)), const)

    def __add__(self, other: object) -> Linear:
        o = Linear.of(other)
        return Linear.make(self.terms + o.terms, self.const + o.const)

    __radd__ = __add__

    def __neg__(self) -> Linear:
        return Linear(tuple((d, -c) for d, c in self.terms), -self.const)

    def __sub__(self, other: object) -> Linear:
        return self + (-Linear.of(other))

    def __rsub__(self, other: object) -> Linear:
        return Linear.of(other) + (-self)

    def __mul__(self, factor: object) -> Linear:
        if not isinstance(factor, int) or isinstance(factor, bool):
            raise TypeError(f"a dim can only be multiplied by an integer, got {factor!r}")
        return Linear.make(((d, c * factor) for d, c in self.terms), self.const * factor)

    __rmul__ = __mul__

    def __ge__(self, other: object) -> IndexPred:
        return IndexPred.of_atom(self - other)

    def __gt__(self, other: object) -> IndexPred:
        return IndexPred.of_atom(self - other - 1)

    def __le__(self, other: object) -> IndexPred:
        return IndexPred.of_atom(Linear.of(other) - self)

    def __lt__(self, other: object) -> IndexPred:
        return IndexPred.of_atom(Linear.of(other) - self - 1)

    def span(self, ranges: Mapping[str, Range]) -> tuple[float, float]:
        """(min, max) over the box; infinite where a dim has no known range."""
        low: float = self.const
        high: float = self.const
        for dim, coef in self.terms:
            found = ranges.get(dim)
            if found is None:
                return (-math.inf, math.inf)
            lo, hi = found
            low += coef * (lo if coef > 0 else hi)
            high += coef * (hi if coef > 0 else lo)
        return (low, high)

    def at(self, index: Mapping[str, int]) -> int:
        return self.const + sum(coef * index[dim] for dim, coef in self.terms)

    def text(self) -> str:
        parts: list[str] = []
        for dim, coef in self.terms:
            mag = abs(coef)
            term = dim if mag == 1 else f"{mag} * {dim}"
            if not parts:
                parts.append(term if coef > 0 else f"-{term}")
            else:
                parts.append(f" {'+' if coef > 0 else '-'} {term}")
        if self.const or not parts:
            if not parts:
                parts.append(str(self.const))
            else:
                parts.append(f" {'+' if self.const > 0 else '-'} {abs(self.const)}")
        return "".join(parts)


@dataclass(frozen=True, slots=True)
class IndexAtom:
    """`lhs >= 0` with `lhs` reduced (gcd of coefficients 1) and at least one dim."""

    lhs: Linear

    @property
    def dims(self) -> frozenset[str]:
        return frozenset(d for d, _ in self.lhs.terms)

    def truth(self, ranges: Mapping[str, Range]) -> Truth:
        low, high = self.lhs.span(ranges)
        if low >= 0:
            return Truth.TRUE
        if high < 0:
            return Truth.FALSE
        return Truth.BAND

    def cuts(self, dim: str, ranges: Mapping[str, Range]) -> tuple[int, ...]:
        """Positions of `dim` where this atom, over the other dims' ranges, changes from
        false everywhere to a band to true everywhere (or back): each cut starts a piece.
        Empty when another dim of the atom has no known range."""
        coef = dict(self.lhs.terms).get(dim)
        if coef is None:
            return ()
        rest = Linear(tuple((d, c) for d, c in self.lhs.terms if d != dim), self.lhs.const)
        low, high = rest.span(ranges)
        if math.isinf(low):
            return ()
        lo, hi = int(low), int(high)
        if coef > 0:  # coef·d + rest >= 0  <=>  d >= -rest / coef
            return (_ceil_div(-hi, coef), _ceil_div(-lo, coef))
        k = -coef  # rest - k·d >= 0  <=>  d <= rest / k
        return (lo // k + 1, hi // k + 1)

    def text(self) -> str:
        """`qctx >= nctx`: dims with positive coefficients on the left, the others and the
        constant on the right (a lone constant on the left reads `nctx <= 99`)."""
        pos = Linear(tuple((d, c) for d, c in self.lhs.terms if c > 0), 0)
        neg = tuple((d, -c) for d, c in self.lhs.terms if c < 0)
        if not pos.terms:
            return f"{Linear(neg, 0).text()} <= {self.lhs.const}"
        return f"{pos.text()} >= {Linear(neg, -self.lhs.const).text()}"


@dataclass(frozen=True, slots=True)
class IndexPred:
    """A conjunction of atoms, sorted and without repeats; no atoms is `true`."""

    atoms: tuple[IndexAtom, ...]

    @staticmethod
    def of_atom(lhs: Linear) -> IndexPred:
        """The predicate `lhs >= 0`, reduced (a constant one is true or false: refused)."""
        if not lhs.terms:
            raise TypeError(
                f"an index predicate must relate at least one dim (this one is always "
                f"{'true' if lhs.const >= 0 else 'false'})"
            )
        g = math.gcd(*(c for _, c in lhs.terms))
        reduced = Linear(tuple((d, c // g) for d, c in lhs.terms), lhs.const // g)
        return IndexPred((IndexAtom(reduced),))

    @staticmethod
    def of_atoms(atoms: Iterable[IndexAtom]) -> IndexPred:
        return IndexPred(tuple(sorted(set(atoms), key=lambda a: (a.lhs.terms, a.lhs.const))))

    def __and__(self, other: object) -> IndexPred:
        if not isinstance(other, IndexPred):
            return NotImplemented
        return IndexPred.of_atoms(self.atoms + other.atoms)

    def __bool__(self) -> bool:
        raise TypeError(
            "an index predicate has no truth value: join predicates with `&` "
            "((qctx >= nctx) & (qctx - nctx < 128)), not `and` or a chained comparison"
        )

    @property
    def dims(self) -> frozenset[str]:
        return frozenset().union(*(a.dims for a in self.atoms))

    def holds(self, index: Mapping[str, int]) -> bool:
        return all(a.lhs.at(index) >= 0 for a in self.atoms)

    def truth(self, ranges: Mapping[str, Range]) -> Truth:
        found = Truth.TRUE
        for atom in self.atoms:
            t = atom.truth(ranges)
            if t is Truth.FALSE:
                return Truth.FALSE
            if t is Truth.BAND:
                found = Truth.BAND
        return found

    def cuts(self, dim: str, ranges: Mapping[str, Range]) -> set[int]:
        return {c for atom in self.atoms for c in atom.cuts(dim, ranges)}

    def on(self, ranges: Mapping[str, Range]) -> IndexPred:
        """The predicate on the box `ranges` where it is a band: its atoms true everywhere
        there dropped (on the box the conjunction is the same), so a kernel that masks a tile
        with only the comparisons the tile needs meets a spec that states them all."""
        kept = tuple(a for a in self.atoms if a.truth(ranges) is not Truth.TRUE)
        return IndexPred(kept) if kept else self

    def reposition(
        self, positions: Mapping[str, tuple[tuple[tuple[str, int], ...], int]]
    ) -> IndexPred | None:
        """The predicate with each dim of `positions` read at `sum(coef * dim) + offset`
        instead (a shifted read); None when it is false everywhere (an atom left constant and
        negative). An atom left constant and true is dropped."""
        atoms: list[IndexAtom] = []
        for atom in self.atoms:
            terms: list[tuple[str, int]] = []
            const = atom.lhs.const
            for dim, coef in atom.lhs.terms:
                found = positions.get(dim)
                if found is None:
                    terms.append((dim, coef))
                    continue
                inner, offset = found
                terms += [(d, coef * c) for d, c in inner]
                const += coef * offset
            lhs = Linear.make(terms, const)
            if not lhs.terms:
                if lhs.const < 0:
                    return None
                continue
            atoms += IndexPred.of_atom(lhs).atoms
        return IndexPred.of_atoms(atoms)

    def text(self) -> str:
        return " and ".join(a.text() for a in self.atoms) or "true"

    def __str__(self) -> str:
        return self.text()


def split(start: int, stop: int, cuts: Iterable[int]) -> list[tuple[int, int]]:
    """[start, stop) cut at the cuts strictly inside it, as half-open pieces in order."""
    inner = sorted(c for c in set(cuts) if start < c < stop)
    bounds = [start, *inner, stop]
    return list(itertools.pairwise(bounds))
