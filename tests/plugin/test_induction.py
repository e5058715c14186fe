"""The induction of tile loops (`tnp_mypy/interpreter/induction.py`), driven directly: which
names a loop carries, the regions a step merges, and wrong invariants refused. A refused
invariant falls back to unrolling, so the findings are always those of unrolling."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

import pytest
from mypy.nodes import Decorator, ForStmt, FuncDef, MypyFile

from tests.support.mypy_run import analysed_tree
from tnp_mypy.config import Config
from tnp_mypy.interpreter import induction
from tnp_mypy.interpreter.evaluator import Interpreter
from tnp_mypy.interpreter.speculation import Abandon
from tnp_mypy.interpreter.values import TypedValue
from tnp_mypy.report import Finding
from tnp_runtime.core import ir, symbolic, template
from tnp_runtime.core.dims import FullDim, Interval, Sliced
from tnp_runtime.core.ir import ReduceOp

SOURCE = textwrap.dedent('''
    from typing import Literal as L

    import numpy as np

    import tnp_runtime as tnp
    from tnp_runtime import FullDim, Typed, TypedResult, exp, max

    M, N = FullDim("M", 8), FullDim("N", 64)
    T = 4


    @tnp.kernel
    def running_sum(x: Typed[L["M N"]], out: TypedResult[L["sum[N](x:M N)"]]) -> None:
        total: Typed | float = 0
        for j in range(0, N.size, T):
            tile = x.slice(N, j, j + T)
            total = total + tile.sum(N)
        assert isinstance(total, Typed)
        out.assign(total)


    @tnp.kernel
    def first_tiles_only(x: Typed[L["M N"]], out: TypedResult[L["sum[N](x:M N)"]]) -> None:
        total: Typed | float = 0
        for j in range(0, N.size, T):
            if j < 8:
                total = total + x.slice(N, j, j + T).sum(N)
        assert isinstance(total, Typed)
        out.assign(total)


    @tnp.kernel
    def softmax_sum(
        x: Typed[L["M N"]], out: TypedResult[L["sum[N](exp(x:M N - (max[N](x:M N) -> M N)))"]]
    ) -> None:
        row_max: Typed | float = -np.inf
        row_sum: Typed | float = 0
        for j in range(0, N.size, T):
            tile = x.slice(N, j, j + T)
            new_max = max(row_max, tile.max(N))
            p = exp(tile - new_max.repeat(N[j : j + T]))
            row_sum = row_sum * exp(row_max - new_max) + p.sum(N)
            row_max = new_max
        assert isinstance(row_sum, Typed)
        out.assign(row_sum)


    @tnp.kernel
    def tiles(x: Typed[L["M N"]], out: TypedResult[L["2 * (M N)"]]) -> None:
        for j in range(0, N.size, T):
            out.assign(x.slice(N, j, j + T) * 2)
''')


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> MypyFile:
    return analysed_tree(tmp_path_factory.mktemp("induction"), SOURCE)


def _kernel(tree: MypyFile, name: str) -> FuncDef:
    for node in tree.defs:
        if isinstance(node, Decorator) and node.func.name == name:
            return node.func
    raise KeyError(name)


def _loop(fn: FuncDef) -> ForStmt:
    return next(s for s in fn.body.body if isinstance(s, ForStmt))


def _run(tree: MypyFile, name: str, induction_on: bool = True) -> list[tuple[int, str, str]]:
    findings: list[Finding] = Interpreter(tree, Config(induction=induction_on)).run_kernel(
        _kernel(tree, name)
    )
    return sorted((f.line, f.diagnostic.code.value, f.diagnostic.message) for f in findings)


@pytest.fixture
def steps(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """The outcome of every symbolic step taken."""
    outcomes: list[bool] = []
    original = induction._step

    def recorded(*args: object) -> int | None:
        outcome = original(*args)  # type: ignore[arg-type]
        outcomes.append(outcome is not None)
        return outcome

    monkeypatch.setattr(induction, "_step", recorded)
    yield outcomes


def test_loop_shape_carries_running_values_and_not_temporaries(tree: MypyFile) -> None:
    interp = Interpreter(tree, Config())
    shape = induction.loop_shape(interp, _loop(_kernel(tree, "softmax_sum")))
    assert shape.carried == ("row_max", "row_sum")
    assert set(shape.temporaries) == {"tile", "new_max", "p"}
    assert shape.refused is None


@pytest.mark.parametrize("name", ["running_sum", "softmax_sum", "tiles"])
def test_induction_gives_the_findings_of_unrolling(
    tree: MypyFile, name: str, steps: list[bool]
) -> None:
    assert _run(tree, name) == _run(tree, name, induction_on=False)
    assert steps == [True]  # proved by induction, not unrolled


def test_a_guess_the_later_iterations_break_is_refused(tree: MypyFile, steps: list[bool]) -> None:
    """`first_tiles_only` adds its first two tiles only: the two samples suggest a sum over
    N[0:4k], which the step (j = 4k >= 8 adds nothing) refutes. Unrolling then reports the
    partial reduction."""
    assert induction.SAMPLES == 2  # the kernel adds exactly the samples' tiles
    findings = _run(tree, "first_tiles_only")
    assert steps == [False]
    assert findings == _run(tree, "first_tiles_only", induction_on=False)
    ((_, code, message),) = findings
    assert code == "tnp-reduce" and "missing sum over N[8:64]" in message


def _wrong_total(wrong: template.ValueTemplate) -> object:
    original = induction._guess

    def guess(samples: object, k0: int) -> object:
        state = original(samples, k0)  # type: ignore[arg-type]
        assert state is not None
        return induction._State({"total": wrong}, state.integers, state.fixed)

    return guess


def _sum_over(stop: object) -> template.ValueTemplate:
    """sum over N[0:stop(k)] of the kernel's input x, over M[0:8]."""
    m = Sliced(FullDim("M", 8), Interval(0, 8))

    def expr(k: int, built: dict[int, ir.Expr]) -> ir.Expr:
        x = [i for i in _INPUTS if i.name == "x"][-1]
        return ir.reduce(ReduceOp.SUM, "N", Interval(0, stop(k)), x)  # type: ignore[operator]

    return template.ValueTemplate(lambda k: (m,), expr)


