"""The plugin runs under every mypy of its supported range, and refuses the others clearly.

The matrix itself (every minor release, examples and plugin cases) is run by hand and recorded
in README's table; CI runs the oldest and the newest release of the range. These tests pin what
each mypy version must not break: the range is one range everywhere, the entry point's verdicts
at its edges, and the two points where mypy releases differ (the checker's scope API, and the
cache format the plugin's config data is stored in).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import mypy.api
import pytest

import tnp_mypy
from tests.support.expectations import Line, expected
from tests.support.mypy_run import CASES_DIR, REPO_DIR
from tnp_mypy import compat
from tnp_mypy.config import Config
from tnp_mypy.plugin import TnpPlugin


def _pinned() -> str:
    with open(REPO_DIR / "pyproject.toml", "rb") as handle:
        extras = tomllib.load(handle)["project"]["optional-dependencies"]
    (requirement,) = extras["mypy"]
    assert "tnp[mypy]" in extras["test"]
    return str(requirement)


def test_plugin_range_is_the_pinned_range() -> None:
    low = ".".join(map(str, tnp_mypy.MIN_MYPY))
    high = ".".join(map(str, tnp_mypy.MAX_MYPY_EXCLUSIVE))
    assert _pinned() == f"mypy>={low},<{high}"


def test_readme_table_spans_the_range() -> None:
    """README's version table starts at the oldest supported minor and ends at the newest."""
    text = (REPO_DIR / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d+)\.(\d+)\.\d+ \|", text, re.M)
    minors = [(int(major), int(minor)) for major, minor in rows]
    assert minors and minors[0] == tnp_mypy.MIN_MYPY
    newest = minors[-1]
    assert newest < tnp_mypy.MAX_MYPY_EXCLUSIVE
    assert (newest[0], newest[1] + 1) == tnp_mypy.MAX_MYPY_EXCLUSIVE


@pytest.mark.parametrize("version", ["1.11.0", "1.15.0", "1.16.1", "2.0.0+dev.abc123", "2.4.1"])
def test_supported_versions_load(version: str) -> None:
    assert tnp_mypy.plugin(version) is TnpPlugin


@pytest.mark.parametrize("version", ["0.990", "1.10.1", "2.5.0", "3.0.0"])
def test_unsupported_versions_are_refused_with_the_fix(version: str) -> None:
    with pytest.raises(RuntimeError) as raised:
        tnp_mypy.plugin(version)
    message = str(raised.value)
    assert f"this is mypy {version}" in message
    assert "supports mypy >= 1.11, < 2.5" in message
    assert "pip install 'tnp[mypy]'" in message


def test_cache_safe_config_data_has_no_float() -> None:
    """mypy 1.20-2.1 cannot store a float of `report_config_data` (an INTERNAL ERROR)."""

    def floats(value: object) -> bool:
        if isinstance(value, dict):
            return any(floats(item) for item in value.values())
        if isinstance(value, (list, tuple)):
            return any(floats(item) for item in value)
        return isinstance(value, float)

    data = Config(max_seconds=2.5).data()
    assert floats(data)  # what the plugin must convert
    safe = compat.cache_safe({**data, "nested": [0.5, {"x": 1.5}]})
    assert not floats(safe)
    assert safe["max_seconds"] == "2.5" and safe["nested"] == ["0.5", {"x": "1.5"}]
    # Distinct settings stay distinct (a changed setting invalidates the cache).
    assert compat.cache_safe(Config(max_seconds=2.5).data()) != compat.cache_safe(
        Config(max_seconds=2.25).data()
    )


def test_incremental_run_with_a_float_setting(tmp_path: Path) -> None:
    """A cached (incremental) run, twice, with `max_seconds` a float: no crash, same verdict."""
    config = tmp_path / "mypy.ini"
    config.write_text(
        f"[mypy]\nmypy_path = {CASES_DIR}\nplugins = tnp_mypy\n\n[tnp_mypy]\nmax_seconds = 12.5\n",
        encoding="utf-8",
    )
    args = ["--config-file", str(config), "--cache-dir", str(tmp_path / "cache"),
            "--show-traceback", "--no-error-summary", str(CASES_DIR / "coverage.py")]
    first = mypy.api.run(args)
    second = mypy.api.run(args)
    for stdout, stderr, _status in (first, second):
        assert "INTERNAL ERROR" not in stdout + stderr, stdout + stderr
        assert "[tnp-coverage]" in stdout and "tnp-internal" not in stdout
    assert first[0] == second[0]


def test_expectations_for_some_mypy_versions(tmp_path: Path) -> None:
    """A case expectation bounded by mypy versions holds for those versions only."""
    case = tmp_path / "case.py"
    case.write_text(
        "x = 1  # E: always\n"
        "    # ^N[mypy>=1.0]: from 1.0\n"
        "    # ^N[mypy<1.0]: before 1.0\n"
        "y = 2  # E[mypy>=99.0]: from 99.0\n",
        encoding="utf-8",
    )
    assert expected(case) == [Line(1, "E", "always"), Line(1, "N", "from 1.0")]
