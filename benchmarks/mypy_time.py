"""mypy's time on the flash-attention kernel, with and without the tnp_mypy plugin.

    PYTHONPATH=. python benchmarks/mypy_time.py [--quick] [--runs N]

The checked file is examples/flash_attention.py (kernel form) with nctx set to 16 and to 256
tiles of 32, written to a temporary directory. Each configuration is a temporary mypy.ini:
`[mypy]` alone, or with `plugins = tnp_mypy` (the installed package's stubs serve both), so the
two differ only in the plugin. Each mypy run is a
fresh `python -m mypy --config-file <ini> --cache-dir <dir> <file>` process (cwd: the temporary
directory, the repository on PYTHONPATH), timed with `time.perf_counter` around the process,
interpreter start-up included. Per run and configuration:

- cold: a new, empty cache directory;
- warm: the same command again, with the cache the cold run wrote (nothing changed);
- warm, file edited: a comment appended to the kernel file, then the same command again: mypy
  re-checks that file only, with every dependency from its cache (what an editor pays on a
  keystroke in the kernel's file).

Runs alternate between the two configurations, so both see the same machine load; the table
shows medians over `--runs` runs and the ratio with / without plugin of those medians. mypy's
exit status is shown: without the plugin mypy cannot follow the dims and may report errors.

If the plugin cannot be loaded (`tnp_mypy` not importable, no `plugin` entry point, or mypy
refusing it on a one-line file), the rows say "plugin not available" with the reason instead
of failing.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import _common

TILE = 32
TILE_COUNTS = (16, 256)
TARGET_WARM_RATIO = 1.5
EXAMPLE = _common.REPO_DIR / "examples" / "flash_attention.py"
NCTX_DEFINITION = 'FullDim("nctx", 512)'
MODES = ("cold", "warm", "warm, file edited")
MYPY_TIMEOUT_SECONDS = 900


@dataclass(frozen=True)
class MypyRun:
    """One mypy process: wall seconds, exit status and number of `error:` lines."""

    seconds: float
    exit_status: int
    errors: int


def kernel_source(tiles: int) -> str:
    """examples/flash_attention.py with nctx = tiles * 32."""
    text = EXAMPLE.read_text()
    if text.count(NCTX_DEFINITION) != 1:
        raise SystemExit(f"{EXAMPLE} no longer defines nctx as {NCTX_DEFINITION}")
    return text.replace(NCTX_DEFINITION, f'FullDim("nctx", {tiles * TILE})')


def write_config(directory: Path, with_plugin: bool) -> Path:
    lines = ["[mypy]"]
    if with_plugin:
        lines.append("plugins = tnp_mypy")
    path = directory / ("with_plugin.ini" if with_plugin else "without_plugin.ini")
    path.write_text("\n".join(lines) + "\n")
    return path


def run_mypy(config: Path, cache: Path, target: Path) -> MypyRun:
    command = [
        sys.executable, "-m", "mypy", "--config-file", str(config), "--cache-dir", str(cache),
        "--no-color-output", str(target),
    ]
    start = time.perf_counter()
    done = subprocess.run(
        command,
        cwd=target.parent,
        env=_common.worker_env(),
        capture_output=True,
        text=True,
        timeout=MYPY_TIMEOUT_SECONDS,
        check=False,
    )
    seconds = time.perf_counter() - start
    errors = len(re.findall(r"^[^\n]*: error: ", done.stdout, flags=re.MULTILINE))
    return MypyRun(seconds, done.returncode, errors)


def plugin_problem(directory: Path) -> str | None:
    """Why the plugin cannot be used now, or None if mypy loads it."""
    probe = subprocess.run(
        [sys.executable, "-c", "import tnp_mypy; tnp_mypy.plugin"],
        env=_common.worker_env(),
        capture_output=True,
        text=True,
        check=False,
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
        cwd=directory, env=_common.worker_env(), capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        first = (done.stdout + done.stderr).strip().splitlines() or ["?"]
        return f"mypy with the plugin fails on a one-line file: {first[0]}"
    return None


def one_run(directory: Path, tiles: int, with_plugin: bool, index: int) -> list[MypyRun]:
    """cold, warm, warm with the file edited: one fresh file and cache directory."""
    label = f"{'with' if with_plugin else 'without'}_{tiles}_{index}"
    work = directory / label
    work.mkdir()
    target = work / f"flash_attention_{tiles}.py"
    target.write_text(kernel_source(tiles))
    config = write_config(directory, with_plugin)
    cache = work / "mypy_cache"
    cold = run_mypy(config, cache, target)
    warm = run_mypy(config, cache, target)
    with target.open("a") as handle:
        handle.write("# edited: mypy must check this file again\n")
    edited = run_mypy(config, cache, target)
    return [cold, warm, edited]


def cell(runs: list[MypyRun]) -> tuple[float, str]:
    seconds = _common.median([r.seconds for r in runs])
    statuses = sorted({f"exit {r.exit_status}, errors: {r.errors}" for r in runs})
    return seconds, "; ".join(statuses)


def rows_for(
    tiles: int, without: list[list[MypyRun]], with_: list[list[MypyRun]] | None
) -> list[list[str]]:
    rows = []
    for position, mode in enumerate(MODES):
        plain_s, plain_status = cell([r[position] for r in without])
        if with_ is None:
            plugin_text, ratio, plugin_status = "plugin not available", "—", "—"
        else:
            plugin_s, plugin_status = cell([r[position] for r in with_])
            plugin_text, ratio = f"{plugin_s:.2f}", f"{plugin_s / plain_s:.2f}"
        rows.append([
            str(tiles), str(tiles * TILE), mode, f"{plain_s:.2f}", plugin_text, ratio,
            plain_status, plugin_status,
        ])
    return rows


def target_lines(rows: list[list[str]]) -> list[str]:
    lines = []
    for tiles, _, mode, _, _, ratio, _, _ in rows:
        if tiles == "16" and mode.startswith("warm") and ratio != "—":
            verdict = "met" if float(ratio) <= TARGET_WARM_RATIO else "MISSED"
            lines.append(
                f"target: {mode} at 16 tiles within {TARGET_WARM_RATIO}x of mypy without the "
                f"plugin: {ratio}x, {verdict}"
            )
    return lines


def mypy_version() -> str:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--version"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() or "mypy not available"


def main() -> None:
    args = _common.base_parser(__doc__, default_runs=5).parse_args()
    counts = TILE_COUNTS[:1] if args.quick else TILE_COUNTS
    runs = 1 if args.quick else args.runs
    with tempfile.TemporaryDirectory(prefix="tnp_mypy_bench_") as tmp:
        directory = Path(tmp)
        problem = plugin_problem(directory)
        notes = [
            mypy_version(),
            f"median of {runs} runs per cell; each run is a fresh file and cache directory",
            "plugin: available" if problem is None else f"plugin not available: {problem}",
        ]
        _common.print_header("mypy time on the flash-attention kernel (kernel form)", notes)
        rows: list[list[str]] = []
        for tiles in counts:
            without, with_ = [], []
            for index in range(runs):
                without.append(one_run(directory, tiles, False, index))
                if problem is None:
                    with_.append(one_run(directory, tiles, True, index))
            rows += rows_for(tiles, without, with_ if problem is None else None)
    headers = [
        "tiles", "nctx", "run", "without plugin (s)", "with plugin (s)", "with / without",
        "mypy status without", "mypy status with",
    ]
    _common.print_table(headers, rows)
    for line in target_lines(rows):
        print(line)
    _common.print_footer()


if __name__ == "__main__":
    main()
