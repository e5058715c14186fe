"""Dims live in mypy's types, so editing the module that declares them re-checks its users:
with mypy's incremental cache and under the daemon (`dmypy run`). Steps: clean, then a dim's
size edited so the kernel misses rows (`tnp-coverage`), then reverted (clean again)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import mypy.api
import pytest

from tests.support.edit_cycles import (
    CLEAN,
    KERNEL_COVERAGE_BUG,
    KERNEL_SPEC_BUG,
    SCRIPT_FUNCTION_BUG,
    SCRIPT_MODULE_BUG,
    Project,
    Verdict,
    verdict,
)
from tests.support.mypy_run import REPO_DIR

SIZES = 'from tnp_runtime import FullDim\n\nM, N = FullDim("M", {m}), FullDim("N", 8)\n'
KERNEL = '''\
from typing import Literal as L

import tnp_runtime as tnp
from sizes import M, N
from tnp_runtime import Typed, TypedResult


@tnp.kernel
def double(x: Typed[L["M N"]], c: TypedResult[L["2 * x:M N"]]) -> None:
    for im in range(0, 8, 4):
        c.assign(x.slice(M, im, im + 4) * 2)
'''
CONFIG = """\
[mypy]
plugins = tnp_mypy
cache_dir = {cache}
"""


def _project(tmp_path: Path) -> Path:
    (tmp_path / "sizes.py").write_text(SIZES.format(m=8))
    (tmp_path / "user.py").write_text(KERNEL)
    (tmp_path / "mypy.ini").write_text(
        CONFIG.format(cache=tmp_path / ".mypy_cache")
    )
    return tmp_path


def _set_size(project: Path, m: int) -> None:
    path = project / "sizes.py"
    path.write_text(SIZES.format(m=m))
    # mtime granularity: make sure the edit is seen as one.
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000 * m))


def _coverage_errors(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if "[tnp-coverage]" in line]


def test_incremental_cache_sees_edited_dims(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path)
    monkeypatch.chdir(project)

    def check() -> str:
        stdout, stderr, _ = mypy.api.run(["--config-file", "mypy.ini", "user.py", "sizes.py"])
        assert "INTERNAL ERROR" not in stdout + stderr
        return stdout

    assert _coverage_errors(check()) == []
    _set_size(project, 12)
    errors = _coverage_errors(check())
    assert len(errors) == 1 and errors[0].startswith("user.py:9: error: result `2 * x:M N`")
    _set_size(project, 8)
    assert _coverage_errors(check()) == []


@pytest.mark.editor
def test_daemon_sees_edited_dims(tmp_path: Path) -> None:
    project = _project(tmp_path)
    dmypy = [sys.executable, "-m", "mypy.dmypy", "--status-file", str(project / "status.json")]
    env = {**os.environ, "PYTHONPATH": str(REPO_DIR)}

    def check() -> str:
        proc = subprocess.run(
            [*dmypy, "run", "--timeout", "120", "--", "--config-file", "mypy.ini",
             "user.py", "sizes.py"],
            cwd=project, capture_output=True, text=True, env=env, timeout=300,
        )
        assert "INTERNAL ERROR" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
        return proc.stdout

    try:
        assert _coverage_errors(check()) == []
        _set_size(project, 12)
        errors = _coverage_errors(check())
        assert len(errors) == 1 and errors[0].startswith("user.py:9: error: result `2 * x:M N`")
        _set_size(project, 8)
        assert _coverage_errors(check()) == []
    finally:
        subprocess.run([*dmypy, "stop"], cwd=project, capture_output=True, env=env, timeout=60)


def test_incremental_cache_edit_cycles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Plain mypy with its cache, run again and again in one process (as pylsp-mypy may run it):
    bug, fix and undo, in script form and kernel form, each time the current verdict."""
    project = Project.create(tmp_path)
    monkeypatch.chdir(project.root)

    def check() -> Verdict:
        stdout, stderr, _ = mypy.api.run(
            ["--config-file", "mypy.ini", "--hide-error-context", "--no-error-summary",
             *Project.FILES]
        )
        assert "INTERNAL ERROR" not in stdout + stderr
        return verdict(stdout)

    project.kernels("3")
    assert check() == KERNEL_SPEC_BUG
    project.kernels("2")
    assert check() == CLEAN
    project.script(module=3, function=2)
    assert check() == SCRIPT_MODULE_BUG
    project.script(module=2, function=30)
    assert check() == SCRIPT_FUNCTION_BUG
    project.script(module=2, function=2)
    project.kernels("2", stop=4)
    assert check() == KERNEL_COVERAGE_BUG
    project.kernels("3")
    assert check() == KERNEL_SPEC_BUG
    project.kernels("2")
    assert check() == CLEAN
