"""`TypedResult`: the output of a kernel, written tile by tile, each tile proved first.

Invariant: a region of `_data` holds a tile's values only if that tile was proved equal to the
spec on that region; `arr` is readable only once every region has been written.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import numpy as np

from tnp_runtime.core.calls import script_binding
from tnp_runtime.core.diagnostics import Violation
from tnp_runtime.core.inputs import inputs_in_scope
from tnp_runtime.core.ir import Input
from tnp_runtime.core.rules import write_diagnostic
from tnp_runtime.core.spec import SpecError
from tnp_runtime.core.tracker import ResultTracker
from tnp_runtime.errors import TypeCheckError, fail, reraise, user_frame, user_location
from tnp_runtime.typed import Array, Typed, _align, read_only, spec_input

SpecT = TypeVar("SpecT")


class TypedResult(Generic[SpecT]):
    """`TypedResult("6 * (M N, N K -> M K)")`. Annotate as `TypedResult[Literal["..."]]`."""

    __slots__ = ("_created_at", "_data", "_scope_inputs", "_tracker")

    def __init__(self, spec: str) -> None:
        if not isinstance(spec, str):
            raise TypeError(f"TypedResult takes a spec string, got {type(spec).__name__}")
        self._created_at = user_location()
        self._tracker = ResultTracker(spec)
        self._data: Array | None = None
        self._scope_inputs = _inputs_in_scope()

    @property
    def spec(self) -> str:
        return self._tracker.spec_text

    @property
    def tracker(self) -> ResultTracker:
        return self._tracker

    def assign(self, tile: Typed[Any]) -> None:
        """Prove that `tile` is the spec on the tile's region, then write it there."""
        if not isinstance(tile, Typed):
            raise TypeError(f"assign takes a Typed tile, got {type(tile).__name__}")
        try:
            region = self._tracker.assign(
                tile.abstract,
                lambda: script_binding(
                    tile.dim_type, tile.expr_type, spec_input, self._scope_inputs
                ),
            )
        except Violation as err:
            reraise(err)
        resolved = self._tracker.resolved
        assert resolved is not None
        if self._data is None:
            self._data = np.zeros(tuple(s.dim.size for s in resolved.dims), dtype=np.float64)
        index = tuple(slice(s.start, s.stop) for s in region)
        # Writeable only while a proved tile is written: nothing else can change it.
        self._data.flags.writeable = True
        self._data[index] = _align(tile, region)
        self._data.flags.writeable = False

    @property
    def arr(self) -> Array:
        """The whole result, read-only (an in-place write raises `tnp-write`); `tnp-coverage`
        (located at this result's creation) if incomplete."""
        problem = self._tracker.coverage_diagnostic("when `.arr` is read")
        if problem is not None:
            raise TypeCheckError(problem, *self._created_at)
        assert self._data is not None
        return read_only(self._data, self.spec)

    @arr.setter
    def arr(self, value: object) -> None:
        fail(write_diagnostic(self.spec))

    def __repr__(self) -> str:
        return f"TypedResult({self.spec!r})"


def _inputs_in_scope() -> tuple[Input, ...]:
    """The inputs bound to names where the result is created (see `core.inputs`)."""
    frame = user_frame()
    if frame is None:
        return ()
    names = {**frame.f_globals, **frame.f_locals}
    return inputs_in_scope(v.expr_type for v in names.values() if isinstance(v, Typed))


__all__ = ["SpecError", "TypedResult"]
