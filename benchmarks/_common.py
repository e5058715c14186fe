"""What every benchmark script shares: the machine line, the command line, medians, workers and
markdown tables.

Timings are wall-clock seconds from `time.perf_counter`. A measurement that touches the prover
runs in a fresh Python process (a *worker*: the same script, started with `--worker ...`),
because the core memoizes normal forms per interned node for the life of the process: a second
measurement in the same process would time a cache hit, not a proof. A worker prints one JSON
object on its last line of stdout; the parent collects several and reports medians.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO_DIR = Path(__file__).resolve().parent.parent
# Environment variables that change what a benchmark measures, shown with every table.
RELEVANT_ENV = ("PYTHONPATH", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS")
WORKER_TIMEOUT_SECONDS = 1800


def cpu_model() -> str:
    """The CPU's `model name` from /proc/cpuinfo (or what `platform` knows elsewhere)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_lines() -> list[str]:
    """The machine and software a table was measured on, one fact per line."""
    import numpy  # the parent needs no numpy otherwise; imported here to report its version

    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        f"machine: {cpu_model()}, {os.cpu_count()} logical cores ({usable} usable), "
        f"{platform.system()} {platform.release()}",
        f"python {platform.python_version()} ({platform.python_implementation()}), "
        f"numpy {numpy.__version__}",
    ]


def command_line() -> str:
    """The command that produced this output, with the environment variables that matter."""
    env = [f"{name}={shlex.quote(os.environ[name])}" for name in RELEVANT_ENV if name in os.environ]
    script = os.path.relpath(sys.argv[0], Path.cwd())
    return " ".join([*env, shlex.join(["python", script, *sys.argv[1:]])])


def source_revision() -> str:
    """The checkout measured: `git describe --always --dirty` (dirty: uncommitted changes)."""
    try:
        done = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=REPO_DIR, capture_output=True, text=True, check=False,
        )
    except OSError:
        return "unknown (no git)"
    return done.stdout.strip() or "unknown (not a git checkout)"


def print_header(title: str, notes: Sequence[str] = ()) -> None:
    """Title, machine, exact command and notes, printed before a script's tables."""
    print(f"# {title}")
    print()
    for line in machine_lines():
        print(line)
    print(f"tnp revision: {source_revision()}")
    print(f"command: {command_line()}")
    print(f"load average (1 min) at start: {load_average()}")
    unset = [name for name in RELEVANT_ENV[1:] if name not in os.environ]
    if unset:
        print(f"not set: {', '.join(unset)}")
    for note in notes:
        print(note)
    print()


def load_average() -> str:
    """The 1-minute load average: other jobs on a shared machine slow every number down."""
    try:
        return f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    except OSError:
        return "unknown"


def print_footer() -> None:
    """Printed after a script's tables."""
    print(f"load average (1 min) at end: {load_average()}")


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A markdown table (pasted into README.md as is), columns padded to line up."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    print(line(headers))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print(line(row))
    print()


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def worker_env() -> dict[str, str]:
    """The parent's environment with the repository on PYTHONPATH (so workers import tnp)."""
    env = dict(os.environ)
    paths = [str(REPO_DIR), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env


def run_worker(script: str, args: Sequence[str]) -> dict[str, Any]:
    """Run `script --worker *args` in a fresh interpreter; its last stdout line, as JSON."""
    done = subprocess.run(
        [sys.executable, script, "--worker", *args],
        capture_output=True,
        text=True,
        env=worker_env(),
        timeout=WORKER_TIMEOUT_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"worker {script} {' '.join(args)} failed with exit {done.returncode}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def emit(result: dict[str, Any]) -> None:
    """What a worker reports to its parent: one JSON line."""
    print(json.dumps(result), flush=True)


def peak_rss_mb() -> float:
    """This process's peak resident set size so far (ru_maxrss is KiB on Linux), in MiB."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def base_parser(description: str | None, default_runs: int) -> argparse.ArgumentParser:
    """The options every script takes: --quick, --runs, and the hidden --worker."""
    parser = argparse.ArgumentParser(
        description=(description or "").split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--quick", action="store_true", help="smallest size only, one run (for CI smoke tests)"
    )
    parser.add_argument(
        "--runs", type=int, default=default_runs, help="runs per size; the median is reported"
    )
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    return parser


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.1f}"


def us(seconds: float) -> str:
    return f"{seconds * 1e6:.0f}"


def secs(seconds: float) -> str:
    return f"{seconds:.2f}"
