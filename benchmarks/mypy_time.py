"""mypy's time on tnp's kernels as the tile count grows, with and without the tnp_mypy plugin.

    PYTHONPATH=. python benchmarks/mypy_time.py [--quick] [--runs N] [--sizes flash:16 matmul:16]

The checked files (`_mypy_runs.Kernel`) are examples/flash_attention.py (kernel form, one query
tile) with nctx scaled to 16, 256, 1024 and 4096 key tiles of 32, and examples/matmul.py with
M = N = K scaled to 16, 32 and 64 tiles of 32 (16×16×16 to 64×64×64 tiles: 4096 to 262144 tile
steps), each written to a temporary directory. `--sizes` chooses them (`flash:N`, `matmul:N`, in
the order given); `--quick` checks the smallest of each kernel once. Each configuration is a
temporary mypy.ini: `[mypy]` alone, or with `plugins = tnp_mypy` (the installed package's stubs
serve both), so the two differ only in the plugin. Each mypy run is a fresh
`python -m mypy --config-file <ini> --cache-dir <dir> <file>` process (cwd: the temporary
directory, the repository on PYTHONPATH), timed with `time.perf_counter` around the process,
interpreter start-up included. mypy's processes run without PYTHONDONTWRITEBYTECODE: tnp's
modules load from cached bytecode, as an installed plugin's do, instead of being compiled from
source in every process (a cost a user does not pay, timed as the plugin's). Per run and
configuration:

- cold: a new, empty cache directory;
- warm: the same command again, with the cache the cold run wrote (nothing changed);
- warm, file edited: a comment appended to the kernel file, then the same command again: mypy
  re-checks that file only, with every dependency from its cache (what an editor pays on a
  keystroke in the kernel's file). This is the headline.

For each size, runs alternate between the two configurations, so both see the same machine
load; the table shows medians over `--runs` runs and the ratio with / without plugin of those
medians. The plugin's own time comes from the plugin itself: each run with the plugin sets
`TNP_MYPY_TIMES` to a new file, to which the plugin appends the seconds of every scope it
analyses (`tnp_mypy.times`); the table shows the kernel's scope (its proof) and every analysed
scope of the file (examples' `main` inlines the kernel a second time), both from the edited run.

mypy's exit status with the plugin is shown, and whether the plugin checked the kernel: a
`tnp-unsupported` line in mypy's output ("tnp stopped the static check after 200000
statements", "tnp cannot follow ...") or a stop in the plugin's times means a scope was not
fully checked, shown as "stopped: not checked" (never as a pass), with the reason. Without the
plugin mypy cannot follow the dims; its exit status is shown too.

Target lines follow the table (`target: <what>: <value>, met|MISSED`): warm-after-edit within
1.5× of mypy without the plugin at every size, and the warm run (nothing edited) too; the same
time with the plugin (±20%) at 16 and at 4096 flash-attention key tiles; nothing stopped; the
flash-attention kernel's scope proved in under 50 ms of plugin time at every tile count. A
target whose sizes were not measured says so.

If the plugin cannot be loaded (`tnp_mypy` not importable, no `plugin` entry point, or mypy
refusing it on a one-line file), the rows say "plugin not available" with the reason instead
of failing.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import _common
import _mypy_runs
from _mypy_runs import Kernel, MypyRun

DEFAULT_SIZES = (
    "flash:16", "flash:256", "flash:1024", "flash:4096", "matmul:16", "matmul:32", "matmul:64"
)
MODES = ("cold", "warm", "warm, file edited")
COLD, WARM, EDITED = range(3)
TARGET_WARM_RATIO = 1.5
TARGET_FLAT = 0.20  # with-plugin edited time at 4096 key tiles within ±20% of 16
FLAT_SIZES = (16, 4096)
TARGET_KERNEL_SECONDS = 0.050
HEADERS = (
    "kernel", "tiles", "tile steps", "with plugin (s)", "without plugin (s)", "with / without",
    "warm: with / without (s)", "cold: with / without (s)", "mypy with plugin",
    "mypy without", "plugin: kernel (ms)", "plugin: file (ms)",
)


@dataclass(frozen=True)
class Measured:
    """All runs of one kernel: `without[i]` and `with_[i]` are run i's cold, warm and edited
    runs. `with_` is None when the plugin is not available."""

    kernel: Kernel
    without: list[list[MypyRun]]
    with_: list[list[MypyRun]] | None

    def seconds(self, runs: list[list[MypyRun]], mode: int) -> float:
        return _common.median([r[mode].seconds for r in runs])

    def edited_ratio(self) -> float | None:
        if self.with_ is None:
            return None
        return self.seconds(self.with_, EDITED) / self.seconds(self.without, EDITED)

    def stopped(self) -> str | None:
        """Why the plugin did not fully check the kernel in some run (any mode), or None."""
        if self.with_ is None:
            return None
        runs = [r for run in self.with_ for r in run]
        reasons = sorted({s.stopped for r in runs for s in r.scopes if s.stopped is not None})
        if not reasons and any(r.stop_lines for r in runs):
            reasons = ["tnp-unsupported in mypy's output"]
        return ", ".join(reasons) or None

    def plugin_seconds(self, kind: str | None) -> float | None:
        """Median over runs of the plugin's seconds in the edited run (kernel scopes only, or
        every scope); None without the plugin or when no run analysed a scope of that kind."""
        if self.with_ is None:
            return None
        edited = [run[EDITED] for run in self.with_]
        if any(not r.scopes or (kind and not any(s.kind == kind for s in r.scopes))
               for r in edited):
            return None
        return _common.median([r.plugin_seconds(kind) for r in edited])


def parse_args() -> argparse.Namespace:
    parser = _common.base_parser(__doc__, default_runs=5)
    parser.add_argument(
        "--sizes", nargs="+", default=list(DEFAULT_SIZES), metavar="KERNEL:TILES",
        help="flash:N (N key tiles of 32) or matmul:N (N×N×N tiles of 32); "
             f"default: {' '.join(DEFAULT_SIZES)}",
    )
    args = parser.parse_args()
    try:
        args.kernels = [_mypy_runs.parse_size(token) for token in args.sizes]
    except ValueError as err:
        parser.error(str(err))
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.quick:
        smallest = {}
        for kernel in args.kernels:
            if kernel.kind not in smallest or kernel.tiles < smallest[kernel.kind].tiles:
                smallest[kernel.kind] = kernel
        args.kernels, args.runs = list(smallest.values()), 1
    return args


def measure(directory: Path, kernel: Kernel, runs: int, plugin: bool) -> Measured:
    without: list[list[MypyRun]] = []
    with_: list[list[MypyRun]] = []
    for index in range(runs):
        without.append(_mypy_runs.one_run(directory, kernel, False, index))
        if plugin:
            with_.append(_mypy_runs.one_run(directory, kernel, True, index))
    return Measured(kernel, without, with_ if plugin else None)


def status(runs: Sequence[MypyRun], stopped: str | None) -> str:
    """mypy's exit status and errors over `runs`; "stopped: not checked" if any scope stopped."""
    parts = sorted({f"exit {r.exit_status}" + (f", {r.errors} errors" if r.errors else "")
                    for r in runs})
    if stopped is not None:
        parts.append(f"stopped: not checked ({stopped})")
    elif any(r.scopes for r in runs):
        parts.append("checked")
    return ", ".join(parts)


