"""mypy with the plugin over `examples/`: no tnp error in a correct example, and in each buggy
one the error its `# error: tnp-CODE` comment documents, at that line.

Only `tnp-*` errors are compared: whether the examples also satisfy mypy's ordinary checks is
the examples' own business (see the closing note of the plugin's issue).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.plugin.expectations import actual
from tests.plugin.harness import REPO_DIR, run_mypy

EXAMPLES = REPO_DIR / "examples"
CORRECT = sorted(p for p in EXAMPLES.glob("*.py") if p.name != "run_all.py")
BUGGY = sorted((EXAMPLES / "buggy").glob("*.py"))
DOCUMENTED = re.compile(r"#\s*error:\s*(tnp-[a-z-]+)")


def tnp_errors(path: Path) -> set[tuple[str, int]]:
    return {
        (line.text.rsplit("[", 1)[1].rstrip("]"), line.line)
        for line in actual(run_mypy(path), path)
        if line.kind == "E" and line.text.endswith("]") and "[tnp-" in line.text
    }


@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.name)
def test_correct_example_has_no_tnp_error(path: Path) -> None:
    assert tnp_errors(path) == set()


@pytest.mark.parametrize("path", BUGGY, ids=lambda p: p.name)
def test_buggy_example_reports_documented_error(path: Path) -> None:
    documented = [
        (match.group(1), number)
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if (match := DOCUMENTED.search(text))
    ]
    assert len(documented) == 1
    found = tnp_errors(path)
    assert documented[0] in found, f"{path.name}: expected {documented[0]}, mypy reported {found}"
