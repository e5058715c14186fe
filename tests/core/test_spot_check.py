"""Defence in depth: a proved tile is evaluated before it is accepted (core/spot_check.py).

The check fires when the prover wrongly says Proved (the normal form is replaced by one that
makes every pair of terms equal), in the core, through the runtime and through the mypy plugin;
it stays silent on correct kernels, on rounding, on overflow and on NaN; it compresses large dims
and still tells wrong intervals apart.
"""

from __future__ import annotations

import re
import textwrap
from fractions import Fraction
from pathlib import Path

import mypy.api
import numpy as np
import pytest

import tnp_runtime as tnp
from tests.support.kernels import flash_attention, matmul_tile
from tests.support.mypy_run import CONFIG
from tnp_runtime import FullDim, Typed, TypedResult
from tnp_runtime.core import ir
from tnp_runtime.core import prove as prove_module
from tnp_runtime.core import spot_check as spot
from tnp_runtime.core.diagnostics import Code
from tnp_runtime.core.dims import Interval, Sliced
from tnp_runtime.core.ir import BinaryOp as B
from tnp_runtime.core.ir import ReduceOp as R
from tnp_runtime.core.ir import UnaryOp as U
from tnp_runtime.core.prove import Contradicted, Proved, diagnose, prove

X = ir.input_leaf("X", ("M",))
Y = ir.input_leaf("Y", ("M",))
TILE = (FullDim("M", 8).full,)


def c(value: float | int | Fraction) -> ir.Expr:
    return ir.const(Fraction(value))


def mul(a: ir.Expr, b: ir.Expr) -> ir.Expr:
    return ir.binary(B.MUL, a, b)


def add(a: ir.Expr, b: ir.Expr) -> ir.Expr:
    return ir.binary(B.ADD, a, b)


@pytest.fixture(autouse=True)
def _fresh_checks() -> None:
    # A pair is checked once per process; tests re-check pairs other tests built.
    spot._CHECKED.clear()


