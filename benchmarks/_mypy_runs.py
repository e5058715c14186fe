"""The kernels `mypy_time.py` checks and the mypy processes it times.

A kernel is an example file with its sizes scaled (`Kernel.source`); a mypy run is a fresh
`python -m mypy` process (`run_mypy`) whose wall time, exit status, `error:` lines, stops and,
with the plugin, the plugin's own seconds per analysed scope (`TNP_MYPY_TIMES`, see
`tnp_mypy.times`) are recorded in a `MypyRun`.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import _common

TILE = 32
EXAMPLES = _common.REPO_DIR / "examples"
MYPY_TIMEOUT_SECONDS = 900
TIMES_VARIABLE = "TNP_MYPY_TIMES"
# Set, Python compiles every module it imports from source, in every process: a plugin
# installed as users install it loads from cached bytecode (`__pycache__`, gitignored here).
NO_BYTECODE_VARIABLE = "PYTHONDONTWRITEBYTECODE"
# What each kernel's example defines, replaced by the scaled sizes.
FLASH_DEFINITION = 'FullDim("nctx", 512)'
MATMUL_DEFINITION = 'M, N, K = FullDim("M", 128), FullDim("N", 256), FullDim("K", 64)'
KERNEL_KINDS = ("flash", "matmul")
# A line of mypy's output that says the plugin stopped a scope's static check (at a construct
# it cannot follow, or at its budget): that scope was not fully checked, whatever the exit.
STOP_LINE = re.compile(r"^[^\n]*\[tnp-unsupported\]$", re.MULTILINE)
ERROR_LINE = re.compile(r"^[^\n]*: error: ", re.MULTILINE)


@dataclass(frozen=True)
class Kernel:
    """One checked file: `kind` "flash" (examples/flash_attention.py, nctx = tiles * 32 key
    tiles, one query tile) or "matmul" (examples/matmul.py, M = N = K = tiles * 32: tiles^3
    tile steps). Invariant: tiles >= 1."""

    kind: str
    tiles: int

    @property
    def name(self) -> str:
        return "flash attention" if self.kind == "flash" else "tiled matmul"

    @property
    def size_text(self) -> str:
        if self.kind == "flash":
            return f"{self.tiles} key tiles"
        return "×".join([str(self.tiles)] * 3)

    @property
    def steps(self) -> int:
        """Tile steps: iterations of the innermost tile loop."""
        return self.tiles if self.kind == "flash" else self.tiles**3

    @property
    def file_name(self) -> str:
        return f"{self.kind}_{self.tiles}.py"

    def source(self) -> str:
        if self.kind == "flash":
            path, old = EXAMPLES / "flash_attention.py", FLASH_DEFINITION
            new = f'FullDim("nctx", {self.tiles * TILE})'
        else:
            path, old = EXAMPLES / "matmul.py", MATMUL_DEFINITION
            size = self.tiles * TILE
            new = f'M, N, K = FullDim("M", {size}), FullDim("N", {size}), FullDim("K", {size})'
        text = path.read_text()
        if text.count(old) != 1:
            raise SystemExit(f"{path} no longer defines its sizes as {old}")
        return text.replace(old, new)


def parse_size(token: str) -> Kernel:
    """`flash:N` (N key tiles) or `matmul:N` (N×N×N tiles), for `--sizes`."""
    kind, _, count = token.partition(":")
    if kind not in KERNEL_KINDS or not count.isdigit() or int(count) < 1:
        raise ValueError(f"expected flash:N or matmul:N with N >= 1, got {token!r}")
    return Kernel(kind, int(count))


@dataclass(frozen=True)
class ScopeTime:
    """One line of the `TNP_MYPY_TIMES` file: an analysed scope."""

    scope: str
    kind: str
    seconds: float
    statements: int
    stopped: str | None


@dataclass(frozen=True)
class MypyRun:
    """One mypy process: wall seconds, exit status, `error:` lines, the `tnp-unsupported` lines
    (a scope not fully checked) and the scopes the plugin analysed (empty without it, or when
    mypy took the file from its cache)."""

    seconds: float
    exit_status: int
    errors: int
    stop_lines: tuple[str, ...]
    scopes: tuple[ScopeTime, ...]


    def plugin_seconds(self, kind: str | None = None) -> float:
        """The plugin's seconds over the analysed scopes (of `kind` only, if given)."""
        return sum(s.seconds for s in self.scopes if kind is None or s.kind == kind)


