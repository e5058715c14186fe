"""Running code under the runtime, as the tests compare it with mypy: where a tnp error is
reported, read the way `examples/run_all.py` reads it (the one definition of "the line of a tnp
error in a file")."""

from __future__ import annotations

import functools
import importlib.util
import runpy
import sys
from pathlib import Path
from types import ModuleType

import tnp_runtime as tnp
from tests.support.mypy_run import EXAMPLES_DIR


@functools.cache
def run_all() -> ModuleType:
    """`examples/run_all.py`: how the examples are listed and run, and how a tnp error's line in
    a file is read from the exception."""
    name = "tnp_examples_run_all"
    spec = importlib.util.spec_from_file_location(name, EXAMPLES_DIR / "run_all.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def reported_line(err: BaseException, path: Path) -> int:
    """The line of `path` the runtime reports `err` at (one must exist)."""
    line: int | None = run_all().reported_line(err, path)
    assert line is not None, f"{path.name}: no line for {err!r}"
    return line


def runtime_error(path: Path, *, search: Path | None = None) -> tuple[str, int] | None:
    """(code, line) of the first tnp error running `path` as `__main__` raises, or None; with
    `search`, that folder is importable while it runs."""
    if search is not None:
        sys.path.insert(0, str(search))
    try:
        runpy.run_path(str(path), run_name="__main__")
    except (tnp.TypeCheckError, tnp.SpecError) as err:
        return str(err.code), reported_line(err, path)
    finally:
        if search is not None:
            sys.path.remove(str(search))
    return None
