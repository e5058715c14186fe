"""Unit tests of the interpreter's modules: one small module, analysed by mypy once (without the
plugin), whose functions each exercise one handler; the handlers are called directly on its
nodes, or a function is run and its findings read.

Also: `tnp_api.API` covers every public name of the stubs (and each full name it holds is a
real runtime object), and the budget stops a scope at its limit with its note.
"""

from __future__ import annotations

import ast
import importlib
import textwrap

import pytest
from mypy.nodes import AssignmentStmt, ExpressionStmt, FuncDef, MypyFile

from tests.plugin.test_stubs import _public
from tests.support.mypy_run import REPO_DIR, analysed_tree
from tnp_mypy import names
from tnp_mypy.config import Config
from tnp_mypy.interpreter import control, expressions, python_builtins, statements, tnp_api
from tnp_mypy.interpreter.control import Frame, Stop
from tnp_mypy.interpreter.evaluator import Interpreter
from tnp_mypy.interpreter.values import OPAQUE, Builtin, ResultValue, TypedValue
from tnp_mypy.report import Finding
from tnp_runtime.core.dims import FullDim

SOURCE = textwrap.dedent('''
    import math
    from typing import Literal as L

    import numpy as np

    import tnp_runtime as tnp
    from tnp_runtime import FullDim, Typed, TypedResult

    M, N, K = FullDim("M", 4), FullDim("N", 2), FullDim("K", 3)
    SIZE = M.size * 2 + 1


    def arithmetic() -> None:
        v = (1 + 2 * 3) // 2 - 2 ** 3 % 5


    def chained() -> None:
        v = 1 < 2 <= 2 != 3


    def plain_math() -> None:
        v = math.sqrt(16) + abs(-2) + max(1, 7)


    def big_integer() -> None:
        v = 2 ** 100000


    def module_constant() -> None:
        v = SIZE


    def unknown_unpacking() -> None:
        a, b = tuple(range(3))


    def loop_and_break() -> None:
        total = 0
        for i in range(10):
            if i == 4:
                break
            total += i
        else:
            total = -1


    def while_continue() -> None:
        n = 0
        seen = []
        while n < 5:
            n += 1
            if n % 2 == 0:
                continue
            seen.append(n)


    def lists_and_builtins() -> None:
        xs = list(range(3))
        pairs = [(i, x) for i, x in enumerate(xs)]
        v = (len(pairs), isinstance(3, int), sum(xs))


    def typed_values() -> None:
        x = Typed(np.ones((4, 2)), M, N, name="x")
        y = x.slice(M, 0, 2).sum(N)
        z = tnp.exp(x) * 2


    def duplicate_dim() -> None:
        x = Typed(np.ones((4, 4)), M, M)


    def einsum_mismatch() -> None:
        x = Typed(np.ones((4, 2)), M, N, name="x")
        y = tnp.einsum(x, "M M -> M")


    def reveal() -> None:
        x = Typed(np.ones((4, 2)), M, N, name="x")
        tnp.reveal(x * 2)


    def script_result() -> None:
        x = Typed(np.ones((4, 2)), M, N, name="x")
        c = TypedResult("2 * x:M N")
        c.assign(x.slice(M, 0, 2) * 2)


    def unknown_condition(flag: bool) -> None:
        if flag:
            pass


    def written_data() -> None:
        x = Typed(np.ones((4, 2)), M, N, name="x")
        x.arr[0, 0] = 1.0


    @tnp.kernel
    def scale(x: Typed[L["M N"]], c: TypedResult[L["2 * x:M N"]]) -> None:
        c.assign(x.slice(M, 0, 2) * 2)


    def call_with_wrong_dims() -> None:
        c = TypedResult("2 * x:M N")
        scale(Typed(np.ones((4, 3)), M, K), c)  # type: ignore[arg-type]
''')


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> MypyFile:
    """`SOURCE`, analysed by mypy (types and all, as the plugin sees a module)."""
    return analysed_tree(tmp_path_factory.mktemp("interpreter"), SOURCE)


def _function(tree: MypyFile, name: str) -> FuncDef:
    for node in tree.defs:
        if isinstance(node, FuncDef) and node.name == name:
            return node
        if hasattr(node, "func") and node.func.name == name:
            return node.func  # type: ignore[no-any-return]
    raise KeyError(name)


def _interpreter(tree: MypyFile, **config: object) -> Interpreter:
    return Interpreter(tree, Config(**config))  # type: ignore[arg-type]


def _run(tree: MypyFile, name: str, **config: object) -> list[Finding]:
    return _interpreter(tree, **config).run_function(_function(tree, name))


def _messages(findings: list[Finding]) -> list[tuple[int, str, str]]:
    return [(f.line, f.diagnostic.code.value, f.diagnostic.message) for f in findings]


def _line(name: str, text: str) -> int:
    """The line of `text` in function `name` of `SOURCE`."""
    lines = SOURCE.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"def {name}("))
    return next(i for i in range(start, len(lines)) if text in lines[i]) + 1


