"""The README's usage example runs, and mypy with the plugin accepts it."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

from tests.support.mypy_run import REPO_DIR, run_mypy

README = REPO_DIR / "README.md"


def usage_example() -> str:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    (kernel,) = [block for block in blocks if "@tnp.kernel" in block]
    return str(kernel)


def test_usage_example_runs_and_passes_mypy(tmp_path: Path) -> None:
    path = tmp_path / "usage.py"
    path.write_text(usage_example(), encoding="utf-8")
    runpy.run_path(str(path), run_name="__main__")
    assert run_mypy(path) == ""
