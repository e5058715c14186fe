"""`--tnp-kernels`: every kernel of the named modules runs as an item on seeded random inputs,
and its results are compared with its spec evaluated on them (src/tnp_pytest).

Most tests read one run over the whole `tkernels` package (`full`), made once in a subprocess
as a user would run it; the others run pytest inside the test (`pytester`)."""

from __future__ import annotations

import shlex

import pytest

from tests.pytest_plugin.conftest import (
    Run,
    copy_project,
    line_of,
    literal,
    run_project,
    runpytest,
    summary_outcomes,
)

NO_STATIC = "--tnp-no-static"


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> Run:
    directory = tmp_path_factory.mktemp("project")
    copy_project(directory)
    record = directory / "record.txt"
    return run_project(directory, "--tnp-kernels=tkernels", NO_STATIC, "-v", "-rs",
                       env={"TNP_TEST_RECORD": str(record)})


def fnmatch(lines: list[str], patterns: list[str]) -> None:
    """Each pattern matches a line, in order (as pytester's `fnmatch_lines`)."""
    at = 0
    for pattern in patterns:
        import fnmatch as fn

        while at < len(lines) and not fn.fnmatch(lines[at], pattern):
            at += 1
        assert at < len(lines), f"no line matches {pattern!r} (in order) in:\n" + "\n".join(
            lines)
        at += 1


def test_without_the_option_nothing_is_collected(project: pytest.Pytester) -> None:
    project.makepyfile(test_plain="def test_one():\n    pass\n")
    result = runpytest(project, "-v")
    result.assert_outcomes(passed=1)
    text = result.stdout.str()
    assert "tnp-kernels" not in text and "tnp kernels" not in text and "tkernels" not in text


def test_each_kernel_is_an_item_with_its_outcome(full: Run) -> None:
    assert full.returncode == pytest.ExitCode.TESTS_FAILED
    assert summary_outcomes(full.lines) == {
        "tkernels.good::double": "PASSED",
        "tkernels.good::row_sum": "PASSED",
        "tkernels.huge::double_huge": "SKIPPED",
        "tkernels.opaque_rows::running": "FAILED",
        "tkernels.recorded::record": "PASSED",
        "tkernels.saved::center": "PASSED",
        "tkernels.unbuildable::scaled": "SKIPPED",
        "tkernels.unbuildable::scaled_default": "PASSED",
        "tkernels.unfollowed::guarded": "PASSED",
        "tkernels.wrong::double_last_wrong": "FAILED",
    }
    # Node ids name the module and the kernel; a kernel a module imports is not collected again.
    fnmatch(full.lines, [
        "tnp-kernels::tkernels.good::double PASSED*",
        "tnp-kernels::tkernels.wrong::double_last_wrong FAILED*",
        "10 kernels run on random inputs (--tnp-seed=0) and compared with their specs: "
        "6 passed, 2 failed, 2 skipped",
        "static check not computed (--tnp-no-static)*",
        "*2 failed, 6 passed, 2 skipped*",
    ])
    assert "tkernels.imports" not in full.text


def test_a_wrong_kernel_shows_the_tnp_message_at_its_line(full: Run) -> None:
    line = line_of(full.directory / "tkernels" / "wrong.py", "# error: tnp-spec")
    fnmatch(full.lines, [
        "tkernels.wrong::double_last_wrong failed on random inputs",
        literal(f"tkernels/wrong.py:{line}: error: kernel computes `3 * (M N)` over M[4:8] "
                "N[0:16]; the spec requires `2 * (M N)`  [tnp-spec]"),
        f"tkernels/wrong.py:{line}: note: *",
        "inputs (seed 0, --tnp-seed=0):",
        "  x: M N (8×16), standard normal",
        "rerun this kernel alone: pytest --tnp-kernels=tkernels.wrong:double_last_wrong "
        "--tnp-seed=0 -k tnp-kernels",
    ])
    fnmatch(full.lines, [literal("FAILED   tkernels.wrong::double_last_wrong  [static: not "
                                 f"computed]  (tnp-spec at tkernels/wrong.py:{line})")])
    # The message replaces the traceback through tnp's internals.
    assert "tnp_runtime/result.py" not in full.text


