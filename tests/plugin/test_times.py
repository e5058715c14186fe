"""`TNP_MYPY_TIMES=<path>`: the plugin appends one JSON line per analysed scope (module, scope,
kind, line, seconds, statements, why it stopped) to the file; unset, it writes nothing; a file
it cannot write is reported once on stderr, and mypy goes on. `benchmarks/mypy_time.py` reads
these lines for the plugin's own time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.mypy_run import REPO_DIR
from tnp_mypy import times
from tnp_mypy.report import StopReason, stop_finding

KERNELS = '''\
from typing import Literal as L

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 8), FullDim("N", 4)


@tnp.kernel
def double(a: Typed[L["M N"]], c: TypedResult[L["2 * a:M N"]]) -> None:
    for i in range(0, 8, 4):
        c.assign(a.slice(M, i, i + 4) * 2)


@tnp.kernel
def many(a: Typed[L["M N"]], c: TypedResult[L["2 * a:M N"]]) -> None:
    for i in range(1_000_000):
        t = a * 2
    c.assign(t)
'''
PYPROJECT = '''\
[tool.mypy]
plugins = ["tnp_mypy"]

[tool.tnp_mypy]
max_statements = 50
# Every iteration unrolled: `many` then stops at the budget, whatever the induction proves.
induction = false
'''


def _mypy(tmp_path: Path, times_file: str | None) -> subprocess.CompletedProcess[str]:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (tmp_path / "kernels.py").write_text(KERNELS, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO_DIR)}
    env.pop(times.TIMES_VARIABLE, None)
    if times_file is not None:
        env[times.TIMES_VARIABLE] = times_file
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "--no-error-summary", "kernels.py"],
        cwd=tmp_path, capture_output=True, text=True, env=env, timeout=300, check=False,
    )


def _lines(path: Path) -> dict[str, dict[str, Any]]:
    entries = [json.loads(line) for line in path.read_text().splitlines()]
    return {entry["scope"]: entry for entry in entries}


def test_each_analysed_scope_appends_a_line(tmp_path: Path) -> None:
    path = tmp_path / "times.jsonl"
    done = _mypy(tmp_path, str(path))
    assert "tnp stopped the static check after 50 statements" in done.stdout, done.stdout
    scopes = _lines(path)
    assert {"kernels.double", "kernels.many"} <= set(scopes), scopes
    double, many = scopes["kernels.double"], scopes["kernels.many"]
    assert double["module"] == "kernels" and double["kind"] == "kernel" and double["line"] == 10
    assert double["seconds"] > 0 and double["statements"] > 0
    assert double["stopped"] is None
    # The budget's stop: the scope was not fully checked, and the line says why.
    assert many["stopped"] == "statements" and many["statements"] > 50
    assert many["seconds"] > 0


def test_lines_are_appended_run_after_run(tmp_path: Path) -> None:
    path = tmp_path / "times.jsonl"
    _mypy(tmp_path, str(path))
    first = len(path.read_text().splitlines())
    _mypy(tmp_path, str(path))
    assert first >= 2 and len(path.read_text().splitlines()) == 2 * first


@pytest.mark.parametrize("value", [None, ""])
def test_unset_or_empty_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv(times.TIMES_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(times.TIMES_VARIABLE, value)
    monkeypatch.chdir(tmp_path)
    times.record("m", "m.k", "kernel", 1, 0.5, 3, [])
    assert list(tmp_path.iterdir()) == []


def test_record_writes_the_stop_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "times.jsonl"
    monkeypatch.setenv(times.TIMES_VARIABLE, str(path))
    stop = stop_finding(StopReason.CONSTRUCT, "a `TryStmt` statement", 7)
    times.record("m", "m.k", "kernel", 3, 0.25, 12, [stop])
    assert json.loads(path.read_text()) == {
        "module": "m", "scope": "m.k", "kind": "kernel", "line": 3, "seconds": 0.25,
        "statements": 12, "stopped": "construct",
    }


def test_an_unwritable_file_is_reported_once_and_mypy_goes_on(tmp_path: Path) -> None:
    done = _mypy(tmp_path, str(tmp_path))  # a directory: cannot be opened for appending
    assert done.stderr.count(f"tnp_mypy: cannot write {times.TIMES_VARIABLE}=") == 1, done.stderr
    assert "INTERNAL ERROR" not in done.stdout + done.stderr
    assert "[tnp-internal]" not in done.stdout
    assert "tnp stopped the static check after 50 statements" in done.stdout, done.stdout
