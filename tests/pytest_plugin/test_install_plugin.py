"""The plugin as a user gets it: a built wheel installed with pytest into a fresh venv
registers `tnp_pytest` through its `pytest11` entry point, in every pytest session of that venv.

In the install tier (a venv, a build, pytest from PyPI or pip's cache), which `.ci/run` runs
with `pytest -m install`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pytest_plugin.conftest import PROJECT

REPO_DIR = Path(__file__).resolve().parents[2]


def _run(*command: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MYPYPATH")}
    return subprocess.run([str(part) for part in command], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=900, check=False)


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"{result.args}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.mark.install
def test_the_wheel_registers_the_plugin(tmp_path: Path) -> None:
    source = Path(shutil.copytree(REPO_DIR, tmp_path / "source", ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache",
        ".hypothesis")))
    venv = tmp_path / "venv"
    _ok(_run(sys.executable, "-m", "venv", venv, cwd=tmp_path))
    python = venv / "bin" / "python"
    _ok(_run(python, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", tmp_path / "dist",
             source, cwd=tmp_path))
    (wheel,) = (tmp_path / "dist").glob("tnp-*.whl")
    _ok(_run(python, "-m", "pip", "install", "--quiet", f"{wheel}[mypy]", "pytest",
             cwd=tmp_path))

    work = tmp_path / "work"
    work.mkdir()
    shutil.copytree(PROJECT / "tkernels", work / "tkernels")
    (work / "test_plain.py").write_text("def test_one():\n    pass\n", encoding="utf-8")
    pytest_ = (python, "-m", "pytest", "-p", "no:cacheprovider")

    assert "--tnp-kernels=PACKAGE_OR_PATH" in _ok(_run(*pytest_, "--help", cwd=work))
    plain = _ok(_run(*pytest_, cwd=work))
    assert "1 passed" in plain and "tnp-kernels" not in plain and "tnp kernels" not in plain
    run = _run(*pytest_, "--tnp-kernels=tkernels.good,tkernels.unfollowed", cwd=work)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 kernels run on random inputs (--tnp-seed=0) and compared with their specs: " \
           "3 passed, 0 failed, 0 skipped" in run.stdout, run.stdout
    assert "PASSED   tkernels.good::double  [static: proved by the mypy plugin]" in run.stdout
    assert "PASSED   tkernels.unfollowed::guarded  [static: RUNTIME ONLY]" in run.stdout