def _first_value(tree: MypyFile, name: str) -> object:
    """The value of the right side of function `name`'s first assignment, evaluated directly by
    `expressions.evaluate` in an empty frame of that function."""
    fn = _function(tree, name)
    statement = fn.body.body[0]
    assert isinstance(statement, AssignmentStmt)
    interp = _interpreter(tree)
    return expressions.evaluate(interp, Frame({}, fn), statement.rvalue)


# -- expressions -------------------------------------------------------------------------------


def test_arithmetic_is_python_arithmetic(tree: MypyFile) -> None:
    assert _first_value(tree, "arithmetic") == (1 + 2 * 3) // 2 - 2 ** 3 % 5


def test_comparison_chains(tree: MypyFile) -> None:
    assert _first_value(tree, "chained") is True


def test_number_functions_and_builtins(tree: MypyFile) -> None:
    assert _first_value(tree, "plain_math") == 4.0 + 2 + 7


def test_module_constant_is_evaluated(tree: MypyFile) -> None:
    assert _first_value(tree, "module_constant") == 4 * 2 + 1


def test_big_integer_stops_with_the_budget_note(tree: MypyFile) -> None:
    with pytest.raises(Stop) as stopped:
        _first_value(tree, "big_integer")
    assert stopped.value.finding is not None
    assert "an integer outgrew 4096 bits" in stopped.value.finding.diagnostic.message


def test_unknown_condition_stops(tree: MypyFile) -> None:
    fn = _function(tree, "unknown_condition")
    interp = _interpreter(tree)
    with pytest.raises(Stop) as stopped:
        control.truth(interp, OPAQUE, fn)
    assert stopped.value.finding is not None
    assert "a condition on a value it does not know" in stopped.value.finding.diagnostic.message
    assert control.truth(interp, 0, fn) is False
    assert control.truth(interp, TypedValue(None), fn) is True


# -- statements and control flow ---------------------------------------------------------------


def test_unpacking_a_tuple_of_another_length_stops(tree: MypyFile) -> None:
    found = _run(tree, "unknown_unpacking")
    assert _messages(found) == [(
        _line("unknown_unpacking", "a, b ="), "tnp-unsupported",
        "tnp cannot follow this unpacking; the static check of this scope stops here "
        "(the runtime still checks it)",
    )]


def _final_variables(tree: MypyFile, name: str) -> dict[str, object]:
    fn = _function(tree, name)
    interp = _interpreter(tree)
    frame = Frame({}, fn)
    control.execute_body(interp, frame, fn.body.body)
    return frame.variables


def test_for_break_skips_else(tree: MypyFile) -> None:
    assert _final_variables(tree, "loop_and_break")["total"] == 0 + 1 + 2 + 3


def test_while_continue(tree: MypyFile) -> None:
    assert _final_variables(tree, "while_continue")["seen"] == [1, 3, 5]


def test_builtins_lists_and_comprehensions(tree: MypyFile) -> None:
    assert _final_variables(tree, "lists_and_builtins")["v"] == (3, True, 3)


def test_store_binds_names_and_tuples(tree: MypyFile) -> None:
    fn = _function(tree, "unknown_unpacking")
    statement = fn.body.body[0]
    assert isinstance(statement, AssignmentStmt)
    interp = _interpreter(tree)
    frame = Frame({}, fn)
    statements.store(interp, frame, statement.lvalues[0], (5, 6))
    assert frame.variables == {"a": 5, "b": 6}


def test_write_to_typed_data_is_refused(tree: MypyFile) -> None:
    found = _run(tree, "written_data")
    assert [(line, code) for line, code, _ in _messages(found)] == [
        (_line("written_data", "x.arr[0, 0]"), "tnp-write")
    ]


# -- the tnp API -------------------------------------------------------------------------------


def test_typed_values_follow_the_core_rules(tree: MypyFile) -> None:
    variables = _final_variables(tree, "typed_values")
    x, y, z = variables["x"], variables["y"], variables["z"]
    assert isinstance(x, TypedValue) and x.abstract is not None
    assert [s.name for s in x.abstract.dims] == ["M", "N"]
    assert isinstance(y, TypedValue) and y.abstract is not None
    assert [str(s) for s in y.abstract.dims] == ["M[0:2]"]
    assert isinstance(z, TypedValue) and z.abstract is not None


def test_duplicate_dim_is_tnp_dim(tree: MypyFile) -> None:
    assert _messages(_run(tree, "duplicate_dim")) == [(
        _line("duplicate_dim", "Typed("), "tnp-dim",
        "Typed(...) names a dim twice: M[0:4] M[0:4]",
    )]


def test_einsum_violation_is_reported_at_the_call(tree: MypyFile) -> None:
    found = _messages(_run(tree, "einsum_mismatch"))
    assert [(line, code) for line, code, _ in found] == [
        (_line("einsum_mismatch", "tnp.einsum"), "tnp-dim")
    ]


