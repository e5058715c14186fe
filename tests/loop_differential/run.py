"""The plugin's verdicts with tile loops proved by induction against the same with every loop
unrolled, and both against the runtime, on random kernels (`generate.py`).

    python -m tests.loop_differential --count 1000 --seed 1 [--show INDEX] [--shape SHAPE]

Kernel `i` of seed `s` is generated from `random.Random(f"{s}:{i}")` alone (`--show i` prints
its source and its findings). The kernels are written one per module to a temporary folder and
mypy runs in-process over all of them twice, `--no-incremental`, once with `induction = true`
and once with `induction = false` (both with budgets no kernel reaches). Per file:

- mismatch: the two runs differ in their tnp errors, as (line, code), or in their loop-index
  notes (`when j = 40`): induction must give the verdicts of unrolling, exactly;
- disagree: the runtime (the kernel called on random inputs of its dims) raised a tnp error
  whose (code, line) is not among the plugin's errors (past a `tnp-unsupported` stop excepted,
  as in tests/parity), or raised one where the plugin found none;
- error: mypy's own errors in a generated kernel, an exception other than a tnp error from the
  runtime, or a crash: a bug of the generator or of tnp.

Listed, not failures: a correct kernel refused (`false alarm`) or a kernel with a mistake that
both the plugin and the runtime accept (`missed`); and kernels whose full text of tnp lines
differs between the runs while errors and loop notes agree (counterexample numbers).

The loops proved by induction are counted from the plugin's trace (the lines
`TNP_MYPY_TRACE=1` prints), captured per file in-process.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from random import Random
from typing import Any

import mypy.api
import numpy as np

import tnp_runtime as tnp
from tests.differential.run import table_lines
from tests.loop_differential.generate import PENDING_SHAPES, SHAPES, Kernel, generate
from tests.support.runtime_run import reported_line

FAILURES = ("mismatch", "disagree", "error")
CONFIG = """\
[mypy]
plugins = tnp_mypy
show_error_codes = True

[tnp_mypy]
induction = {induction}
max_statements = 100000000
max_seconds = 3600
"""
_LINE = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+): (?P<kind>error|note): (?P<text>.*)$")
_CODE = re.compile(r"\[(?P<code>[a-z-]+)\]$")
_LOOP_NOTE = re.compile(r"^when \w+ = ")
PROVED = "proved by induction"


@dataclass
class Static:
    """What one mypy run says of one file."""

    errors: set[tuple[int, str]] = field(default_factory=set)  # (line, tnp code)
    loop_notes: set[tuple[int, str]] = field(default_factory=set)  # (line, "when j = 40")
    lines: list[str] = field(default_factory=list)  # every line of output, in order
    other: list[str] = field(default_factory=list)  # mypy's own errors
    trace: list[str] = field(default_factory=list)  # the induction's trace lines


def kernel_for(seed: int, index: int, shape: str | None = None) -> Kernel:
    return generate(Random(f"{seed}:{index}"), shape)


@contextlib.contextmanager
def _traced(by_file: dict[str, list[str]]) -> Iterator[None]:
    """The induction's trace lines, by the file of the loop (what `TNP_MYPY_TRACE=1` prints,
    whose lines carry no file name): `induction.run` is wrapped to know the file."""
    from tnp_mypy.interpreter import induction

    run, trace = induction.run, induction._trace
    current: list[str] = []

    def traced_run(interp: Any, *args: Any) -> bool:
        current.append(str(interp.tree.path))
        try:
            return run(interp, *args)
        finally:
            current.pop()

    def record(message: str) -> None:
        by_file.setdefault(current[-1] if current else "", []).append(message)

    induction.run, induction._trace = traced_run, record  # type: ignore[assignment]
    try:
        yield
    finally:
        induction.run, induction._trace = run, trace  # type: ignore[assignment]


def run_mypy(folder: Path, paths: list[Path], induction: bool) -> dict[Path, Static]:
    """One in-process mypy run over `paths`, with induction on or off: each file's findings."""
    config = folder / f"induction_{str(induction).lower()}.ini"
    config.write_text(CONFIG.format(induction=str(induction).lower()), encoding="utf-8")
    traces: dict[str, list[str]] = {}
    limit = sys.getrecursionlimit()
    try:
        with _traced(traces):
            stdout, stderr, _status = mypy.api.run([
                "--config-file", str(config), "--no-incremental", "--no-error-summary",
                "--hide-error-context", "--no-pretty", "--show-traceback",
                *map(str, paths),
            ])
    finally:
        sys.setrecursionlimit(limit)
    found = {path.resolve(): Static() for path in paths}
    if "INTERNAL ERROR" in stdout + stderr or "Traceback" in stderr:
        for static in found.values():
            static.other.append(f"mypy crashed: {(stdout + stderr)[-2000:]}")
        return found
    for line in stdout.splitlines():
        match = _LINE.match(line)
        if match is None:
            continue
        static = found.get(Path(match["path"]).resolve())
        if static is None:
            continue
        number, kind, text = int(match["line"]), match["kind"], match["text"]
        code = _CODE.search(text)
        if kind == "error" and code is not None and code["code"].startswith("tnp-"):
            static.errors.add((number, code["code"]))
            static.lines.append(line)
        elif kind == "error":
            static.other.append(line)
        elif _LOOP_NOTE.match(text):
            static.loop_notes.add((number, text))
            static.lines.append(line)
        else:
            static.lines.append(line)
    for path, messages in traces.items():
        static = found.get(Path(path).resolve())
        if static is not None:
            static.trace += messages
    return found


