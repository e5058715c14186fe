"""Messages from a loop proved by induction: the same codes at the same lines as the same loop
unrolled (`induction = false`) and the runtime; a message after the symbolic step that shows a
running value shows it as its closed form (the invariant the step proved), where unrolling shows
the term the iterations built, one `max` per tile."""

from __future__ import annotations

from pathlib import Path

from tests.support.mypy_run import run_mypy

KERNEL = '''\
from typing import Literal as L

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult, max

M, N = FullDim("M", 4), FullDim("N", 160)
T = 4


@tnp.kernel
def shows_running_max(x: Typed[L["M N"]], out: TypedResult[L["max[N](x:M N)"]]) -> None:
    m = x.slice(N, 0, T).max(N)
    for j in range(T, N.size, T):
        tile = x.slice(N, j, j + T)
        if j == 100:
            tile = tile - m.repeat(N[0:T])
        m = max(m, tile.max(N))
    out.assign(m)
'''


def _lines(tmp_path: Path, induction: bool) -> list[str]:
    source = tmp_path / "shows_running_max.py"
    source.write_text(KERNEL)
    config = tmp_path / ("on.ini" if induction else "off.ini")
    knobs = "" if induction else "\n[tnp_mypy]\ninduction = false\n"
    config.write_text(f"[mypy]\nplugins = tnp_mypy\nshow_error_codes = True\n{knobs}")
    stdout = run_mypy(source, config=config)
    return [line for line in stdout.splitlines() if ": error:" in line or ": note:" in line]


def _where(lines: list[str]) -> list[tuple[str, str]]:
    return [(line.split(": ")[0], line.rsplit("[", 1)[-1]) for line in lines if ": error:" in line]


def test_error_after_the_step_shows_the_running_value_as_its_closed_form(tmp_path: Path) -> None:
    unrolled = _lines(tmp_path, induction=False)
    proved = _lines(tmp_path, induction=True)
    assert any("[tnp-dim]" in line and "max[N[96:100]](x:M N)" in line for line in unrolled)
    assert _where(proved) == _where(unrolled)  # same lines and codes
    assert any("[tnp-dim]" in line and "max[N[0:100]](x:M N)" in line for line in proved)
