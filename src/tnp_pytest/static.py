"""Which collected kernels the mypy plugin checks statically: one mypy run, read back.

mypy runs once, in a subprocess (its state and the plugin's stay out of the test process), over
the files that define the collected kernels, from the directory pytest was started in (so it
finds the project's mypy config), with `--no-incremental` and no cache directory: a scope mypy
takes from its cache is not analysed, and would leave no evidence. `TNP_MYPY_TIMES` makes the
plugin write one JSON line per scope it analyses (`tnp_mypy.times`), with `stopped`: null when
it followed the scope to its end. If the project's config does not load the plugin (no line was
written), mypy runs again with a config of its own that only loads it.

A kernel's static verdict (`Static`) comes from that evidence only:
- `stopped`: its scope's line says the check stopped, or mypy reported `tnp-unsupported` or
  `tnp-internal` within its lines: the runtime is its only check;
- `errors`: followed to its end, with the tnp errors mypy reported within its lines;
- `checked`: followed to its end, no tnp error;
- `unknown`: no line for its scope (mypy failed, or did not analyse it): never counted as
  checked.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

_ERROR: Final = re.compile(r"^(?P<path>.+?):(?P<line>\d+)(?::\d+)?: (?P<kind>error|note): "
                           r"(?P<message>.*?)(?:  \[(?P<code>[a-z-]+)\])?$")
# A mypy run that takes longer is stopped, and the column not computed (the plugin's own budget
# is 30 s per scope by default, `max_seconds`).
TIMEOUT_SECONDS: Final = 900
_OWN_CONFIG: Final = "[mypy]\nplugins = tnp_mypy\n"
# The codes that mean the static check of a scope did not cover it.
_STOPPING: Final = frozenset({"tnp-unsupported", "tnp-internal"})


@dataclass(frozen=True, slots=True)
class KernelRef:
    """A kernel as mypy sees it: its file, its function's name, and its lines."""

    file: str
    name: str
    first: int
    last: int


@dataclass(frozen=True, slots=True)
class Static:
    """One kernel's static verdict (see the module docstring); `detail` says why."""

    verdict: str  # "checked" | "errors" | "stopped" | "unknown"
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    path: str
    line: int
    kind: str
    message: str
    code: str | None


