"""Static and runtime verdicts agree: each case file, run under the runtime, stops at the first
error the runtime raises; that error's code and line must be among mypy's tnp errors for the
file, and a file mypy finds no tnp error in must run without a tnp error.

`tnp-unsupported` is mypy's alone (the runtime checks everything it runs): it says the static
check of a scope stopped at that line. The runtime's error may then lie past it, unseen by mypy;
the file still fails under both, since a stop in a scope that writes a result is an error."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from tests.support.expectations import actual
from tests.support.mypy_run import CASES, CASES_DIR, checked
from tests.support.pending import case_params
from tests.support.runtime_run import runtime_error


@functools.cache
def _runtime(path: Path) -> tuple[str, int] | None:
    return runtime_error(path, search=CASES_DIR)


@pytest.mark.parametrize("path", case_params(CASES))
def test_runtime_error_is_reported_statically(path: Path) -> None:
    if "type: ignore[tnp-" in path.read_text(encoding="utf-8"):
        pytest.skip("silences a tnp error on purpose")
    stdout = checked(path)
    static = {
        (line.text.rsplit("[", 1)[1].rstrip("]"), line.line)
        for line in actual(stdout, path)
        if line.kind == "E" and line.text.endswith("]") and "[tnp-" in line.text
    }
    found = _runtime(path)
    if found is None:
        return  # static errors the runtime never reaches (other functions, later tiles) stand
    assert found[0] != "tnp-unsupported", f"{path.name}: the runtime raised {found}"
    stopped_before = [
        line for code, line in static if code == "tnp-unsupported" and line <= found[1]
    ]
    assert found in static or stopped_before, (
        f"{path.name}: the runtime raised {found}; mypy reported {static}"
    )


def test_the_case_files_make_the_runtime_raise_each_code() -> None:
    """The test above is not vacuous: across the case files the runtime raises every code a
    kernel's own code can raise, so each is compared with mypy's verdict at least once."""
    raised = {found[0] for path in CASES if (found := _runtime(path)) is not None}
    assert raised >= {"tnp-dim", "tnp-reduce", "tnp-spec", "tnp-overlap", "tnp-coverage",
                      "tnp-bad-spec", "tnp-write"}, raised
