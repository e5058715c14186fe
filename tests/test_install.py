"""Every install mode works from a directory outside the checkout, for mypy and for pyright.

For `pip install .`, a built wheel and the default `pip install -e .` (each with the `mypy`
extra, as the README says), the project is installed into a fresh venv; then, from a temporary
directory that is not the checkout and has only a user's mypy config naming the plugin:
- mypy with the plugin reports the tnp error of a buggy kernel (exit 1), and no error on a
  correct one (exit 0): tnp_runtime, its stubs and tnp_mypy are all found without `mypy_path`;
- pyright, pointed at the venv's interpreter, resolves `tnp_runtime` to the stubs (no
  reportMissingImports / reportMissingModuleSource) and shows the literal dims of annotated
  `Typed` values (`Typed[Literal['M N']]`).

Slow (a venv and an install per mode, from PyPI or pip's cache): marked `install`, which the
default `python -m pytest -q` leaves out and `.ci/run` runs (`pytest -m install`). The project
is copied first, so that building it leaves nothing in the checkout (setuptools builds in the
source tree).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_DIR = Path(__file__).resolve().parent.parent
# The pyright used here (the `pyright` package of the test extra runs this version from npm).
PYRIGHT = shutil.which("pyright", path=str(Path(sys.executable).parent))

_COMMON = '''\
from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 8), FullDim("N", 8)


@tnp.kernel
def scale(x: Typed[L["M N"]], c: TypedResult[L["SPEC"]]) -> None:
    for im in range(0, M.size, 4):
        c.assign(x.slice(M, im, im + 4) * 2)


x = Typed(np.ones((8, 8)), M, N)
c = TypedResult("SPEC")
scale(x, c)
'''
CORRECT = _COMMON.replace("SPEC", "2 * (M N)")
BUGGY = _COMMON.replace("SPEC", "3 * (M N)")
# pyright runs no plugin: `Typed(arr, M, N)` itself is `Typed[Any]` there (the stubs cannot
# spell the string "M N" from two arguments; mypy's plugin infers it). What the stubs give
# pyright is the literal dims of every annotated value, parameter or variable.
REVEAL = CORRECT.replace(
    "        c.assign(", "        reveal_type(x)\n        c.assign("
) + 'y: Typed[L["M N"]] = Typed(np.ones((8, 8)), M, N)\nreveal_type(y)\n'
REVEALED = [
    'Type of "x" is "Typed[Literal[\'M N\']]"',
    'Type of "y" is "Typed[Literal[\'M N\']]"',
]
MYPY_CONFIG = "[mypy]\nplugins = tnp_mypy\n"


def _run(*command: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MYPYPATH")}
    return subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=900, check=False,
    )


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"{result.args}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _copy_project(target: Path) -> Path:
    ignored = shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis"
    )
    return Path(shutil.copytree(REPO_DIR, target, ignore=ignored))


def _install(mode: str, project: Path, venv: Path, tmp_path: Path) -> None:
    python = venv / "bin" / "python"
    pip = (python, "-m", "pip", "install", "--quiet")
    match mode:
        case "pip install .":
            _ok(_run(*pip, f"{project}[mypy]", cwd=tmp_path))
        case "wheel":
            dist = tmp_path / "dist"
            _ok(_run(python, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", dist, project,
                     cwd=tmp_path))
            (wheel,) = dist.glob("tnp-*.whl")
            _ok(_run(*pip, f"{wheel}[mypy]", cwd=tmp_path))
        case "pip install -e .":
            _ok(_run(*pip, "-e", f"{project}[mypy]", cwd=tmp_path))
            # setuptools' editable install of a src layout: a plain path entry, which static
            # tools follow (an import hook they cannot run would hide the package from them).
            (pth,) = (venv / "lib").glob("python*/site-packages/__editable__.tnp-*.pth")
            assert pth.read_text(encoding="utf-8").strip() == str(project / "src")
        case _:
            raise AssertionError(mode)


@pytest.mark.install
@pytest.mark.parametrize("mode", ["pip install .", "wheel", "pip install -e ."])
def test_install_mode_from_outside_the_checkout(mode: str, tmp_path: Path) -> None:
    project = _copy_project(tmp_path / "project")
    venv = tmp_path / "venv"
    _ok(_run(sys.executable, "-m", "venv", venv, cwd=tmp_path))
    _install(mode, project, venv, tmp_path)

    work = tmp_path / "work"
    work.mkdir()
    (work / "mypy.ini").write_text(MYPY_CONFIG, encoding="utf-8")
    (work / "buggy.py").write_text(BUGGY, encoding="utf-8")
    (work / "correct.py").write_text(CORRECT, encoding="utf-8")
    (work / "reveal.py").write_text(REVEAL, encoding="utf-8")
    mypy = venv / "bin" / "mypy"

    # The first run fills the cache in `work` (incremental, as a user runs mypy); the second
    # reads it.
    buggy = _run(mypy, "buggy.py", cwd=work)
    assert buggy.returncode == 1, buggy.stdout + buggy.stderr
    assert "buggy.py:14: error: kernel computes `2 * (M N)`" in buggy.stdout, buggy.stdout
    assert "[tnp-spec]" in buggy.stdout and "import-not-found" not in buggy.stdout
    assert "Success: no issues found in 1 source file" in _ok(_run(mypy, "correct.py", cwd=work))

    assert PYRIGHT is not None, "pyright is in the test extra"
    result = _run(PYRIGHT, "--outputjson", "--pythonpath", venv / "bin" / "python", "reveal.py",
                  cwd=work)
    report = json.loads(result.stdout)
    diagnostics = report["generalDiagnostics"]
    assert [d for d in diagnostics if d["severity"] == "error"] == [], diagnostics
    assert not {d.get("rule") for d in diagnostics} & {
        "reportMissingImports", "reportMissingModuleSource", "reportMissingTypeStubs"
    }, diagnostics
    revealed = [d["message"] for d in diagnostics if d["severity"] == "information"]
    assert revealed == REVEALED, diagnostics
