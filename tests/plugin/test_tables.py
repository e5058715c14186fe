"""The plugin empties the core's tables before each analysis (`core/tables.py`): in one process
checking the same code again and again, as dmypy or a language server does, the tables do not
grow, and the verdicts are the ones shown with the tables never emptied."""

from __future__ import annotations

from pathlib import Path

import mypy.api
import pytest

from tests.support.mypy_run import CASES_DIR, CONFIG
from tnp_runtime.core import tables

FILES = (CASES_DIR / "kernel_form.py", CASES_DIR / "coverage.py")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the case files and mypy's cache, shared by the runs (the stubs are read once)."""
    root = tmp_path_factory.mktemp("project")
    for path in FILES:
        (root / path.name).write_text(path.read_text())
    return root


def _check(project: Path) -> str:
    """mypy on the copies, each edited first (a comment appended): every run analyses them."""
    for path in FILES:
        with (project / path.name).open("a") as handle:
            handle.write("# edited\n")
    stdout, stderr, _status = mypy.api.run(
        ["--config-file", str(CONFIG), "--cache-dir", str(project / ".cache"),
         "--no-error-summary", "--hide-error-context", "--no-pretty",
         *(str(project / path.name) for path in FILES)]
    )
    assert "INTERNAL ERROR" not in stdout + stderr, stdout + stderr
    return stdout.replace(str(project), "")


def test_repeated_checks_keep_the_tables_bounded_and_the_verdicts(project: Path) -> None:
    first = _check(project)
    resets = tables.resets()
    assert _check(project) == first and tables.resets() > resets  # every run analyses
    assert "[tnp-" in first  # the cases have errors: the checks below compare real verdicts
    held = tables.held()
    resets = tables.resets()
    outputs, sizes = [], []
    for _ in range(2):
        outputs.append(_check(project))
        sizes.append(tables.held())
    assert outputs == [first] * 2
    assert tables.resets() >= resets + 2 * len(FILES)
    assert max(sizes) <= held


def test_without_resets_the_tables_grow_and_the_verdicts_are_the_same(
    monkeypatch: pytest.MonkeyPatch, project: Path
) -> None:
    with_resets = _check(project)
    monkeypatch.setattr(tables, "reset_if_idle", lambda: False)
    sizes = []
    for _ in range(2):
        assert _check(project) == with_resets
        sizes.append(tables.held())
    assert sizes[0] < sizes[1]