@pytest.fixture
def prover_says_equal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A prover bug: every term gets the same normal form, so every tile is 'Proved'."""
    same = object()
    monkeypatch.setattr(prove_module, "normalize", lambda expr: same)


# -- the check fires on a wrong proof -----------------------------------------------------------


@pytest.mark.usefixtures("prover_says_equal")
def test_wrong_proof_is_contradicted_with_both_values() -> None:
    kernel, spec = mul(c(2), X), mul(c(3), X)
    verdict = prove(kernel, spec, TILE, {"M": 8})
    assert isinstance(verdict, Contradicted)
    found = verdict.disagreement
    assert found.kernel_value == pytest.approx(2 / 3 * found.spec_value, rel=1e-12)
    assert found.kernel_value != found.spec_value
    problem = diagnose(verdict, TILE)
    assert problem is not None and problem.code is Code.INTERNAL
    where = found.describe_index()
    assert problem.message.startswith(
        f"the prover said equal, but at index {where} kernel = {found.kernel_value!r}, "
        f"spec = {found.spec_value!r}"
    )
    assert problem.notes[:2] == ("kernel: `(2 * X:M)` over M[0:8]", "spec: `(3 * X:M)`")


def test_runtime_reports_tnp_internal_instead_of_accepting(
    prover_says_equal: None,
) -> None:
    M = FullDim("M", 8)
    a = Typed(np.ones(8), M, name="A")
    result = TypedResult("3 * A:M")
    with pytest.raises(tnp.TypeCheckError) as raised:
        result.assign(a * 2)
    assert raised.value.code == "tnp-internal"
    message = str(raised.value)
    values = re.search(r"kernel = (\S+), spec = (\S+)", message)
    assert values is not None, message
    kernel_value, spec_value = float(values[1]), float(values[2])
    assert kernel_value == pytest.approx(2 / 3 * spec_value, rel=1e-12)
    # Nothing was written: the result is still empty.
    with pytest.raises(tnp.TypeCheckError, match="no region of the result was written"):
        result.arr  # noqa: B018


def test_plugin_reports_tnp_internal_instead_of_accepting(
    prover_says_equal: None, tmp_path: Path
) -> None:
    source = tmp_path / "wrong_proof.py"
    source.write_text(textwrap.dedent('''\
        from typing import Literal as L

        import tnp_runtime as tnp
        from tnp_runtime import FullDim, Typed, TypedResult

        M = FullDim("M", 8)


        @tnp.kernel
        def scale(a: Typed[L["M"]], c: TypedResult[L["3 * a:M"]]) -> None:
            c.assign(a * 2)
        '''), encoding="utf-8")
    stdout, _, status = mypy.api.run([
        "--config-file", str(CONFIG), "--no-incremental", "--no-error-summary",
        "--hide-error-context", "--no-pretty", str(source),
    ])
    assert status == 1, stdout
    errors = [line for line in stdout.splitlines() if ": error: " in line]
    assert len(errors) == 1, stdout
    assert errors[0].startswith(f"{source}:11: error: the prover said equal, but at index M=")
    assert errors[0].endswith("[tnp-internal]"), stdout
    assert re.search(r"kernel = \S+, spec = \S+", errors[0]), stdout


@pytest.mark.usefixtures("prover_says_equal")
def test_a_lost_factor_in_a_merged_reduction_is_caught() -> None:
    """The shape of a real prover bug: x[0:4].sum / total + x[4:8].sum / total taken for the
    sum itself (it is 1)."""
    x = ir.input_leaf("x", ("M", "N"))
    total = ir.reduce(R.SUM, "N", Interval(0, 8), x)
    kernel = add(
        ir.binary(B.DIV, ir.reduce(R.SUM, "N", Interval(0, 4), x), total),
        ir.binary(B.DIV, ir.reduce(R.SUM, "N", Interval(4, 8), x), total),
    )
    verdict = prove(kernel, total, TILE, {"M": 8, "N": 8})
    assert isinstance(verdict, Contradicted)
    assert verdict.disagreement.kernel_value == pytest.approx(1.0)


@pytest.mark.usefixtures("prover_says_equal")
def test_a_wrong_interval_over_a_large_dim_is_caught_compressed() -> None:
    """N has 10^6 positions: it is evaluated on random blocks; one position fewer is seen."""
    x = ir.input_leaf("x", ("M", "N"))
    kernel = ir.reduce(R.SUM, "N", Interval(0, 999_999), x)
    spec = ir.reduce(R.SUM, "N", Interval(0, 1_000_000), x)
    verdict = prove(kernel, spec, TILE, {"M": 8, "N": 1_000_000})
    assert isinstance(verdict, Contradicted)
    assert "constant on random blocks of N" in verdict.disagreement.inputs


@pytest.mark.usefixtures("prover_says_equal")
def test_a_missing_rescale_across_tiles_is_caught() -> None:
    """A running max: the sum of tile 2 taken relative to its own max without rescaling tile
    1's sum. Blocks of N have different values, so the tiles' maxima differ."""
    s = ir.input_leaf("s", ("M", "N"))
    n = 4096
    tiles = [Interval(i, i + 32) for i in range(0, n, 32)]
    row_max: ir.Expr = ir.inf(True)
    row_sum: ir.Expr = c(0)
    for interval in tiles:
        new_max = ir.binary(B.MAX, row_max, ir.reduce(R.MAX, "N", interval, s))
        p = ir.unary(U.EXP, ir.binary(B.SUB, s, new_max))
        row_sum = add(row_sum, ir.reduce(R.SUM, "N", interval, p))  # no rescale of row_sum
        row_max = new_max
    full_max = ir.reduce(R.MAX, "N", Interval(0, n), s)
    spec = ir.reduce(R.SUM, "N", Interval(0, n), ir.unary(U.EXP, ir.binary(B.SUB, s, full_max)))
    verdict = prove(row_sum, spec, TILE, {"M": 8, "N": n})
    assert isinstance(verdict, Contradicted)


# -- the check is silent on correct kernels, rounding, overflow, NaN ------------------------------


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Record what every spot check returns (and that it ran to the end)."""
    seen: list[object] = []
    original = prove_module.spot_check

    def spy(*args: object) -> object:
        found = original(*args)  # type: ignore[arg-type]
        seen.append(found)
        return found

    monkeypatch.setattr(prove_module, "spot_check", spy)
    return seen


@pytest.mark.parametrize("tiles", [4, 64, 1024])
def test_silent_on_flash_attention(monkeypatch: pytest.MonkeyPatch, tiles: int) -> None:
    seen = _spy(monkeypatch)
    kernel, spec, region = flash_attention(tiles)
    assert prove(kernel, spec, region) == Proved()
    assert seen == [None]


def test_silent_on_a_runtime_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _spy(monkeypatch)
    kernel, spec, region = matmul_tile(64, 16)
    assert prove(kernel, spec, region) == Proved()
    assert seen == [None]


@pytest.mark.parametrize("build", [
    lambda: matmul_tile(64, 16),
    lambda: flash_attention(8),
    lambda: flash_attention(256),
], ids=["matmul", "flash-8", "flash-256"])
def test_the_check_evaluates_proved_tiles(
    monkeypatch: pytest.MonkeyPatch, build: object
) -> None:
    """Not vacuous: on a proved tile the walk reaches both sides' values and compares them
    within a round-off bound that is small (a running max starting at -inf must not make the
    bound infinite, which would let anything through)."""
    compared: list[tuple[float, float, float]] = []
    original = spot._compare

    def recording(k: spot._V, s: spot._V) -> tuple[bool | None, float]:
        disagree, tolerance = original(k, s)
        compared.append((k[0], s[0], tolerance))
        return disagree, tolerance

    monkeypatch.setattr(spot, "_compare", recording)
    kernel, spec, region = build()  # type: ignore[operator]
    assert prove(kernel, spec, region) == Proved()
    assert compared
    for k, s, tolerance in compared:
        assert k == pytest.approx(s) and k != 0
        assert 0 < tolerance < 1e-9 * max(1.0, abs(k)), (k, s, tolerance)