_INPUTS: list[ir.Input] = []


@pytest.fixture
def inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Capture the kernel's inputs as the kernel call makes them."""
    original = ir.new_input

    def capture(name: str, dims: tuple[str, ...], anonymous: bool = False) -> ir.Input:
        made = original(name, dims, anonymous)
        _INPUTS.append(made)
        return made

    _INPUTS.clear()
    monkeypatch.setattr(ir, "new_input", capture)


@pytest.mark.parametrize(
    ("why", "stop"),
    [
        ("right at the base only (constant)", lambda k: 4 * induction.SAMPLES),
        ("grows by two tiles a step", lambda k: 8 * k - 4 * induction.SAMPLES),
        ("one tile ahead (base fails)", lambda k: 4 * (k + 1)),
        ("one tile behind (base fails)", lambda k: 4 * (k - 1)),
    ],
)
def test_wrong_invariants_are_refused_and_unrolling_decides(
    tree: MypyFile, monkeypatch: pytest.MonkeyPatch, steps: list[bool], inputs: None,
    why: str, stop: object,
) -> None:
    monkeypatch.setattr(induction, "_guess", _wrong_total(_sum_over(stop)))
    assert _run(tree, "running_sum") == []  # the kernel is right: unrolling proves it
    assert True not in steps, why


def test_the_right_invariant_written_by_hand_is_accepted(
    tree: MypyFile, monkeypatch: pytest.MonkeyPatch, steps: list[bool], inputs: None
) -> None:
    monkeypatch.setattr(induction, "_guess", _wrong_total(_sum_over(lambda k: 4 * k)))
    assert _run(tree, "running_sum") == []
    assert steps == [True]


def test_a_step_that_escapes_falls_back(
    tree: MypyFile, monkeypatch: pytest.MonkeyPatch, steps: list[bool]
) -> None:
    """A conversion of the symbolic index to a plain int (here: any slice) escapes."""
    real = symbolic.SymInt.__add__

    def escaping(self: symbolic.SymInt, other: object) -> int:
        raise symbolic.Escape("refused for the test")

    monkeypatch.setattr(symbolic.SymInt, "__add__", escaping)
    assert _run(tree, "tiles") == []
    assert steps == [False]
    monkeypatch.setattr(symbolic.SymInt, "__add__", real)


def test_merge_takes_adjacent_tiles_and_refuses_the_rest() -> None:
    var = symbolic.new_var("k", 3, 14, probe=3)
    k = symbolic.variable(var)
    m, n = FullDim("M", 8), FullDim("N", 64)
    whole_m = Sliced(m, Interval(0, 8))
    with symbolic.recording():
        merged = induction._merge((whole_m, Sliced(n, Interval(4 * k, 4 * k + 4))), var, 14)
        assert merged == (whole_m, Sliced(n, Interval(12, 60)))
        for region in [
            (whole_m, Sliced(n, Interval(0, 4))),  # the same region every iteration
            (whole_m, Sliced(n, Interval(4 * k, 4 * k + 2))),  # gaps
            (whole_m, Sliced(n, Interval(2 * k, 2 * k + 4))),  # overlaps
        ]:
            with pytest.raises(Abandon):
                induction._merge(region, var, 14)


def test_a_typed_value_is_rebound_from_its_template(tree: MypyFile) -> None:
    """`_State.bind` makes typed values of the template at k."""
    m = Sliced(FullDim("M", 8), Interval(0, 8))
    one = ir.const(1)
    state = induction._State(
        {"v": template.ValueTemplate(lambda k: (m,), lambda k, built: one)}, {}, {}
    )
    from tnp_mypy.interpreter.control import Frame

    frame = Frame({}, None)
    state.bind(frame, 5)
    value = frame.variables["v"]
    assert isinstance(value, TypedValue) and value.abstract is not None
    assert value.abstract.expr is one


def test_joining_the_pieces_of_a_tile_is_a_recorded_decision() -> None:
    """Two pieces that touch at the probe only (`[4k, 4k+2)` and `[2k+8, 2k+10)`, at k = 3) are
    joined there, and the decision limits the step to the probe: it is taken before the step's
    reach is computed."""
    from tnp_mypy.interpreter.values import ResultValue

    var = symbolic.new_var("k", 3, 14, probe=3)
    k = symbolic.variable(var)
    m, n = FullDim("M", 8), FullDim("N", 64)
    whole_m = Sliced(m, Interval(0, 8))
    result = ResultValue(None, None)
    with symbolic.recording() as recorder:
        joined = induction._joined([
            (result, (whole_m, Sliced(n, Interval(4 * k, 4 * k + 2)))),
            (result, (whole_m, Sliced(n, Interval(2 * k + 8, 2 * k + 10)))),
        ])
    assert len(joined) == 1
    assert recorder.reach(var) == 3
