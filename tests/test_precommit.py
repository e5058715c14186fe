"""The README's pre-commit configuration works as written: in a fresh git repository of kernels,
`pre-commit run` with that `.pre-commit-config.yaml` (the block under "In pre-commit and in CI",
with only the requirement `tnp[mypy]` pointed at a wheel built from this checkout, since the
package index here may not have tnp) installs tnp and a supported mypy into pre-commit's own
environment and runs mypy with the plugin:
- a wrong kernel fails the hook with its tnp error at its line;
- once fixed, the hook passes;
- a change to the dims module alone (the kernels' file untouched) fails the hook for the kernel
  it breaks: the hook checks the project, not only the changed files.

Slow (pre-commit builds a virtualenv and installs from PyPI or pip's cache): marked `install`,
which `.ci/run` runs.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_DIR = Path(__file__).resolve().parent.parent
README = REPO_DIR / "README.md"
PRE_COMMIT = shutil.which("pre-commit", path=str(Path(sys.executable).parent))

PYPROJECT = """\
[tool.mypy]
plugins = ["tnp_mypy"]
files = ["kernels"]
"""
DIMS = """\
from tnp_runtime import FullDim

M, N = FullDim("M", 8), FullDim("N", 8)
"""
KERNEL = """\
from typing import Literal as L

import tnp_runtime as tnp
from tnp_runtime import Typed, TypedResult

from kernels.dims import M, N


@tnp.kernel
def scale(x: Typed[L["M N"]], c: TypedResult[L["SPEC"]]) -> None:
    for im in range(0, 8, 4):
        c.assign(x.slice(M, im, im + 4).slice(N, 0, N.size) * 2)
"""


def readme_config() -> str:
    """The first yaml block of the README's "In pre-commit and in CI" section."""
    text = README.read_text(encoding="utf-8")
    section = text.split("### In pre-commit and in CI", 1)[1]
    match = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert match is not None, "the README shows a .pre-commit-config.yaml"
    return match.group(1)


def _run(*command: str | Path, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=900, check=False,
    )


def test_readme_config_installs_tnp_with_mypy_and_checks_the_project() -> None:
    """Cheap, in the default run: what the README block says (the hook installs tnp with the
    `mypy` extra and runs mypy over the configured files, not over the changed ones)."""
    config = readme_config()
    assert 'additional_dependencies: ["tnp[mypy]"]' in config
    assert "entry: mypy" in config and "pass_filenames: false" in config


@pytest.mark.install
def test_precommit_runs_mypy_with_the_plugin(tmp_path: Path) -> None:
    assert PRE_COMMIT is not None, "pre-commit is in the test extra"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MYPYPATH")}
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")

    project = Path(shutil.copytree(REPO_DIR, tmp_path / "tnp", ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis"
    )))
    dist = tmp_path / "dist"
    built = _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", dist,
                 project, cwd=tmp_path, env=env)
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("tnp-*.whl")

    repo = tmp_path / "user"
    (repo / "kernels").mkdir(parents=True)
    config = readme_config().replace('"tnp[mypy]"', f'"tnp[mypy] @ {wheel.as_uri()}"')
    (repo / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    (repo / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (repo / "kernels" / "__init__.py").write_text("", encoding="utf-8")
    (repo / "kernels" / "dims.py").write_text(DIMS, encoding="utf-8")
    kernel = repo / "kernels" / "scale.py"
    kernel.write_text(KERNEL.replace("SPEC", "3 * (M N)"), encoding="utf-8")
    for command in (("init", "-q"), ("add", "-A")):
        assert _run("git", *command, cwd=repo, env=env).returncode == 0

    wrong = _run(PRE_COMMIT, "run", "--all-files", cwd=repo, env=env)
    assert wrong.returncode == 1, wrong.stdout + wrong.stderr
    assert "kernels/scale.py:12: error: kernel computes `2 * (M N)`" in wrong.stdout, wrong.stdout
    assert "[tnp-spec]" in wrong.stdout

    kernel.write_text(KERNEL.replace("SPEC", "2 * (M N)"), encoding="utf-8")
    assert _run("git", "add", "-A", cwd=repo, env=env).returncode == 0
    fixed = _run(PRE_COMMIT, "run", "--all-files", cwd=repo, env=env)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "Passed" in fixed.stdout
    commit = _run("git", "-c", "user.name=u", "-c", "user.email=u@example.com", "commit", "-qm",
                  "kernels", cwd=repo, env=env)
    assert commit.returncode == 0, commit.stdout + commit.stderr

    # M made 12: the kernel's loop (range(0, 8, 4)) now leaves M[8:12] unwritten. Only the dims
    # module changed; the hook still checks the kernel.
    (repo / "kernels" / "dims.py").write_text(DIMS.replace('"M", 8', '"M", 12'), encoding="utf-8")
    assert _run("git", "add", "-A", cwd=repo, env=env).returncode == 0
    changed = _run(PRE_COMMIT, "run", "--files", "kernels/dims.py", cwd=repo, env=env)
    assert changed.returncode == 1, changed.stdout + changed.stderr
    assert "kernels/scale.py:" in changed.stdout and "[tnp-coverage]" in changed.stdout, (
        changed.stdout
    )
