"""tnp_mypy: the mypy plugin of tnp. Enable with `plugins = tnp_mypy` in mypy's config.

It interprets kernels and scripts written against `tnp_runtime` at type-check time and reports,
as mypy errors with `tnp-*` codes, what the runtime would raise when the code runs.
"""

from __future__ import annotations

from typing import Final

from mypy.plugin import Plugin

# Imported before `plugin` is defined: importing the submodule `tnp_mypy.plugin` binds the
# package attribute `plugin` to it, and the function below must win (mypy calls it).
from tnp_mypy.plugin import TnpPlugin

# The mypy versions this plugin is tested with: pyproject's `mypy` extra pins the same range, and
# README's table gives the releases checked (a test keeps the three in step).
MIN_MYPY: Final = (1, 11)
MAX_MYPY_EXCLUSIVE: Final = (2, 5)


def _parse(version: str) -> tuple[int, ...]:
    numbers: list[int] = []
    for part in version.split("+")[0].split(".")[:2]:
        digits = "".join(c for c in part if c.isdigit())
        numbers.append(int(digits) if digits else 0)
    return tuple(numbers)


def plugin(version: str) -> type[Plugin]:
    """mypy's entry point: the plugin class, if this mypy version is supported."""
    parsed = _parse(version)
    if not MIN_MYPY <= parsed < MAX_MYPY_EXCLUSIVE:
        low = ".".join(map(str, MIN_MYPY))
        high = ".".join(map(str, MAX_MYPY_EXCLUSIVE))
        raise RuntimeError(
            f"tnp_mypy supports mypy >= {low}, < {high}; this is mypy {version}. "
            f"Install a supported mypy: pip install 'tnp[mypy]' (or 'mypy>={low},<{high}')."
        )
    return TnpPlugin