def test_an_unbuildable_parameter_is_skipped_with_the_reason(full: Run) -> None:
    reason = ("scaled: parameter factor (annotation `float`) has no default and is not "
              "Typed[...], Saved[...] or TypedResult[...]: no input can be made for it")
    fnmatch(full.lines, ["SKIPPED*tkernels/unbuildable.py*" + literal(reason) + "*"])
    fnmatch(full.lines, [literal("SKIPPED  tkernels.unbuildable::scaled  [static: not "
                                 f"computed]  ({reason}") + "*"])
    # A kernel whose dims are too large to make inputs of.
    fnmatch(full.lines, [literal(
        "SKIPPED  tkernels.huge::double_huge  [static: not computed]  (double_huge: its inputs "
        "would hold 134,217,728 numbers, more than the 67,108,864 the plugin makes") + "*"])


def test_a_saved_input_gets_its_definition(full: Run) -> None:
    """The runtime checks a saved argument's data against its definition: `center` passing
    means the plugin made its `total` from the definition."""
    fnmatch(full.lines, ["tnp-kernels::tkernels.saved::center PASSED*"])


def test_results_are_compared_with_the_spec_evaluated(full: Run) -> None:
    """Every tile of `running` is proved (its opaque function is the spec's), but the function
    is not elementwise, so the numbers are not the spec's: only the comparison sees it."""
    line = line_of(full.directory / "tkernels" / "opaque_rows.py", "def running")
    fnmatch(full.lines, [
        f"tkernels/opaque_rows.py:{line}: error: running: result c is not its spec `cumsum(M "
        "N)` evaluated on the same inputs: largest difference * at M=* N=* (kernel *, spec *)",
        "*values differ beyond rtol=1e-06, atol=1e-09",
    ])