def run_runtime(kernel: Kernel, path: Path, seed: int) -> tuple[str, int] | str | None:
    """The runtime's first tnp error running the kernel on random inputs, as (code, line);
    None if it runs through; a string describing any other exception."""
    name = path.stem
    module_spec = importlib.util.spec_from_file_location(name, path)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    rng = np.random.default_rng(seed)
    try:
        with np.errstate(all="ignore"):
            module_spec.loader.exec_module(module)
            arguments: dict[str, object] = {}
            for param, dims in kernel.inputs:
                full = [getattr(module, d) for d in dims]
                shape = tuple(kernel.dims[d] for d in dims)
                arguments[param] = tnp.Typed(rng.standard_normal(shape), *full)
            for result in kernel.results:
                arguments[result] = module.kernel.result(result)
            module.kernel(**arguments)
    except (tnp.TypeCheckError, tnp.SpecError) as err:
        return str(err.code), reported_line(err, path)
    except Exception as err:  # a bug of the generator or of tnp: reported, never hidden
        return f"{type(err).__name__}: {err}"
    finally:
        sys.modules.pop(name, None)
    return None


@dataclass(frozen=True)
class Outcome:
    kind: str  # accepted, refused, mismatch, disagree, error
    detail: str = ""


def judge(kernel: Kernel, on: Static, off: Static,
          runtime: tuple[str, int] | str | None) -> list[Outcome]:
    """The verdict of one kernel, and each failure found in it."""
    failures: list[Outcome] = []
    if on.other or off.other:
        failures.append(Outcome("error", "; ".join(on.other or off.other)))
    if on.errors != off.errors or on.loop_notes != off.loop_notes:
        failures.append(Outcome("mismatch", (
            f"induction on: {sorted(on.errors)} {sorted(on.loop_notes)}; "
            f"off: {sorted(off.errors)} {sorted(off.loop_notes)}")))
    if isinstance(runtime, str):
        failures.append(Outcome("error", f"runtime: {runtime}"))
    elif runtime is not None:
        code, line = runtime
        stopped_before = any(c == "tnp-unsupported" and n <= line for n, c in off.errors)
        if code == "tnp-unsupported" or not ((line, code) in off.errors or stopped_before):
            failures.append(Outcome("disagree", (
                f"runtime {code} at line {line}; plugin {sorted(off.errors)}")))
    verdict = Outcome("refused", ",".join(sorted({c for _, c in off.errors}))) if off.errors \
        else Outcome("accepted")
    return [verdict, *failures]


