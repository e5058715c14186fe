"""The kernels' part of a session: adding their items, recording their outcomes, and the
terminal summary that lists them with the static verdict of the mypy plugin.

The summary reads only reports (each kernel item carries its module, name, file and lines in
its `user_properties`), so it is the same when the items ran in other processes (xdist). mypy
(`static.run`) starts in a thread as soon as the kernels are collected here, over the files
that define them, and is waited for at the summary; where nothing was collected in this
process, it runs at the summary.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tnp_pytest import static
from tnp_pytest.items import PROPERTY, ROOT_NAME, KernelsRoot


def collect(session: pytest.Session, values: list[str]) -> list[pytest.Item]:
    """The kernels' items, collected under `tnp-kernels` (errors reported as collection
    errors, as for any collector)."""
    from tnp_pytest.targets import module_refs, parse_targets

    base = session.config.invocation_params.dir
    refs = []
    errors = []
    for target in parse_targets(values):
        try:
            refs.extend(module_refs(target, base))
        except Exception as err:  # an unknown name, a package that fails to import
            errors.append(f"{target.text}: {err}")
    if errors:
        raise pytest.UsageError("\n".join(errors))
    root = KernelsRoot.from_parent(session, name=ROOT_NAME, nodeid=ROOT_NAME, refs=refs)
    return [item for item in session.genitems(root) if isinstance(item, pytest.Item)]


@dataclass(frozen=True, slots=True)
class Outcome:
    """One kernel's outcome, from its reports."""

    nodeid: str
    module: str
    name: str
    file: str
    first: int
    last: int
    outcome: str  # "passed" | "failed" | "skipped"
    detail: str


_RANK = {"passed": 0, "skipped": 1, "failed": 2}


class Summary:
    """Registered as a plugin when `--tnp-kernels` (or `tnp_kernels`) names kernels."""

    def __init__(self, config: pytest.Config, targets: list[str]) -> None:
        self.config = config
        self.targets = targets
        self.outcomes: dict[str, Outcome] = {}
        self._static: static.StaticRun | None = None
        self._thread: threading.Thread | None = None
        self._files: list[str] = []

    @property
    def static_reason(self) -> str | None:
        """Why the static column is not computed, or None."""
        if self.config.getoption("tnp_no_static"):
            return "--tnp-no-static"
        return static.available()

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, session: pytest.Session, items: list[pytest.Item]
                                      ) -> None:
        """Add the kernels' items before anything (`-k`, `-m`) selects among the items."""
        items.extend(collect(session, self.targets))

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if hasattr(self.config, "workerinput"):
            return  # an xdist worker: the controller writes the summary
        files = sorted({str(item.path) for item in session.items
                        if item.nodeid.startswith(ROOT_NAME + "::")})
        if files and self.static_reason is None and not self.config.getoption("collectonly"):
            self._start(files)

    def _start(self, files: list[str]) -> None:
        self._files = files
        cwd = self.config.invocation_params.dir

        def work() -> None:
            try:
                self._static = static.run(files, cwd)
            except Exception as err:  # mypy could not be started: no evidence, said so
                self._static = static.StaticRun(failure=f"mypy could not run: {err}")

        self._thread = threading.Thread(target=work, name="tnp-mypy", daemon=True)
        self._thread.start()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if not report.nodeid.startswith(ROOT_NAME + "::"):
            return
        properties = dict(report.user_properties).get(PROPERTY)
        if not isinstance(properties, dict):
            return
        # One outcome per kernel, the worst of its phases: a passed setup or teardown says
        # nothing, a skip at setup or a failure in any phase does.
        if report.passed and report.when != "call":
            return
        previous = self.outcomes.get(report.nodeid)
        if previous is not None and _RANK[previous.outcome] >= _RANK[report.outcome]:
            return
        self.outcomes[report.nodeid] = Outcome(
            report.nodeid, properties["module"], properties["name"], properties["file"],
            properties["first"], properties["last"], report.outcome, _detail(report),
        )

    def _static_run(self) -> static.StaticRun | None:
        if self.static_reason is not None:
            return None
        if self._thread is None:
            files = sorted({o.file for o in self.outcomes.values()})
            if not files:
                return None
            self._start(files)
        assert self._thread is not None
        self._thread.join()
        return self._static

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if hasattr(self.config, "workerinput") or self.config.getoption("collectonly"):
            return
        write_summary(terminalreporter, self)