def _recorded(project: pytest.Pytester, *args: str) -> str:
    record = project.path / "record.txt"
    record.unlink(missing_ok=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TNP_TEST_RECORD", str(record))
        result = runpytest(project, "--tnp-kernels=tkernels.recorded", NO_STATIC, *args)
    result.assert_outcomes(passed=1)
    return record.read_text(encoding="utf-8")


def test_the_seed_fixes_the_inputs(full: Run, project: pytest.Pytester) -> None:
    """The run of the whole package (default seed) and runs of `record` alone: the same seed
    gives the same inputs whatever else runs; another seed, others."""
    in_full = (full.directory / "record.txt").read_text(encoding="utf-8")
    assert in_full and _recorded(project, "--tnp-seed=0") == in_full
    seven = _recorded(project, "--tnp-seed=7")
    assert seven != in_full
    assert _recorded(project, "--tnp-seed=7") == seven


def test_the_rerun_command_runs_that_kernel_alone(project: pytest.Pytester) -> None:
    """The command a failure shows, run as shown: that kernel alone, with its inputs."""
    project.makepyfile(test_plain="def test_one():\n    pass\n")
    first = runpytest(project, "--tnp-kernels=tkernels/", NO_STATIC, "--tnp-seed=5")
    shown = [line.split(": ", 1)[1] for line in first.outlines
             if line.startswith("rerun this kernel alone: ") and "double_last_wrong" in line]
    assert shown == [
        "pytest --tnp-kernels=tkernels/wrong.py:double_last_wrong --tnp-seed=5 -k tnp-kernels"]
    command = shlex.split(shown[0])
    assert command[0] == "pytest"
    again = runpytest(project, *command[1:], NO_STATIC)
    again.assert_outcomes(failed=1, deselected=1)
    assert set(summary_outcomes(again.outlines)) == {"tkernels.wrong::double_last_wrong"}


def test_the_ini_key_names_the_kernels(project: pytest.Pytester) -> None:
    (project.path / "pytest.ini").write_text(
        "[pytest]\ntnp_kernels =\n    tkernels.good\n    tkernels/saved.py\n", encoding="utf-8")
    result = runpytest(project, NO_STATIC)
    result.assert_outcomes(passed=3)
    assert set(summary_outcomes(result.outlines)) == {
        "tkernels.good::double", "tkernels.good::row_sum", "tkernels.saved::center"}
    # The command line replaces it; an empty value turns it off.
    result = runpytest(project, NO_STATIC, "--tnp-kernels=tkernels.wrong")
    assert set(summary_outcomes(result.outlines)) == {"tkernels.wrong::double_last_wrong"}
    project.makepyfile(test_plain="def test_one():\n    pass\n")
    result = runpytest(project, NO_STATIC, "--tnp-kernels=")
    result.assert_outcomes(passed=1)
    assert "tnp kernels" not in result.stdout.str()


def test_the_ini_key_in_pyproject_toml(project: pytest.Pytester) -> None:
    (project.path / "pytest.ini").unlink()
    (project.path / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\ntnp_kernels = ["tkernels.good:double", "tkernels.saved"]\n',
        encoding="utf-8")
    result = runpytest(project, NO_STATIC)
    result.assert_outcomes(passed=2)
    assert set(summary_outcomes(result.outlines)) == {
        "tkernels.good::double", "tkernels.saved::center"}


def test_paths_and_one_kernel(project: pytest.Pytester) -> None:
    result = runpytest(project, "--tnp-kernels=tkernels/good.py:double,tkernels/wrong.py",
                               NO_STATIC)
    result.assert_outcomes(passed=1, failed=1)
    assert set(summary_outcomes(result.outlines)) == {
        "tkernels.good::double", "tkernels.wrong::double_last_wrong"}


def test_unknown_targets_are_a_usage_error(project: pytest.Pytester) -> None:
    result = runpytest(project, "--tnp-kernels=no_such_package,tkernels/none.py", NO_STATIC)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([
        "*no_such_package: --tnp-kernels: no module or path 'no_such_package'*",
        "tkernels/none.py: --tnp-kernels: no such file or directory: tkernels/none.py",
    ])


def test_an_unknown_kernel_name_is_a_collection_error(project: pytest.Pytester) -> None:
    result = runpytest(project, "--tnp-kernels=tkernels.good:triple", NO_STATIC)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*tkernels.good defines no kernel 'triple'*"])


def test_a_module_that_fails_a_check_on_import_shows_the_message(
    project: pytest.Pytester,
) -> None:
    project.makepyfile(script_kernel='''
from tnp_runtime import FullDim, Typed, TypedResult

M = FullDim("M", 4)
x = Typed([1.0, 2.0, 3.0, 4.0], M)
c = TypedResult("2 * M")
c.assign(x * 3)  # error here
''')
    result = runpytest(project, "--tnp-kernels=script_kernel.py", NO_STATIC)
    result.assert_outcomes(errors=1)
    line = line_of(project.path / "script_kernel.py", "# error here")
    result.stdout.fnmatch_lines([
        "importing script_kernel failed a tnp check:",
        f"script_kernel.py:{line}: error: *  [[]tnp-spec[]]",
    ])


def test_a_saved_input_without_a_finite_definition_is_skipped(project: pytest.Pytester) -> None:
    """The log of a sum of standard normals is NaN on some rows: no argument passes the
    runtime's data check, so the kernel is skipped with the reason, not failed or passed."""
    project.makepyfile(saved_log='''
from typing import Literal as L

import tnp_runtime as tnp
from tnp_runtime import FullDim, Saved, Typed, TypedResult

M, N = FullDim("M", 8), FullDim("N", 16)


@tnp.kernel
def logs(
    x: Typed[L["M N"]],
    s: Saved[L["M"], L["log(sum[N](x:M N))"]],
    c: TypedResult[L["2 * log(sum[N](x:M N))"]],
) -> None:
    c.assign(s * 2)
''')
    result = runpytest(project, "--tnp-kernels=saved_log.py", NO_STATIC, "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines([
        "SKIPPED  saved_log::logs  [[]static: not computed[]]  (logs: the definition "
        "`log(sum[[]N[]](x:M N))` of saved input s is not finite on standard-normal inputs*",
    ])
