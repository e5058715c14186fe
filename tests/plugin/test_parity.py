"""Static and runtime verdicts agree: each case file, run under the runtime, stops at the first
error the runtime raises; that error's code and line must be among mypy's tnp errors for the
file, and a file mypy finds no tnp error in must run without a tnp error.

`tnp-unsupported` is mypy's alone (the runtime checks everything it runs): it says the static
check of a scope stopped at that line. The runtime's error may then lie past it, unseen by mypy;
the file still fails under both, since a stop in a scope that writes a result is an error."""

from __future__ import annotations

import importlib.util
import runpy
import sys
from pathlib import Path
from types import ModuleType

import pytest

import tnp_runtime as tnp
from tests.plugin.expectations import actual
from tests.plugin.harness import CASES_DIR, REPO_DIR, config_for, run_mypy

CASES = sorted(CASES_DIR.glob("*.py"))


def _load_run_all() -> ModuleType:
    """`examples/run_all.py`: how a tnp error's line in a file is read from the exception."""
    name = "tnp_examples_run_all"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO_DIR / "examples" / "run_all.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def runtime_error(path: Path) -> tuple[str, int] | None:
    """(code, line) of the first tnp error running `path` raises, or None."""
    sys.path.insert(0, str(CASES_DIR))
    try:
        runpy.run_path(str(path), run_name="__main__")
    except (tnp.TypeCheckError, tnp.SpecError) as err:
        line = _load_run_all().reported_line(err, path)
        assert line is not None, f"{path.name}: no line for {err!r}"
        return str(err.code), line
    finally:
        sys.path.remove(str(CASES_DIR))
    return None


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_runtime_error_is_reported_statically(path: Path) -> None:
    if "type: ignore[tnp-" in path.read_text(encoding="utf-8"):
        pytest.skip("silences a tnp error on purpose")
    stdout = run_mypy(path, config=config_for(path))
    static = {
        (line.text.rsplit("[", 1)[1].rstrip("]"), line.line)
        for line in actual(stdout, path)
        if line.kind == "E" and line.text.endswith("]") and "[tnp-" in line.text
    }
    found = runtime_error(path)
    if found is None:
        return  # static errors the runtime never reaches (other functions, later tiles) stand
    assert found[0] != "tnp-unsupported", f"{path.name}: the runtime raised {found}"
    stopped_before = [
        line for code, line in static if code == "tnp-unsupported" and line <= found[1]
    ]
    assert found in static or stopped_before, (
        f"{path.name}: the runtime raised {found}; mypy reported {static}"
    )
