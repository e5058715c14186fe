"""The test tiers (pyproject.toml: markers): the README's command runs the unmarked tests;
`-m slow`, `-m editor` and `-m install` run the others. A test in two tiers would run twice in
CI, or in neither run if a tier were dropped: each test has one tier at most."""

from __future__ import annotations

import gc

import pytest

# pytest's own fixture for running pytest sessions in a test (the pytest plugin's tests,
# tests/pytest_plugin).
pytest_plugins = ["pytester"]

TIERS = ("slow", "editor", "install")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        tiers = [tier for tier in TIERS if item.get_closest_marker(tier) is not None]
        if len(tiers) > 1:
            raise pytest.UsageError(f"{item.nodeid} is marked {' and '.join(tiers)}: one tier")


def pytest_sessionfinish() -> None:
    """The tests leave millions of objects behind (the trees of the in-process mypy runs, the
    core's tables). After the last test, each full garbage collection over them took about a
    minute: pytest's own at exit (for unraisable exceptions: each test's are collected as it
    ends) and Python's, once per module it clears at exit. Frozen, the collector skips them and
    the process ends at once (the memory is returned with it)."""
    gc.freeze()
