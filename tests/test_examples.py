"""Every example is a test.

`examples/*.py` must run to the end (exit 0) in a fresh interpreter. Each `examples/buggy/*.py`
must stop with the tnp error its `# error: tnp-CODE` comment names, reported at that comment's
line; it runs in-process so the test can read the exception's code and traceback.
"""

from __future__ import annotations

import ast
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

import tnp_runtime as tnp
from tests.support import runtime_run
from tests.support.mypy_run import EXAMPLES_DIR

CODES = frozenset(
    {
        "tnp-dim",
        "tnp-reduce",
        "tnp-spec",
        "tnp-unproven",
        "tnp-overlap",
        "tnp-coverage",
        "tnp-bad-spec",
    }
)


run_all = runtime_run.run_all()
CORRECT = run_all.correct_examples()
BUGGY = run_all.buggy_examples()


def test_examples_found() -> None:
    assert CORRECT and BUGGY


@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.name)
def test_example_runs(path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(path)],
        capture_output=True,
        text=True,
        timeout=run_all.TIMEOUT_SECONDS,
        cwd=EXAMPLES_DIR.parent,
        env=run_all.example_env(),
    )
    assert proc.returncode == 0, f"{path.name} exited {proc.returncode}:\n{proc.stderr}"
    assert "OK" in proc.stdout, f"{path.name} printed no OK summary:\n{proc.stdout}"


@pytest.mark.parametrize("path", BUGGY, ids=lambda p: p.name)
def test_buggy_example_stops_at_documented_error(path: Path) -> None:
    code, line = run_all.documented_error(path)
    assert code in CODES, f"{path.name}: unknown code {code} in its '# error:' comment"
    assert ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))), (
        f"{path.name} needs a docstring saying what the bug is and what tnp reports"
    )

    with pytest.raises((tnp.TypeCheckError, tnp.SpecError)) as raised:
        runpy.run_path(str(path), run_name="__main__")

    error = raised.value
    assert str(error.code) == code, f"{path.name}: expected {code}, got {error.code}: {error}"
    assert run_all.reported_line(error, path) == line, (
        f"{path.name}: expected {code} at line {line}, reported at line "
        f"{run_all.reported_line(error, path)}: {error}"
    )
