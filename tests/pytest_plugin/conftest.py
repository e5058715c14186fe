"""Shared set-up of the pytest plugin's tests: a temporary project holding the `tkernels`
package (tests/pytest_plugin/project), run with pytest inside the test (`pytester`), or once
per module in a subprocess (`run_project`) where several tests read one run."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

# Loaded before any inner session: pytester removes the modules a session imported when it
# ends, and tnp's own must keep one identity across sessions.
import tnp_runtime.kernel_form
import tnp_runtime.result
import tnp_runtime.saved  # noqa: F401

PROJECT = Path(__file__).resolve().parent / "project"
# hypothesis's pytest plugin spends about 2 s in each session's terminal summary; the inner
# sessions have no hypothesis tests.
QUIET = ("-p", "no:hypothesispytest")


def runpytest(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """`pytester.runpytest` (in this process) with `QUIET`."""
    return pytester.runpytest(*QUIET, *args)


def copy_project(directory: Path) -> None:
    shutil.copytree(PROJECT / "tkernels", directory / "tkernels",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (directory / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A pytester directory with the `tkernels` package in it."""
    copy_project(pytester.path)
    return pytester


@dataclass(frozen=True)
class Run:
    """A pytest run in a subprocess: its exit code and output lines."""

    directory: Path
    returncode: int
    lines: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def run_project(directory: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    """`python -m pytest ARGS` in `directory` (a copy of the project), as a user runs it."""
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *QUIET, *args],
        cwd=directory, capture_output=True, text=True, timeout=600,
        env={**os.environ, **(env or {})},
    )
    return Run(directory, proc.returncode, (proc.stdout + proc.stderr).splitlines())


def line_of(path: Path, marker: str) -> int:
    """The line of `path` that holds `marker` (1-based); the test fails if there is none."""
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if marker in text:
            return number
    raise AssertionError(f"{marker!r} not in {path}")


def literal(text: str) -> str:
    """`text` as an fnmatch pattern that matches only itself."""
    return re.sub(r"([\[\]*?])", r"[\1]", text)


def summary_outcomes(lines: list[str]) -> dict[str, str]:
    """`module::kernel -> PASSED/FAILED/SKIPPED`, read from the terminal summary's lines."""
    found = {}
    for line in lines:
        match = re.match(r"^(PASSED|FAILED|SKIPPED)\s+(\S+::\S+)\s+\[", line)
        if match:
            found[match[2]] = match[1]
    return found
