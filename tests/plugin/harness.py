"""Shared helpers of the plugin tests: run mypy with the tnp plugin on files."""

from __future__ import annotations

import functools
from pathlib import Path

import mypy.api

PLUGIN_DIR = Path(__file__).resolve().parent
CASES_DIR = PLUGIN_DIR / "cases"
REPO_DIR = PLUGIN_DIR.parent.parent
CONFIG = PLUGIN_DIR / "mypy.ini"
BUDGET_CONFIG = PLUGIN_DIR / "budget.ini"
NOTE_CONFIG = PLUGIN_DIR / "note.ini"


@functools.cache
def run_mypy(*paths: Path, config: Path = CONFIG, extra: tuple[str, ...] = ()) -> str:
    """mypy's stdout on `paths`, without cache and summary (memoized: the case, parity and
    examples tests read the same runs)."""
    stdout, stderr, _status = mypy.api.run(
        [
            "--config-file", str(config), "--no-incremental", "--no-error-summary",
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
