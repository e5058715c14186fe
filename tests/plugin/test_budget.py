"""Pathological sizes: a tile loop of 10^9 iterations stops the static check with a
`tnp-unsupported` error, in bounded time and memory; `[tool.tnp_mypy]` in pyproject.toml lowers
the budget (statements and seconds). Each check runs mypy in a subprocess, whose memory is
limited.

Time is the subprocess' CPU time: it bounds the work done, whatever else the machine runs (a
wall-clock bound failed on a loaded machine with the work unchanged). The wall-clock timeout
only guards against a hang.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.mypy_run import REPO_DIR

HUGE = 1_000_000_000
KERNEL_HEADER = '''\
from typing import Literal as L

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 8), FullDim("N", 4)


@tnp.kernel
def many(a: Typed[L["M N"]], c: TypedResult[L["2 * a:M N"]]) -> None:
'''
PYPROJECT = '''\
[tool.mypy]
plugins = ["tnp_mypy"]
show_error_codes = true

[tool.tnp_mypy]
{knobs}
'''
MEMORY_LIMIT = 2 * 1024**3  # bytes: a materialised 10^9-element list fails fast, not the machine


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_budgeted(tmp_path: Path, body: str, knobs: str = "", timeout: float = 300,
                 header: str = KERNEL_HEADER) -> tuple[str, float]:
    """mypy in a subprocess (bounded in time and memory) on one kernel whose body is `body`,
    with `[tool.tnp_mypy]` set to `knobs`: (stdout, CPU seconds the subprocess used)."""
    (tmp_path / "pyproject.toml").write_text(
        PYPROJECT.format(knobs=knobs), encoding="utf-8")
    (tmp_path / "kernel.py").write_text(header + body, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO_DIR)}
    started = _children_cpu_seconds()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "mypy", "--no-incremental", "--no-error-summary",
             "kernel.py"],
            cwd=tmp_path, capture_output=True, text=True, env=env, timeout=timeout,
            preexec_fn=_limit_memory,
        )
    except subprocess.TimeoutExpired as err:
        raise AssertionError(f"mypy did not finish in {timeout} s on:\n{body}") from err
    seconds = _children_cpu_seconds() - started
    assert "INTERNAL ERROR" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    return proc.stdout, seconds


LOOPS = {
    "range": f"    for i in range({HUGE}):\n        c.assign(a * 2)\n",
    "range-step": f"    for i in range(0, {HUGE}, 1):\n        t = a * 2\n    c.assign(t)\n",
    "nested": "    for i in range(100_000):\n        for j in range(10_000):\n"
              "            t = a * 2\n    c.assign(t)\n",
    "enumerate": f"    for k, i in enumerate(range(0, {HUGE})):\n        t = a * 2\n"
                 "    c.assign(t)\n",
    "zip": f"    for i, j in zip(range({HUGE}), range({HUGE})):\n        t = a * 2\n"
           "    c.assign(t)\n",
    "reversed": f"    for i in reversed(range({HUGE})):\n        t = a * 2\n    c.assign(t)\n",
    "list": f"    for i in list(range({HUGE})):\n        t = a * 2\n    c.assign(t)\n",
}
DEFAULT_SECONDS = 30.0

# The shapes induction proves (a `range` loop whose body writes no region it wrote before).
PROVED = ("range-step", "nested")


@pytest.mark.slow
@pytest.mark.parametrize("shape", PROVED)
def test_huge_range_loops_are_proved_by_induction(tmp_path: Path, shape: str) -> None:
    """By default the same loops are proved by induction: 10^9 iterations (and 10^9 in two
    nested loops) are checked, not stopped, within the budget's seconds."""
    stdout, seconds = run_budgeted(tmp_path, LOOPS[shape])
    assert stdout == "", stdout
    assert seconds < DEFAULT_SECONDS, seconds


def _budget_stop(stdout: str) -> list[str]:
    """The budget's stop, an error (`tnp-unsupported`): every kernel here writes a result."""
    return re.findall(
        r"kernel\.py:\d+: error: (tnp stopped the static check after .*?)"
        r"  \[tnp-unsupported\]$",
        stdout, flags=re.MULTILINE)


