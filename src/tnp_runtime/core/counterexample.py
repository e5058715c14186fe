"""A counterexample of a failed tile, and its verdict on rounding, as a message shows it.

The prover refutes a tile on the plain evaluation's counterexample (`evaluate`); the message
shows one that judges itself: its relative error, and whether that is beyond what float64
rounding of the two terms explains (`judge`). Built only once a check has failed.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass

from tnp_runtime.core.dims import DimType
from tnp_runtime.core.ir import Expr, input_labels, inputs_of, opaque_functions
from tnp_runtime.core.judge import Judged, bound_at, judge


@dataclass(frozen=True, slots=True)
class Counterexample:
    index: tuple[tuple[str, int], ...]
    kernel_value: float
    spec_value: float
    # Declared opaque functions the values were computed with stand-ins for (`core.opaque`).
    stand_ins: tuple[str, ...] = ()
    # How far float64 rounding of the two terms can move their difference, at these inputs
    # (`judge.judge`), and how the inputs were drawn; None when not known.
    tolerance: float | None = None
    inputs: str | None = None

    @property
    def is_finite(self) -> bool:
        return math.isfinite(self.kernel_value) and math.isfinite(self.spec_value)

    def describe(self) -> str:
        where = ", ".join(f"{d}={i}" for d, i in self.index) or "the only index"
        drawn = f" ({self.inputs.removeprefix('inputs ')})" if self.inputs else ""
        what = "counterexample" if self.tolerance is None or self.beyond else "evaluated"
        text = (
            f"{what} on random inputs{drawn} at {where}: "
            f"kernel {self.kernel_value:.6g}, spec {self.spec_value:.6g}"
        )
        if self.is_finite:
            text += f"; {self.judgement()}"
        if self.stand_ins:
            text += (
                f", with {', '.join(self.stand_ins)} evaluated as a stand-in function (tnp "
                "knows nothing of an opaque function: the two sides differ for some function)"
            )
        return text

    @property
    def refutes(self) -> bool:
        """The two values are finite, their round-off bound is known and finite, and they differ
        by more than it: the exact values of the two terms at these inputs differ. (The bound
        is the spot check's: SAFETY times the propagated bounds of both sides.)"""
        return (
            self.is_finite
            and self.tolerance is not None
            and math.isfinite(self.tolerance)
            and abs(self.kernel_value - self.spec_value) > self.tolerance
        )

    @property
    def beyond(self) -> bool:
        """Beyond the round-off bound, when there is one (without one: beyond 1e-7)."""
        gap = abs(self.kernel_value - self.spec_value)
        return self.tolerance is None or gap > self.tolerance

    def judgement(self) -> str:
        """The relative error, and whether float64 rounding of the terms explains it."""
        gap = abs(self.kernel_value - self.spec_value)
        scale = abs(self.spec_value) or abs(self.kernel_value) or 1.0
        text = f"relative error {gap / scale:.2g}"
        if self.tolerance is None:
            return text + " (beyond 1e-7, far more than float64 rounding gives a short term)"
        relative = self.tolerance / scale
        tiny = relative < 1e-16
        bound = "less than 1e-16 relative" if tiny else f"at most {relative:.2g} relative"
        if gap > self.tolerance:
            return text + f", beyond what float64 rounding explains ({bound} here)"
        return text + f", within what float64 rounding explains ({bound} here)"


def judged_counterexample(
    kernel: Expr,
    spec: Expr,
    tile: DimType,
    sizes: Mapping[str, int] | None,
    found: Counterexample | None,
    cuts: Mapping[str, frozenset[int]] | None = None,
) -> Counterexample | None:
    """The counterexample a message shows: one the spot check's evaluation (`judge.judge`,
    with its round-off bounds, at any size) finds beyond rounding; else `found` (the plain
    evaluation's) with the round-off bound of its own inputs where that can be computed
    (`judge.bound_at`); else the spot check's within rounding, if any. `cuts`: as `judge`."""
    try:
        judged = judge(kernel, spec, tile, sizes, cuts)
    except RecursionError:
        judged = None
    if judged is not None and (judged.beyond or found is None):
        stand_ins = found.stand_ins if found is not None else tuple(
            {f.name: None for e in (kernel, spec) for f in opaque_functions(e)}
        )
        return _from_judged(judged, stand_ins)
    if found is not None and found.is_finite:
        labels = input_labels([*inputs_of(kernel), *inputs_of(spec)])
        tolerance = bound_at(kernel, spec, found.index, labels, sizes)
        if tolerance is not None:
            inputs = "inputs drawn from [-1, 1) by position"
            return dataclasses.replace(found, tolerance=tolerance, inputs=inputs)
    return found


def _from_judged(judged: Judged, stand_ins: tuple[str, ...]) -> Counterexample:
    return Counterexample(
        judged.index,
        judged.kernel_value,
        judged.spec_value,
        stand_ins,
        judged.tolerance,
        judged.inputs,
    )


__all__ = ["Counterexample", "judged_counterexample"]
