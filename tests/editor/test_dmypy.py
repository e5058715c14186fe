"""The mypy daemon reports what mypy reports: `dmypy run` over the examples (cold, then warm)
gives the same set of (file, line, code) as one `mypy` run, tnp errors and mypy's own alike.

Editing a dims module under the daemon is tests/plugin/test_incremental.py's business.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.mypy_run import CONFIG, EXAMPLES, REPO_DIR, run_mypy

pytestmark = pytest.mark.editor
_ERROR = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): error: .*\[(?P<code>[a-z0-9-]+)\]$")


def errors(stdout: str) -> set[tuple[str, int, str]]:
    found = set()
    for text in stdout.splitlines():
        match = _ERROR.match(text)
        if match:
            path = Path(match.group("file"))
            path = path if path.is_absolute() else REPO_DIR / path
            found.add((str(path.resolve()), int(match.group("line")), match.group("code")))
    return found


def test_dmypy_run_matches_mypy(tmp_path: Path) -> None:
    expected = errors(run_mypy(*EXAMPLES))
    assert {code for _, _, code in expected} >= {"tnp-spec", "tnp-coverage", "tnp-dim"}

    dmypy = [sys.executable, "-m", "mypy.dmypy", "--status-file", str(tmp_path / "dmypy.json")]
    env = {**os.environ, "PYTHONPATH": str(REPO_DIR)}

    def run() -> set[tuple[str, int, str]]:
        proc = subprocess.run(
            [*dmypy, "run", "--timeout", "300", "--", "--config-file", str(CONFIG),
             "--hide-error-context", "--no-error-summary", "--no-pretty",
             "--cache-dir", str(tmp_path / "cache"), *map(str, EXAMPLES)],
            cwd=REPO_DIR, capture_output=True, text=True, env=env, timeout=300,
        )
        shown = proc.stdout + proc.stderr
        assert "INTERNAL ERROR" not in shown and "[tnp-internal]" not in shown, shown
        assert proc.returncode in (0, 1), shown
        return errors(proc.stdout)

    try:
        cold = run()
        assert cold == expected, (sorted(cold - expected), sorted(expected - cold))
        warm = run()
        assert warm == expected, (sorted(warm - expected), sorted(expected - warm))
    finally:
        subprocess.run([*dmypy, "stop"], cwd=REPO_DIR, capture_output=True, env=env, timeout=60)
