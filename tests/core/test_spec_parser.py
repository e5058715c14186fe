"""The spec language's parser (`spec_parser`): the tree of each construct, with positions, and
a `SpecError` at the fault for text outside the grammar."""

from __future__ import annotations

from fractions import Fraction

import pytest

from tnp_runtime.core.dims import Interval
from tnp_runtime.core.spec_parser import parse_dims, parse_spec
from tnp_runtime.core.spec_syntax import (
    MAX_NESTING,
    BinOp,
    Contraction,
    Func,
    InfLit,
    Max2,
    Neg,
    Number,
    Reduction,
    SpecDim,
    SpecError,
    Tensor,
)


def test_each_construct_parses_to_its_node() -> None:
    assert parse_spec("0.5") == Number(Fraction(1, 2), 0)
    assert isinstance(parse_spec("-inf"), Neg)
    assert isinstance(parse_spec("inf"), InfLit)
    assert isinstance(parse_spec("exp(M)"), Func)
    assert isinstance(parse_spec("max(M, N)"), Max2)
    assert isinstance(parse_spec("softmax[N](M N)"), Reduction)
    assert isinstance(parse_spec("(M N, N K -> M K)"), Contraction)
    assert isinstance(parse_spec("A:M N"), Tensor)


def test_operators_bind_by_precedence_and_the_binop_sits_at_its_operator() -> None:
    tree = parse_spec("1 + 2 * M")
    assert isinstance(tree, BinOp) and tree.op == "+" and tree.pos == 2
    assert isinstance(tree.right, BinOp) and tree.right.op == "*"


def test_a_sliced_leaf_keeps_its_interval_and_name() -> None:
    tree = parse_spec("A:M N[0:4]")
    assert tree == Tensor("A", (SpecDim("M", None, 2), SpecDim("N", Interval(0, 4), 4)), 0)


@pytest.mark.parametrize(
    ("text", "pos"),
    [("M +", 3), ("(M N", 0), ("exp M", 0), ("M[4:2]", 2), ("sum M", 0), ("M N -> K", 4)],
)
def test_text_outside_the_grammar_is_a_spec_error(text: str, pos: int) -> None:
    with pytest.raises(SpecError) as info:
        parse_spec(text)
    assert info.value.position == pos


def test_nesting_is_capped() -> None:
    parse_spec("(" * MAX_NESTING + "M" + ")" * MAX_NESTING)
    with pytest.raises(SpecError):
        parse_spec("(" * (MAX_NESTING + 1) + "M" + ")" * (MAX_NESTING + 1))


def test_dims_annotation() -> None:
    assert parse_dims("M N[0:4]") == (SpecDim("M", None, 0), SpecDim("N", Interval(0, 4), 2))
    with pytest.raises(SpecError):
        parse_dims("M + N")
