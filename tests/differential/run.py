"""Run random kernels under the runtime and compare every accepted one with the oracle.

    python -m tests.differential --count 20000 --seed 1 [--show INDEX]

Case `i` of seed `s` is generated from `random.Random(f"{s}:{i}")` alone, so any case can be
shown again (`--show i` prints its source and spec, then its outcome). Each kernel is written to
a module file and imported (kernel form needs real source), then its `run(arrays)` is called.

Outcomes:

- accepted: `c.arr` equals the oracle's evaluation of the spec (NumPy on the same arrays,
  through the spec's parse tree only: tests/differential/oracle.py);
- refused, by code: the runtime raised `TypeCheckError` or `SpecError` (wrong kernels should be);
- mismatch: accepted, but `c.arr` differs from the oracle: a wrong kernel tnp accepted;
- ambiguous: accepted although a leaf of the spec names several inputs (no single meaning);
- overflow: accepted, values differ, and some value is infinite or NaN (listed, not a failure);
  the oracle's `where` is NaN where its condition lies within rounding of its boundary (a
  proof over the reals says nothing of which branch float64 takes there);
- error: any other exception (a bug of the generator or of tnp).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from random import Random

import numpy as np

import tnp_runtime as tnp
from tests.differential.generate import FORMS, Case, generate
from tests.differential.oracle import Ambiguous, OracleInput, evaluate_spec

FAILURES = ("mismatch", "ambiguous", "error")


@dataclass(frozen=True)
class Outcome:
    kind: str  # accepted, refused, mismatch, ambiguous, overflow, error
    detail: str = ""  # the code of a refusal, or what differs


def case_for(seed: int, index: int, form: str | None = None) -> Case:
    return generate(Random(f"{seed}:{index}"), form)


def run_case(case: Case, folder: Path, name: str) -> Outcome:
    path = folder / f"{name}.py"
    path.write_text(case.source, encoding="utf-8")
    module_spec = importlib.util.spec_from_file_location(name, path)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    try:
        with np.errstate(all="ignore"):
            module_spec.loader.exec_module(module)
            result = module.run(case.arrays)
            got = np.array(result.arr)
    except (tnp.TypeCheckError, tnp.SpecError) as err:
        return Outcome("refused", str(err.code))
    except Exception as err:  # a bug of the generator or of tnp: reported, never hidden
        return Outcome("error", f"{type(err).__name__}: {err}")
    inputs = [OracleInput(label, dims, np.array(case.arrays[key]))
              for label, dims, key in case.spec_inputs]
    try:
        expected, dims = evaluate_spec(case.spec, case.sizes, inputs)
    except Ambiguous as err:
        return Outcome("ambiguous", str(err))
    order = [s.name for s in result.tracker.resolved.dims]
    if sorted(order) != sorted(dims):
        return Outcome("error", f"result dims {order}, oracle dims {list(dims)}")
    expected = np.transpose(expected, [dims.index(d) for d in order])
    return compare(got, expected)


def compare(got: np.ndarray, expected: np.ndarray) -> Outcome:
    """Equal up to rounding: relative 1e-6, and absolute 1e-9 of the largest magnitude (a
    difference of two close values keeps only the rounding of the values themselves)."""
    if got.shape != expected.shape:
        return Outcome("mismatch", f"shape {got.shape}, oracle {expected.shape}")
    finite = np.isfinite(expected)
    scale = float(np.max(np.abs(expected[finite]), initial=1.0))
    close = np.isclose(got, expected, rtol=1e-6, atol=1e-9 * scale, equal_nan=True)
    if close.all():
        return Outcome("accepted")
    where = tuple(int(i) for i in np.argwhere(~close)[0])
    detail = f"at {where}: kernel {got[where]!r}, spec {expected[where]!r}"
    # Overflow: an infinity on either side, or a spec that is itself NaN there. A NaN from the
    # kernel alone where the spec is finite is a different computation: a mismatch.
    differ = ~close
    if (np.isinf(got[differ]).any() or np.isinf(expected[differ]).any()
            or np.isnan(expected[differ]).any()):
        return Outcome("overflow", detail)
    return Outcome("mismatch", detail)


@dataclass
class Tally:
    counts: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    listed: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    by_mutation: Counter[tuple[str, str]] = field(default_factory=Counter)
    features: Counter[str] = field(default_factory=Counter)
    by_form: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, index: int, case: Case, outcome: Outcome) -> None:
        self.counts[outcome.kind] += 1
        self.by_mutation[case.mutation, outcome.kind] += 1
        self.by_form[case.form, outcome.kind] += 1
        for feature in case.features:
            self.features[feature] += 1
        if outcome.kind == "refused":
            self.refused[outcome.detail] += 1
        elif outcome.kind != "accepted":
            self.listed.setdefault(outcome.kind, []).append(
                (index, f"{case.form} form, mutation {case.mutation}: {outcome.detail}"))

    def report(self, seed: int, seconds: float) -> str:
        total = sum(self.counts.values())
        lines = [f"{total} kernels (seed {seed}) in {seconds:.1f} s"]
        for kind in ("accepted", "refused", "mismatch", "ambiguous", "overflow", "error"):
            lines.append(f"  {kind}: {self.counts[kind]}")
            if kind == "refused":
                lines += [f"    {code}: {n}" for code, n in sorted(self.refused.items())]
        lines += table_lines("form", self.by_form, "outcome")
        lines += table_lines("mutation", self.by_mutation, "outcome")
        lines.append("  kernels using each feature: " + ", ".join(
            f"{f} {n}" for f, n in sorted(self.features.items())))
        for kind, items in self.listed.items():
            lines.append(f"{kind} ({len(items)}), as (case index: detail), 20 of each form:")
            shown: Counter[str] = Counter()
            for index, detail in items:
                form = detail.split(" ", 1)[0]
                shown[form] += 1
                if shown[form] <= 20:
                    lines.append(f"  {index}: {detail}")
            hidden = sum(n - 20 for n in shown.values() if n > 20)
            if hidden:
                lines.append(f"  ... and {hidden} more")
        return "\n".join(lines)


def table_lines(title: str, table: Counter[tuple[str, str]], outcome: str) -> list[str]:
    """A count by (key, outcome) as report lines: one per key, its outcomes and counts."""
    lines = [f"  by {title} ({outcome}: count):"]
    for key in sorted({k for k, _ in table}):
        parts = [f"{kind} {n}" for (k, kind), n in sorted(table.items()) if k == key]
        lines.append(f"    {key}: {', '.join(parts)}")
    return lines


def run_many(seed: int, count: int, start: int = 0, form: str | None = None) -> Tally:
    tally = Tally()
    with tempfile.TemporaryDirectory() as folder:
        for index in range(start, start + count):
            case = case_for(seed, index, form)
            tally.add(index, case, run_case(case, Path(folder), f"tnp_diff_{seed}_{index}"))
            sys.modules.pop(f"tnp_diff_{seed}_{index}", None)
    return tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--start", type=int, default=0, help="index of the first case")
    parser.add_argument("--show", type=int, help="print one case and its outcome")
    parser.add_argument("--form", choices=sorted(set(FORMS)), help="only kernels of this form")
    args = parser.parse_args(argv)
    if args.show is not None:
        case = case_for(args.seed, args.show, args.form)
        print(f"# form {case.form}, mutation {case.mutation}, spec: {case.spec}")
        print(case.source)
        with tempfile.TemporaryDirectory() as folder:
            print(run_case(case, Path(folder), f"tnp_diff_show_{args.show}"))
        return 0
    started = time.perf_counter()
    tally = run_many(args.seed, args.count, args.start, args.form)
    print(tally.report(args.seed, time.perf_counter() - started))
    return 1 if any(tally.counts[kind] for kind in FAILURES) else 0
