"""One kernel run on random inputs, and its results compared with the spec evaluated on them.

The kernel runs as any call does: every tile is proved at its `assign`, every result must be
complete when it returns, and a failed check raises `TypeCheckError` (or `SpecError`). Then each
result is compared with its declared spec evaluated with NumPy on the same inputs
(`tnp_runtime.saved.evaluate_term`, the evaluator that checks saved inputs' data: it reads the
spec's term, not the kernel's tiles, so it shares nothing with the kernel's own computation).

Tolerance. Both sides are float64 on the same inputs and differ only by the order of their
floating-point operations (a sum over tiles against one sum over the dim, a running max with
rescales against a max then an exponential): about n·eps relative for a reduction over n terms,
below 1e-10 for any dim a test can hold. `RTOL` = 1e-6 leaves four orders of magnitude for
cancellation and long chains of rescales, and `ATOL` = 1e-9 absorbs results that cancel to about
zero; a kernel that computes something else on standard-normal inputs is off by far more (a
constant, a tile, a term: order 1e-1 and more). A difference therefore means the numbers do not
follow the proof: an opaque function (`tnp.opaque`) that is not elementwise, so a tile of it is
not it on the tile, or a bug of tnp's prover.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from tnp_pytest.inputs import Arguments
from tnp_runtime.core.calls import KernelSignature
from tnp_runtime.saved import evaluate_term
from tnp_runtime.typed import Array

RTOL: Final = 1e-6
ATOL: Final = 1e-9


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A result that differs from its spec's evaluation: the message and notes to show."""

    message: str
    notes: tuple[str, ...]


def compare(kernel_name: str, signature: KernelSignature, arguments: Arguments
            ) -> list[Mismatch]:
    """Each result of the call against its spec evaluated on the call's inputs."""
    data = {
        signature.inputs[name].leaf: (value.arr, signature.inputs[name].dims)
        for name, value in arguments.inputs.items()
    }
    found = []
    for name, result in arguments.results.items():
        spec = signature.specs[name]
        shape = tuple(s.dim.size for s in spec.dims)
        expected: Array = np.broadcast_to(evaluate_term(spec.expr, data, spec.dims), shape)
        mismatch = _difference(kernel_name, name, signature.results[name], result.arr,
                               expected, [s.name for s in spec.dims])
        if mismatch is not None:
            found.append(mismatch)
    return found


def _difference(kernel_name: str, name: str, spec_text: str, computed: Array, expected: Array,
                dims: list[str]) -> Mismatch | None:
    with np.errstate(invalid="ignore"):
        close = np.isclose(computed, expected, rtol=RTOL, atol=ATOL, equal_nan=True)
        if bool(np.all(close)):
            return None
        difference = np.where(close, 0.0, np.abs(computed - expected))
    difference = np.where(np.isnan(difference), np.inf, difference)
    at = np.unravel_index(int(np.argmax(difference)), difference.shape)
    where = " ".join(f"{d}={int(i)}" for d, i in zip(dims, at, strict=True))
    wrong = int(np.count_nonzero(~close))
    return Mismatch(
        f"{kernel_name}: result {name} is not its spec `{spec_text}` evaluated on the same "
        f"inputs: largest difference {float(difference[at]):.3g} at {where} (kernel "
        f"{float(computed[at])!r}, spec {float(expected[at])!r})",
        (
            f"{wrong} of {computed.size} values differ beyond rtol={RTOL:g}, atol={ATOL:g}",
            "every tile was proved, so the numbers do not follow the proof: an opaque "
            "function (tnp.opaque) that is not elementwise, or a bug of tnp (please report it)",
        ),
    )


def run(kernel: Any, signature: KernelSignature, arguments: Arguments) -> list[Mismatch]:
    """Call the kernel on the arguments (a failed check raises), then compare its results."""
    kernel(*arguments.args, **arguments.kwargs)
    return compare(kernel.__name__, signature, arguments)
