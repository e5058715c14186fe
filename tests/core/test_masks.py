"""The dim rule of `mask` (`core/masks`), and masks in the evaluators (`evaluate`,
`spot_check`) and in messages (`render`)."""

from __future__ import annotations

import math

import pytest

from tests.support.causal import CAUSAL
from tnp_runtime.core import indexing, ir, masks
from tnp_runtime.core.diagnostics import Violation
from tnp_runtime.core.dims import FullDim, Interval, Sliced
from tnp_runtime.core.evaluate import Evaluator
from tnp_runtime.core.ir import ReduceOp as R
from tnp_runtime.core.render import Renderer
from tnp_runtime.core.rules import Abstract
from tnp_runtime.core.spot_check import spot_check

S = ir.input_leaf("S", ("qctx", "nctx"))


def _dims(q: tuple[int, int], n: tuple[int, int], size: int = 256) -> tuple[Sliced, Sliced]:
    return (
        Sliced(FullDim("qctx", size), Interval(*q)),
        Sliced(FullDim("nctx", size), Interval(*n)),
    )


def test_the_rule_simplifies_on_the_box_and_checks_the_dims() -> None:
    assert masks.mask(Abstract(_dims((8, 16), (0, 8)), S), CAUSAL).expr is S
    assert masks.mask(Abstract(_dims((0, 8), (8, 16)), S), CAUSAL, 0).expr is ir.const(0)
    band = masks.mask(Abstract(_dims((0, 8), (0, 8)), S), CAUSAL).expr
    assert band is ir.mask(CAUSAL, ir.inf(True), S)
    row = Abstract((Sliced(FullDim("qctx", 8), Interval(0, 8)),), ir.input_leaf("r", ("qctx",)))
    with pytest.raises(Violation) as raised:
        masks.mask(row, CAUSAL)
    assert raised.value.diagnostic.code.value == "tnp-dim"


def test_evaluation_reads_the_predicate_at_the_index() -> None:
    evaluator = Evaluator()
    term = ir.mask(CAUSAL, ir.inf(True), S)
    assert evaluator.at(term, {"qctx": 1, "nctx": 2}) == -math.inf
    assert evaluator.at(term, {"qctx": 2, "nctx": 1}) == evaluator.at(S, {"qctx": 2, "nctx": 1})
    total = ir.reduce(R.SUM, "nctx", Interval(0, 4), ir.mask(CAUSAL, ir.const(0), S))
    expected = math.fsum(evaluator.at(S, {"qctx": 1, "nctx": n}) for n in range(2))
    assert evaluator.at(total, {"qctx": 1}) == pytest.approx(expected)


def test_the_spot_check_evaluates_masks_and_tells_a_wrong_side_apart() -> None:
    term = ir.mask(CAUSAL, ir.inf(True), S)
    assert spot_check(term, S, _dims((8, 16), (0, 8))) is None  # below: the mask is S
    found = spot_check(term, S, _dims((0, 8), (0, 8), size=8))
    assert found is not None  # -inf above the diagonal, S there: a disagreement


def test_the_spot_check_reads_positions_of_a_large_masked_dim() -> None:
    # 256 positions: more than a compressed dim's limit, less than a masked dim's.
    spec = ir.reduce(R.SUM, "nctx", Interval(0, 256), ir.mask(CAUSAL, ir.const(0), S))
    wrong = ir.reduce(R.SUM, "nctx", Interval(0, 256), S)
    tile = (Sliced(FullDim("qctx", 256), Interval(0, 32)),)
    assert spot_check(wrong, spec, tile, {"nctx": 256}) is not None
    assert spot_check(spec, spec, tile, {"nctx": 256}) is None


def test_masks_render_in_spec_syntax() -> None:
    renderer = Renderer({}, frozenset())
    assert renderer.expr(ir.mask(CAUSAL, ir.inf(True), S)) == "mask[qctx >= nctx](S:qctx nctx)"
    assert renderer.expr(ir.mask(CAUSAL, ir.const(0), S)) == "mask[qctx >= nctx, 0](S:qctx nctx)"


def test_a_mask_of_a_re_indexed_value_reads_its_dims_at_their_positions() -> None:
    x = ir.input_leaf("x", ("N",))
    n, p = FullDim("N", 16), FullDim("P", 16)
    masked = ir.mask(n >= 2, ir.const(0), x)
    shifted = indexing.reindex(masked, {"N": indexing.affine({"P": 1}, 1)})
    assert shifted is ir.mask(p >= 1, ir.const(0), ir.read(x, {"N": indexing.affine({"P": 1}, 1)}))
    # A constant position decides the mask: N = 5 keeps the value, N = 0 is the fill.
    assert indexing.reindex(masked, {"N": indexing.affine({}, 5)}) is ir.read(
        x, {"N": indexing.affine({}, 5)}
    )
    assert indexing.reindex(masked, {"N": indexing.affine({}, 0)}) is ir.const(0)
