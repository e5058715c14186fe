"""The loop differential test: random kernels with long tile loops checked by the plugin with
induction and with every loop unrolled (the same findings, line for line), and by the runtime
(its first error among the plugin's). See run.py; `python -m tests.loop_differential --count N
--seed S` runs any number.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from random import Random

import pytest

from tests.loop_differential.generate import MUTATIONS, PENDING_SHAPES, SHAPES, generate
from tests.loop_differential.run import FAILURES, Outcome, Static, judge, run_many, run_mypy

COUNT = 30  # kernels in the default run; the slow test runs more


def _static(*errors: tuple[int, str], notes: tuple[tuple[int, str], ...] = ()) -> Static:
    return Static(errors=set(errors), loop_notes=set(notes))


def test_judge_reports_each_kind_of_failure() -> None:
    """The judge is what the random test rests on: a difference between the runs, a runtime
    error the plugin did not report, and a wrong kernel accepted are each a failure."""
    kernel = generate(Random("judge"), "map")
    spec = _static((12, "tnp-spec"), notes=((12, "when j = 40"),))
    assert judge(kernel, spec, spec, ("tnp-spec", 12))[1:] == []
    other_line = _static((13, "tnp-spec"), notes=((12, "when j = 40"),))
    assert [o.kind for o in judge(kernel, spec, other_line, ("tnp-spec", 12))[1:]] == [
        "mismatch", "disagree"]
    other_note = _static((12, "tnp-spec"), notes=((12, "when j = 41"),))
    assert [o.kind for o in judge(kernel, spec, other_note, ("tnp-spec", 12))[1:]] == [
        "mismatch"]
    assert [o.kind for o in judge(kernel, _static(), _static(), ("tnp-coverage", 9))[1:]] == [
        "disagree"]
    stopped = _static((10, "tnp-unsupported"))
    assert judge(kernel, stopped, stopped, ("tnp-spec", 12))[1:] == []
    assert judge(kernel, _static(), _static(), "IndexError: x")[1] == Outcome(
        "error", "runtime: IndexError: x")
    assert judge(kernel, _static(), _static(), None) == [Outcome("accepted")]


def test_mypy_runs_attribute_findings_and_trace_to_each_file(tmp_path: Path) -> None:
    """Two files in one run: each gets its own findings and its own induction trace."""
    source = '''\
from typing import Literal as L

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 2), FullDim("N", 40)


@tnp.kernel
def kernel(x: Typed[L["M N"]], c: TypedResult[L["2 * x:M N"]]) -> None:
    for j in range(0, N.size, 2):
        v = x.slice(N, j, j + 2) * 2
        if j == {at}:
            v = v * 3
        c.assign(v)
'''
    good, bad = tmp_path / "loop_good.py", tmp_path / "loop_bad.py"
    good.write_text(source.format(at=-1), encoding="utf-8")
    bad.write_text(source.format(at=30), encoding="utf-8")
    paths = [good.resolve(), bad.resolve()]
    on, off = run_mypy(tmp_path, paths, True), run_mypy(tmp_path, paths, False)
    assert on[paths[0]].errors == off[paths[0]].errors == set()
    assert on[paths[1]].errors == off[paths[1]].errors == {(15, "tnp-spec")}
    assert on[paths[1]].loop_notes == off[paths[1]].loop_notes == {(15, "when j = 30")}
    assert any("proved by induction" in line for line in on[paths[0]].trace)
    assert on[paths[1]].trace and on[paths[1]].trace != on[paths[0]].trace
    assert not off[paths[0]].trace and not off[paths[1]].trace


def test_the_generator_makes_every_shape_and_mistake() -> None:
    """Not vacuous: over a few hundred kernels, every shape and every mistake is drawn, and
    loops of more than 64 iterations, ragged tiles and nesting appear."""
    kernels = [generate(Random(f"cover:{i}")) for i in range(600)]
    assert {k.shape for k in kernels} == set(SHAPES) - set(PENDING_SHAPES)
    assert Counter(k.mutation for k in kernels).keys() == set(MUTATIONS)
    features = set().union(*(k.features for k in kernels))
    assert {"long", "ragged", "nested", "matmul-3", "start-none", "start-number", "counter",
            "position-counter", "if-index", "two-results", "split", "dead-loop"} <= features


def _check(seed: int, count: int, shape: str | None = None) -> None:
    tally = run_many(seed, count, shape=shape)
    report = tally.report(seed)
    failures = {kind: tally.listed.get(kind, []) for kind in (*FAILURES, "missed")}
    assert not any(failures.values()), report
    assert tally.counts["accepted"] and tally.counts["refused"], report
    assert tally.proved_loops > 0, report


def test_random_kernels_give_the_same_verdicts_with_and_without_induction() -> None:
    _check(seed=11, count=COUNT)


@pytest.mark.slow
def test_many_random_kernels_give_the_same_verdicts() -> None:
    _check(seed=12, count=300)


def test_lists_changed_in_the_loop_give_the_same_verdicts() -> None:
    """Lists appended to or assigned into inside a tile loop (once a known bug: the symbolic
    step stood for many iterations' changes as one, and a symbolic tile could stay in the
    list): the step is abandoned before any change, and the loop unrolled."""
    _check(seed=13, count=12, shape="list")
