"""The summary's static column: one mypy run with the plugin over the kernels' files, read back
from `TNP_MYPY_TIMES` and mypy's output (src/tnp_pytest/static.py). A kernel is called checked
only on that evidence; without it, the column says it was not computed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pytest_plugin.conftest import line_of, literal, runpytest, summary_outcomes
from tnp_pytest import static


@pytest.mark.slow
def test_the_summary_lists_what_mypy_cannot_check(project: pytest.Pytester) -> None:
    (project.path / "mypy.ini").write_text("[mypy]\nplugins = tnp_mypy\n", encoding="utf-8")
    result = runpytest(project, "--tnp-kernels=tkernels")
    result.assert_outcomes(passed=6, failed=2, skipped=2)
    wrong = line_of(project.path / "tkernels" / "wrong.py", "# error: tnp-spec")
    guarded = line_of(project.path / "tkernels" / "unfollowed.py", "@tnp.kernel")
    scaled = line_of(project.path / "tkernels" / "unbuildable.py", "@tnp.kernel")
    result.stdout.fnmatch_lines([
        "static check: mypy with mypy.ini, over 8 files",
        "PASSED   tkernels.good::double  [[]static: proved by the mypy plugin[]]",
        "SKIPPED  tkernels.unbuildable::scaled  [[]static: RUNTIME ONLY[]]*",
        "PASSED   tkernels.unfollowed::guarded  [[]static: RUNTIME ONLY[]]",
        f"FAILED   tkernels.wrong::double_last_wrong  [[]static: mypy reports tnp-spec at line "
        f"{wrong}[]]*",
        "runtime only: * kernels the mypy plugin cannot check statically (the runtime is their "
        "only check):",
    ])
    result.stdout.fnmatch_lines([
        literal(f"  tkernels.unbuildable::scaled (tkernels/unbuildable.py:{scaled}): ") + "*"
        "; NOT CHECKED AT ALL in this run",
    ])
    result.stdout.fnmatch_lines([
        literal(f"  tkernels.unfollowed::guarded (tkernels/unfollowed.py:{guarded}): tnp cannot "
                "follow a `TryStmt` statement") + "*[[]tnp-unsupported[]]",
    ])
    # A kernel the plugin proved is never listed as runtime only.
    listed = result.stdout.str().split("runtime only:", 1)[1]
    assert "tkernels.good::double " not in listed and "tkernels.saved::center" not in listed


def test_a_kernel_mypy_cannot_follow_is_listed(project: pytest.Pytester) -> None:
    """The same, on one file, in the default tier (one mypy process of a few seconds)."""
    result = runpytest(project, "--tnp-kernels=tkernels/unfollowed.py")
    result.assert_outcomes(passed=1)
    guarded = line_of(project.path / "tkernels" / "unfollowed.py", "@tnp.kernel")
    result.stdout.fnmatch_lines([
        "static check: mypy with *, over 1 file",
        "PASSED   tkernels.unfollowed::guarded  [[]static: RUNTIME ONLY[]]",
        "runtime only: 1 kernel the mypy plugin cannot check statically (the runtime is its "
        "only check):",
        literal(f"  tkernels.unfollowed::guarded (tkernels/unfollowed.py:{guarded}): tnp cannot "
                "follow a `TryStmt` statement") + "*",
    ])


def test_without_mypy_the_column_is_not_computed(project: pytest.Pytester,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(static, "available", lambda: "mypy is not installed")
    result = runpytest(project, "--tnp-kernels=tkernels.good,tkernels.unfollowed")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines([
        "static check not computed (mypy is not installed): nothing below says what mypy "
        "checks",
    ])
    assert set(summary_outcomes(result.outlines)) == {
        "tkernels.good::double", "tkernels.good::row_sum", "tkernels.unfollowed::guarded"}
    assert result.stdout.str().count("[static: not computed]") == 3
    assert "proved by the mypy plugin" not in result.stdout.str()
    assert "runtime only" not in result.stdout.str()


KERNEL = static.KernelRef("/p/k.py", "matmul", 10, 30)


@pytest.mark.parametrize(
    ("scopes", "findings", "verdict"),
    [
        # Followed to its end, no tnp error: checked.
        ([{"kind": "kernel", "scope": "k.matmul", "line": 11, "stopped": None}], [], "checked"),
        # Its check stopped: runtime only.
        ([{"kind": "kernel", "scope": "k.matmul", "line": 11, "stopped": "construct"}], [],
         "stopped"),
        # A tnp error in its lines: errors; tnp-unsupported there: runtime only.
        ([{"kind": "kernel", "scope": "k.matmul", "line": 11, "stopped": None}],
         [static.Finding("/p/k.py", 20, "error", "kernel computes", "tnp-spec")], "errors"),
        ([{"kind": "kernel", "scope": "k.matmul", "line": 11, "stopped": None}],
         [static.Finding("/p/k.py", 20, "error", "cannot follow", "tnp-unsupported")],
         "stopped"),
        # An error outside its lines, or another scope's record, says nothing about it.
        ([{"kind": "kernel", "scope": "k.matmul", "line": 11, "stopped": None}],
         [static.Finding("/p/k.py", 31, "error", "kernel computes", "tnp-spec")], "checked"),
        ([{"kind": "kernel", "scope": "k.other", "line": 40, "stopped": None}], [], "unknown"),
        ([{"kind": "function", "scope": "k.matmul", "line": 11, "stopped": None}], [],
         "unknown"),
        ([], [], "unknown"),
    ],
)
def test_verdicts_come_from_the_evidence(scopes: list[dict[str, object]],
                                         findings: list[static.Finding], verdict: str) -> None:
    run = static.StaticRun(scopes, [
        static.Finding(str(Path(f.path).resolve()), f.line, f.kind, f.message, f.code)
        for f in findings
    ])
    assert run.verdict(KERNEL).verdict == verdict


def test_a_failed_mypy_run_is_not_evidence(tmp_path: Path) -> None:
    run = static.run([str(tmp_path / "missing.py")], tmp_path)
    assert run.failure is not None and run.failure.startswith("mypy exited 2")
    assert run.verdict(static.KernelRef(str(tmp_path / "missing.py"), "k", 1, 5)).verdict == (
        "unknown")
