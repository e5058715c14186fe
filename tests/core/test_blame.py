"""Blame (`core/origins.py`, `core/blame.py`, `core/blame_spec.py`, `core/repairs.py`): where
terms were made, and notes at lines only when a table or a proved repair pins them."""

from __future__ import annotations

import gc
import weakref
from fractions import Fraction

import pytest

from tnp_runtime.core import blame_spec, ir, origins, rules
from tnp_runtime.core.blame import mismatch_notes, reduced_away, repeat_notes
from tnp_runtime.core.diagnostics import Code, Diagnostic, LocatedNote, Violation
from tnp_runtime.core.dims import FullDim, Interval
from tnp_runtime.core.ir import BinaryOp, ReduceOp
from tnp_runtime.core.origins import EXTERNAL, Location

M, N = FullDim("M", 8), FullDim("N", 8)


def _leaf(name: str) -> ir.Input:
    return ir.new_input(name, ("M", "N"))


def _at(line: int) -> Location:
    return Location("kernel.py", line)


def test_first_line_wins_and_the_nodes_an_operation_made_get_its_line() -> None:
    x = _leaf("x")
    product = ir.binary(BinaryOp.MUL, x, ir.const(3))
    total = ir.reduce(ReduceOp.SUM, "N", Interval(0, 8), product)
    origins.record(total, _at(5))  # one operation (an einsum) made both
    origins.record(product, _at(9))  # built again later: keeps its first line
    assert origins.line_of(total) == origins.line_of(product) == _at(5)
    assert origins.line_of(ir.binary(BinaryOp.MUL, x, ir.const(4))) is None


def test_received_terms_name_no_line_until_an_operation_makes_them() -> None:
    x = _leaf("x")
    received = ir.unary(ir.UnaryOp.EXP, x)
    origins.record(received, EXTERNAL)
    assert origins.line_of(received) is None and origins.line_of(x) is None
    assert origins.wanted(received)
    origins.record(received, _at(7))  # the kernel's own operation computes it
    assert origins.line_of(received) == _at(7)
    assert origins.line_of(x) is None  # what it received stays received


def test_a_slice_recorded_at_two_lines_names_neither() -> None:
    x = _leaf("x")
    origins.record_slice(x, "M", Interval(0, 4), _at(3))
    assert origins.slice_origin(ir.binary(BinaryOp.MUL, x, ir.const(2)), "M", Interval(0, 4)) \
        == _at(3)
    origins.record_slice(x, "M", Interval(0, 4), _at(11))
    assert origins.slice_origin(x, "M", Interval(0, 4)) is None


def test_the_tables_hold_no_node_alive() -> None:
    x = _leaf("x")
    node = ir.unary(ir.UnaryOp.SIN, x)
    origins.record(node, _at(1))
    origins.record_slice(node, "M", Interval(0, 4), _at(1))
    assert origins.line_of(node) == _at(1)
    alive = weakref.ref(node)
    del node
    gc.collect()
    assert alive() is None


def test_a_dim_error_names_the_reduction_that_took_the_dim_away() -> None:
    x = _leaf("x")
    left = rules.reduce(ReduceOp.MAX, rules.Abstract(((M.full), (N.full)), x), "M")
    origins.record(left.expr, _at(31))
    right = rules.reduce(ReduceOp.SUM, rules.Abstract(((M.full), (N.full)), x), "N")
    with pytest.raises(Violation) as raised:
        rules.binary(BinaryOp.ADD, left, right)
    (note,) = raised.value.diagnostic.located  # the sum has no line: no note for it
    assert note == LocatedNote(31, "the left operand of `+` has no M: the max over M[0:8] here "
                               "took it away", "kernel.py")
    assert "note: line 31: the left operand" in raised.value.diagnostic.render("kernel.py")
    assert "note: kernel.py:31: the left operand" in raised.value.diagnostic.render("other.py")


def test_two_reductions_of_a_dim_at_two_lines_name_none() -> None:
    x = _leaf("x")
    first = ir.reduce(ReduceOp.MAX, "M", Interval(0, 4), x)
    second = ir.reduce(ReduceOp.MAX, "M", Interval(4, 8), x)
    origins.record(first, _at(2))
    origins.record(second, _at(3))
    both = ir.binary(BinaryOp.MAX, first, second)
    assert reduced_away(both, "M") is None
    assert mismatch_notes("+", ((N.full,), both), ((M.full,), x), None) == ()
    assert repeat_notes((N.full,), both, "N") == ()


