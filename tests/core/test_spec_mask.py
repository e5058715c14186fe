"""The spec language's masks: `mask[pred](e)`, `mask[pred, fill](e)`, `and`; their errors."""

from __future__ import annotations

from fractions import Fraction

import pytest

from tnp_runtime.core import ir
from tnp_runtime.core.dims import FullDim
from tnp_runtime.core.spec import MaskNode, SpecError, SpecInput, parse_spec, resolve_spec

Q, N, D = FullDim("qctx", 64), FullDim("nctx", 64), FullDim("dhead", 4)
DIMS = {"qctx": Q, "nctx": N, "dhead": D}
S_LEAF = ir.input_leaf("S", ("qctx", "nctx"))
S = SpecInput(S_LEAF, (Q.full, N.full))


def test_mask_parses_with_its_predicate_and_fill() -> None:
    node = parse_spec("mask[qctx >= nctx](qctx nctx)")
    assert isinstance(node, MaskNode)
    assert node.pred == (Q >= N) and node.fill is None
    assert [d.name for d in node.dims] == ["qctx", "nctx"]
    zero = parse_spec("mask[qctx >= nctx, 0](qctx nctx)")
    assert isinstance(zero, MaskNode) and zero.fill == 0
    neg = parse_spec("mask[qctx >= nctx, -0.5](qctx nctx)")
    assert isinstance(neg, MaskNode) and neg.fill == Fraction(-1, 2)
    inf = parse_spec("mask[qctx >= nctx, -inf](qctx nctx)")
    assert isinstance(inf, MaskNode) and inf.fill is None


@pytest.mark.parametrize(
    ("text", "pred"),
    [
        ("mask[qctx - nctx < 128](S)", Q - N < 128),
        ("mask[nctx < 100](S)", N < 100),
        ("mask[2 * qctx + 1 > nctx](S)", 2 * Q + 1 > N),
        ("mask[-nctx >= -qctx](S)", Q >= N),
        ("mask[qctx >= nctx and qctx - nctx < 128](S)", (Q >= N) & (Q - N < 128)),
        ("mask[nctx <= qctx and nctx > 2 and qctx < 60](S)", (N <= Q) & (N > 2) & (Q < 60)),
    ],
)
def test_predicates_read_as_the_dims_build_them(text: str, pred: object) -> None:
    node = parse_spec(text.replace("(S)", "(qctx nctx)"))
    assert isinstance(node, MaskNode) and node.pred == pred


def test_a_resolved_mask_is_a_mask_node_over_the_argument() -> None:
    resolved = resolve_spec("mask[qctx >= nctx](S:qctx nctx)", DIMS, [S])
    assert resolved.expr is ir.mask(Q >= N, ir.inf(True), S_LEAF)
    zero = resolve_spec("mask[qctx >= nctx, 0](S:qctx nctx)", DIMS, [S])
    assert zero.expr is ir.mask(Q >= N, ir.const(0), S_LEAF)


def test_a_mask_decided_on_the_whole_dims_is_simplified() -> None:
    always = resolve_spec("mask[nctx < 64](S:qctx nctx)", DIMS, [S])
    assert always.expr is S_LEAF
    never = resolve_spec("mask[nctx < 0, 0](S:qctx nctx)", DIMS, [S])
    assert never.expr is ir.const(0)


def test_the_causal_attention_spec_resolves() -> None:
    k = SpecInput(ir.input_leaf("K", ("nctx", "dhead")), (N.full, D.full))
    v = SpecInput(ir.input_leaf("V", ("nctx", "dhead")), (N.full, D.full))
    q = SpecInput(ir.input_leaf("Q", ("qctx", "dhead")), (Q.full, D.full))
    text = (
        "(softmax[nctx](mask[qctx >= nctx]((qctx dhead, K:nctx dhead -> qctx nctx) / sqrt(16))),"
        " V:nctx dhead -> qctx dhead)"
    )
    resolved = resolve_spec(text, DIMS, [q, k, v])
    assert [s.name for s in resolved.dims] == ["qctx", "dhead"]
    assert ir.has_mask(resolved.expr)


@pytest.mark.parametrize(
    ("text", "problem", "fix"),
    [
        ("mask(qctx nctx)", "mask needs its predicate in brackets", "mask[qctx >= nctx](x)"),
        ("mask[qctx](qctx nctx)", "expected a comparison", "qctx >= nctx"),
        ("mask[qctx = nctx](qctx nctx)", "unexpected character '='", ">="),
        ("mask[qctx >= nctx] qctx nctx", "needs its argument in parentheses", "mask[qctx"),
        ("mask[qctx >= 1.5](qctx nctx)", "'1.5' is not an integer", "integer"),
        ("mask[qctx >= nctx[0:4]](qctx nctx)", "not a slice", "without a slice"),
        ("mask[qctx >= nctx, x](qctx nctx)", "fill is a number or -inf", "mask[qctx >= nctx, 0]"),
        ("mask[qctx >= nctx or 1](qctx nctx)", "expected 'and', ',' or ']'", "mask["),
        ("mask[qctx >= qctx](qctx nctx)", "at least one dim", "qctx >= nctx"),
        ("2 * and", "'and' joins the predicates of a mask only", "mask["),
    ],
)
def test_syntax_errors_show_the_fault_and_the_fix(text: str, problem: str, fix: str) -> None:
    with pytest.raises(SpecError) as raised:
        parse_spec(text)
    assert problem in raised.value.problem and fix in raised.value.fix


def test_a_mask_on_a_dim_its_argument_lacks_is_a_bad_spec() -> None:
    with pytest.raises(SpecError) as raised:
        resolve_spec("mask[qctx >= nctx](sum[nctx](S:qctx nctx))", DIMS, [S])
    assert "reads nctx, which its argument lacks" in raised.value.problem
    assert raised.value.position == len("mask[qctx >= ")
