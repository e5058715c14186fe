"""core.saved: a saved input's definition (resolved, with its dims checked) and the proof of an
argument against it at a call."""

from __future__ import annotations

import pytest

from tnp_runtime.core import ir
from tnp_runtime.core.diagnostics import Code
from tnp_runtime.core.dims import FullDim
from tnp_runtime.core.ir import BinaryOp, ReduceOp, UnaryOp
from tnp_runtime.core.saved import check_argument, in_call, resolve_definition
from tnp_runtime.core.spec import SpecError, SpecInput

Q, N = FullDim("qctx", 8), FullDim("nctx", 16)
DIMS = {"qctx": Q, "nctx": N}
LSE = "log(sum[nctx](exp(S:qctx nctx / 2)))"


def _leaf() -> SpecInput:
    return SpecInput(ir.new_input("S", ("qctx", "nctx")), (Q.full, N.full))


def _lse(s: ir.Expr, scale: int = 2) -> ir.Expr:
    scaled = ir.binary(BinaryOp.DIV, s, ir.const(scale))
    total = ir.reduce(ReduceOp.SUM, "nctx", N.full.interval, ir.unary(UnaryOp.EXP, scaled))
    return ir.unary(UnaryOp.LOG, total)


def test_a_definition_resolves_over_the_plain_parameters() -> None:
    leaf = _leaf()
    saved = resolve_definition("lse", (Q.full,), LSE, DIMS, [leaf])
    assert saved.term is _lse(leaf.leaf)


def test_a_definition_with_other_dims_is_a_bad_spec() -> None:
    with pytest.raises(SpecError, match="saved input lse has dims qctx"):
        resolve_definition("lse", (Q.full,), "exp(S:qctx nctx)", DIMS, [_leaf()])


def test_an_argument_computed_as_the_definition_is_proved() -> None:
    leaf = _leaf()
    saved = resolve_definition("lse", (Q.full,), LSE, DIMS, [leaf])
    caller_s = ir.new_input("scores", ("qctx", "nctx"))
    definition = in_call(saved, {leaf.leaf: caller_s})
    argument = _lse(caller_s)
    assert check_argument("k", saved, argument, definition, (Q.full,), {}) is None


def test_an_argument_of_another_value_is_refused() -> None:
    """The near miss: the scores scaled by 1/4 instead of 1/2."""
    leaf = _leaf()
    saved = resolve_definition("lse", (Q.full,), LSE, DIMS, [leaf])
    caller_s = ir.new_input("scores", ("qctx", "nctx"))
    found = check_argument(
        "k", saved, _lse(caller_s, 4), in_call(saved, {leaf.leaf: caller_s}), (Q.full,), {}
    )
    assert found is not None and found.code is Code.SPEC
    assert "saved input lse is not its definition" in found.message


def test_an_argument_that_is_data_is_left_to_the_runtime() -> None:
    leaf = _leaf()
    saved = resolve_definition("lse", (Q.full,), LSE, DIMS, [leaf])
    data = ir.new_input("lse", ("qctx",))
    assert check_argument("k", saved, data, saved.term, (Q.full,), {}) is None
