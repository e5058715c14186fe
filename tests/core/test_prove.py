"""The prover: proofs at every tile, refutations with counterexamples, and Unknown."""

from __future__ import annotations

import pytest

from tests.support.kernels import flash_attention, matmul_tile, online_softmax_block
from tnp_runtime.core import ir
from tnp_runtime.core.diagnostics import Code
from tnp_runtime.core.dims import FullDim, Interval
from tnp_runtime.core.ir import BinaryOp as B
from tnp_runtime.core.ir import ReduceOp as R
from tnp_runtime.core.ir import UnaryOp as U
from tnp_runtime.core.prove import Proved, Refuted, Unknown, diagnose, prove

A = ir.input_leaf("A", ("M", "N"))
X = ir.input_leaf("X", ("M", "N"))
TILE = (FullDim("M", 4).full, FullDim("N", 8).full)


@pytest.mark.parametrize(("n_size", "tile"), [(10, 5), (64, 16), (64, 64), (96, 32)])
def test_tiled_matmul_with_constants_folded_across_the_einsum(n_size: int, tile: int) -> None:
    kernel, spec, region = matmul_tile(n_size, tile)
    assert prove(kernel, spec, region) == Proved()


def test_seed_mistake_is_refuted_with_both_sides_named() -> None:
    kernel, spec, region = matmul_tile(10, 5, a_scale=2, b_scale=2, spec_scale=2)
    verdict = prove(kernel, spec, region, {"N": 10})
    assert isinstance(verdict, Refuted)
    assert verdict.kernel_text == "4 * (M N, N K -> M K)"
    assert verdict.spec_text == "2 * (M N, N K -> M K)"
    assert verdict.difference == "2 * (M N, N K -> M K)"
    assert verdict.differs == (("4", "2"),)
    cex = verdict.counterexample
    assert cex is not None and cex.tolerance is not None and cex.beyond
    assert cex.kernel_value == pytest.approx(2 * cex.spec_value)
    assert "relative error 1, beyond what float64 rounding explains" in cex.describe()
    problem = diagnose(verdict, region)
    assert problem is not None and problem.code is Code.SPEC
    assert problem.message.startswith("kernel computes `4 * (M N, N K -> M K)` over M[0:5] K[0:5]")


def test_partial_reduction_names_the_missing_interval() -> None:
    a, b = ir.input_leaf("A", ("M", "N")), ir.input_leaf("B", ("N", "K"))
    prod = ir.binary(B.MUL, a, b)
    kernel = ir.binary(
        B.ADD,
        ir.reduce(R.SUM, "N", Interval(0, 32), prod),
        ir.reduce(R.SUM, "N", Interval(48, 64), prod),
    )
    spec = ir.reduce(R.SUM, "N", Interval(0, 64), prod)
    region = (FullDim("M", 8).full, FullDim("K", 8).full)
    verdict = prove(kernel, spec, region, {"N": 64})
    assert isinstance(verdict, Refuted)
    assert [p.describe() for p in verdict.partial] == ["missing sum over N[32:48]"]
    problem = diagnose(verdict, region)
    assert problem is not None and problem.code is Code.REDUCE
    assert "missing sum over N[32:48]" in problem.message



def test_pieces_covering_the_interval_but_combined_wrongly_miss_no_interval() -> None:
    # A running sum not rescaled when its max grows: every block is summed, so the error is a
    # wrong value (`tnp-spec`), not a missing interval.
    x = ir.input_leaf("X", ("M", "N"))
    e = ir.unary(U.EXP, x)

    def shifted(lo: int, hi: int, max_hi: int) -> ir.Expr:
        m = ir.reduce(R.MAX, "N", Interval(0, max_hi), x)
        return ir.binary(
            B.MUL, ir.reduce(R.SUM, "N", Interval(lo, hi), e), ir.unary(U.EXP, ir.unary(U.NEG, m))
        )

    kernel = ir.binary(B.ADD, shifted(0, 32, 32), shifted(32, 64, 64))
    spec = shifted(0, 64, 64)
    region = (FullDim("M", 4).full,)
    verdict = prove(kernel, spec, region, {"N": 64})
    assert isinstance(verdict, Refuted)
    assert verdict.partial == ()
    problem = diagnose(verdict, region)
    assert problem is not None and problem.code is Code.SPEC