def check(kernel: ir.Expr, spec: ir.Expr, sizes: dict[str, int] | None = None) -> object:
    return spot.spot_check(kernel, spec, TILE, sizes or {"M": 8})


def test_rounding_is_not_a_disagreement() -> None:
    big = c(10**12)
    kernel = ir.binary(B.SUB, add(X, big), big)  # loses about 12 digits of X
    assert check(kernel, X) is None
    n = 100_000
    sums = ir.reduce(R.SUM, "N", Interval(0, n), mul(ir.input_leaf("z", ("M", "N")), c(0.1)))
    split = add(
        ir.reduce(R.SUM, "N", Interval(0, 3), mul(ir.input_leaf("z", ("M", "N")), c(0.1))),
        ir.reduce(R.SUM, "N", Interval(3, n), mul(ir.input_leaf("z", ("M", "N")), c(0.1))),
    )
    assert check(split, sums, {"M": 8, "N": n}) is None


def test_rounding_bound_still_sees_a_relative_difference_of_1e_9() -> None:
    assert check(mul(X, c(Fraction(1_000_000_001, 1_000_000_000))), X) is not None


def test_overflow_is_inconclusive_not_a_disagreement() -> None:
    big = ir.unary(U.EXP, mul(X, c(1000)))
    # inf / inf is NaN on the kernel's side; the spec is 1.
    assert check(ir.binary(B.DIV, big, big), c(1)) is None
    # exp(1000 x) * exp(-1000 x) overflows to inf * 0 on one side only.
    negative = ir.unary(U.EXP, mul(X, c(-1000)))
    assert check(mul(big, negative), c(1)) is None
    # Both sides overflow to +inf: two infinities of the same sign agree.
    assert check(mul(big, big), ir.unary(U.EXP, mul(X, c(2000)))) is None


def test_infinities_from_the_terms_compare_exactly() -> None:
    minus_inf = ir.inf(True)
    assert check(ir.binary(B.MAX, minus_inf, X), X) is None
    assert check(add(minus_inf, X), minus_inf) is None
    assert check(minus_inf, X) is not None
    assert check(minus_inf, ir.inf(False)) is not None


def test_outside_the_domain_is_inconclusive() -> None:
    negative = ir.binary(B.SUB, X, c(5))
    assert check(ir.unary(U.LOG, negative), ir.unary(U.SQRT, negative)) is None
    assert check(ir.binary(B.DIV, X, ir.binary(B.SUB, X, X)), c(7)) is None


def test_a_point_on_negative_inputs_follows() -> None:
    """The first point's inputs are positive; the second's are negative: a kernel that
    differs only for negative inputs is still caught."""
    kernel = ir.unary(U.SQRT, mul(X, X))  # |x|
    assert check(kernel, X) is not None


def test_each_pair_is_checked_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    original = spot._check

    def counting(*args: object) -> object:
        calls.append(1)
        return original(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(spot, "_check", counting)
    kernel, spec = mul(c(2), mul(c(3), X)), mul(c(6), X)
    for start in (0, 4):
        tile = (Sliced(FullDim("M", 8), Interval(start, start + 4)),)
        assert spot.spot_check(kernel, spec, tile, {"M": 8}) is None
    assert len(calls) == 1


def test_a_pair_that_disagreed_is_checked_again() -> None:
    # One check per pair is enough only for pairs that agreed: a contradicted pair must be
    # reported at every tile that proves it, never accepted at the second one.
    kernel, spec = mul(c(2), X), mul(c(3), X)
    for start in (0, 4):
        tile = (Sliced(FullDim("M", 8), Interval(start, start + 4)),)
        assert spot.spot_check(kernel, spec, tile, {"M": 8}) is not None


def test_a_walk_past_the_budget_falls_back_to_fewer_classes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Nested sums over two dims of 10^4: the first compression exceeds a small budget, a
    coarser one fits and still catches a missing position."""
    monkeypatch.setattr(spot, "MAX_STEPS", 60)
    z = ir.input_leaf("z", ("M", "N", "K"))
    inner = ir.reduce(R.SUM, "K", Interval(0, 10_000), z)
    spec = ir.reduce(R.SUM, "N", Interval(0, 10_000), inner)
    kernel = ir.reduce(R.SUM, "N", Interval(0, 9_999), inner)
    sizes = {"M": 8, "N": 10_000, "K": 10_000}
    assert check(kernel, spec, sizes) is not None
    assert check(spec, spec, sizes) is None
