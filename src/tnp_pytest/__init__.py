"""tnp's pytest plugin, registered through the `pytest11` entry point (`-p no:tnp` disables it).

Installing tnp loads this module in every pytest session of the environment, so it imports only
the standard library and pytest, and does nothing unless asked, apart from one thing:

- a test that fails on a tnp check (`TypeCheckError`, `SpecError`) is reported with the tnp
  message as mypy prints it (`file:line: error: message  [tnp-code]` and its notes) instead of a
  traceback through tnp (`failures`); `--tnp-traceback` keeps pytest's report.

Asked (`--tnp-kernels=PACKAGE_OR_PATH,...`, or the ini key `tnp_kernels`), it collects every
`@tnp.kernel` those modules define (`targets`) as an item `tnp-kernels::module::kernel`
(`items`), runs it on seeded random inputs of its declared dims (`inputs`), compares each result
with its spec evaluated on the same inputs (`check`), and at the end lists the kernels with their
outcome and, from one mypy run with the plugin (`static`), which of them the mypy plugin cannot
check statically (`summary`).
"""

from __future__ import annotations

import typing
from collections.abc import Generator
from typing import Any, Final

import pytest

DEFAULT_SEED: Final = 0


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tnp", "tnp: runtime checking of tiled kernels")
    group.addoption(
        "--tnp-kernels", action="append", default=[], metavar="PACKAGE_OR_PATH,...",
        help="run every @tnp.kernel of these packages, modules or files (module:kernel keeps "
             "one) on seeded random inputs, and compare each result with its spec",
    )
    group.addoption("--tnp-seed", type=int, default=DEFAULT_SEED, metavar="N",
                    help=f"seed of the random inputs of --tnp-kernels (default {DEFAULT_SEED})")
    group.addoption("--tnp-no-static", action="store_true", default=False,
                    help="do not run mypy to tell which kernels the mypy plugin cannot check")
    group.addoption("--tnp-traceback", action="store_true", default=False,
                    help="show pytest's traceback for a failed tnp check instead of the tnp "
                         "message alone")
    parser.addini("tnp_kernels", type="linelist", default=[],
                  help="packages, modules or files whose kernels to run, as --tnp-kernels")


def _targets(config: pytest.Config) -> list[str]:
    """The option's values if given (`--tnp-kernels=` names nothing, and so turns the ini key
    off), else the ini key's."""
    given: list[str] = config.getoption("tnp_kernels")
    if given:
        return given
    ini: list[str] = config.getini("tnp_kernels")
    return ini


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "tnp_kernel: an item of --tnp-kernels (a kernel run on random inputs)")
    if any(entry.strip() for value in _targets(config) for entry in value.split(",")):
        from tnp_pytest.summary import Summary

        # The summary is a plugin of its own: it records the kernels' reports and writes the
        # terminal summary; registered only when kernels are asked for.
        config.pluginmanager.register(Summary(config, _targets(config)), "tnp-kernels-summary")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Generator[None, Any, None]:
    """A failed tnp check in any test: its tnp message in place of the traceback."""
    outcome = yield
    if call.excinfo is None or item.config.getoption("tnp_traceback"):
        return
    report: pytest.TestReport = outcome.get_result()
    if not report.failed or item.config.getoption("tbstyle") == "no":
        return
    from tnp_pytest import failures

    error = failures.tnp_exception(call.excinfo.value)
    if error is None or isinstance(report.longrepr, failures.TnpFailure):
        return
    base = item.config.invocation_params.dir
    lines, crash = failures.message_lines(error, call.excinfo.tb, base)
    if item.config.getoption("tbstyle") == "line":
        report.longrepr = typing.cast(Any, failures.TnpFailure((lines[0],), crash))
        return
    extra = [line for line in (failures.caller_line(call.excinfo.tb, str(item.path), base),)
             if line is not None]
    extra.append(f"({type(error).__name__}; --tnp-traceback shows the traceback)")
    # pytest writes a longrepr with `toterminal` and serializes it as its text (xdist, junit).
    report.longrepr = typing.cast(Any, failures.TnpFailure(tuple(lines), crash, tuple(extra)))
