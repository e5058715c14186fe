"""mypy with the plugin over `examples/`: no error at all in a correct example, and in each
buggy one exactly the error its `# error: tnp-CODE` comment documents, at that line (the
examples are what a newcomer runs mypy on first: nothing else may show). One mypy run checks
them all (`tests/support/mypy_run.py`)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.expectations import actual
from tests.support.mypy_run import EXAMPLES_DIR, checked

CORRECT = sorted(p for p in EXAMPLES_DIR.glob("*.py") if p.name != "run_all.py")
BUGGY = sorted((EXAMPLES_DIR / "buggy").glob("*.py"))
DOCUMENTED = re.compile(r"#\s*error:\s*(tnp-[a-z-]+)")


def errors(path: Path) -> set[tuple[str, int]]:
    """(code, line) of every error mypy reports in `path`, tnp's and mypy's own."""
    return {
        (line.text.rsplit("[", 1)[1].rstrip("]") if line.text.endswith("]") else "", line.line)
        for line in actual(checked(path), path)
        if line.kind == "E"
    }


@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.name)
def test_correct_example_has_no_error(path: Path) -> None:
    assert errors(path) == set()


@pytest.mark.parametrize("path", BUGGY, ids=lambda p: p.name)
def test_buggy_example_reports_documented_error(path: Path) -> None:
    documented = [
        (match.group(1), number)
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if (match := DOCUMENTED.search(text))
    ]
    assert len(documented) == 1
    found = errors(path)
    assert found == {documented[0]}, f"{path.name}: expected {documented[0]}, mypy reported {found}"
