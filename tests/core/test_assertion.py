"""`core.assertion`: an asserted spec resolves against the kernel's parameters (replaced by what
they are in the call) or, in script form, against the binding; the value is checked and proved
as a tile is."""

from __future__ import annotations

import pytest

from tnp_runtime.core import ir, rules
from tnp_runtime.core.assertion import check_assertion, kernel_scope
from tnp_runtime.core.calls import kernel_signature
from tnp_runtime.core.diagnostics import Code, Violation
from tnp_runtime.core.dims import FullDim
from tnp_runtime.core.rules import Abstract
from tnp_runtime.core.spec import SpecError, SpecInput
from tnp_runtime.core.tracker import Binding

M, N = FullDim("M", 8), FullDim("N", 8)
DIMS = {"M": M, "N": N}
FULL = (M.full, N.full)


def fault(name: str, err: SpecError) -> BaseException:
    return err


SIGNATURE = kernel_signature(DIMS, {"x": FULL}, {"c": "2 * x:M N"}, fault)


def no_script() -> Binding:
    raise AssertionError("a kernel's assertion does not use the script binding")


def test_in_a_kernel_the_spec_names_the_parameters_as_they_are_in_the_call() -> None:
    a = ir.new_input("a", ("M", "N"))
    tripled = Abstract(FULL, ir.binary(ir.BinaryOp.MUL, a, ir.const(3)))
    scope = kernel_scope("k", SIGNATURE, {"x": tripled})
    value = rules.binary(ir.BinaryOp.MUL, tripled, 2)
    check_assertion(value, "2 * x:M N", scope, no_script)  # 2 * (3 * a): proved
    with pytest.raises(Violation) as info:
        check_assertion(value, "6 * x:M N", scope, no_script)  # 18 * a
    assert info.value.diagnostic.code is Code.SPEC


def test_a_tile_of_the_spec_is_proved_on_its_region_and_other_dims_are_refused() -> None:
    x = ir.new_input("x", ("M", "N"))
    scope = kernel_scope("k", SIGNATURE, {"x": Abstract(FULL, x)})
    tile = rules.slice_dim(Abstract(FULL, x), "M", 0, 4).value
    check_assertion(tile, "x:M N", scope, no_script)
    partial = rules.reduce(
        ir.ReduceOp.SUM, rules.slice_dim(Abstract(FULL, x), "N", 0, 4).value, "N"
    )
    with pytest.raises(Violation) as info:
        check_assertion(partial, "sum[N](x:M N)", scope, no_script)
    assert info.value.diagnostic.code is Code.REDUCE
    with pytest.raises(Violation) as info:
        check_assertion(partial, "x:M N", scope, no_script)
    assert info.value.diagnostic.code is Code.DIM
    assert info.value.diagnostic.message.startswith("assert_spec: the value has dims M")


def test_script_form_resolves_against_the_binding() -> None:
    y = ir.new_input("y", ("M", "N"))
    binding = Binding(DIMS, [SpecInput(y, FULL)], open_inputs=True)
    total = rules.reduce(ir.ReduceOp.SUM, Abstract(FULL, y), "N")
    check_assertion(total, "sum[N](y:M N)", None, lambda: binding)
    with pytest.raises(SpecError):
        check_assertion(total, "sum[N](y:M N", None, lambda: binding)
