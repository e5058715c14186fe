"""Symbolic loop indices (`core/symbolic.py`): affine arithmetic, recorded decisions, escapes."""

from __future__ import annotations

from fractions import Fraction

import pytest

from tnp_runtime.core import symbolic
from tnp_runtime.core.dims import Interval, IntervalSet
from tnp_runtime.core.symbolic import Condition, Escape, Form, Relation


def _k(first: int = 3, last: int = 14, probe: int | None = None) -> tuple[symbolic.Var, int]:
    var = symbolic.new_var("k", first, last, probe)
    return var, symbolic.variable(var)


def test_arithmetic_stays_affine_and_collapses_to_plain_ints() -> None:
    _, k = _k()
    j = 32 * k + 16
    assert symbolic.is_symbolic(j)
    assert str(symbolic.form_of(j)) == "32*k+16"
    width = (j + 32) - j
    assert width == 32 and type(width) is int  # no variable left: a plain int
    assert (j // 16) - 2 * k == 1  # exact division by a constant
    assert j % 32 == 16


def test_products_of_variables_and_inexact_divisions_escape() -> None:
    _, k = _k()
    with pytest.raises(Escape):
        _ = k * k
    with pytest.raises(Escape):
        _ = (3 * k) // 2  # floor(3k/2) is not affine in k


def test_conversions_escape_so_no_decision_is_taken_unseen() -> None:
    _, k = _k()
    for convert in (int, float, range, lambda v: ([0] * 100)[v], lambda v: f"{v:d}"):
        with pytest.raises((Escape, TypeError)):
            convert(k)


def test_a_decision_outside_a_symbolic_run_escapes() -> None:
    _, k = _k()
    with pytest.raises(Escape):
        _ = k < 5


def test_decisions_are_answered_at_the_probe_and_recorded() -> None:
    var, k = _k(3, 14, probe=8)
    with symbolic.recording() as recorder:
        assert k >= 1
        assert not (k == 10)
        assert max(32 * k + 32, 512) == 512
    # k >= 1 holds everywhere; k != 10 does not (k = 10 is in the range); 32k + 32 <= 512 holds.
    failing = recorder.failing()
    assert failing == Condition(Form(-10, ((var, 1),)), Relation.NONZERO)


def test_interval_sets_merge_symbolic_tiles_only_when_the_ends_meet() -> None:
    _, k = _k()
    with symbolic.recording() as recorder:
        before = IntervalSet.single(Interval(0, 32 * k))
        tile = IntervalSet.single(Interval(32 * k, 32 * k + 32))
        merged = before.union(tile)
        assert merged == IntervalSet.single(Interval(0, 32 * k + 32))
        gap = IntervalSet.single(Interval(32 * k + 64, 32 * k + 96))
        assert len(before.union(gap).intervals) == 2
    assert recorder.failing() is None


@pytest.mark.parametrize(
    ("form", "relation", "holds"),
    [
        (Form(-3, ()), Relation.NONNEGATIVE, False),
        (Form(0, ()), Relation.ZERO, True),
        (Form(-2, ()), Relation.NONZERO, True),
    ],
)
def test_constant_conditions(form: Form, relation: Relation, holds: bool) -> None:
    assert Condition(form, relation).holds_on_domain() is holds


def test_conditions_over_two_variables_use_the_box() -> None:
    outer = symbolic.new_var("i", 0, 3)
    inner = symbolic.new_var("k", 3, 14)
    # 32i + 32k - 32 >= 0 over the box: least value 64.
    assert Condition(Form(-32, ((outer, 32), (inner, 32))), Relation.NONNEGATIVE).holds_on_domain()
    # i - k + 3 >= 0 fails at i = 0, k = 14.
    assert not Condition(Form(3, ((outer, 1), (inner, -1))), Relation.NONNEGATIVE).holds_on_domain()
    # i - k != 0 is true somewhere and false somewhere: refused.
    assert not Condition(Form(0, ((outer, 1), (inner, -1))), Relation.NONZERO).holds_on_domain()


def test_nonzero_of_one_variable_is_exact() -> None:
    var = symbolic.new_var("k", 3, 14)
    assert Condition(Form(-40, ((var, 4),)), Relation.NONZERO).holds_on_domain() is False  # k=10
    assert Condition(Form(-41, ((var, 4),)), Relation.NONZERO).holds_on_domain() is True
    assert Condition(Form(-60, ((var, 4),)), Relation.NONZERO).holds_on_domain() is True  # k=15


def test_nested_recordings_pass_their_conditions_outwards() -> None:
    _, k = _k()
    with symbolic.recording() as outer:
        with symbolic.recording() as inner:
            assert k < 100
        assert inner.conditions
    assert outer.conditions == inner.conditions


def test_hashing_by_form_lets_equal_positions_meet_without_a_decision() -> None:
    _, k = _k()
    with symbolic.recording() as recorder:
        table = {Interval(32 * k, 32 * k + 32): "tile"}
        assert table[Interval(32 * k, 32 * k + 32)] == "tile"
    assert recorder.conditions == []


def test_value_at_substitutes_some_variables() -> None:
    outer = symbolic.new_var("i", 0, 3)
    inner = symbolic.new_var("k", 3, 14)
    both = 32 * symbolic.variable(outer) + 4 * symbolic.variable(inner) + 1
    partly = symbolic.value_at(both, {inner: 3})
    assert symbolic.form_of(partly) == Form(13, ((outer, 32),))
    assert symbolic.value_at(both, {inner: 3, outer: 1}) == 45


def test_a_symbolic_position_written_into_a_spec_is_read_back() -> None:
    """An f-string of the loop index (`f"N[0:{j + 4}]"`) names the symbolic position: the spec
    of the step is symbolic too, and its checks are recorded decisions."""
    from tnp_runtime.core.spec import parse_spec

    _, k = _k()
    with symbolic.recording() as recorder:
        text = f"sum[N[0:{4 * k + 4}]](x:M N)"
        assert symbolic.TOKEN_OPEN in text and "k" not in text
        parsed = parse_spec(text)
        assert f"{4 * k + 4}" in text  # one token per form, the same every time
    assert recorder.failing() is None
    assert parsed is not None


def test_a_token_is_only_a_slice_bound() -> None:
    from tnp_runtime.core.spec import SpecError, parse_spec

    _, k = _k()
    with symbolic.recording(), pytest.raises(SpecError):
        parse_spec(f"{k} * x:M N")
    with pytest.raises(SpecError):
        parse_spec("sum[N[0:\u27e899999\u27e9]](x:M N)")  # no such position


def test_reach_is_the_longest_range_from_the_probe_where_every_condition_holds() -> None:
    var = symbolic.new_var("k", 3, 1000, probe=3)
    k = symbolic.variable(var)
    with symbolic.recording() as recorder:
        assert k != 37  # true at the probe; false at k = 37
        assert 4 * k < 800  # true up to k = 199
    assert recorder.reach(var) == 36
    narrowed = recorder.narrow(var, 36)
    assert narrowed.last == 36 and recorder.failing() is None


def test_no_reach_when_a_condition_is_false_at_the_probe_alone() -> None:
    var = symbolic.new_var("k", 3, 10, probe=3)
    k = symbolic.variable(var)
    with symbolic.recording() as recorder:
        assert k == 3  # an equality pins k: only the probe
    assert recorder.reach(var) == 3
    other = symbolic.new_var("i", 0, 5)
    with symbolic.recording() as recorder:
        assert not (k == symbolic.variable(other))  # k != i over the box: refused
    assert recorder.reach(var) is None


def test_comparing_with_another_kind_of_number_escapes() -> None:
    """`j == N.size / 2` may be true at some k: refused, never answered False unrecorded."""
    _, k = _k()
    with symbolic.recording():
        for other in (148.0, True, Fraction(148)):
            with pytest.raises(Escape):
                _ = k == other
            with pytest.raises(Escape):
                _ = k != other
        assert (k == "148") is False and (k != None) is True  # noqa: E711 - never equal, at any k


def test_mentions_finds_symbolic_integers_in_texts_and_containers() -> None:
    _, k = _k()
    assert symbolic.mentions(k) and symbolic.mentions(f"N[0:{k}]")
    assert symbolic.mentions((1, [2, {k}])) and symbolic.mentions({"a": k})
    with symbolic.recording():
        assert symbolic.mentions(Interval(k, k + 4))
    assert not symbolic.mentions((1, "N[0:4]", [2.0]))