def test_elementwise_chain() -> None:
    # ((x * 2 + 3) - 3) / 2 * exp(x) * exp(-x) == x
    x = X
    chain = ir.binary(B.DIV, ir.binary(B.SUB, ir.binary(B.ADD, ir.binary(B.MUL, x, ir.const(2)),
                                                        ir.const(3)), ir.const(3)), ir.const(2))
    chain = ir.binary(B.MUL, chain, ir.unary(U.EXP, x))
    chain = ir.binary(B.MUL, chain, ir.unary(U.EXP, ir.unary(U.NEG, x)))
    assert prove(chain, x, TILE) == Proved()


def test_numerically_stable_softmax() -> None:
    full = Interval(0, 8)
    shifted = ir.binary(B.SUB, X, ir.reduce(R.MAX, "N", full, X))
    kernel = ir.binary(
        B.DIV, ir.unary(U.EXP, shifted), ir.reduce(R.SUM, "N", full, ir.unary(U.EXP, shifted))
    )
    spec = ir.binary(
        B.DIV, ir.unary(U.EXP, X), ir.reduce(R.SUM, "N", full, ir.unary(U.EXP, X))
    )
    assert prove(kernel, spec, TILE) == Proved()


@pytest.mark.parametrize("blocks", [1, 2, 3, 8, 33])
def test_online_softmax_over_any_number_of_blocks(blocks: int) -> None:
    for target in {0, blocks - 1}:
        kernel, spec, region = online_softmax_block(blocks, 4, target)
        assert prove(kernel, spec, region) == Proved()


def test_online_softmax_without_rescale_is_refuted() -> None:
    x = X
    m: ir.Expr = ir.inf(True)
    l_run: ir.Expr = ir.const(0)
    for j in range(2):
        iv = Interval(4 * j, 4 * j + 4)
        m_new = ir.binary(B.MAX, m, ir.reduce(R.MAX, "N", iv, x))
        l_run = ir.binary(B.ADD, l_run,
                          ir.reduce(R.SUM, "N", iv, ir.unary(U.EXP, ir.binary(B.SUB, x, m_new))))
        m = m_new
    kernel = ir.binary(B.DIV, ir.unary(U.EXP, ir.binary(B.SUB, x, m)), l_run)
    _, spec, region = online_softmax_block(2, 4, 0)
    assert isinstance(prove(kernel, spec, region), Refuted)


@pytest.mark.parametrize("tiles", [4, 8, 16])
def test_flash_attention(tiles: int) -> None:
    kernel, spec, region = flash_attention(tiles)
    assert prove(kernel, spec, region) == Proved()


def test_flash_attention_with_k_and_v_swapped_is_refuted() -> None:
    kernel, spec, region = flash_attention(4, swap_kv=True)
    verdict = prove(kernel, spec, region)
    assert isinstance(verdict, Refuted)
    cex = verdict.counterexample
    assert cex is not None and cex.kernel_value != pytest.approx(cex.spec_value)


def test_flash_attention_without_rescale_is_refuted() -> None:
    kernel, spec, region = flash_attention(4, rescale=False)
    assert isinstance(prove(kernel, spec, region), Refuted)


def test_seed_spec_dividing_after_the_softmax_is_refuted() -> None:
    kernel, _, region = flash_attention(4)
    q = ir.input_leaf("Q", ("qctx", "dhead"))
    k = ir.input_leaf("K", ("nctx", "dhead"))
    v = ir.input_leaf("V", ("nctx", "dhead"))
    e = ir.reduce(R.SUM, "dhead", Interval(0, 16), ir.binary(B.MUL, q, k))
    full = Interval(0, 128)
    softmax = ir.binary(B.DIV, ir.unary(U.EXP, e), ir.reduce(R.SUM, "nctx", full,
                                                             ir.unary(U.EXP, e)))
    seed_spec = ir.reduce(R.SUM, "nctx", full, ir.binary(
        B.MUL, ir.binary(B.DIV, softmax, ir.unary(U.SQRT, ir.const(16))), v))
    assert isinstance(prove(kernel, seed_spec, region), Refuted)