def _refuted(kernel: ir.Expr, spec: ir.Expr) -> Diagnostic:
    return Diagnostic(Code.SPEC, "kernel computes ...", ("a note",))


def test_a_constant_repair_names_its_line_and_keeps_the_verdict() -> None:
    x = _leaf("x")
    tripled = ir.binary(BinaryOp.MUL, x, ir.const(3))
    origins.record(x, _at(1))
    origins.record(tripled, _at(2))
    kernel = ir.unary(ir.UnaryOp.EXP, tripled)
    origins.record(kernel, _at(3))
    spec = ir.unary(ir.UnaryOp.EXP, ir.binary(BinaryOp.MUL, ir.const(2), x))
    tile = (M.full, N.full)
    problem = _refuted(kernel, spec)
    blamed = blame_spec.with_blame(problem, kernel, spec, tile)
    assert blamed is not None
    assert (blamed.code, blamed.message, blamed.notes) == (problem.code, problem.message,
                                                           problem.notes)
    assert blamed.located == (
        LocatedNote(2, "the constant 3 here: with 2 instead, the tile equals the spec",
                    "kernel.py"),
    )


def test_an_unproven_tile_gets_the_note_of_a_proved_repair() -> None:
    x = _leaf("x")
    kernel = ir.binary(BinaryOp.ADD, ir.unary(ir.UnaryOp.TANH, x), ir.const(1))
    origins.record(kernel, _at(6))
    spec = ir.unary(ir.UnaryOp.TANH, x)
    unproven = Diagnostic(Code.UNPROVEN, "cannot prove ...", ("reason", "numeric"))
    blamed = blame_spec.with_blame(unproven, kernel, spec, (M.full, N.full))
    assert blamed is not None and blamed.code is Code.UNPROVEN
    assert [(n.line, n.text) for n in blamed.located] == [
        (6, "the tile equals the spec without the `+ 1` applied here")
    ]


def test_no_note_without_a_proved_repair_or_without_lines() -> None:
    x, y = _leaf("x"), _leaf("y")
    kernel = ir.binary(BinaryOp.MUL, x, y)
    origins.record(kernel, _at(4))
    spec = ir.binary(BinaryOp.SUB, ir.binary(BinaryOp.MUL, x, y), x)  # a missing term
    tile = (M.full, N.full)
    blamed = blame_spec.with_blame(_refuted(kernel, spec), kernel, spec, tile)
    assert blamed is not None and blamed.located == ()
    # The same wrong constant as above, in a term no kernel line made: nothing to name.
    unlocated = ir.binary(BinaryOp.MUL, ir.unary(ir.UnaryOp.COS, x), ir.const(Fraction(5)))
    spec = ir.binary(BinaryOp.MUL, ir.unary(ir.UnaryOp.COS, x), ir.const(Fraction(4)))
    blamed = blame_spec.with_blame(_refuted(unlocated, spec), unlocated, spec, tile)
    assert blamed is not None and blamed.located == ()


def test_other_codes_and_large_kernels_get_no_blame(monkeypatch: pytest.MonkeyPatch) -> None:
    x = _leaf("x")
    kernel = ir.binary(BinaryOp.MUL, ir.unary(ir.UnaryOp.SIN, x), ir.const(3))
    origins.record(kernel, _at(2))
    spec = ir.binary(BinaryOp.MUL, ir.unary(ir.UnaryOp.SIN, x), ir.const(2))
    tile = (M.full, N.full)
    other = Diagnostic(Code.OVERLAP, "region written twice")
    assert blame_spec.with_blame(other, kernel, spec, tile) is other
    assert blame_spec.with_blame(None, kernel, spec, tile) is None
    assert blame_spec.with_blame(_refuted(kernel, spec), kernel, spec, tile).located  # type: ignore[union-attr]
    monkeypatch.setattr(blame_spec, "MAX_NODES", 2)
    blamed = blame_spec.with_blame(_refuted(kernel, spec), kernel, spec, tile)
    assert blamed is not None and blamed.located == ()
