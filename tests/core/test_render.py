"""`core/render.py`, the text of normal forms and terms in messages: numbers are exact, long
texts are cut, and what a message shows of a normal form is a spec: parsed and resolved again
against the same inputs, it denotes the same normal form (the round trip is the test, not a
stored text), the spec resolving against the inputs in view."""

from __future__ import annotations

from fractions import Fraction

import pytest

from tnp_runtime.core import ir
from tnp_runtime.core.dims import FullDim, Interval
from tnp_runtime.core.ir import BinaryOp, Expr, ReduceOp, UnaryOp
from tnp_runtime.core.normalize import normalize
from tnp_runtime.core.render import MAX_CHARS, Renderer, cut, number
from tnp_runtime.core.spec import SpecInput, resolve_spec

M, N, K = FullDim("M", 8), FullDim("N", 8), FullDim("K", 4)
DIMS = {"M": M, "N": N, "K": K}
A = ir.input_leaf("A", ("M", "N"))
B = ir.input_leaf("B", ("N", "K"))
X = ir.input_leaf("X", ("M", "N"))
INPUTS = (
    SpecInput(A, (M.full, N.full)),  # type: ignore[arg-type]
    SpecInput(B, (N.full, K.full)),  # type: ignore[arg-type]
    SpecInput(X, (M.full, N.full)),  # type: ignore[arg-type]
)


@pytest.mark.parametrize("value", [
    Fraction(4), Fraction(-3), Fraction(1, 4), Fraction(-3, 8), Fraction(1, 3), Fraction(22, 7),
    Fraction(1, 1024), Fraction(7, 10**9),
])
def test_numbers_are_shown_exactly(value: Fraction) -> None:
    text = number(value)
    assert Fraction(text.strip("()")) == value
    # Decimal where it is exact and short; a parenthesised quotient otherwise.
    assert ("/" in text) == (text.startswith("(") and text.endswith(")"))


def test_thirds_are_a_quotient_and_quarters_a_decimal() -> None:
    assert "/" in number(Fraction(1, 3)) and "/" not in number(Fraction(1, 4))


def test_long_texts_are_cut_with_an_ellipsis() -> None:
    short = "x" * MAX_CHARS
    assert cut(short) == short
    long = "y" * (MAX_CHARS + 50)
    shown = cut(long)
    assert len(shown) == MAX_CHARS and shown.endswith("…") and long.startswith(shown[:-1])


def mul(left: Expr, right: Expr) -> Expr:
    return ir.binary(BinaryOp.MUL, left, right)


def sum_over(dim: str, start: int, stop: int, body: Expr) -> Expr:
    return ir.reduce(ReduceOp.SUM, dim, Interval(start, stop), body)


TERMS = {
    "contraction": sum_over("N", 0, 8, mul(A, B)),
    "partial contraction": sum_over("N", 0, 4, mul(A, B)),
    "scaled": mul(ir.const(Fraction(3, 2)), sum_over("N", 0, 8, mul(A, B))),
    "two inputs with one dim set": ir.binary(BinaryOp.SUB, A, mul(X, ir.const(2))),
    "function": ir.unary(UnaryOp.EXP, ir.binary(BinaryOp.ADD, A, ir.const(1))),
    "max reduction": ir.reduce(ReduceOp.MAX, "N", Interval(0, 8), X),
    "quotient": ir.binary(BinaryOp.DIV, A, ir.unary(UnaryOp.SQRT, ir.const(16))),
}


@pytest.mark.parametrize("name", list(TERMS))
def test_a_shown_normal_form_is_a_spec_of_the_same_term(name: str) -> None:
    term = TERMS[name]
    renderer = Renderer.for_inputs({"M": 8, "N": 8, "K": 4}, ir.inputs_of(term))
    text = renderer.value(normalize(term))
    # Resolved against the inputs in view: those the message's renderer named.
    in_view = [spec_input for spec_input in INPUTS if spec_input.leaf in ir.inputs_of(term)]
    resolved = resolve_spec(text, DIMS, in_view)
    assert normalize(resolved.expr) == normalize(term), text


def test_inputs_sharing_a_dim_set_show_their_names() -> None:
    renderer = Renderer.for_inputs({}, [A, X, B])  # type: ignore[list-item]
    assert renderer.named == {"A", "X"}
    alone = Renderer.for_inputs({}, [A, B])  # type: ignore[list-item]
    assert alone.named == frozenset()


def test_alike_inputs_are_qualified_all_of_them() -> None:
    first, second = ir.new_input("x", ("M",)), ir.new_input("x", ("M",))
    renderer = Renderer.for_inputs({}, [first, second])
    assert renderer.qualified == {first: "x", second: "x#2"}
    assert Renderer.for_inputs({}, [first]).qualified == {}


def test_a_term_as_built_shows_its_operations() -> None:
    """`Renderer.expr` (a term that has no normal form is shown as built) names each input,
    constant and operation of the term."""
    term = ir.binary(BinaryOp.SUB, ir.inf(False), mul(A, ir.const(3)))
    text = Renderer({}, frozenset()).expr(term)
    for part in ("inf", "A", "3", "-", "*"):
        assert part in text, (part, text)