def test_zero_times_infinity_is_unknown_not_zero() -> None:
    kernel = ir.binary(B.MUL, ir.const(0), ir.inf(True))
    verdict = prove(kernel, ir.const(0), ())
    assert isinstance(verdict, Unknown)
    problem = diagnose(verdict, ())
    assert problem is not None and problem.code is Code.UNPROVEN


def test_division_by_identically_zero_is_never_one() -> None:
    zero = ir.binary(B.SUB, X, X)
    kernel = ir.binary(B.DIV, zero, zero)
    assert not isinstance(prove(kernel, ir.const(1), TILE), Proved)


def test_equal_but_beyond_the_normal_form_is_unknown_and_says_numerically_equal() -> None:
    # (a² - b²) / (a - b) = a + b, but the normal form does not factor polynomials.
    a, b = ir.input_leaf("A", ("M", "N")), ir.input_leaf("B", ("M", "N"))
    num = ir.binary(B.SUB, ir.binary(B.MUL, a, a), ir.binary(B.MUL, b, b))
    kernel = ir.binary(B.DIV, num, ir.binary(B.SUB, a, b))
    verdict = prove(kernel, ir.binary(B.ADD, a, b), TILE)
    assert isinstance(verdict, Unknown)
    assert verdict.numerically_equal
    problem = diagnose(verdict, TILE)
    assert problem is not None and problem.code is Code.UNPROVEN
    assert any("agree numerically" in note for note in problem.notes)


def test_partial_reduction_over_a_huge_dim_is_refuted_on_compressed_inputs() -> None:
    a = ir.input_leaf("A", ("M", "N"))
    huge = 10**9
    kernel = ir.reduce(R.SUM, "M", Interval(0, 4), a)
    spec = ir.reduce(R.SUM, "M", Interval(0, huge), a)
    verdict = prove(kernel, spec, (FullDim("N", 8).full,), {"M": huge})
    # The plain evaluation cannot visit 10**9 positions; the judged one compresses M.
    assert isinstance(verdict, Refuted)
    cex = verdict.counterexample
    assert cex is not None and cex.beyond and cex.inputs is not None
    assert "constant on random blocks of M" in cex.inputs
    problem = diagnose(verdict, (FullDim("N", 8).full,))
    assert problem is not None and problem.code is Code.REDUCE
    assert "missing sum over M[4:1000000000]" in problem.message
    assert "beyond what float64 rounding explains" in problem.notes[-1]


def test_a_difference_too_large_to_evaluate_by_position_is_refuted_beyond_rounding() -> None:
    """Past the plain evaluation's budget, the judged counterexample (inputs constant on random
    blocks of M, values with rigorous round-off bounds) refutes the tile, as a plain
    counterexample does at small sizes: `tnp-spec`, not `tnp-unproven`."""
    a = ir.input_leaf("A", ("M", "N"))
    kernel = ir.reduce(R.SUM, "M", Interval(0, 10**9), ir.binary(B.MUL, a, ir.const(2)))
    spec = ir.reduce(R.SUM, "M", Interval(0, 10**9), ir.binary(B.MUL, a, a))
    verdict = prove(kernel, spec, (FullDim("N", 8).full,))
    assert isinstance(verdict, Refuted)
    cex = verdict.counterexample
    assert cex is not None and cex.refutes
    problem = diagnose(verdict, (FullDim("N", 8).full,))
    assert problem is not None and problem.code is Code.SPEC
    assert "beyond what float64 rounding explains" in problem.notes[-1]


