"""What the plugin does not follow among the new operations stops the check with
`tnp-unsupported` (never a silent pass): a comparison of Typed values used as a bool (the
runtime raises TypeError there), `tnp.opaque` inside a function, and an undeclared NumPy
function of a tnp value."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.mypy_run import run_mypy

HEADER = '''
from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 8), FullDim("N", 8)


@tnp.kernel
def k(x: Typed[L["M N"]], c: TypedResult[L["M N"]]) -> None:
'''


@pytest.mark.parametrize(
    ("body", "stop"),
    [
        ("    if x > 0:\n        c.assign(x)\n", "a comparison of Typed values used as a bool"),
        ("    f = tnp.opaque('f', lambda a: a)\n    c.assign(f(x))\n",
         "`tnp.opaque` inside a function"),
        ("    c.assign(np.tanh(x))  # type: ignore[arg-type]\n",
         "numpy's or math's `tanh` on a tnp value: use tnp.tanh (fix: `tnp fix`)"),
    ],
)
def test_a_construct_the_plugin_cannot_follow_stops_the_check(
    tmp_path: Path, body: str, stop: str
) -> None:
    path = tmp_path / "stops.py"
    path.write_text(HEADER + body, encoding="utf-8")
    out = run_mypy(path)
    assert "[tnp-unsupported]" in out, out
    assert stop in out, out
