"""Case files whose `# E:` / `# N:` lines state the verdicts tnp must give (those of unrolling
every loop, and of the runtime) while the plugin still gives others: a known bug, recorded as a
case before it is fixed. Each is a strict xfail in the tests that read the case files, so the
tests pass now and fail once the bug is fixed, when its entry here is removed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

# Case file stem -> the bug.
PENDING: dict[str, str] = {}


def case_params(paths: tuple[Path, ...]) -> list[Any]:
    """`paths` as pytest parameters, each pending one a strict xfail with its bug."""
    return [
        pytest.param(path, id=path.stem, marks=pytest.mark.xfail(
            reason=PENDING[path.stem], strict=True)) if path.stem in PENDING
        else pytest.param(path, id=path.stem)
        for path in paths
    ]
