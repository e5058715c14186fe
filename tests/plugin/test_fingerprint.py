"""The plugin's cache key covers its own code: a cached verdict never outlives the code that
reached it, even under an editable install where the version stays the same."""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

import mypy.api
import pytest

from tests.support.mypy_run import CASES_DIR, CONFIG
from tnp_mypy.fingerprint import source_fingerprint, tnp_sources
from tnp_mypy.interpreter.evaluator import Interpreter


def test_an_edit_an_added_file_or_a_removed_one_changes_the_fingerprint(tmp_path: Path) -> None:
    root = tmp_path / "pkg"
    root.mkdir()
    module = root / "rules.py"
    module.write_text("X = 1\n")
    first = source_fingerprint([root])
    assert source_fingerprint([root]) == first
    module.write_text("X = 2\n")  # same size: the modification time tells
    os.utime(module, ns=(0, module.stat().st_mtime_ns + 1_000_000))
    edited = source_fingerprint([root])
    assert edited != first
    (root / "more.py").write_text("")
    added = source_fingerprint([root])
    assert added not in (first, edited)
    (root / "more.py").unlink()
    assert source_fingerprint([root]) == edited


def test_the_fingerprint_covers_the_plugin_and_the_core() -> None:
    import tnp_mypy
    import tnp_runtime.core

    roots = [Path(tnp_mypy.__file__).parent, Path(tnp_runtime.core.__file__).parent]
    assert tnp_sources() == source_fingerprint(roots)


def test_a_changed_fingerprint_makes_mypy_check_the_file_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Warm runs reuse the cache while the code is the same, and re-check once it changed."""
    runs: list[str] = []
    original = Interpreter.run_kernel

    def counting(self: Interpreter, fn: Any) -> Any:
        runs.append(fn.name)
        return original(self, fn)

    monkeypatch.setattr(Interpreter, "run_kernel", counting)
    target = tmp_path / "kernel.py"
    target.write_text((CASES_DIR / "kernel_form.py").read_text())
    cache = tmp_path / "cache"

    def check(fingerprint: str) -> int:
        # the module, not `tnp_mypy.plugin`, the entry point mypy calls
        module = importlib.import_module("tnp_mypy.plugin")
        monkeypatch.setattr(module, "tnp_sources", lambda: fingerprint)
        before = len(runs)
        stdout, _, _ = mypy.api.run(
            ["--config-file", str(CONFIG), "--cache-dir", str(cache), str(target)]
        )
        assert "[tnp-spec]" in stdout  # the cached errors are shown again, or found again
        return len(runs) - before

    assert check("code-1") > 0
    assert check("code-1") == 0
    assert check("code-2") > 0