@dataclass(slots=True)
class StaticRun:
    """The evidence of one mypy run: its scope lines, its tnp findings, and what to say."""

    scopes: list[dict[str, object]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    note: str = ""
    failure: str | None = None

    def verdict(self, kernel: KernelRef) -> Static:
        if self.failure is not None:
            return Static("unknown", self.failure)
        path = str(Path(kernel.file).resolve())
        mine = [f for f in self.findings
                if f.path == path and kernel.first <= f.line <= kernel.last
                and f.code is not None and f.code.startswith("tnp-")]
        stops = [f for f in mine if f.code in _STOPPING]
        scope = [s for s in self.scopes if s.get("kind") == "kernel"
                 and str(s.get("scope", "")).rsplit(".", 1)[-1] == kernel.name
                 and isinstance(s.get("line"), int)
                 and kernel.first <= int(str(s["line"])) <= kernel.last]
        if stops:
            return Static("stopped", f"{stops[0].message}  [{stops[0].code}]")
        stopped = [str(s["stopped"]) for s in scope if s.get("stopped") is not None]
        if stopped:
            return Static("stopped", f"the plugin's check stopped ({stopped[0]})")
        if not scope:
            return Static("unknown", "mypy did not analyse this kernel")
        errors = [f for f in mine if f.kind == "error"]
        if errors:
            shown = ", ".join(f"{f.code} at line {f.line}" for f in errors[:3])
            return Static("errors", shown + (", ..." if len(errors) > 3 else ""))
        return Static("checked")


def available() -> str | None:
    """None if mypy and tnp_mypy can be imported here, else why not (nothing is imported)."""
    import importlib.util

    for name in ("mypy", "tnp_mypy"):
        if importlib.util.find_spec(name) is None:
            return f"{name} is not installed"
    return None


def _command(files: Iterable[str], config: str | None) -> list[str]:
    command = [sys.executable, "-m", "mypy", "--no-incremental", "--cache-dir", os.devnull,
               "--show-absolute-path", "--no-error-summary", "--no-pretty",
               "--show-error-codes", "--hide-error-context", "--no-color-output"]
    if config is not None:
        command += ["--config-file", config]
    return command + sorted(set(files))


def _run_once(files: list[str], cwd: Path, config: str | None, times: Path,
              env: Mapping[str, str]) -> tuple[int, str, str, list[dict[str, object]]]:
    times.write_text("", encoding="utf-8")
    try:
        proc = subprocess.run(_command(files, config), cwd=cwd, capture_output=True, text=True,
                              env={**env, "TNP_MYPY_TIMES": str(times)}, check=False,
                              timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        return -1, "", f"mypy did not finish within {TIMEOUT_SECONDS} s", []
    scopes = []
    for line in times.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(entry, dict):
            scopes.append(entry)
    return proc.returncode, proc.stdout, proc.stderr, scopes


def project_config(cwd: Path) -> Path | None:
    """The config file mypy would read when run in `cwd`, as mypy looks for it: `mypy.ini`,
    `.mypy.ini`, `pyproject.toml` with `[tool.mypy]`, `setup.cfg` with `[mypy]`, in `cwd` then
    its parents up to a repository's root, then the user's own. Only a guess to save a run:
    whether mypy loaded the plugin is read from what it wrote (`run`)."""
    directory = cwd.resolve()
    while True:
        for name, marker in (("mypy.ini", ""), (".mypy.ini", ""), ("pyproject.toml",
                             "[tool.mypy"), ("setup.cfg", "[mypy")):
            path = directory / name
            if path.is_file() and marker in _text(path):
                return path
        if any((directory / vcs).exists() for vcs in (".git", ".hg")) or (
                directory.parent == directory):
            break
        directory = directory.parent
    home = Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config"))
    for path in (home / "mypy" / "config", Path.home() / ".config" / "mypy" / "config",
                 Path.home() / ".mypy.ini"):
        if path.is_file():
            return path
    return None


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def run(files: list[str], cwd: Path) -> StaticRun:
    """Run mypy with the plugin over `files` (see the module docstring)."""
    env = dict(os.environ)
    env.pop("TNP_MYPY_RERAISE", None)
    config = project_config(cwd)
    with tempfile.TemporaryDirectory(prefix="tnp-pytest-") as work:
        times = Path(work) / "times.jsonl"
        code, out, err = 0, "", ""
        scopes: list[dict[str, object]] = []
        if config is not None and "tnp_mypy" in _text(config):
            code, out, err, scopes = _run_once(files, cwd, None, times, env)
            note = f"mypy with {os.path.relpath(config, cwd)}"
        if code in (0, 1) and not scopes:
            own = Path(work) / "mypy.ini"
            own.write_text(_OWN_CONFIG, encoding="utf-8")
            code, out, err, scopes = _run_once(files, cwd, str(own), times, env)
            found = (f"{os.path.relpath(config, cwd)} does not load it" if config is not None
                     else "none was found")
            note = f"mypy with `plugins = tnp_mypy` only (the project's mypy config: {found})"
    if code not in (0, 1):
        first = next((line for line in (err or out).splitlines() if line.strip()), "")
        if code == -1:
            return StaticRun(failure=first)
        return StaticRun(failure=f"mypy exited {code}: {first}".rstrip(": "))
    findings = []
    for line in out.splitlines():
        match = _ERROR.match(line)
        if match is None:
            continue
        findings.append(Finding(str(Path(match["path"]).resolve()), int(match["line"]),
                                match["kind"], match["message"], match["code"]))
    return StaticRun(scopes, findings, note)