def ms_or_dash(seconds: float | None) -> str:
    return "—" if seconds is None else _common.ms(seconds)


def row(m: Measured) -> list[str]:
    k = m.kernel
    without = {mode: m.seconds(m.without, mode) for mode in (COLD, WARM, EDITED)}
    plain_status = status([r[EDITED] for r in m.without], None)
    if m.with_ is None:
        return [k.name, k.size_text, str(k.steps), "plugin not available",
                _common.secs(without[EDITED]), "—", f"— / {_common.secs(without[WARM])}",
                f"— / {_common.secs(without[COLD])}", "—", plain_status, "—", "—"]
    with_ = {mode: m.seconds(m.with_, mode) for mode in (COLD, WARM, EDITED)}
    ratio = m.edited_ratio()
    assert ratio is not None
    return [
        k.name, k.size_text, str(k.steps), _common.secs(with_[EDITED]),
        _common.secs(without[EDITED]), f"{ratio:.2f}",
        f"{_common.secs(with_[WARM])} / {_common.secs(without[WARM])}",
        f"{_common.secs(with_[COLD])} / {_common.secs(without[COLD])}",
        status([r[EDITED] for r in m.with_], m.stopped()), plain_status,
        ms_or_dash(m.plugin_seconds("kernel")), ms_or_dash(m.plugin_seconds(None)),
    ]


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def target_lines(measured: Sequence[Measured]) -> list[str]:
    lines = []
    for m in measured:
        ratio = m.edited_ratio()
        value = "plugin not available" if ratio is None else f"{ratio:.2f}x"
        lines.append(
            f"target: warm, file edited, {m.kernel.name} at {m.kernel.size_text}, within "
            f"{TARGET_WARM_RATIO}x of mypy without the plugin: {value}, "
            f"{verdict(ratio is not None and ratio <= TARGET_WARM_RATIO)}"
        )
    lines.append(warm_line(measured))
    lines.append(flat_line(measured))
    stopped = [f"{m.kernel.name} at {m.kernel.size_text} ({m.stopped()})"
               for m in measured if m.stopped()]
    available = all(m.with_ is not None for m in measured)
    lines.append(
        f"target: no kernel stopped (budget or construct) with the plugin: "
        f"{'; '.join(stopped) or ('none' if available else 'plugin not available')}, "
        f"{verdict(available and not stopped)}"
    )
    for m in measured:
        if m.kernel.kind != "flash":
            continue
        kernel_s = m.plugin_seconds("kernel")
        proved = kernel_s is not None and m.stopped() is None
        value = ("not measured" if kernel_s is None else
                 f"{_common.ms(kernel_s)} ms" + ("" if m.stopped() is None else ", stopped"))
        lines.append(
            f"target: flash attention at {m.kernel.size_text} proved in under "
            f"{TARGET_KERNEL_SECONDS * 1e3:.0f} ms of plugin time (the kernel's scope, warm, "
            f"file edited): {value}, "
            f"{verdict(proved and kernel_s is not None and kernel_s < TARGET_KERNEL_SECONDS)}"
        )
    return lines