def test_a_true_identity_too_large_to_evaluate_by_position_stays_unknown() -> None:
    """`sigmoid(-x) = 1 - sigmoid(x)` is true but not proved (README): at 10**9 positions the
    judged evaluation finds the two sides within rounding, so nothing refutes them."""
    a = ir.input_leaf("A", ("M", "N"))
    kernel = ir.reduce(R.SUM, "M", Interval(0, 10**9), ir.unary(U.SIGMOID, ir.unary(U.NEG, a)))
    spec = ir.reduce(
        R.SUM, "M", Interval(0, 10**9),
        ir.binary(B.SUB, ir.const(1), ir.unary(U.SIGMOID, a)),
    )
    verdict = prove(kernel, spec, (FullDim("N", 8).full,))
    assert isinstance(verdict, Unknown)
    assert verdict.judged is None or not verdict.judged.refutes
    problem = diagnose(verdict, (FullDim("N", 8).full,))
    assert problem is not None and problem.code is Code.UNPROVEN


def _running_sum(n: int, rescaled: bool) -> tuple[ir.Expr, ir.Expr]:
    """sum[N](exp(A)) as a running sum over two pieces, N[0:32] and N[32:n], the first
    rescaled by exp(max[0:64] - max[0:32]) (wrong: the running values are not relative to a
    max) or, with `rescaled`, correctly: exp(A - m) summed, times exp(m), m = max[0:32]."""
    a = ir.input_leaf("A", ("N",))
    e = ir.unary(U.EXP, a)
    first_max = ir.reduce(R.MAX, "N", Interval(0, 32), a)
    second_max = ir.reduce(R.MAX, "N", Interval(0, 64), a)
    if rescaled:
        shifted = ir.unary(U.EXP, ir.binary(B.SUB, a, first_max))
        first = ir.binary(
            B.MUL, ir.reduce(R.SUM, "N", Interval(0, 32), shifted), ir.unary(U.EXP, first_max)
        )
    else:
        factor = ir.unary(U.EXP, ir.binary(B.SUB, second_max, first_max))
        first = ir.binary(B.MUL, ir.reduce(R.SUM, "N", Interval(0, 32), e), factor)
    kernel = ir.binary(B.ADD, first, ir.reduce(R.SUM, "N", Interval(32, n), e))
    return kernel, ir.reduce(R.SUM, "N", Interval(0, n), e)


def test_a_wrong_rescale_between_the_first_two_of_many_tiles_is_refuted() -> None:
    """The two sides differ only where N[32:64] holds a larger value than N[0:32]: the judge's
    blocks start where the two sides' reductions start and stop (0, 32, 64, n), so those two
    pieces get inputs of their own at any size (random blocks alone would put both in one)."""
    n = 32 * 4096
    kernel, spec = _running_sum(n, rescaled=False)
    verdict = prove(kernel, spec, (), {"N": n})
    assert isinstance(verdict, Refuted)
    assert verdict.counterexample is not None and verdict.counterexample.refutes
    problem = diagnose(verdict, ())
    assert problem is not None and problem.code is Code.SPEC
    kernel, spec = _running_sum(n, rescaled=True)
    assert prove(kernel, spec, (), {"N": n}) == Proved()


def test_a_part_reduced_with_a_wrong_factor_is_a_wrong_value_not_a_partial_reduction() -> None:
    """The kernel reduces over all of N, but its first half with a factor 2: `tnp-spec`, with the
    factor as the difference; a part no reduction covers stays `tnp-reduce`."""
    a = ir.input_leaf("A", ("M", "N"))
    kernel = ir.binary(
        B.ADD,
        ir.reduce(R.SUM, "N", Interval(0, 32), ir.binary(B.MUL, a, ir.const(2))),
        ir.reduce(R.SUM, "N", Interval(32, 64), a),
    )
    spec = ir.reduce(R.SUM, "N", Interval(0, 64), a)
    region = (FullDim("M", 8).full,)
    verdict = prove(kernel, spec, region, {"N": 64})
    assert isinstance(verdict, Refuted) and verdict.partial == ()
    problem = diagnose(verdict, region)
    assert problem is not None and problem.code is Code.SPEC
    skipped = ir.reduce(R.SUM, "N", Interval(32, 64), a)
    verdict = prove(skipped, spec, region, {"N": 64})
    problem = diagnose(verdict, region)
    assert problem is not None and problem.code is Code.REDUCE
    assert "missing sum over N[0:32]" in problem.message
