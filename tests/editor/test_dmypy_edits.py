"""Under the mypy daemon (`dmypy run`, what VS Code's mypy extension runs by default), every
step of an edit cycle shows the verdict of the code as it is now: the expected tnp error or
none, and the same (file, line, code) set as plain mypy with its incremental cache (so both
are tested). Cycles: bug -> fix -> bug again (undo) -> fix, in script form (module level and in a
function) and in kernel form (a kernel and a function calling it), with edits that keep the
file's size and edits that change it, and an edit of the dims module the others import.

The daemon keeps one process across checks, and mypy merges an edited module's new syntax tree
into the old one (the functions keep their identity): a cache keyed by the node alone showed
the verdict of code that no longer existed.

mypy's own limit: the daemon (like the incremental cache) takes a file whose size and
whole-second mtime are unchanged as unchanged, and never reads it. An edit that keeps both is
not seen until the file is saved again in a later second; `test_same_size_same_second_edit`
pins that behaviour so the README's note stays true.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import mypy.api
import pytest

from tests.support.edit_cycles import (
    CLEAN,
    KERNEL_BAD_SPEC,
    KERNEL_COVERAGE_BUG,
    KERNEL_SPEC_BUG,
    SCRIPT_FUNCTION_BUG,
    SCRIPT_MODULE_BUG,
    Project,
    Verdict,
    verdict,
)
from tests.support.mypy_run import REPO_DIR

pytestmark = pytest.mark.editor


class Daemon:
    """`dmypy` in `project`, with its own status file."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.command = [sys.executable, "-m", "mypy.dmypy", "--status-file",
                        str(project.root / "dmypy.json")]
        self.env = {**os.environ, "PYTHONPATH": str(REPO_DIR)}

    def check(self) -> Verdict:
        """`dmypy run` on the project's files: the verdict it shows."""
        proc = subprocess.run(
            [*self.command, "run", "--timeout", "300", "--", "--config-file", "mypy.ini",
             "--hide-error-context", "--no-error-summary", "--no-pretty", *Project.FILES],
            cwd=self.project.root, capture_output=True, text=True, env=self.env, timeout=300,
        )
        shown = proc.stdout + proc.stderr
        assert "INTERNAL ERROR" not in shown and "[tnp-internal]" not in shown, shown
        assert proc.returncode in (0, 1), shown
        return verdict(proc.stdout)

    def stop(self) -> None:
        subprocess.run([*self.command, "stop"], cwd=self.project.root, capture_output=True,
                       env=self.env, timeout=60)


def incremental(project: Project, *, cache: bool = True) -> Verdict:
    """What mypy (in this process, with its incremental cache in a directory of its own, or
    with none) shows for the project's files now: plain mypy, checked against the same
    expectations, so the two cannot be wrong together."""
    cwd = os.getcwd()
    os.chdir(project.root)
    cache_options = (
        ["--cache-dir", str(project.root / ".oracle_cache")] if cache else ["--no-incremental"]
    )
    try:
        stdout, stderr, _ = mypy.api.run(
            ["--config-file", "mypy.ini", *cache_options, "--hide-error-context",
             "--no-error-summary", "--no-pretty", *Project.FILES]
        )
    finally:
        os.chdir(cwd)
    assert "INTERNAL ERROR" not in stdout + stderr, stdout + stderr
    return verdict(stdout)


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[Daemon]:
    started = Daemon(Project.create(tmp_path))
    try:
        yield started
    finally:
        started.stop()


def _step(daemon: Daemon, expected: Verdict, what: str) -> None:
    shown = daemon.check()
    assert shown == incremental(daemon.project), f"{what}: the daemon differs from mypy"
    assert shown == expected, f"{what}: shown {sorted(shown)}, expected {sorted(expected)}"


def test_script_form_cycle(daemon: Daemon) -> None:
    """Starts clean: a bug made later must not be hidden by the clean verdict."""
    project = daemon.project
    _step(daemon, CLEAN, "clean")
    project.script(module=3, function=2)  # same size
    _step(daemon, SCRIPT_MODULE_BUG, "module-level bug")
    project.script(module=2, function=2)
    _step(daemon, CLEAN, "module-level fix")
    project.script(module=3, function=2)
    _step(daemon, SCRIPT_MODULE_BUG, "module-level bug again")
    project.script(module=2, function=3)
    _step(daemon, SCRIPT_FUNCTION_BUG, "bug moved into the function")
    project.script(module=2, function=2)
    _step(daemon, CLEAN, "function fixed")
    project.script(module=2, function=30)  # one byte longer
    _step(daemon, SCRIPT_FUNCTION_BUG, "function bug of another size")
    project.script(module=2, function=2)
    _step(daemon, CLEAN, "fixed again")


def test_kernel_form_cycle(daemon: Daemon) -> None:
    """Starts buggy: `main`, which inlines the kernel, was first analysed with the bug."""
    project = daemon.project
    project.kernels("3")
    _step(daemon, KERNEL_SPEC_BUG, "wrong constant")
    project.kernels("2")  # same size
    _step(daemon, CLEAN, "fixed")
    project.kernels("3")
    _step(daemon, KERNEL_SPEC_BUG, "wrong constant again")
    project.kernels("2", stop=4)  # a skipped tile, one byte shorter
    _step(daemon, KERNEL_COVERAGE_BUG, "a tile skipped")
    project.kernels("(1 + 1)")
    _step(daemon, CLEAN, "fixed, another size")
    project.kernels("(1 + 2)")
    _step(daemon, KERNEL_SPEC_BUG, "wrong constant, another size")
    project.kernels("2")
    _step(daemon, CLEAN, "fixed again")


def test_dims_module_edit(daemon: Daemon) -> None:
    project = daemon.project
    _step(daemon, CLEAN, "clean")
    project.sizes(12)
    grown = daemon.check()
    assert grown == incremental(project) == incremental(project, cache=False)
    assert KERNEL_COVERAGE_BUG <= grown, sorted(grown)
    project.sizes(8)
    _step(daemon, CLEAN, "dims restored")
    project.sizes(16)
    assert daemon.check() == incremental(project) == grown
    project.sizes(8)
    _step(daemon, CLEAN, "dims restored again")
    # The kernel's annotations name M only inside strings: renaming the dim is still seen.
    project.sizes(8, name="Q")
    renamed = daemon.check()
    assert renamed == incremental(project)
    assert KERNEL_BAD_SPEC <= renamed, sorted(renamed)
    project.sizes(8)
    _step(daemon, CLEAN, "dim renamed back")


def test_same_size_same_second_edit(daemon: Daemon) -> None:
    """mypy's limit, not tnp's: an edit keeping the size and the whole-second mtime is not seen
    until the file's mtime moves on (an editor's next save in a later second)."""
    project = daemon.project
    project.kernels("3")
    _step(daemon, KERNEL_SPEC_BUG, "bug")
    project.kernels("2", same_mtime=True)
    assert daemon.check() == KERNEL_SPEC_BUG, (
        "the daemon now sees an edit that keeps the size and mtime: update the README's "
        "Editor set-up and this test"
    )
    project.touch("kernels.py")
    _step(daemon, CLEAN, "fix seen once saved again")