# `range` runs by default; the other shapes (each a mypy run to the budget) in the slow tier.
@pytest.mark.parametrize("shape", [
    shape if shape == "range" else pytest.param(shape, marks=pytest.mark.slow) for shape in LOOPS
])
def test_huge_loop_hits_the_budget_in_bounded_time(tmp_path: Path, shape: str) -> None:
    """With the default budget and loops unrolled (`induction = false`), a 10^9-iteration tile
    loop of each shape ends in the budget's error, within the budget's seconds, in bounded
    memory, without a tnp-internal error."""
    stdout, seconds = run_budgeted(tmp_path, LOOPS[shape], knobs="induction = false")
    assert "[tnp-internal]" not in stdout, stdout
    assert len(_budget_stop(stdout)) == 1, stdout
    assert seconds < DEFAULT_SECONDS, seconds


def test_pyproject_lowers_the_statement_budget(tmp_path: Path) -> None:
    stdout, _ = run_budgeted(tmp_path, LOOPS["range"], knobs="max_statements = 50")
    assert _budget_stop(stdout) == [
        "tnp stopped the static check after 50 statements (max_statements in "
        "[tool.tnp_mypy]); the runtime still checks the rest"
    ], stdout


def test_pyproject_lowers_the_time_budget(tmp_path: Path) -> None:
    # Warm the interpreter start-up and mypy's own work, then measure against it.
    baseline_out, baseline = run_budgeted(tmp_path, "    c.assign(a * 2)\n")
    assert "error" not in baseline_out, baseline_out
    stdout, seconds = run_budgeted(
        tmp_path, LOOPS["range"], knobs=f"max_statements = {HUGE * 10}\nmax_seconds = 1.5")
    assert _budget_stop(stdout) == [
        "tnp stopped the static check after 1.5 s (max_seconds in [tool.tnp_mypy]); "
        "the runtime still checks the rest"
    ], stdout
    assert seconds < baseline + 1.5 + 5, (seconds, baseline)


# What a mypy run with a 2 s time budget may take (it was the wall-clock timeout).
GROWING_SECONDS = 20.0
GROWING = {
    "squaring": "    n = 10\n    for _ in range(40):\n        n = n * n\n",
    "power": "    n = 10 ** 1_000_000_000\n",
}


@pytest.mark.parametrize("shape", list(GROWING))
def test_integer_arithmetic_in_a_kernel_stays_within_the_time_budget(
    tmp_path: Path, shape: str
) -> None:
    """Loop bounds from huge integers: the plugin folds the user's integer arithmetic; the time
    budget (lowered to 2 s) must stop it like any other runaway, with its error."""
    body = GROWING[shape] + "    for i in range(0, n, n):\n        c.assign(a * 2)\n"
    stdout, seconds = run_budgeted(tmp_path, body, knobs="max_seconds = 2")
    assert "[tnp-internal]" not in stdout, stdout
    assert len(_budget_stop(stdout)) == 1, stdout
    assert seconds < GROWING_SECONDS, seconds


HUGE_DIM_HEADER = KERNEL_HEADER.replace('FullDim("M", 8)', f'FullDim("M", {HUGE:_})').replace(
    '"2 * a:M N"', '"sum[M](a:M N)"')


def test_partial_reduction_over_a_huge_dim_is_reported_in_bounded_time(tmp_path: Path) -> None:
    """A dim of 10^9 (only the runtime needs the data): the kernel sums one tile of M where the
    spec sums all of it. The error is known symbolically (missing sum over M[4:1000000000]); the
    check must end within the time budget (lowered to 2 s) with it, or with the budget's error."""
    body = "    c.assign(a.slice(M, 0, 4).sum(M))\n"
    stdout, seconds = run_budgeted(tmp_path, body, knobs="max_seconds = 2",
                                   header=HUGE_DIM_HEADER)
    assert "[tnp-internal]" not in stdout, stdout
    assert seconds < GROWING_SECONDS, seconds
    assert ("missing sum over M[4:1000000000]" in stdout
            or len(_budget_stop(stdout)) == 1), stdout