def _detail(report: pytest.TestReport) -> str:
    """The reason of a skip; the code and line of a failed check, or its first line."""
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    if not report.failed:
        return ""
    crash = getattr(report.longrepr, "reprcrash", None)
    code = getattr(crash, "code", None)
    if crash is not None and code is not None:
        return f"{code} at {crash.path}:{crash.lineno}"
    text = str(crash if crash is not None else report.longrepr).strip().splitlines()
    first = text[0] if text else ""
    return first if len(first) <= 120 else first[:119] + "…"


def write_summary(tr: Any, summary: Summary) -> None:
    outcomes = list(summary.outcomes.values())
    tr.write_sep("=", "tnp kernels")
    seed = summary.config.getoption("tnp_seed")
    counts = {kind: sum(o.outcome == kind for o in outcomes)
              for kind in ("passed", "failed", "skipped")}
    tr.write_line(
        f"{len(outcomes)} kernel{'s' if len(outcomes) != 1 else ''} run on random inputs "
        f"(--tnp-seed={seed}) and compared with their specs: {counts['passed']} passed, "
        f"{counts['failed']} failed, {counts['skipped']} skipped"
    )
    run = summary._static_run() if outcomes else None
    reason = summary.static_reason
    if reason is not None:
        tr.write_line(f"static check not computed ({reason}): nothing below says what mypy "
                      "checks")
    elif run is not None and run.failure is not None:
        tr.write_line(f"static check not computed: {run.failure}")
    elif run is not None:
        tr.write_line(f"static check: {run.note}, over {len(summary._files)} file"
                      f"{'s' if len(summary._files) != 1 else ''}")
    base = summary.config.invocation_params.dir
    only_runtime = []
    for o in sorted(outcomes, key=lambda o: o.nodeid):
        verdict = None
        if run is not None:
            verdict = run.verdict(static.KernelRef(o.file, o.name, o.first, o.last))
        static_text = "static: not computed" if verdict is None else _static_text(verdict)
        if verdict is not None and verdict.verdict == "stopped":
            only_runtime.append((o, verdict))
        shown = o.outcome.upper()
        detail = f"  ({o.detail})" if o.detail else ""
        tr.write_line(f"{shown:<8} {o.module}::{o.name}  [{static_text}]{detail}",
                      red=o.outcome == "failed", yellow=o.outcome == "skipped")
    if only_runtime:
        one = len(only_runtime) == 1
        tr.write_line(
            f"runtime only: {len(only_runtime)} kernel{'' if one else 's'} the mypy plugin "
            f"cannot check statically (the runtime is {'its' if one else 'their'} only check):")
        for o, verdict in only_runtime:
            where = f"{Path(o.file).resolve().relative_to(base.resolve())}" if Path(
                o.file).resolve().is_relative_to(base.resolve()) else o.file
            note = "; NOT CHECKED AT ALL in this run" if o.outcome == "skipped" else ""
            tr.write_line(f"  {o.module}::{o.name} ({where}:{o.first}): {verdict.detail}{note}",
                          yellow=True)


def _static_text(verdict: static.Static) -> str:
    match verdict.verdict:
        case "checked":
            return "static: proved by the mypy plugin"
        case "errors":
            return f"static: mypy reports {verdict.detail}"
        case "stopped":
            return "static: RUNTIME ONLY"
        case _:
            return f"static: unknown, {verdict.detail}"
