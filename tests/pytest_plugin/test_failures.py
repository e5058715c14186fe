"""A failed tnp check inside an ordinary test is reported with the tnp message, as mypy prints
it, at the line of the kernel that failed, instead of a traceback through tnp
(src/tnp_pytest/failures.py); `--tnp-traceback` keeps pytest's report."""

from __future__ import annotations

import pytest

from tests.pytest_plugin.conftest import line_of, literal, runpytest

CALLS_WRONG = '''
import numpy as np
import pytest

from tnp_runtime import Typed
from tkernels.wrong import M, N, double_last_wrong


def test_calls_the_wrong_kernel():
    x = Typed(np.ones((M.size, N.size)), M, N)
    double_last_wrong(x, double_last_wrong.result())  # the call


def test_expects_the_error():
    from tnp_runtime import TypeCheckError

    x = Typed(np.ones((M.size, N.size)), M, N)
    with pytest.raises(TypeCheckError):
        double_last_wrong(x, double_last_wrong.result())


def test_other_failure():
    assert 1 == 2
'''


@pytest.fixture
def calls(project: pytest.Pytester) -> pytest.Pytester:
    project.makepyfile(test_calls=CALLS_WRONG)
    project.syspathinsert()
    return project


def test_the_tnp_message_replaces_the_traceback(calls: pytest.Pytester) -> None:
    result = runpytest(calls)
    result.assert_outcomes(passed=1, failed=2)
    kernel_line = line_of(calls.path / "tkernels" / "wrong.py", "# error: tnp-spec")
    call_line = line_of(calls.path / "test_calls.py", "# the call")
    result.stdout.fnmatch_lines([
        "*_ test_calls_the_wrong_kernel _*",
        literal(f"tkernels/wrong.py:{kernel_line}: error: kernel computes `3 * (M N)` over "
                "M[4:8] N[0:16]; the spec requires `2 * (M N)`  [tnp-spec]"),
        f"tkernels/wrong.py:{kernel_line}: note: *",
        f"reached from test_calls.py:{call_line} (test_calls_the_wrong_kernel)",
        "(TypeCheckError; --tnp-traceback shows the traceback)",
        "*_ test_other_failure _*",
    ])
    # Only the tnp failure is rewritten: the other keeps pytest's own report.
    result.stdout.fnmatch_lines(["E       assert 1 == 2"])
    assert "tnp_runtime/result.py" not in result.stdout.str()
    # The short summary names the code.
    result.stdout.fnmatch_lines([
        "FAILED test_calls.py::test_calls_the_wrong_kernel - error: kernel computes*"])


def test_tnp_traceback_keeps_pytests_report(calls: pytest.Pytester) -> None:
    result = runpytest(calls, "--tnp-traceback")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines([
        "*_ test_calls_the_wrong_kernel _*",
        ">       double_last_wrong(x, double_last_wrong.result())  # the call",
        "E       tnp_runtime.errors.TypeCheckError: kernel computes*",
    ])
    assert "--tnp-traceback shows the traceback" not in result.stdout.str()


def test_without_the_plugin_pytest_shows_its_own_report(calls: pytest.Pytester) -> None:
    result = runpytest(calls, "-p", "no:tnp")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(["E       tnp_runtime.errors.TypeCheckError: kernel computes*"])
    assert "--tnp-traceback shows the traceback" not in result.stdout.str()


def test_tb_line_shows_one_line_per_failure(calls: pytest.Pytester) -> None:
    result = runpytest(calls, "--tb=line")
    kernel_line = line_of(calls.path / "tkernels" / "wrong.py", "# error: tnp-spec")
    result.stdout.fnmatch_lines([
        f"tkernels/wrong.py:{kernel_line}: error: kernel computes*  [[]tnp-spec[]]"])
    assert "reached from" not in result.stdout.str()


def test_a_bad_spec_shows_its_caret(project: pytest.Pytester) -> None:
    project.makepyfile(test_spec='''
from tnp_runtime import TypedResult


def test_bad():
    TypedResult("2 * (M N")  # the spec
''')
    result = runpytest(project)
    result.assert_outcomes(failed=1)
    line = line_of(project.path / "test_spec.py", "# the spec")
    result.stdout.fnmatch_lines([
        f"test_spec.py:{line}: error: bad spec: unclosed '('  [[]tnp-bad-spec[]]",
        f"test_spec.py:{line}: note:     2 * (M N",
        f"test_spec.py:{line}: note:         ^",
        "(SpecError; --tnp-traceback shows the traceback)",
    ])


def test_an_error_located_in_the_plugin_is_shown_at_the_kernel() -> None:
    """A check at the call the plugin itself makes would point into the plugin: it is shown at
    the kernel's `def` line instead (the fallback); a user's line is kept."""
    from pathlib import Path

    from tnp_pytest import failures
    from tnp_runtime.core.diagnostics import Code, Diagnostic
    from tnp_runtime.errors import TypeCheckError

    inside = str(Path(failures.__file__).with_name("check.py"))
    error = TypeCheckError(Diagnostic(Code.SPEC, "wrong"), inside, 57)
    lines, crash = failures.message_lines(error, None, Path("/p"), ("/p/k.py", 12))
    assert lines == ["k.py:12: error: wrong  [tnp-spec]"] and crash.lineno == 12
    mine = TypeCheckError(Diagnostic(Code.SPEC, "wrong"), "/p/k.py", 20)
    lines, _ = failures.message_lines(mine, None, Path("/p"), ("/p/k.py", 12))
    assert lines == ["k.py:20: error: wrong  [tnp-spec]"]
