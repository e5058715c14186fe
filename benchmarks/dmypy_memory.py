"""The mypy daemon's resident memory over many edit-and-check cycles of a tnp kernel.

    PYTHONPATH=. python benchmarks/dmypy_memory.py [--quick] [--cycles N]

(`--quick` runs 4 cycles; `--runs` is accepted like the other scripts' and unused: one daemon per
configuration.)

A small project (one file: examples/flash_attention.py, 16 key tiles) is checked by a real
`dmypy` (`python -m mypy.dmypy run`, its own status file), then edited and checked again
`--cycles` times (default 200), alternating a bug (the scores divided by `math.sqrt(8)`: the
kernel no longer computes its spec) and its fix, so every check really re-analyses the kernel.
Each edit gets an mtime of its own whole second (the daemon compares whole-second mtimes). Every
check's verdict is asserted: `tnp-spec` after a bug, no tnp error after a fix.

After each check the daemon's resident memory is read from /proc/<pid>/status (VmRSS; the pid
from the daemon's status file). The table shows it at cycle 0 (the first check), at each
quarter, and the slope: the least-squares line through the cycles after the first quarter
(warm-up), in MB per 100 cycles. Three daemons run one after the other:

- plugin: `plugins = tnp_mypy`, as users configure it;
- plugin, tables never reset: the same plugin with `tnp_runtime.core.tables`'s resets
  replaced by no-ops (a plugin file in the project wraps tnp_mypy), so tnp's tables only grow,
  as they did before the registry of tables existed;
- no plugin: mypy alone on the same edits (mypy cannot follow the kernel then and reports its
  own errors): the daemon's own growth, to tell it apart from tnp's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import _common

EXAMPLE = _common.REPO_DIR / "examples" / "flash_attention.py"
FIXED = "/ math.sqrt(16)"
BUG = "/ math.sqrt(8)"
CHECK_TIMEOUT_SECONDS = 600
CONFIGS = ("plugin", "plugin, tables never reset", "no plugin")

# A plugin file that loads tnp_mypy with the core's tables never emptied.
NO_RESET_PLUGIN = '''\
from tnp_mypy import plugin as _tnp_plugin

try:
    from tnp_runtime.core import tables
except ImportError:  # a tnp without the registry of tables: nothing to switch off
    pass
else:
    tables.reset = lambda: None
    tables.reset_if_idle = lambda: False
    tables.bound = lambda limit=None: False


def plugin(version):
    return _tnp_plugin(version)
'''


@dataclass(frozen=True)
class Series:
    """One daemon's run: RSS in MB after each check (index = cycle) and seconds per check."""

    config: str
    rss_mb: list[float]
    seconds: list[float]


class Daemon:
    """`dmypy` on a one-file project in `root`."""

    def __init__(self, root: Path, config: str) -> None:
        self.root = root
        self.status = root / "dmypy.json"
        self.clock = int(time.time()) - 100_000
        lines = ["[mypy]", f"cache_dir = {root / '.mypy_cache'}"]
        if config == "plugin":
            lines.append("plugins = tnp_mypy")
        elif config == "plugin, tables never reset":
            (root / "no_reset_plugin.py").write_text(NO_RESET_PLUGIN)
            lines.append(f"plugins = {root / 'no_reset_plugin.py'}")
        (root / "mypy.ini").write_text("\n".join(lines) + "\n")
        self.command = [sys.executable, "-m", "mypy.dmypy", "--status-file", str(self.status)]
        self.write(bug=False)

    def write(self, bug: bool) -> None:
        text = EXAMPLE.read_text()
        if text.count(FIXED) != 1:
            raise SystemExit(f"{EXAMPLE} no longer divides the scores by {FIXED!r}")
        path = self.root / "kernel.py"
        path.write_text(text.replace(FIXED, BUG) if bug else text)
        self.clock += 2
        os.utime(path, (self.clock, self.clock))

    def check(self) -> str:
        done = subprocess.run(
            [*self.command, "run", "--timeout", str(CHECK_TIMEOUT_SECONDS), "--",
             "--config-file", "mypy.ini", "--no-error-summary", "kernel.py"],
            cwd=self.root, env=_common.worker_env(), capture_output=True, text=True,
            timeout=CHECK_TIMEOUT_SECONDS, check=False,
        )
        shown = done.stdout + done.stderr
        if done.returncode not in (0, 1) or "INTERNAL ERROR" in shown:
            raise SystemExit(f"dmypy failed (exit {done.returncode}):\n{shown}")
        return done.stdout

    def rss_mb(self) -> float:
        pid = json.loads(self.status.read_text())["pid"]
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise SystemExit(f"no VmRSS in /proc/{pid}/status")

    def stop(self) -> None:
        subprocess.run([*self.command, "stop"], cwd=self.root, env=_common.worker_env(),
                       capture_output=True, timeout=120, check=False)


def expect(config: str, cycle: int, bug: bool, stdout: str) -> None:
    """The verdict a check must show: the plugin really re-checked the edited kernel."""
    if config == "no plugin":
        return
    tnp_errors = [line for line in stdout.splitlines() if "[tnp-" in line]
    if bug != any("[tnp-spec]" in line for line in tnp_errors) or (not bug and tnp_errors):
        raise SystemExit(f"{config}, cycle {cycle}: unexpected verdict:\n{stdout}")


def run(config: str, cycles: int) -> Series:
    with tempfile.TemporaryDirectory(prefix="tnp_dmypy_memory_") as tmp:
        daemon = Daemon(Path(tmp), config)
        rss: list[float] = []
        seconds: list[float] = []
        try:
            for cycle in range(cycles + 1):
                bug = cycle % 2 == 1
                if cycle:
                    daemon.write(bug)
                start = time.perf_counter()
                stdout = daemon.check()
                seconds.append(time.perf_counter() - start)
                expect(config, cycle, bug, stdout)
                rss.append(daemon.rss_mb())
        finally:
            daemon.stop()
    return Series(config, rss, seconds)


def slope_per_100(series: Series, start: int) -> float:
    """Least-squares slope of RSS over the cycles from `start` on, in MB per 100 cycles."""
    xs = list(range(start, len(series.rss_mb)))
    ys = series.rss_mb[start:]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    return 100 * sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


def main() -> None:
    parser = _common.base_parser(__doc__, default_runs=1)
    parser.add_argument("--cycles", type=int, default=200, help="edit-and-check cycles")
    args = parser.parse_args()
    cycles = 4 if args.quick else args.cycles
    if cycles < 4:
        raise SystemExit("--cycles must be at least 4")
    marks = [cycles * i // 4 for i in range(5)]
    _common.print_header(
        f"dmypy resident memory over {cycles} edit-and-check cycles",
        [f"project: {EXAMPLE.name} (16 key tiles), edits alternate {BUG!r} and {FIXED!r}",
         "RSS: VmRSS of the daemon after each check; slope fitted after the first quarter"],
    )
    results = [run(config, cycles) for config in CONFIGS]
    headers = ["daemon", *(f"RSS at cycle {m} (MB)" for m in marks),
               "slope after warm-up (MB / 100 cycles)", "check, median (s)"]
    rows = [
        [s.config, *(f"{s.rss_mb[m]:.1f}" for m in marks),
         f"{slope_per_100(s, marks[1]):+.2f}", f"{_common.median(s.seconds[1:]):.2f}"]
        for s in results
    ]
    _common.print_table(headers, rows)
    _common.print_footer()


if __name__ == "__main__":
    main()
