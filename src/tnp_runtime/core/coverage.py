"""Which regions of a result have been written: overlaps when a write lands, gaps at the end.

A region is a box: a DimType with one `Sliced` per dim of the result, dims matched by name. A
written region may list its dims in any order; internally every box is normalised to the
target's order and held as a tuple of `(start, stop)` pairs, one per target dim.

Invariants of a `Coverage`:
- every recorded box lies inside the target and has exactly the target's dim names;
- recorded boxes are pairwise disjoint: a write that intersects an earlier one is reported
  (`tnp-overlap`) and not recorded;
- therefore the written volume is the sum of the boxes' volumes, and the result is complete
  exactly when that sum equals the target's volume.

Cost: `record` is O(1) expected per write for tiles of similar size (a dict for exact
duplicates, a uniform grid hash for partial overlaps), so 4096 tiles take milliseconds.
`missing` compresses coordinates and is meant for the error path only.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator

from tnp_runtime.core.diagnostics import Code, Diagnostic
from tnp_runtime.core.dims import DimType, Interval, Sliced, dim_names, render_dims

# A region in the target's dim order: one half-open `(start, stop)` per dim, never empty.
_Box = tuple[tuple[int, int], ...]
# A grid cell: per dim, `coordinate // cell size`.
_Cell = tuple[int, ...]

# A box touching more grid cells than this is not registered cell by cell (that would cost
# memory and time proportional to its volume) but kept in a short list checked on every write.
_MAX_CELLS_PER_BOX = 64
# The overlap search may test on average this many earlier boxes per write before the grid is
# rebuilt with a cell size fitted to the boxes written so far (tiles of mixed sizes).
_PROBES_PER_WRITE = 16
_PROBE_SLACK = 1024
# `tnp-coverage` messages list this many regions, then "and N more".
_MAX_LISTED = 4


def overlap_diagnostic(written_twice: DimType, earlier: DimType) -> Diagnostic:
    """`tnp-overlap`: `written_twice` (the intersection) was already written by `earlier`."""
    return Diagnostic(
        Code.OVERLAP,
        f"result region {render_dims(written_twice)} written twice: "
        f"it overlaps the earlier write of {render_dims(earlier)}",
    )


def incomplete_diagnostic(
    spec: str, where: str, missing: list[DimType], unwritten: int, total: int
) -> Diagnostic:
    """`tnp-coverage`: the result of `spec` has `missing` regions unwritten at `where`.

    `where` is a phrase such as "when the kernel returns"; `unwritten` and `total` count
    elements, `0 < unwritten <= total`.
    """
    listed = ", ".join(render_dims(region) for region in missing[:_MAX_LISTED])
    if len(missing) > _MAX_LISTED:
        listed += f" and {len(missing) - _MAX_LISTED} more"
    noun = "region" if len(missing) == 1 else "regions"
    notes = [f"{unwritten} of {total} elements never written ({_percent(unwritten, total)})"]
    if unwritten == total:
        notes.append("no region of the result was written")
    return Diagnostic(
        Code.COVERAGE,
        f"result `{spec}` incomplete {where}: {len(missing)} {noun} never written: {listed}",
        tuple(notes),
    )


class Coverage:
    """The regions of one result written so far.

    Mutable by design (it accumulates writes); not a value type. See the module docstring for
    its invariants. Regions outside the target or with other dim names are the caller's
    error: `record` raises `ValueError` for them; test with `contains` first.
    """

    __slots__ = (
        "_cell_size",
        "_cells",
        "_index_of_box",
        "_large",
        "_names",
        "_probes",
        "_target",
        "_target_box",
        "_target_volume",
        "_writes_at_rebuild",
        "_written",
        "_written_volume",
    )

    def __init__(self, target: DimType) -> None:
        names = dim_names(target)
        if len(set(names)) != len(names):
            raise ValueError(f"result dims repeat a name: {render_dims(target)}")
        self._target = target
        self._names = names
        self._target_box: _Box = tuple((s.start, s.stop) for s in target)
        self._target_volume = _volume(self._target_box)
        self._written: list[_Box] = []
        # exact duplicates are the usual bug (a loop that steps by less than its tile): O(1)
        self._index_of_box: dict[_Box, int] = {}
        self._written_volume = 0
        # the grid is set up by the first write, whose extents give the cell size
        self._cell_size: tuple[int, ...] | None = None
        self._cells: dict[_Cell, list[int]] = {}
        self._large: list[int] = []
        self._probes = 0
        self._writes_at_rebuild = 0

    @property
    def target(self) -> DimType:
        """The result's full region, in the result's dim order."""
        return self._target

    @property
    def written_regions(self) -> tuple[DimType, ...]:
        """The recorded writes in the order they happened, each in the target's dim order."""
        return tuple(self._render(box) for box in self._written)

    @property
    def complete(self) -> bool:
        """Every element of the target written (exactly once, since writes never overlap)."""
        return self._written_volume == self._target_volume

    @property
    def unwritten_volume(self) -> int:
        """How many elements of the target are not written yet."""
        return self._target_volume - self._written_volume

    def contains(self, region: DimType) -> bool:
        """`region` has exactly the target's dim names (any order) and lies inside it."""
        box = self._box_of(region)
        return box is not None and self._inside(box)

    def writable(self, region: DimType) -> bool:
        """Would `record(region)` record it (inside the target, no earlier write overlapping)?
        Records nothing."""
        box = self._box_of(region)
        return box is not None and self._inside(box) and self._first_overlap(box) is None

    def record(self, region: DimType) -> Diagnostic | None:
        """Record a write of `region`; a `tnp-overlap` diagnostic instead if it was written.

        On overlap nothing is recorded, so the recorded boxes stay disjoint. The diagnostic
        names the intersection with the earliest write it overlaps, and that write.
        """
        box = self._box_of(region)
        if box is None or not self._inside(box):
            raise ValueError(
                f"region {render_dims(region)} is not part of the result "
                f"{render_dims(self._target)}"
            )
        earlier = self._first_overlap(box)
        if earlier is not None:
            return overlap_diagnostic(
                self._render(_intersection(box, earlier)), self._render(earlier)
            )
        self._add(box)
        return None

    def missing(self) -> list[DimType]:
        """The unwritten part of the target as disjoint boxes, sorted by their starts.

        Cells of the compressed grid (every boundary of the target and of the writes, per dim)
        are merged greedily: from the first free cell in row-major order, a box grows along
        the last dim, then each earlier dim in turn, as far as all the cells it adds are free.
        Deterministic; not always the fewest boxes, but a skipped tile gives exactly that tile
        and a skipped row of tiles one box.
        """
        if self.complete:
            return []
        if not self._target:
            return [()]
        cuts = [
            sorted({lo, hi, *itertools.chain.from_iterable(box[d] for box in self._written)})
            for d, (lo, hi) in enumerate(self._target_box)
        ]
        position = [{coordinate: i for i, coordinate in enumerate(c)} for c in cuts]
        shape = [len(c) - 1 for c in cuts]
        strides = _strides(shape)
        free = bytearray(b"\x01") * math.prod(shape)
        for box in self._written:
            lo = [position[d][start] for d, (start, _) in enumerate(box)]
            hi = [position[d][stop] for d, (_, stop) in enumerate(box)]
            _clear(free, strides, lo, hi)

        found: list[_Box] = []
        for flat, seed in enumerate(itertools.product(*map(range, shape))):
            if not free[flat]:
                continue
            lo, hi = list(seed), [i + 1 for i in seed]
            for d in reversed(range(len(shape))):
                while hi[d] < shape[d] and _slab_free(free, strides, lo, hi, d):
                    hi[d] += 1
            _clear(free, strides, lo, hi)
            found.append(tuple((cuts[d][lo[d]], cuts[d][hi[d]]) for d in range(len(shape))))
        found.sort(key=lambda box: tuple(start for start, _ in box))
        return [self._render(box) for box in found]

    def coverage_diagnostic(self, spec: str, where: str) -> Diagnostic | None:
        """None if complete, else `tnp-coverage` for the result of `spec` at `where`.

        `where` completes "incomplete ...": "when the kernel returns", "when `c.arr` is read",
        "when the scope ends".
        """
        if self.complete:
            return None
        return incomplete_diagnostic(
            spec, where, self.missing(), self.unwritten_volume, self._target_volume
        )

    # --- internals -------------------------------------------------------------------------

    def _box_of(self, region: DimType) -> _Box | None:
        """`region` in the target's dim order, or None if its dim names differ."""
        if dim_names(region) == self._names:
            return tuple((s.start, s.stop) for s in region)
        bounds = {s.name: (s.start, s.stop) for s in region}
        if len(bounds) != len(region) or bounds.keys() != set(self._names):
            return None
        return tuple(bounds[name] for name in self._names)

    def _inside(self, box: _Box) -> bool:
        return all(
            t_lo <= lo and hi <= t_hi
            for (lo, hi), (t_lo, t_hi) in zip(box, self._target_box, strict=True)
        )

    def _render(self, box: _Box) -> DimType:
        return tuple(
            Sliced(s.dim, Interval(lo, hi)) for s, (lo, hi) in zip(self._target, box, strict=True)
        )

    def _first_overlap(self, box: _Box) -> _Box | None:
        """The earliest recorded box intersecting `box`, if any."""
        index = self._index_of_box.get(box)
        if index is not None:
            return self._written[index]
        if self._cell_size is None:
            return None
        cells = self._cells_of(box)
        if cells is None:
            # a box spanning many cells: one linear scan, in write order so the first hit wins
            self._probes += len(self._written)
            for earlier in self._written:
                if _intersects(box, earlier):
                    return earlier
            return None
        candidates: set[int] = set(self._large)
        for cell in cells:
            candidates.update(self._cells.get(cell, ()))
        self._probes += len(candidates)
        hits = [i for i in candidates if _intersects(box, self._written[i])]
        return self._written[min(hits)] if hits else None

    def _add(self, box: _Box) -> None:
        if self._cell_size is None:
            self._cell_size = tuple(hi - lo for lo, hi in box)
        self._written.append(box)
        self._index_of_box[box] = len(self._written) - 1
        self._written_volume += _volume(box)
        self._register(len(self._written) - 1)
        written = len(self._written)
        budget = _PROBES_PER_WRITE * (written - self._writes_at_rebuild) + _PROBE_SLACK
        # rebuild at most when the number of writes has doubled, so rebuilds cost O(n) amortised
        if self._probes > budget and written >= 2 * max(self._writes_at_rebuild, 1):
            self._rebuild()

    def _register(self, index: int) -> None:
        cells = self._cells_of(self._written[index])
        if cells is None:
            self._large.append(index)
            return
        for cell in cells:
            self._cells.setdefault(cell, []).append(index)

    def _rebuild(self) -> None:
        """Re-hash every box with cells the median extent of the writes so far, per dim.

        The first write's extents fit uniform tiles; this recovers when they were not typical
        (a ragged edge tile written first, or tiles of mixed sizes).
        """
        extents = zip(*((hi - lo for lo, hi in box) for box in self._written), strict=True)
        self._cell_size = tuple(sorted(column)[len(column) // 2] for column in extents)
        self._cells = {}
        self._large = []
        for index in range(len(self._written)):
            self._register(index)
        self._probes = 0
        self._writes_at_rebuild = len(self._written)

    def _cells_of(self, box: _Box) -> list[_Cell] | None:
        """The grid cells `box` touches, or None if more than `_MAX_CELLS_PER_BOX`."""
        assert self._cell_size is not None
        spans = [
            range(lo // size, (hi - 1) // size + 1)
            for (lo, hi), size in zip(box, self._cell_size, strict=True)
        ]
        if math.prod(len(span) for span in spans) > _MAX_CELLS_PER_BOX:
            return None
        return list(itertools.product(*spans))


def _volume(box: _Box) -> int:
    return math.prod(hi - lo for lo, hi in box)


def _intersects(a: _Box, b: _Box) -> bool:
    return all(a_lo < b_hi and b_lo < a_hi for (a_lo, a_hi), (b_lo, b_hi) in zip(a, b, strict=True))


def _intersection(a: _Box, b: _Box) -> _Box:
    """The common part of two intersecting boxes."""
    return tuple(
        (max(a_lo, b_lo), min(a_hi, b_hi)) for (a_lo, a_hi), (b_lo, b_hi) in zip(a, b, strict=True)
    )


def _strides(shape: list[int]) -> list[int]:
    """Row-major strides: the last dim varies fastest."""
    strides = [1] * len(shape)
    for d in reversed(range(len(shape) - 1)):
        strides[d] = strides[d + 1] * shape[d + 1]
    return strides


def _flat_rows(strides: list[int], lo: list[int], hi: list[int]) -> Iterator[int]:
    """Flat offsets of the first cell of each last-dim row of the cell box `[lo, hi)`."""
    outer = itertools.product(*(range(a, b) for a, b in zip(lo[:-1], hi[:-1], strict=True)))
    for index in outer:
        yield sum(i * s for i, s in zip(index, strides[:-1], strict=True)) + lo[-1]


def _clear(free: bytearray, strides: list[int], lo: list[int], hi: list[int]) -> None:
    """Mark every cell of the cell box `[lo, hi)` not free (one slice per last-dim row)."""
    row = bytes(hi[-1] - lo[-1])
    for start in _flat_rows(strides, lo, hi):
        free[start : start + len(row)] = row


def _slab_free(free: bytearray, strides: list[int], lo: list[int], hi: list[int], d: int) -> bool:
    """Whether the layer just past the box along dim `d` is free: may the box grow by one?"""
    slab_lo, slab_hi = list(lo), list(hi)
    slab_lo[d], slab_hi[d] = hi[d], hi[d] + 1
    width = slab_hi[-1] - slab_lo[-1]
    return all(free.find(0, s, s + width) == -1 for s in _flat_rows(strides, slab_lo, slab_hi))


def _percent(part: int, whole: int) -> str:
    text = f"{100 * part / whole:.3g}"
    if part < whole and float(text) >= 100:
        # rounding must not claim that nothing was written
        text = "99.9"
    return f"{text}%"
