"""Case files whose `# E:` / `# N:` lines state the verdicts tnp must give (those of unrolling
every loop, and of the runtime) while the plugin still gives others: a known bug, recorded as a
case before it is fixed. Each is a strict xfail in the tests that read the case files, so the
tests pass now and fail once the bug is fixed, when its entry here is removed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

# Case file stem -> the bug.
PENDING: dict[str, str] = {
    "induction_index_number": (
        "induction accepts a wrong tile: `j == N.size / 2` (a float), `j != ...` and `j - 147 =="
        " True` are answered by `SymInt.__eq__`/`__ne__` without recording a condition on k, so"
        " the symbolic step stands for the iteration where the comparison is true"
    ),
    "induction_index_isinstance": (
        "induction accepts a wrong tile: `isinstance(j, int)` is False for the symbolic index"
        " (not an `int`), unrecorded, so `isinstance(j, int) and j == 148` skips the comparison"
    ),
    "induction_index_set": (
        "induction accepts a wrong tile: `j in special` (a set) hashes the symbolic index by its"
        " form, never compares it with the set's elements, and records no condition on k"
    ),
    "induction_index_text": (
        "induction accepts a wrong tile: a decision on `f\"{j}\"` (its text compared, its length)"
        " reads the symbolic token without recording a condition on k"
    ),
}


def case_params(paths: tuple[Path, ...]) -> list[Any]:
    """`paths` as pytest parameters, each pending one a strict xfail with its bug."""
    return [
        pytest.param(path, id=path.stem, marks=pytest.mark.xfail(
            reason=PENDING[path.stem], strict=True)) if path.stem in PENDING
        else pytest.param(path, id=path.stem)
        for path in paths
    ]
