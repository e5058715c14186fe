"""`mypy -n 2` (parallel checking in worker processes, mypy >= 1.20) prints what a serial run
prints: the plugin is loaded in each worker, and each file's errors and notes are the same, in
the same order (files may come out in another order, as they may between serial runs)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest
from mypy.version import __version__ as mypy_version

from tests.support.mypy_run import CONFIG, REPO_DIR

MYPY = tuple(int(part) for part in re.findall(r"\d+", mypy_version)[:2])


def _by_file(stdout: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in stdout.splitlines():
        found.setdefault(line.split(":", 1)[0], []).append(line)
    return found


def _mypy(tmp_path: Path, name: str, *extra: str) -> tuple[int, dict[str, list[str]]]:
    # A subprocess: the workers are processes of their own, started by mypy's main.
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(CONFIG), "--cache-dir",
         str(tmp_path / name), "--no-error-summary", "--show-traceback", *extra, "examples"],
        cwd=REPO_DIR, capture_output=True, text=True, timeout=1200, check=False,
    )
    assert "INTERNAL ERROR" not in result.stdout + result.stderr, result.stdout + result.stderr
    return result.returncode, _by_file(result.stdout)


@pytest.mark.slow  # two cold mypy runs over the examples, one with worker processes
@pytest.mark.skipif(MYPY < (1, 20), reason="mypy has parallel checking (-n) from 1.20 on")
@pytest.mark.skipif(
    importlib.util.find_spec("ast_serialize") is None,
    reason="mypy's workers need the ast-serialize package: a dependency of mypy from 2.0, to be "
    "installed by hand for 1.20 (whose -n is still hidden)",
)
def test_parallel_run_prints_what_a_serial_run_prints(tmp_path: Path) -> None:
    serial = _mypy(tmp_path, "serial")
    parallel = _mypy(tmp_path, "parallel", "-n", "2")
    assert parallel == serial
    status, by_file = serial
    assert status == 1 and len(by_file) == len(list((REPO_DIR / "examples" / "buggy").glob("*.py")))
    assert all(any("[tnp-" in line for line in lines) for lines in by_file.values())
