"""The core of a kernel call (`calls.enter_kernel`), input identity and substitution in the IR,
and how messages tell apart inputs that read alike."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tnp_runtime.core import ir
from tnp_runtime.core.calls import (
    KERNEL_RETURNS,
    KernelSignature,
    Parameter,
    enter_call,
    enter_kernel,
    kernel_signature,
    resolve_kernel_signature,
    script_binding,
    uncovered,
)
from tnp_runtime.core.diagnostics import Violation
from tnp_runtime.core.dims import DimType, FullDim, Interval
from tnp_runtime.core.ir import BinaryOp, Input, ReduceOp
from tnp_runtime.core.render import Renderer
from tnp_runtime.core.rules import Abstract
from tnp_runtime.core.spec import SpecError, SpecInput, resolve_spec
from tnp_runtime.core.tracker import ResultTracker

M, N = FullDim("M", 8), FullDim("N", 4)
DIMS = {"M": M, "N": N}
MN: DimType = (M.full, N.full)


def fresh(name: str, dims: DimType) -> ir.Expr:
    return ir.new_input(name, tuple(s.name for s in dims))


def times(k: int, e: ir.Expr) -> ir.Expr:
    return ir.binary(BinaryOp.MUL, ir.const(k), e)


def refuse(name: str, err: SpecError) -> BaseException:
    return err


def test_new_inputs_are_distinct_whatever_their_names() -> None:
    a, b = ir.new_input("x", ("M", "N")), ir.new_input("x", ("M", "N"))
    assert a is not b and a.name == b.name and a.serial != b.serial
    assert ir.input_leaf("x", ("M", "N"), False, a.serial) is a


def test_substitute_replaces_leaves_and_keeps_the_rest_interned() -> None:
    x, a = ir.new_input("x", ("M", "N")), ir.new_input("a", ("M", "N"))
    body = ir.reduce(ReduceOp.SUM, "N", Interval(0, 4), times(2, x))
    replaced = ir.substitute(body, {x: times(3, a)})
    assert replaced is ir.reduce(ReduceOp.SUM, "N", Interval(0, 4), times(2, times(3, a)))
    assert ir.substitute(body, {}) is body
    assert ir.substitute(body, {a: x}) is body


def test_input_labels_qualify_only_inputs_that_read_alike() -> None:
    first, second = ir.new_input("x", ("M", "N")), ir.new_input("x", ("M", "N"))
    other = ir.new_input("y", ("M", "N"))
    labels = ir.input_labels([second, other, first])
    assert labels == {first: "x", second: "x#2", other: "y"}
    renderer = Renderer.for_inputs({"M": 8, "N": 4}, [first, second])
    assert renderer.expr(first) == "x:M N" and renderer.expr(second) == "x#2:M N"


def test_two_inputs_named_alike_cannot_be_resolved_by_name_or_by_dims() -> None:
    first, second = ir.new_input("x", ("M", "N")), ir.new_input("x", ("M", "N"))
    assert isinstance(first, Input) and isinstance(second, Input)
    inputs = [SpecInput(first, MN), SpecInput(second, MN)]
    for text in ("2 * x:M N", "2 * M N"):
        with pytest.raises(SpecError) as info:
            resolve_spec(text, DIMS, inputs)
        assert "2 different inputs are named 'x'" in info.value.diagnostic.message


SIGNATURE = kernel_signature(DIMS, {"x": MN}, {"c": "2 * x:M N"}, refuse)


def test_top_level_call_makes_a_new_input_per_parameter_and_binds_the_result() -> None:
    argument = ir.new_input("A", ("M", "N"))
    tracker = ResultTracker("2 * x:M N")
    values = enter_kernel("k", SIGNATURE, {"x": Abstract(MN, argument)}, {"c": tracker}, fresh)
    leaf = values["x"].expr
    assert isinstance(leaf, Input) and leaf.name == "x" and leaf is not argument
    assert leaf is not SIGNATURE.inputs["x"].leaf
    assert tracker.resolved is not None and tracker.resolved.expr is times(2, leaf)
    assert tracker.inputs == frozenset({leaf})


def test_nested_call_uses_the_callers_values_and_checks_the_bound_spec() -> None:
    a = ir.new_input("a", ("M", "N"))
    assert isinstance(a, Input)
    tracker = ResultTracker("6 * M N")
    tracker.bind_resolved(resolve_spec("6 * M N", DIMS, [SpecInput(a, MN)]), {"M": 8}, None)
    argument = Abstract(MN, times(3, a))
    values = enter_kernel("k", SIGNATURE, {"x": argument}, {"c": tracker}, fresh)
    assert values["x"] is argument
    wrong = ResultTracker("2 * M N")
    wrong.bind_resolved(resolve_spec("2 * M N", DIMS, [SpecInput(a, MN)]), {"M": 8}, None)
    with pytest.raises(Violation) as info:
        enter_kernel("k", SIGNATURE, {"x": argument}, {"c": wrong}, fresh)
    message = info.value.diagnostic.message
    assert "result c is bound to `2 * M N`" in message and "`6 * (M N)`" in message
    assert wrong.resolved is not None and wrong.resolved.expr is times(2, a)


def test_a_result_made_with_the_same_spec_in_other_words_is_accepted() -> None:
    tracker = ResultTracker("x:M N + x:M N")
    enter_kernel("k", SIGNATURE, {"x": Abstract(MN, fresh("A", MN))}, {"c": tracker}, fresh)
    assert tracker.bound
    other = ResultTracker("3 * x:M N")
    with pytest.raises(Violation, match="has spec `3 \\* x:M N` but the kernel declares"):
        enter_kernel("k", SIGNATURE, {"x": Abstract(MN, fresh("A", MN))}, {"c": other}, fresh)
    assert not other.bound


def test_a_bound_result_with_other_dims_is_refused() -> None:
    a = ir.new_input("a", ("M",))
    assert isinstance(a, Input)
    tracker = ResultTracker("M")
    tracker.bind_resolved(resolve_spec("M", DIMS, [SpecInput(a, (M.full,))]), {"M": 8}, None)
    pattern = r"is bound to `M` \(dims M\[0:8\]\), but the kernel declares `2 \* x:M N`"
    with pytest.raises(Violation, match=pattern):
        enter_kernel("k", SIGNATURE, {"x": Abstract(MN, fresh("A", MN))}, {"c": tracker}, fresh)


def test_a_failed_tile_reading_an_input_that_is_not_a_parameter_says_so() -> None:
    tracker = ResultTracker("2 * x:M N")
    values = enter_kernel("k", SIGNATURE, {"x": Abstract(MN, fresh("A", MN))}, {"c": tracker},
                          fresh)
    stray = ir.new_input("x", ("M", "N"))
    with pytest.raises(Violation) as info:
        tracker.assign(Abstract(MN, times(2, stray)), lambda: pytest.fail("bound"))
    diagnostic = info.value.diagnostic
    assert diagnostic.code.value == "tnp-spec"
    assert "reads `x` (M N), which the kernel did not receive as a parameter" in diagnostic.message
    assert any("x#2:M N" in note for note in diagnostic.notes)
    # A tile of its parameters is proved as before.
    assert tracker.assign(Abstract(MN, times(2, values["x"].expr)), lambda: pytest.fail("bound"))


# -- the kernel protocol both halves call ------------------------------------------------------


class Fault(Exception):
    def __init__(self, name: str, err: SpecError) -> None:
        super().__init__(name)
        self.name = name
        self.err = err


def test_resolve_kernel_signature_reads_inputs_and_results_in_order() -> None:
    parameters = [
        Parameter("x", dims="M N"),
        Parameter("n"),
        Parameter("c", spec="2 * x:M N"),
    ]
    signature = resolve_kernel_signature(DIMS, iter(parameters), Fault)
    assert list(signature.inputs) == ["x"]
    assert signature.inputs["x"].dims == MN
    assert signature.results == {"c": "2 * x:M N"}
    assert set(signature.specs) == {"c"}


@pytest.mark.parametrize(
    ("parameters", "at"),
    [
        ([Parameter("x", dims="M Q")], "x"),
        ([Parameter("x", dims="M N"), Parameter("c", spec="2 * y:M N")], "c"),
    ],
)
def test_resolve_kernel_signature_faults_at_the_parameter(
    parameters: list[Parameter], at: str
) -> None:
    with pytest.raises(Fault) as fault:
        resolve_kernel_signature(DIMS, parameters, Fault)
    assert fault.value.name == at
    assert fault.value.err.diagnostic.code.value == "tnp-bad-spec"


def _scale_signature() -> KernelSignature:
    return resolve_kernel_signature(
        DIMS, [Parameter("x", dims="M N"), Parameter("c", spec="2 * x:M N")], refuse
    )


def test_enter_call_checks_each_argument_before_the_next_is_read() -> None:
    signature = resolve_kernel_signature(
        DIMS,
        [Parameter("x", dims="M N"), Parameter("y", dims="M N"),
         Parameter("c", spec="x:M N + y:M N")],
        refuse,
    )
    read: list[str] = []

    def argument(name: str) -> Abstract:
        read.append(name)
        dims = MN if name == "x" else (M.full,)
        return Abstract(dims, fresh(name, dims))

    def result(name: str) -> ResultTracker:
        raise AssertionError("results are read after every argument is checked")

    with pytest.raises(Violation) as refused:
        enter_call("add", signature, argument, result, fresh)
    assert read == ["x", "y"]
    assert refused.value.diagnostic.code.value == "tnp-dim"
    assert refused.value.diagnostic.message == (
        "add: argument y has dims M[0:8] but the kernel declares M[0:8] N[0:4]"
    )


def test_enter_call_accepts_the_declared_dims_in_any_order_and_binds() -> None:
    signature = _scale_signature()
    tracker = ResultTracker("2 * x:M N")
    passed = Abstract((N.full, M.full), fresh("a", (N.full, M.full)))
    values = enter_call("scale", signature, lambda name: passed, lambda name: tracker, fresh)
    assert values["x"] is not passed  # a top-level call: a new input named after the parameter
    assert isinstance(values["x"].expr, Input) and values["x"].expr.name == "x"
    assert tracker.bound


def test_uncovered_lists_each_incomplete_result_in_order() -> None:
    whole, empty = ResultTracker("2 * a:M N"), ResultTracker("3 * a:M N")
    a = Abstract(MN, fresh("a", MN))
    whole.assign(ir_times(2, a), lambda: script_binding(MN, a.expr, _spec_input(a)))
    found = uncovered({"whole": whole, "empty": empty, "again": empty})
    assert [key for key, _ in found] == ["empty", "again"]
    assert found[0][1].code.value == "tnp-coverage"
    assert found[0][1].message.startswith(f"result `3 * a:M N` incomplete {KERNEL_RETURNS}")
    assert uncovered({"whole": whole}) == []
    (_, problem), _ = uncovered({"e": empty, "f": empty}, "when `f` returns")
    assert "incomplete when `f` returns" in problem.message


def ir_times(k: int, value: Abstract) -> Abstract:
    return Abstract(value.dims, times(k, value.expr))


def _spec_input(value: Abstract) -> Callable[[Input], SpecInput]:
    return lambda leaf: SpecInput(leaf, value.dims)
