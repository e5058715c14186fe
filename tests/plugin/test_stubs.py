"""The stubs give user code a clean `mypy --strict` (with the plugin): `a * 3`, `2 / b`,
`-np.inf - x`, `acc + t if acc is not None else t`, bare `Typed | None` all type-check, and
the file runs. Note: `np.sqrt(16)` is `Any` in NumPy's stubs, so strict code uses
`math.sqrt` or `np.float64` for plain numbers."""

from __future__ import annotations

import runpy

from tests.plugin.harness import PLUGIN_DIR, run_mypy

STRICT = PLUGIN_DIR / "strict" / "api_surface.py"


def test_api_surface_is_clean_under_strict() -> None:
    assert run_mypy(STRICT, extra=("--strict",)) == ""


def test_api_surface_runs() -> None:
    runpy.run_path(str(STRICT), run_name="__main__")
