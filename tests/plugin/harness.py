"""Shared helpers of the plugin tests: run mypy with the tnp plugin on files."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import mypy.api

PLUGIN_DIR = Path(__file__).resolve().parent
CASES_DIR = PLUGIN_DIR / "cases"
REPO_DIR = PLUGIN_DIR.parent.parent
CONFIG = PLUGIN_DIR / "mypy.ini"
BUDGET_CONFIG = PLUGIN_DIR / "budget.ini"
NOTE_CONFIG = PLUGIN_DIR / "note.ini"
# Set (to a directory), mypy keeps its cache there instead of running `--no-incremental`: the
# version matrix (scripts/mypy_matrix.sh) and CI's oldest-mypy run use it for speed. The output
# is the same: mypy always re-checks a module that had an error, and prints nothing for the
# others.
CACHE_DIR_VARIABLE = "TNP_TEST_MYPY_CACHE_DIR"


@functools.cache
def run_mypy(*paths: Path, config: Path = CONFIG, extra: tuple[str, ...] = ()) -> str:
    """mypy's stdout on `paths`, without cache and summary (memoized: the case, parity and
    examples tests read the same runs)."""
    cache_dir = os.environ.get(CACHE_DIR_VARIABLE)
    incremental = ("--cache-dir", cache_dir) if cache_dir else ("--no-incremental",)
    stdout, stderr, _status = mypy.api.run(
        [
            "--config-file", str(config), *incremental, "--no-error-summary",
            "--hide-error-context", "--no-pretty", "--show-traceback", *extra,
            *map(str, paths),
        ]
    )
    assert "INTERNAL ERROR" not in stdout + stderr, stdout + stderr
    return stdout


def config_for(path: Path) -> Path:
    """A case file's config, by its name: `budget*` (a tiny budget), `note_*` (a tiny budget
    and `unsupported = "note"`), else the default."""
    if path.stem.startswith("budget"):
        return BUDGET_CONFIG
    if path.stem.startswith("note_"):
        return NOTE_CONFIG
    return CONFIG
