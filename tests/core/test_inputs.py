"""The inputs of a check (`core.inputs`): the registry both halves make inputs with, the dims a
new input may have, and the inputs in scope."""

from __future__ import annotations

import pytest

from tnp_runtime.core import ir
from tnp_runtime.core.diagnostics import Violation
from tnp_runtime.core.dims import FullDim
from tnp_runtime.core.inputs import InputRegistry, inputs_in_scope, new_input_dims
from tnp_runtime.core.spec import SpecInput

M, N = FullDim("M", 8), FullDim("N", 4)


def test_registry_makes_distinct_inputs_and_remembers_their_dims() -> None:
    registry = InputRegistry("#test")
    dims = (M.full, N.full)
    a, b = registry.new("x", dims), registry.new("x", dims)
    assert a is not b and a.name == b.name == "x" and not a.anonymous
    assert registry.dims(a) == dims
    assert registry.spec_input(b) == SpecInput(b, dims)
    assert len(registry) == 2


def test_unnamed_inputs_get_hidden_names_from_the_registry_prefix() -> None:
    registry = InputRegistry("#test")
    first, second = registry.new(None, (M.full,)), registry.new(None, (M.full,))
    assert (first.name, second.name) == ("#test1", "#test2")
    assert first.anonymous and second.anonymous


def test_clear_forgets_the_inputs() -> None:
    registry = InputRegistry("#test")
    leaf = registry.new("x", (M.full,))
    registry.clear()
    assert len(registry) == 0
    with pytest.raises(KeyError):
        registry.dims(leaf)


def test_new_input_dims_are_the_full_dims_in_order() -> None:
    assert new_input_dims([N, M]) == (N.full, M.full)
    assert new_input_dims([]) == ()


@pytest.mark.parametrize(
    ("dims", "text"),
    [([M, M], "M[0:8] M[0:8]"), ([N, M, N], "N[0:4] M[0:8] N[0:4]")],
)
def test_a_dim_named_twice_is_tnp_dim(dims: list[FullDim], text: str) -> None:
    with pytest.raises(Violation) as refused:
        new_input_dims(dims)
    assert refused.value.diagnostic.code.value == "tnp-dim"
    assert refused.value.diagnostic.message == f"Typed(...) names a dim twice: {text}"


def test_inputs_in_scope_are_the_input_leaves_first_seen_first() -> None:
    a, b = ir.new_input("a", ("M",)), ir.new_input("b", ("M",))
    computed = ir.binary(ir.BinaryOp.ADD, a, b)
    assert inputs_in_scope([b, computed, a, b]) == (b, a)
    assert inputs_in_scope([]) == ()
