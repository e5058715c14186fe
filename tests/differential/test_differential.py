"""The differential test: random kernels under the runtime, every accepted one compared with
an independent NumPy evaluation of its spec (tests/differential/oracle.py).

CI runs a few hundred kernels of each form (deterministic seeds); `python -m tests.differential
--count 20000 --seed S` runs as many as wanted and prints the counts. The oracle's own
correctness is tested first, against NumPy written by hand.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.differential.generate import FORMS, Case
from tests.differential.oracle import Ambiguous, OracleInput, evaluate_spec
from tests.differential.run import FAILURES, Outcome, compare, run_case, run_many
from tnp_runtime.core import prove as prove_module

RNG = np.random.default_rng(7)
SIZES = {"M": 4, "N": 3, "K": 5}
A = RNG.uniform(0.5, 2, (4, 3))
B = RNG.uniform(0.5, 2, (3, 5))
X = RNG.uniform(0.5, 2, (4, 3))
INPUTS = [OracleInput("A", ("M", "N"), A), OracleInput("B", ("N", "K"), B),
          OracleInput("X", ("M", "N"), X)]


def oracle(spec: str, order: tuple[str, ...]) -> np.ndarray:
    value, dims = evaluate_spec(spec, SIZES, INPUTS)
    return np.transpose(value, [dims.index(d) for d in order])


# -- the oracle against NumPy by hand -----------------------------------------------------


@pytest.mark.parametrize(("spec", "order", "expected"), [
    ("6 * (A:M N, N K -> M K)", ("M", "K"), 6 * A @ B),
    ("(N K, A:M N -> K M)", ("K", "M"), (A @ B).T),
    ("sum[N](A:M N) / max[N](X:M N)", ("M",), A.sum(1) / X.max(1)),
    ("softmax[N](A:M N)", ("M", "N"), np.exp(A) / np.exp(A).sum(1, keepdims=True)),
    ("max(A:M N, 1) - -X:N M", ("M", "N"), np.maximum(A, 1) + X),
    ("2 - exp(log(sqrt(A:M N))) / 3", ("M", "N"), 2 - np.sqrt(A) / 3),
    ("sin(A:M N) * cos(X:M N)", ("M", "N"), np.sin(A) * np.cos(X)),
    ("sum[N[1:3]](A:M N)", ("M",), A[:, 1:3].sum(1)),
    ("A:M N[0:2] + X:M N[0:2]", ("M", "N"), A[:, 0:2] + X[:, 0:2]),
    ("((A:M N) -> M N K)", ("M", "N", "K"), np.broadcast_to(A[:, :, None], (4, 3, 5))),
    ("((A:M N) -> M K[1:3])", ("M", "K"), np.broadcast_to(A.sum(1)[:, None], (4, 2))),
    ("max(A:M N, B:N K -> M K)", ("M", "K"), (A[:, :, None] * B[None]).max(1)),
    ("sum[N](exp(A:M N - (max[N](A:M N) -> M N)))", ("M",),
     np.exp(A - A.max(1, keepdims=True)).sum(1)),
    ("max[K](-inf * (B:N K)) + 1e-3", ("N",), np.full(3, -np.inf)),
])
def test_oracle_evaluates_each_construct(
    spec: str, order: tuple[str, ...], expected: np.ndarray
) -> None:
    np.testing.assert_allclose(oracle(spec, order), expected, rtol=1e-12)


def test_oracle_refuses_an_ambiguous_leaf() -> None:
    with pytest.raises(Ambiguous):
        oracle("M N", ("M", "N"))
    twice = [*INPUTS, OracleInput("A", ("M", "N"), X)]
    with pytest.raises(Ambiguous):
        evaluate_spec("A:M N", SIZES, twice)


def test_compare_tells_rounding_from_a_difference_and_lists_overflow() -> None:
    values = np.array([1.0, 1e3, -3.0])
    assert compare(values * (1 + 1e-12), values) == Outcome("accepted")
    assert compare(values + [0, 0, 1e-3], values).kind == "mismatch"
    assert compare(np.array([np.inf, 1.0]), np.array([5.0, 1.0])).kind == "overflow"
    assert compare(np.array([np.nan, 1.0]), np.array([5.0, 1.0])).kind == "mismatch"


# -- the runner: a wrong kernel that tnp accepted is a mismatch ----------------------------


WRONG = '''\
import numpy as np

from tnp_runtime import FullDim, Typed, TypedResult

M = FullDim("M", 4)


def run(arrays):
    a = Typed(np.array(arrays["a"]), M, name="a")
    c = TypedResult("3 * a:M")
    for i in range(0, 4, 2):
        c.assign(a.slice(M, i, i + 2) * 2)
    return c
'''


def _wrong_case() -> Case:
    case = Case(source=WRONG, arrays={"a": [1.0, 2.0, 3.0, 4.0]}, spec="3 * a:M",
                sizes={"M": 4}, spec_inputs=[("a", ("M",), "a")])
    return case


def test_runner_refuses_a_wrong_kernel(tmp_path: Path) -> None:
    assert run_case(_wrong_case(), tmp_path, "tnp_diff_wrong") == Outcome("refused", "tnp-spec")


def test_runner_reports_a_wrong_kernel_the_prover_accepted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a prover that says equal to everything and no spot check, the kernel is accepted:
    the oracle is what catches it."""
    same = object()
    monkeypatch.setattr(prove_module, "normalize", lambda expr: same)
    monkeypatch.setattr(prove_module, "spot_check", lambda *args: None)
    outcome = run_case(_wrong_case(), tmp_path, "tnp_diff_wrong_accepted")
    assert outcome.kind == "mismatch"
    assert outcome.detail.startswith("at (0,): kernel np.float64(2.0), spec np.float64(3.0)")


