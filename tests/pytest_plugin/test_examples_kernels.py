"""`--tnp-kernels` over the repository's examples, run as a user runs it from the checkout:
every kernel of the correct examples passes; each buggy example fails (its kernel, or its
import for the script-form ones) with the code its `# error: tnp-CODE` comment documents, at
that line. The buggy half takes several seconds of proofs: it is in the slow tier."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.pytest_plugin.conftest import Run, literal, run_project, summary_outcomes
from tests.support import runtime_run
from tests.support.mypy_run import EXAMPLES_DIR

REPO = EXAMPLES_DIR.parent
run_all = runtime_run.run_all()


def kernels_in(path: Path) -> list[str]:
    """The functions `path` decorates with `@tnp.kernel`, read with `ast`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.name for node in tree.body
        if isinstance(node, ast.FunctionDef) and any(
            ast.unparse(d) in {"tnp.kernel", "kernel"} for d in node.decorator_list)
    ]


def run_examples(tmp_path: Path, targets: str, *args: str) -> Run:
    """pytest from the checkout's root, with an empty project of its own (no tests but the
    kernels, none of this repository's configuration), so paths show as `examples/...`."""
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    return run_project(REPO, "-c", str(tmp_path / "pytest.ini"), f"--rootdir={tmp_path}",
                       f"--tnp-kernels={targets}", "--tnp-no-static", *args, str(tmp_path))


def test_every_correct_examples_kernels_pass(tmp_path: Path) -> None:
    correct = run_all.correct_examples()
    run = run_examples(tmp_path, ",".join(str(p.relative_to(REPO)) for p in correct))
    expected = {f"{p.stem}::{name}": "PASSED" for p in correct for name in kernels_in(p)}
    assert len(expected) >= 15, expected
    assert summary_outcomes(run.lines) == expected, run.text
    assert run.returncode == 0, run.text


@pytest.mark.slow
def test_every_buggy_example_fails_with_its_code(tmp_path: Path) -> None:
    buggy = run_all.buggy_examples()
    run = run_examples(tmp_path, "examples/buggy", "--continue-on-collection-errors")
    assert run.returncode == pytest.ExitCode.TESTS_FAILED
    outcomes = summary_outcomes(run.lines)
    import fnmatch

    for path in buggy:
        code, line = run_all.documented_error(path)
        shown = f"{path.relative_to(REPO)}:{line}: error: "
        assert any(fnmatch.fnmatch(text, literal(shown) + f"*  [[]{code}[]]")
                   for text in run.lines), f"{shown}... [{code}] not in:\n{run.text}"
        # A kernel-form example's kernel fails; a script-form one fails on import.
        for name in kernels_in(path):
            assert outcomes.get(f"{path.stem}::{name}") in {"FAILED", None}, outcomes
    assert "PASSED" not in outcomes.values()