@dataclass
class Tally:
    counts: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    by_mutation: Counter[tuple[str, str]] = field(default_factory=Counter)
    by_shape: Counter[tuple[str, str]] = field(default_factory=Counter)
    features: Counter[str] = field(default_factory=Counter)
    proved_loops: int = 0
    proved_kernels: int = 0
    abandoned: Counter[str] = field(default_factory=Counter)
    abandoned_correct: Counter[str] = field(default_factory=Counter)  # in correct kernels
    listed: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    steps: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, index: int, kernel: Kernel, outcomes: list[Outcome], on: Static,
            off: Static) -> None:
        verdict, *failures = outcomes
        self.counts[verdict.kind] += 1
        self.steps += kernel.steps
        if verdict.kind == "refused":
            for code in verdict.detail.split(","):
                self.refused[code] += 1
        self.by_mutation[kernel.mutation, verdict.kind] += 1
        self.by_shape[kernel.shape, verdict.kind] += 1
        for feature in kernel.features:
            self.features[feature] += 1
        proved = [line for line in on.trace if PROVED in line]
        self.proved_loops += len(proved)
        self.proved_kernels += bool(proved)
        for line in on.trace:
            if PROVED not in line:
                why = re.sub(r"^line \d+: |\d+", "", line)[:70]
                self.abandoned[why] += 1
                if kernel.mutation == "none":
                    self.abandoned_correct[why] += 1
        about = f"{kernel.shape}, mutation {kernel.mutation}"
        for failure in failures:
            self.counts[failure.kind] += 1
            self.listed.setdefault(failure.kind, []).append((index, f"{about}: {failure.detail}"))
        if not failures and kernel.mutation == "none" and verdict.kind == "refused":
            self.listed.setdefault("false alarm", []).append((index, f"{about}: {verdict.detail}"))
        if not failures and kernel.mutation != "none" and verdict.kind == "accepted":
            self.listed.setdefault("missed", []).append((index, about))
        if not failures and on.lines != off.lines:
            self.listed.setdefault("text differs", []).append((index, about))

    def report(self, seed: int) -> str:
        total = self.counts["accepted"] + self.counts["refused"]
        timing = ", ".join(f"{k} {v:.1f} s" for k, v in self.seconds.items())
        lines = [f"{total} kernels (seed {seed}), {self.steps} tile steps unrolled; {timing}"]
        for kind in ("accepted", "refused"):
            lines.append(f"  {kind}: {self.counts[kind]}")
        lines += [f"    {code}: {n}" for code, n in sorted(self.refused.items())]
        lines.append(f"  proofs by induction (a loop's run, or a segment of it between "
                     f"iterations unrolled): {self.proved_loops}, in {self.proved_kernels} kernels")
        lines.append("  loops not proved by induction (unrolled), by reason:")
        lines += [f"    {n}: {why}" for why, n in self.abandoned.most_common(12)]
        lines.append("    of which in correct kernels:")
        lines += [f"      {n}: {why}" for why, n in self.abandoned_correct.most_common(12)]
        for kind in FAILURES:
            lines.append(f"  {kind}: {self.counts[kind]}")
        lines += table_lines("shape", self.by_shape, "verdict")
        lines += table_lines("mutation", self.by_mutation, "verdict")
        lines.append("  kernels using each feature: " + ", ".join(
            f"{f} {n}" for f, n in sorted(self.features.items())))
        for kind, items in self.listed.items():
            lines.append(f"{kind} ({len(items)}), as (kernel index: detail), 20 at most:")
            lines += [f"  {index}: {detail}" for index, detail in items[:20]]
        return "\n".join(lines)


def run_many(seed: int, count: int, start: int = 0, shape: str | None = None) -> Tally:
    tally = Tally()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        kernels: dict[Path, tuple[int, Kernel]] = {}
        for index in range(start, start + count):
            kernel = kernel_for(seed, index, shape)
            path = folder / f"tnp_loopdiff_{seed}_{index}.py"
            path.write_text(kernel.source, encoding="utf-8")
            kernels[path.resolve()] = (index, kernel)
        paths = list(kernels)
        started = time.perf_counter()
        on = run_mypy(folder, paths, induction=True)
        tally.seconds["mypy with induction"] = time.perf_counter() - started
        started = time.perf_counter()
        off = run_mypy(folder, paths, induction=False)
        tally.seconds["mypy unrolling"] = time.perf_counter() - started
        started = time.perf_counter()
        for path, (index, kernel) in kernels.items():
            runtime = run_runtime(kernel, path, index)
            tally.add(index, kernel, judge(kernel, on[path], off[path], runtime), on[path],
                      off[path])
        tally.seconds["runtime"] = time.perf_counter() - started
    return tally


def show(seed: int, index: int, shape: str | None = None) -> str:
    kernel = kernel_for(seed, index, shape)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        path = (folder / f"tnp_loopdiff_show_{index}.py").resolve()
        path.write_text(kernel.source, encoding="utf-8")
        on = run_mypy(folder, [path], True)[path]
        off = run_mypy(folder, [path], False)[path]
        runtime = run_runtime(kernel, path, index)
    outcomes = judge(kernel, on, off, runtime)
    return "\n".join([
        f"# shape {kernel.shape}, mutation {kernel.mutation}, {kernel.steps} tile steps",
        kernel.source,
        "# induction on:", *on.lines, *on.other, *(f"#   trace: {t}" for t in on.trace),
        "# induction off:", *off.lines, *off.other,
        f"# runtime: {runtime}",
        *(f"# {o.kind}: {o.detail}" for o in outcomes),
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--start", type=int, default=0, help="index of the first kernel")
    parser.add_argument("--show", type=int, help="print one kernel and its findings")
    parser.add_argument("--shape", choices=sorted(SHAPES), help=(
        "only kernels of this shape (the default draws every shape but "
        f"{', '.join(sorted(PENDING_SHAPES))}: known bugs)"))
    args = parser.parse_args(argv)
    if args.show is not None:
        print(show(args.seed, args.show, args.shape))
        return 0
    tally = run_many(args.seed, args.count, args.start, args.shape)
    print(tally.report(args.seed))
    return 1 if any(tally.counts[kind] for kind in FAILURES) else 0