def warm_line(measured: Sequence[Measured]) -> str:
    """The warm run, nothing edited (mypy takes the file from its cache), at every size."""
    what = f"target: warm, nothing edited, within {TARGET_WARM_RATIO}x of mypy without the plugin"
    ratios = [(m.seconds(m.with_, WARM) / m.seconds(m.without, WARM), m)
              for m in measured if m.with_ is not None]
    if len(ratios) < len(measured):
        return f"{what}: plugin not available, MISSED"
    ratio, worst = max(ratios, key=lambda pair: pair[0])
    return (f"{what} at every size: at most {ratio:.2f}x ({worst.kernel.name} at "
            f"{worst.kernel.size_text}), {verdict(ratio <= TARGET_WARM_RATIO)}")


def flat_line(measured: Sequence[Measured]) -> str:
    """With-plugin edited time at 4096 flash key tiles within ±20% of the time at 16."""
    what = (f"target: warm, file edited, with the plugin, flash attention at {FLAT_SIZES[1]} key "
            f"tiles within ±{TARGET_FLAT:.0%} of {FLAT_SIZES[0]} key tiles")
    by_tiles = {m.kernel.tiles: m for m in measured
                if m.kernel.kind == "flash" and m.with_ is not None}
    if any(tiles not in by_tiles for tiles in FLAT_SIZES):
        return f"{what}: not measured (needs --sizes flash:16 flash:4096), MISSED"
    small, large = (by_tiles[t] for t in FLAT_SIZES)
    assert small.with_ is not None and large.with_ is not None
    small_s, large_s = small.seconds(small.with_, EDITED), large.seconds(large.with_, EDITED)
    change = large_s / small_s - 1
    return (f"{what}: {large_s:.2f} s against {small_s:.2f} s ({change:+.0%}), "
            f"{verdict(abs(change) <= TARGET_FLAT)}")


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="tnp_mypy_bench_") as tmp:
        directory = Path(tmp)
        problem = _mypy_runs.plugin_problem(directory)
        notes = [
            _mypy_runs.mypy_version(),
            f"median of {args.runs} runs per cell; each run is a fresh file and cache directory; "
            "configurations alternate",
            "plugin: available" if problem is None else f"plugin not available: {problem}",
            f"{_mypy_runs.NO_BYTECODE_VARIABLE}: "
            + ("set here, removed for mypy's processes" if _mypy_runs.NO_BYTECODE_VARIABLE
               in os.environ else "not set")
            + " (tnp's modules load from cached bytecode, as in a user's install)",
            "columns: with / without plugin and their ratio are `warm, file edited`; plugin times "
            "are the plugin's own (TNP_MYPY_TIMES) in that run",
        ]
        _common.print_header("mypy time on tnp's kernels, with and without the plugin", notes)
        measured = [measure(directory, kernel, args.runs, problem is None)
                    for kernel in args.kernels]
    _common.print_table(HEADERS, [row(m) for m in measured])
    for line in target_lines(measured):
        print(line)
    _common.print_footer()


if __name__ == "__main__":
    main()