def test_reveal_is_a_plain_note(tree: MypyFile) -> None:
    (finding,) = _run(tree, "reveal")
    assert finding.plain_note
    assert finding.diagnostic.message.startswith("tnp.reveal: ")
    assert finding.line == _line("reveal", "tnp.reveal")


def test_script_result_incomplete_when_the_function_returns(tree: MypyFile) -> None:
    found = _messages(_run(tree, "script_result"))
    assert [(line, code) for line, code, _ in found] == [
        (_line("script_result", "TypedResult("), "tnp-coverage")
    ]
    assert "when `script_result` returns" in found[0][2]


def test_kernel_call_checks_argument_dims(tree: MypyFile) -> None:
    found = _messages(_run(tree, "call_with_wrong_dims"))
    line = _line("call_with_wrong_dims", "scale(")
    assert found == [(
        line, "tnp-dim",
        "scale: argument x has dims M[0:4] K[0:3] but the kernel declares M[0:4] N[0:2]",
    )]


def test_kernel_form_checks_coverage_at_the_def_line(tree: MypyFile) -> None:
    interp = _interpreter(tree)
    found = _messages(interp.run_kernel(_function(tree, "scale")))
    assert [(line, code) for line, code, _ in found] == [
        (_line("scale", "def scale"), "tnp-coverage")
    ]
    assert "when the kernel returns" in found[0][2]


# -- the dispatch table ------------------------------------------------------------------------


def test_table_covers_every_public_name_of_the_stubs() -> None:
    stubs = REPO_DIR / "src" / "tnp_runtime-stubs" / "__init__.pyi"
    public = _public(ast.parse(stubs.read_text()))
    missing = {name for name in public["__all__"] if f"tnp_runtime.{name}" not in tnp_api.API}
    for cls in ("Typed", "TypedResult", "FullDim", "Sliced", "Interval"):
        missing |= {
            f"{cls}.{member}" for member in public[cls]
            if f"tnp_runtime.{cls}.{member}" not in tnp_api.API
        }
    assert not missing


def test_table_names_are_real_runtime_objects() -> None:
    """Each full name in the table is what it says at run time (both spellings of a member)."""
    for fullname, member in names.API.items():
        module_name, _, attribute = fullname.rpartition(".")
        owner = member.partition(".")[0] if "." in member else None
        if owner is not None:
            module_name = fullname[: -len(member) - 1]
            target = getattr(importlib.import_module(module_name), owner)
            # `TypedResult.bind` is no longer the runtime's: the interpreter still names it in its
            # note (a call of it is not followed).
            assert hasattr(target, member.partition(".")[2]) or member == "TypedResult.bind", (
                fullname
            )
        else:
            assert getattr(importlib.import_module(module_name), attribute) is not None, fullname


def test_the_plugin_hooks_names_of_the_table_only() -> None:
    plugin = importlib.import_module("tnp_mypy.plugin")
    hooked = set(plugin._FUNCTION_HOOKS) | set(plugin._METHOD_HOOKS)
    assert hooked - {"builtins.sum"} <= set(tnp_api.API)


def test_known_gives_tnp_functions_and_not_methods() -> None:
    assert tnp_api.known("tnp_runtime.functions.exp") == Builtin("tnp_runtime.functions.exp")
    assert tnp_api.known("tnp_runtime.Typed.slice") is None
    assert tnp_api.known("tnp_runtime.Sliced") is None  # recognised, not followed
    assert python_builtins.known("math.pi") == pytest.approx(3.14159265)
    assert python_builtins.known("numpy.inf") == float("inf")


def test_reading_a_dim_field_goes_through_the_table(tree: MypyFile) -> None:
    fn = _function(tree, "arithmetic")
    interp = _interpreter(tree)
    assert tnp_api.attribute(interp, FullDim("M", 4), "size", fn) == 4
    with pytest.raises(Stop):
        tnp_api.attribute(interp, FullDim("M", 4), "bogus", fn)
    result = ResultValue(None, None)
    assert tnp_api.attribute(interp, result, "spec", fn) is OPAQUE


# -- the budget --------------------------------------------------------------------------------


def test_budget_stops_after_max_statements(tree: MypyFile) -> None:
    found = _messages(_run(tree, "loop_and_break", max_statements=5))
    assert len(found) == 1
    _, code, message = found[0]
    assert code == "tnp-unsupported"
    assert message.startswith("tnp stopped the static check after 5 statements")
    assert "max_statements" in message


def test_budget_counts_each_statement() -> None:
    interp = Interpreter(MypyFile([], []), Config(max_statements=3))
    where = ExpressionStmt(expressions.IntExpr(0))
    for _ in range(3):
        control.tick(interp, where)
    with pytest.raises(Stop):
        control.tick(interp, where)
    assert interp.statements == 4
