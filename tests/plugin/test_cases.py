"""Each `cases/*.py` file, checked by mypy with the plugin, prints exactly its inline
`# E:` / `# N:` expectations (see `tests/support/expectations.py`). The files are checked
together, one mypy run per config (`tests/support/mypy_run.py`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.expectations import actual, compare, expected
from tests.support.mypy_run import CASES, CASES_DIR, checked, run_mypy
from tests.support.pending import case_params


def test_cases_found() -> None:
    assert len(CASES) >= 10


@pytest.mark.parametrize("path", case_params(CASES))
def test_case(path: Path) -> None:
    stdout = checked(path)
    problems = compare(expected(path), actual(stdout, path))
    assert not problems, "\n".join([f"{path.name}:", *problems, "mypy printed:", stdout])


def test_disable_error_code() -> None:
    """`disable_error_code` silences a tnp code, its notes included, like any mypy code."""
    path = CASES_DIR / "kernel_form.py"
    stdout = run_mypy(path, extra=("--disable-error-code", "tnp-spec"))
    assert "tnp-spec" not in stdout and ":33: note" not in stdout
    assert "[tnp-coverage]" in stdout