# -- random kernels -------------------------------------------------------------------------

COUNT = 60  # kernels per form in CI; `python -m tests.differential` runs more


@pytest.mark.parametrize("form", sorted(set(FORMS)))
def test_random_kernels_agree_with_the_oracle(form: str) -> None:
    tally = run_many(seed=8, count=COUNT, form=form)
    assert tally.counts["accepted"] > 0, tally.report(8, 0)
    failures = {kind: tally.listed.get(kind, []) for kind in FAILURES}
    assert not any(failures.values()), tally.report(8, 0)


def test_random_kernels_are_both_accepted_and_refused() -> None:
    """Not vacuous: correct kernels are accepted and the mutations are refused, with several
    codes, and the generator exercises every feature."""
    tally = run_many(seed=9, count=COUNT, form="kernel")
    tally_script = run_many(seed=9, count=COUNT, form="script")
    assert tally.counts["accepted"] + tally_script.counts["accepted"] > COUNT // 2
    codes = set(tally.refused) | set(tally_script.refused)
    assert {"tnp-spec", "tnp-coverage"} <= codes, codes
    features = set(tally.features) | set(tally_script.features)
    assert {"einsum", "merge", "online-softmax", "tiled-reduce", "ragged", "repeat",
            "rearrange", "max", "slice", "mask"} <= features, features


def test_oracle_gives_no_value_where_a_condition_is_undecided() -> None:
    """A where whose condition is at its boundary has no value (either branch may be taken in
    float64), and a where comparing with such a value has none either: NaN must not pick a
    branch (NaN compares false), or the oracle would contradict a correct kernel."""
    at_boundary = "where(max(A:M N, 3) > 3, max(A:M N, 3), 0)"  # A < 2: max is 3, 3 > 3 is false
    inner = oracle(at_boundary, ("M", "N"))
    assert np.isnan(inner).all()
    outer = oracle(f"where(X:M N >= {at_boundary}, X:M N, 1)", ("M", "N"))
    assert np.isnan(outer).all()
