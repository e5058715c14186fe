"""A `TypedResult` that times its own `assign` calls: the proof time the benchmarks report."""

from __future__ import annotations

import time
from typing import Any

from tnp_runtime import Typed, TypedResult


class TimedResult(TypedResult[Any]):
    """Records the wall time of each `assign` call (prove, then write), in order."""

    __slots__ = ("assign_seconds",)

    def __init__(self, spec: str) -> None:
        super().__init__(spec)
        self.assign_seconds: list[float] = []

    def assign(self, tile: Typed[Any]) -> None:
        start = time.perf_counter()
        super().assign(tile)
        self.assign_seconds.append(time.perf_counter() - start)

    @property
    def proof_seconds(self) -> float:
        """All `assign` calls together."""
        return sum(self.assign_seconds)