def mypy_env() -> dict[str, str]:
    """The environment of every mypy process: the repository on PYTHONPATH, Python's bytecode
    cached as in a user's install (without PYTHONDONTWRITEBYTECODE: tnp's modules compiled once,
    by `plugin_problem`'s import before anything is timed, not in each timed process) and no
    `TNP_MYPY_TIMES` unless `run_mypy` sets it."""
    env = _common.worker_env()
    env.pop(NO_BYTECODE_VARIABLE, None)
    env.pop(TIMES_VARIABLE, None)
    return env


def write_config(directory: Path, with_plugin: bool) -> Path:
    """`[mypy]` alone, or with `plugins = tnp_mypy`: the two configurations differ only there."""
    lines = ["[mypy]"]
    if with_plugin:
        lines.append("plugins = tnp_mypy")
    path = directory / ("with_plugin.ini" if with_plugin else "without_plugin.ini")
    path.write_text("\n".join(lines) + "\n")
    return path


def read_times(path: Path) -> tuple[ScopeTime, ...]:
    if not path.exists():
        return ()
    entries = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return tuple(
        ScopeTime(e["scope"], e["kind"], float(e["seconds"]), int(e["statements"]), e["stopped"])
        for e in entries
    )


def run_mypy(config: Path, cache: Path, target: Path, times: Path | None) -> MypyRun:
    """A fresh mypy process on `target`, timed around the process; `times` (with the plugin) is
    the file the plugin writes its scopes' seconds to, new for this run."""
    command = [
        sys.executable, "-m", "mypy", "--config-file", str(config), "--cache-dir", str(cache),
        "--no-color-output", "--no-pretty", "--show-error-codes", str(target),
    ]
    env = mypy_env()
    if times is not None:
        env[TIMES_VARIABLE] = str(times)
    start = time.perf_counter()
    done = subprocess.run(
        command, cwd=target.parent, env=env, capture_output=True, text=True,
        timeout=MYPY_TIMEOUT_SECONDS, check=False,
    )
    seconds = time.perf_counter() - start
    return MypyRun(
        seconds, done.returncode, len(ERROR_LINE.findall(done.stdout)),
        tuple(STOP_LINE.findall(done.stdout)),
        read_times(times) if times is not None else (),
    )


def one_run(directory: Path, kernel: Kernel, with_plugin: bool, index: int) -> list[MypyRun]:
    """cold, warm, warm with the file edited: one fresh file and cache directory."""
    side = "with" if with_plugin else "without"
    work = directory / f"{side}_{kernel.kind}_{kernel.tiles}_{index}"
    work.mkdir()
    target = work / kernel.file_name
    target.write_text(kernel.source())
    config = write_config(directory, with_plugin)
    cache = work / "mypy_cache"

    def timed(mode: str) -> MypyRun:
        return run_mypy(config, cache, target, work / f"{mode}.jsonl" if with_plugin else None)

    cold = timed("cold")
    warm = timed("warm")
    with target.open("a") as handle:
        handle.write("# edited: mypy must check this file again\n")
    edited = timed("edited")
    return [cold, warm, edited]


def plugin_problem(directory: Path) -> str | None:
    """Why the plugin cannot be used now, or None if mypy loads it. Run before any timing: its
    import and its mypy run write the bytecode the timed runs load."""
    probe = subprocess.run(
        [sys.executable, "-c", "import tnp_mypy; tnp_mypy.plugin"],
        env=mypy_env(), capture_output=True, text=True, check=False,
    )
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["?"])[-1]
        return f"`import tnp_mypy; tnp_mypy.plugin` fails: {last}"
    smoke = directory / "smoke.py"
    smoke.write_text("x: int = 1\n")
    config = write_config(directory, with_plugin=True)
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(config),
         "--cache-dir", str(directory / "smoke_cache"), str(smoke)],
        cwd=directory, env=mypy_env(), capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        first = (done.stdout + done.stderr).strip().splitlines() or ["?"]
        return f"mypy with the plugin fails on a one-line file: {first[0]}"
    return None


def mypy_version() -> str:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--version"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() or "mypy not available"
