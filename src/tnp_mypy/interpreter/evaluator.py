"""The abstract interpreter: runs a scope's statements on abstract values, as the runtime would.

Integers are concrete, so loops unroll and conditions on known values are followed. Every tnp
operation is the core's own function (`rules`, `ResultTracker`, `resolve_dims`/`resolve_spec`,
`calls`) applied to the same `Abstract` values the runtime holds: the interpreter decides only
*which* core function runs, never what it concludes. Violations become `Finding`s at the line
the runtime would report; anything the interpreter cannot follow (and the budget) raises `Stop`
with one `tnp-unsupported` finding, and nothing after it is reported (an error or a note: see
`features.analysis.stop_severity`). Comprehensions are followed in `comprehensions`.
"""

from __future__ import annotations

import itertools
import math
import operator
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Final, NoReturn

from mypy.nodes import (
    ARG_NAMED,
    ARG_NAMED_OPT,
    ARG_OPT,
    ARG_POS,
    ARG_STAR,
    LDEF,
    AssertStmt,
    AssignmentStmt,
    Block,
    BreakStmt,
    BytesExpr,
    CallExpr,
    CastExpr,
    ClassDef,
    ComparisonExpr,
    ConditionalExpr,
    Context,
    ContinueStmt,
    Decorator,
    DictionaryComprehension,
    EllipsisExpr,
    Expression,
    ExpressionStmt,
    FloatExpr,
    ForStmt,
    FuncDef,
    GeneratorExpr,
    IfStmt,
    Import,
    ImportAll,
    ImportFrom,
    IndexExpr,
    IntExpr,
    LambdaExpr,
    ListComprehension,
    ListExpr,
    MemberExpr,
    MypyFile,
    NameExpr,
    OperatorAssignmentStmt,
    OpExpr,
    OverloadedFuncDef,
    PassStmt,
    RefExpr,
    ReturnStmt,
    RevealExpr,
    SetComprehension,
    SliceExpr,
    Statement,
    StrExpr,
    TempNode,
    TryStmt,
    TupleExpr,
    TypeAliasStmt,
    UnaryExpr,
    Var,
    WhileStmt,
    WithStmt,
)
from mypy.types import CallableType, Instance, Type, get_proper_type

from tnp_mypy import names
from tnp_mypy.config import Config
from tnp_mypy.interpreter import comprehensions, data_writes, symbols
from tnp_mypy.interpreter.values import (
    OPAQUE,
    BoundMethod,
    Builtin,
    FunctionValue,
    ModuleValue,
    ResultValue,
    TypedValue,
    Value,
)
from tnp_mypy.report import Finding, StopReason, stop_finding
from tnp_runtime.core import ir, rules
from tnp_runtime.core.calls import (
    KernelSignature,
    argument_dims_diagnostic,
    enter_kernel,
    kernel_signature,
    script_binding,
)
from tnp_runtime.core.diagnostics import Code, Diagnostic, Violation
from tnp_runtime.core.dims import DimType, FullDim, Sliced
from tnp_runtime.core.elementwise import ELEMENTWISE
from tnp_runtime.core.ir import BinaryOp, Input, ReduceOp, UnaryOp
from tnp_runtime.core.reveal import reveal_text
from tnp_runtime.core.spec import SpecError, SpecInput, resolve_dims
from tnp_runtime.core.tracker import ResultTracker

_MAX_CALL_DEPTH: Final = 40
_CHECK_CLOCK_EVERY: Final = 256

_TNP_BINARY: Final = {"+": BinaryOp.ADD, "-": BinaryOp.SUB, "*": BinaryOp.MUL, "/": BinaryOp.DIV}
_PLAIN_BINARY: Final[dict[str, Callable[[Any, Any], object]]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "//": operator.floordiv,
    "%": operator.mod,
    "**": operator.pow,
}
_COMPARE: Final[dict[str, Callable[[Any, Any], object]]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_TNP_UNARY: Final = {name: function.op for name, function in ELEMENTWISE.items()}
_MATH: Final[dict[str, Callable[[float], float]]] = {
    **{name: function.real for name, function in ELEMENTWISE.items()},
    "float64": float,
    "abs": abs,
}
_NUMERIC_CONSTANTS: Final = {"inf": math.inf, "Inf": math.inf, "infty": math.inf, "pi": math.pi,
                             "e": math.e}
_PLAIN_BUILTINS: Final[dict[str, Callable[..., object]]] = {
    "min": min, "max": max, "abs": abs, "int": int, "float": float, "round": round, "bool": bool,
}
# Iterables the interpreter makes and loops over (iterators from enumerate, zip, reversed).
_ITERABLE: Final = comprehensions.ITERABLE
# Integers the interpreter computes with stay below this many bits: arithmetic on bigger ones
# (`n = n * n` in a loop, `10 ** 10**9`) costs unbounded time inside a single operation.
_MAX_INT_BITS: Final = 4096

_CONSTANT_NAMES: Final[dict[str, Value]] = {
    "builtins.None": None, "builtins.True": True, "builtins.False": False,
}
# Builtins that look at their arguments without keeping them: a result passed to them stays put.
_PURE_BUILTINS: Final = frozenset(
    {"print", "reveal_type", "reveal_locals", "repr", "str", "len", "id", "type", "format"}
)


class Stop(Exception):
    """The analysis of the scope ends here; `finding` is its note (None: end silently, as when
    the runtime would already have stopped with an error reported earlier)."""

    def __init__(self, finding: Finding | None) -> None:
        super().__init__(finding.diagnostic.message if finding else "stop")
        self.finding = finding


class _Return(Exception):
    def __init__(self, value: Value) -> None:
        super().__init__("return")
        self.value = value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


@dataclass(slots=True)
class Frame:
    """One running scope: its variables, and the results it created (checked when it ends)."""

    variables: dict[str, Value]
    function: FuncDef | None
    results: list[ResultValue] = field(default_factory=list)
    # Names bound to the data behind a typed value (`d = x.arr`): writes through them are
    # `tnp-write` (see `data_writes`).
    data: dict[str, data_writes.Owner] = field(default_factory=dict)



def _calls_anything(e: Expression | None) -> bool:
    """True if evaluating `e` may call something (unknown node kinds count as calls)."""
    if e is None or isinstance(e, (IntExpr, FloatExpr, StrExpr, NameExpr)):
        return False
    if isinstance(e, (GeneratorExpr, ListComprehension, SetComprehension)):
        generator = e if isinstance(e, GeneratorExpr) else e.generator
        return (
            _calls_anything(generator.left_expr)
            or any(_calls_anything(seq) for seq in generator.sequences)
            or any(_calls_anything(c) for conds in generator.condlists for c in conds)
        )
    if isinstance(e, DictionaryComprehension):
        return (
            _calls_anything(e.key) or _calls_anything(e.value)
            or any(_calls_anything(seq) for seq in e.sequences)
            or any(_calls_anything(c) for conds in e.condlists for c in conds)
        )
    if isinstance(e, MemberExpr):
        return _calls_anything(e.expr)
    if isinstance(e, OpExpr):
        return _calls_anything(e.left) or _calls_anything(e.right)
    if isinstance(e, UnaryExpr):
        return _calls_anything(e.expr)
    if isinstance(e, IndexExpr):
        return _calls_anything(e.base) or _calls_anything(e.index)
    if isinstance(e, (TupleExpr, ListExpr)):
        return any(_calls_anything(item) for item in e.items)
    if isinstance(e, ComparisonExpr):
        return any(_calls_anything(operand) for operand in e.operands)
    return True


def _instance_of(value: Value, cls: Value) -> bool | None:
    """`isinstance(value, cls)` for the classes tnp kernels test; None for any other class."""
    if not isinstance(cls, Builtin):
        return None
    if cls.fullname in names.TYPED:
        return isinstance(value, TypedValue)
    if cls.fullname in names.TYPED_RESULT:
        return isinstance(value, ResultValue)
    if cls.fullname in names.FULL_DIM:
        return isinstance(value, FullDim)
    plain: dict[str, type] = {"builtins.int": int, "builtins.float": float, "builtins.bool": bool}
    if cls.fullname in plain:
        return isinstance(value, plain[cls.fullname])
    return None


def _is_number(value: Value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class Interpreter:
    """Interprets scopes of one module (`tree`). Findings accumulate, one per (line, code)."""

    def __init__(self, tree: MypyFile, config: Config) -> None:
        self.tree = tree
        self.config = config
        self.findings: dict[tuple[int, Code], Finding] = {}
        # Full name -> type text of the names whose types were read (dims, constants, kernel
        # signatures), for the cache to notice when one changes without a re-parse.
        self.dependencies: dict[str, str] = {}
        # `tnp.reveal` notes by line (the first value revealed there).
        self.reveals: dict[int, Finding] = {}
        self._loops: list[tuple[str, Value]] = []
        self._statements = 0
        self._deadline = time.monotonic() + config.max_seconds
        self._input_dims: dict[Input, DimType] = {}
        self._anonymous = itertools.count(1)
        self._assignments: dict[str, Expression] | None = None
        self._constants: dict[str, Value] = {}
        self._constants_in_progress: set[str] = set()
        self._module_frame: Frame | None = None
        self._depth = 0
        self._signatures: dict[FuncDef, KernelSignature] = {}
        # Set when a module name may be a dim the types do not describe (see `module_dims`).
        self._hidden_dims = False

    # -- entry points ------------------------------------------------------------------------

    def run_module(self) -> list[Finding]:
        """Script form at module level."""
        frame = Frame({}, None)
        self._module_frame = frame
        return self._run(lambda: self._scope(frame, self.tree.defs, "at the end of the module"))

    def run_function(self, fn: FuncDef) -> list[Finding]:
        """Script form in an annotated function: parameters are unknown values."""
        frame = Frame({name: OPAQUE for name in fn.arg_names if name is not None}, fn)
        return self._run(lambda: self._scope(frame, fn.body.body, f"when `{fn.name}` returns"))

    def run_kernel(self, fn: FuncDef) -> list[Finding]:
        """Kernel form: the parameters are the inputs and results the annotations declare."""

        def body() -> None:
            signature = self.signature(fn)
            variables: dict[str, Value] = {}
            results: list[ResultValue] = []
            for name in fn.arg_names:
                if name is None:
                    continue
                if name in signature.results:
                    result = ResultValue(ResultTracker(signature.results[name]), None)
                    variables[name] = result
                    results.append(result)
                elif name not in signature.inputs:
                    variables[name] = OPAQUE
            # As a top-level call would: each parameter a new input with the declared dims.
            declared = {
                name: rules.Abstract(spec_input.dims, spec_input.leaf)
                for name, spec_input in signature.inputs.items()
            }
            trackers = {name: variables[name] for name in signature.results}
            values = enter_kernel(
                fn.name,
                signature,
                declared,
                {name: r.tracker for name, r in trackers.items()
                 if isinstance(r, ResultValue) and r.tracker is not None},
                self._fresh_leaf,
            )
            for name, value in values.items():
                variables[name] = TypedValue(value)
            frame = Frame(variables, fn)
            self._execute_body(frame, fn.body.body)
            self._check_kernel_results(fn, results)

        return self._run(body)

    def _run(self, body: Callable[[], None]) -> list[Finding]:
        stop: Finding | None = None
        try:
            body()
        except Stop as ended:
            stop = ended.finding
        found = [*self.reveals.values(), *self.findings.values()]
        if stop is not None and (stop.line, stop.diagnostic.code) not in self.findings:
            found.append(stop)
        return found

    # -- findings ------------------------------------------------------------------------------

    def report(self, diagnostic: Diagnostic, where: Context) -> None:
        key = (where.line, diagnostic.code)
        finding = self.findings.get(key)
        if finding is None:
            finding = Finding(diagnostic, where.line, where.column)
            self.findings[key] = finding
        finding.occurred(self._loop_context())

    def _loop_context(self) -> str:
        return ", ".join(f"{name} = {value}" for name, value in self._loops)

    def unsupported(self, what: str, where: Context) -> Stop:
        return Stop(stop_finding(StopReason.CONSTRUCT, what, where.line, where.column))

    def _tick(self, where: Context) -> None:
        self._statements += 1
        if self._statements > self.config.max_statements:
            what = f"{self.config.max_statements} statements"
            raise Stop(stop_finding(StopReason.STATEMENTS, what, where.line, where.column))
        if self._statements % _CHECK_CLOCK_EVERY == 0 and time.monotonic() > self._deadline:
            what = f"{self.config.max_seconds:g} s"
            raise Stop(stop_finding(StopReason.SECONDS, what, where.line, where.column))

    # -- scopes and statements -----------------------------------------------------------------

    def _scope(self, frame: Frame, body: Sequence[Statement], where: str) -> None:
        self._execute_body(frame, body)
        self._check_scope_results(frame, where)

    def _execute_body(self, frame: Frame, body: Sequence[Statement]) -> Value:
        try:
            self._block(frame, body)
        except _Return as returned:
            return returned.value
        except (_Break, _Continue):
            return None
        return None

    def _check_scope_results(self, frame: Frame, where: str) -> None:
        for result in frame.results:
            if result.escaped or result.failed or result.tracker is None or result.line is None:
                continue
            problem = result.tracker.coverage_diagnostic(where)
            if problem is not None:
                result.failed = True
                self.report(problem, Context(result.line, result.column))

    def _check_kernel_results(self, fn: FuncDef, results: list[ResultValue]) -> None:
        for result in results:
            if result.escaped or result.failed or result.tracker is None:
                continue
            problem = result.tracker.coverage_diagnostic("when the kernel returns")
            if problem is not None:
                result.failed = True
                self.report(problem, Context(fn.line, fn.column))

    def _block(self, frame: Frame, body: Sequence[Statement]) -> None:
        for statement in body:
            self._statement(frame, statement)

    def _statement(self, frame: Frame, s: Statement) -> None:
        self._tick(s)
        if isinstance(s, ExpressionStmt):
            self.expr(frame, s.expr)
        elif isinstance(s, AssignmentStmt):
            self._assignment(frame, s)
        elif isinstance(s, OperatorAssignmentStmt):
            owner = self._written(frame, s.lvalue, augmented=True)
            if owner is not None:
                self.expr(frame, s.rvalue)
                self._refuse_write(owner, s.lvalue)
            current = self.expr(frame, s.lvalue)
            value = self._binary(s.op, current, self.expr(frame, s.rvalue), s)
            self._store(frame, s.lvalue, value)
        elif isinstance(s, ForStmt):
            self._for(frame, s)
        elif isinstance(s, WhileStmt):
            self._while(frame, s)
        elif isinstance(s, IfStmt):
            self._if(frame, s)
        elif isinstance(s, TryStmt) and not s.handlers and s.else_body is None:
            # try/finally: the body, then the cleanup (a handler could run code the
            # interpreter cannot know will run, so `except` is not followed).
            self._block(frame, s.body.body)
            if s.finally_body is not None:
                self._block(frame, s.finally_body.body)
        elif isinstance(s, WithStmt):
            # The body runs once; what the managers do with an exception does not matter here:
            # a violation in the body is reported where the runtime raises it.
            for manager, target in zip(s.expr, s.target, strict=True):
                self._escape(self.expr(frame, manager))
                if target is not None:
                    self._store(frame, target, OPAQUE)
            self._block(frame, s.body.body)
        elif isinstance(s, Block):
            self._block(frame, s.body)
        elif isinstance(s, ReturnStmt):
            value = None if s.expr is None else self.expr(frame, s.expr)
            self._escape(value)
            raise _Return(value)
        elif isinstance(s, AssertStmt):
            value = self.expr(frame, s.expr)
            if value is not OPAQUE and not self._truth(value, s):
                raise Stop(None)  # the runtime stops with an AssertionError
        elif isinstance(s, PassStmt):
            pass
        elif isinstance(s, BreakStmt):
            raise _Break()
        elif isinstance(s, ContinueStmt):
            raise _Continue()
        elif isinstance(
            s, (Import, ImportFrom, ImportAll, ClassDef, TypeAliasStmt)
        ):
            pass
        elif isinstance(s, (FuncDef, Decorator, OverloadedFuncDef)):
            # A definition. Nested functions are not followed: a call to one stops analysis.
            if frame.function is not None:
                name = s.name
                frame.variables[name] = OPAQUE
        else:
            raise self.unsupported(f"a `{type(s).__name__}` statement", s)

    def _assignment(self, frame: Frame, s: AssignmentStmt) -> None:
        if isinstance(s.rvalue, TempNode):
            return  # `x: T` without a value
        value = self.expr(frame, s.rvalue)
        for lvalue in s.lvalues:
            self._store(frame, lvalue, value)
        owner = data_writes.data_owner(s.rvalue, frame.variables.get, frame.data)
        if owner is not None:
            for lvalue in s.lvalues:
                if isinstance(lvalue, NameExpr):
                    frame.data[lvalue.name] = owner

    def _written(
        self, frame: Frame, target: Expression, augmented: bool
    ) -> data_writes.Owner | None:
        """The typed data an assignment to `target` writes into, if any (see `data_writes`)."""
        return data_writes.written_owner(target, frame.variables.get, frame.data, augmented)

    def _refuse_write(self, owner: data_writes.Owner, where: Context) -> NoReturn:
        """`tnp-write` where the runtime raises it, and the analysis of the scope ends there.
        A result's data is read first (`c.arr[...] = v`, not `c.arr = v`): an incomplete one
        raises `tnp-coverage` then."""
        if isinstance(owner, ResultValue):
            if not isinstance(where, MemberExpr):
                self._read_result(owner, where)
            if owner.failed or owner.tracker is None:
                raise Stop(None)
            self.report(rules.write_diagnostic(owner.tracker.spec_text), where)
        else:
            assert owner.abstract is not None
            self.report(rules.write_diagnostic(owner.abstract), where)
        raise Stop(None)

    def _store(self, frame: Frame, target: Expression, value: Value) -> None:
        owner = self._written(frame, target, augmented=False)
        if owner is not None:
            self._refuse_write(owner, target)
        if isinstance(target, NameExpr):
            frame.variables[target.name] = value
            frame.data.pop(target.name, None)
        elif isinstance(target, (TupleExpr, ListExpr)):
            if value is OPAQUE:
                items: Sequence[Value] = [OPAQUE] * len(target.items)
            elif isinstance(value, (tuple, list)) and len(value) == len(target.items):
                items = value
            else:
                raise self.unsupported("this unpacking", target)
            for item_target, item in zip(target.items, items, strict=True):
                self._store(frame, item_target, item)
        elif isinstance(target, MemberExpr):
            self.expr(frame, target.expr)
            self._escape(value)
        elif isinstance(target, IndexExpr):
            base = self.expr(frame, target.base)
            index = self.expr(frame, target.index)
            if isinstance(base, list) and isinstance(index, int) and -len(base) <= index < len(
                base
            ):
                base[index] = value
            elif isinstance(base, dict) and index is not OPAQUE:
                try:
                    base[index] = value
                except TypeError:
                    raise Stop(None) from None
            elif base is OPAQUE:
                self._escape(value)
            else:
                raise self.unsupported("this item assignment", target)
        else:
            raise self.unsupported("this assignment target", target)

    def _for(self, frame: Frame, s: ForStmt) -> None:
        iterable = self.expr(frame, s.expr)
        if not isinstance(iterable, _ITERABLE):
            raise self.unsupported("a loop over a value it does not know", s.expr)
        broke = False
        for item in iterable:
            self._store(frame, s.index, item)
            named = isinstance(s.index, NameExpr) and isinstance(item, int)
            if named:
                assert isinstance(s.index, NameExpr)
                self._loops.append((s.index.name, item))
            try:
                self._block(frame, s.body.body)
            except _Break:
                broke = True
            except _Continue:
                pass
            finally:
                if named:
                    self._loops.pop()
            if broke:
                break
        if not broke and s.else_body is not None:
            self._block(frame, s.else_body.body)

    def _while(self, frame: Frame, s: WhileStmt) -> None:
        while self._truth(self.expr(frame, s.expr), s.expr):
            self._tick(s)
            try:
                self._block(frame, s.body.body)
            except _Break:
                return
            except _Continue:
                continue
        if s.else_body is not None:
            self._block(frame, s.else_body.body)

    def _if(self, frame: Frame, s: IfStmt) -> None:
        for condition, body in zip(s.expr, s.body, strict=True):
            if self._truth(self.expr(frame, condition), condition):
                self._block(frame, body.body)
                return
        if s.else_body is not None:
            self._block(frame, s.else_body.body)

    def _truth(self, value: Value, where: Context) -> bool:
        if value is OPAQUE:
            raise self.unsupported("a condition on a value it does not know", where)
        if isinstance(value, BoundMethod):
            raise self.unsupported("a condition on an attribute it does not know", where)
        if isinstance(value, (TypedValue, ResultValue, FullDim, Sliced, FunctionValue,
                              ModuleValue, Builtin)):
            return True
        return bool(value)

    def _escape(self, value: Value) -> None:
        """`value` leaves the code followed here: a result in it is no longer tracked."""
        if isinstance(value, ResultValue):
            value.escaped = True
        elif isinstance(value, (tuple, list, set)):
            for item in value:
                self._escape(item)
        elif isinstance(value, dict):
            for item in value.values():
                self._escape(item)

    # -- expressions ---------------------------------------------------------------------------

    def expr(self, frame: Frame, e: Expression) -> Value:
        if isinstance(e, IntExpr):
            return e.value
        if isinstance(e, FloatExpr):
            return e.value
        if isinstance(e, StrExpr):
            return e.value
        if isinstance(e, BytesExpr):
            return OPAQUE
        if isinstance(e, NameExpr):
            return self._name(frame, e)
        if isinstance(e, MemberExpr):
            return self._member(frame, e)
        if isinstance(e, CallExpr):
            return self._call_expr(frame, e)
        if isinstance(e, OpExpr):
            if e.op in ("and", "or"):
                left = self.expr(frame, e.left)
                if left is OPAQUE:
                    return OPAQUE  # unknown whether the right side runs: not followed
                if self._truth(left, e.left) == (e.op == "or"):
                    return left
                return self.expr(frame, e.right)
            return self._binary(e.op, self.expr(frame, e.left), self.expr(frame, e.right), e)
        if isinstance(e, ComparisonExpr):
            return self._comparison(frame, e)
        if isinstance(e, UnaryExpr):
            return self._unary(e.op, self.expr(frame, e.expr), e)
        if isinstance(e, ConditionalExpr):
            if self._truth(self.expr(frame, e.cond), e.cond):
                return self.expr(frame, e.if_expr)
            return self.expr(frame, e.else_expr)
        if isinstance(e, TupleExpr):
            return tuple(self.expr(frame, item) for item in e.items)
        if isinstance(e, ListExpr):
            return [self.expr(frame, item) for item in e.items]
        if isinstance(e, IndexExpr):
            return self._index(frame, e)
        if isinstance(e, EllipsisExpr):
            return Ellipsis
        if isinstance(e, SliceExpr):
            parts = [None if p is None else self.expr(frame, p)
                     for p in (e.begin_index, e.end_index, e.stride)]
            if any(p is OPAQUE for p in parts):
                return OPAQUE
            return slice(*parts)
        if isinstance(e, CastExpr):
            return self.expr(frame, e.expr)
        if isinstance(e, RevealExpr):
            if e.expr is not None:
                self.expr(frame, e.expr)
            return OPAQUE
        if isinstance(e, (TempNode, LambdaExpr)):
            return OPAQUE
        if isinstance(e, comprehensions.COMPREHENSIONS):
            try:
                return comprehensions.evaluate(self, frame, e)
            except Stop:
                if _calls_anything(e):
                    raise
                # Only reads values it does not know (`d.size for d in arr.shape`): what it
                # makes is unknown, but making it has no effect to follow.
                return OPAQUE
        raise self.unsupported(f"a `{type(e).__name__}` expression", e)

    def _name(self, frame: Frame, e: NameExpr) -> Value:
        if e.name in frame.variables:
            return frame.variables[e.name]
        if e.fullname in _CONSTANT_NAMES:
            return _CONSTANT_NAMES[e.fullname]
        if e.name == "__name__":
            return "__main__"
        if frame.function is not None and self._is_local(frame.function, e):
            raise Stop(None)  # read before assignment: the runtime raises UnboundLocalError
        if self._module_frame is not None and e.name in self._module_frame.variables and (
            self._defined_in_this_module(e)
        ):
            return self._module_frame.variables[e.name]
        return self._global(e)

    def _is_local(self, fn: FuncDef, e: NameExpr) -> bool:
        return e.kind == LDEF

    def _defined_in_this_module(self, e: NameExpr) -> bool:
        return e.fullname == f"{self.tree.fullname}.{e.name}" or e.fullname == e.name

    def _global(self, e: RefExpr) -> Value:
        """A name defined outside the running frames: a module constant, function, import."""
        fullname = e.fullname
        node = e.node
        known = self._known(fullname)
        if known is not None:
            return known
        if isinstance(node, MypyFile):
            return ModuleValue(node.fullname)
        function = symbols.function_of(node)
        if function is not None:
            fn, kernel = function
            if fn.fullname == f"{self.tree.fullname}.{fn.name}":
                return FunctionValue(fn, kernel)
            return Builtin(fullname)
        if isinstance(node, Var):
            if fullname.rpartition(".")[0] == self.tree.fullname:
                return self._module_constant(node.name, node)
            return self._foreign(fullname, node)
        if symbols.class_name(node) is not None:
            return Builtin(fullname)
        return OPAQUE

    def _known(self, fullname: str) -> Value | None:
        if not fullname:
            return None
        if fullname in names.INFINITY:
            return math.inf
        module, _, last = fullname.rpartition(".")
        if module.split(".")[0] in names.NUMERIC_MODULES and last in _NUMERIC_CONSTANTS:
            return _NUMERIC_CONSTANTS[last]
        if (
            fullname in names.TYPED
            or fullname in names.TYPED_RESULT
            or fullname in names.FULL_DIM
            or fullname in names.DIM_FUNCTION
            or fullname in names.RANDN
            or fullname in names.EINSUM
            or fullname in names.TNP_MAX
            or fullname in names.REVEAL
            or fullname in names.KERNEL
            or (module in names.TNP_MODULES and last in names.TNP_UNARY)
            or module == names.BUILTINS
            or (module.split(".")[0] in names.NUMERIC_MODULES and last in _MATH)
        ):
            return Builtin(fullname)
        return None

    def _foreign(self, fullname: str, node: Var) -> Value:
        """Another module's variable, known from its type only."""
        self.dependencies[fullname] = str(symbols.type_text(node))
        dim = symbols.dim_from_type(node.type)
        if dim is not None:
            return dim
        if node.final_value is not None and not isinstance(node.final_value, complex):
            return node.final_value
        value = symbols.literal(node.type)
        if isinstance(value, (int, str, float)):
            return value
        return OPAQUE

    def _module_constant(self, name: str, node: Var) -> Value:
        """A module-level name of this module, read by a function: its last top-level value."""
        if name in self._constants:
            return self._constants[name]
        # Its type may come from another module (`M = FullDim("M", sizes.ROWS)`).
        self.dependencies[node.fullname] = str(symbols.type_text(node))
        dim = symbols.dim_from_type(node.type)
        if dim is not None:
            self._constants[name] = dim
            return dim
        if self._assignments is None:
            self._assignments = symbols.top_level_assignments(self.tree)
        rvalue = self._assignments.get(name)
        value: Value = OPAQUE
        if rvalue is not None and self._is_input_call(rvalue):
            # A module-level array: an input of its own (as at run time), the same one at every
            # read; a kernel that reads it is refused (it is not one of its parameters).
            value = self.constant_input(rvalue)
            self._constants[name] = value
            return value
        if rvalue is not None and name not in self._constants_in_progress:
            self._constants_in_progress.add(name)
            try:
                value = self.constant(rvalue)
            finally:
                self._constants_in_progress.discard(name)
        if not isinstance(value, (int, float, str, FullDim, Sliced, tuple)) or value is None:
            value = OPAQUE if not isinstance(value, bool) else value
        if isinstance(value, tuple) and not all(
            isinstance(v, (int, float, str, FullDim, Sliced)) for v in value
        ):
            value = OPAQUE
        self._constants[name] = value
        return value

    def _module_inputs(self) -> dict[str, Value]:
        """The module-level names bound to a `Typed(...)` or `randn(...)` (see
        `_module_constant`), for a function's scope: its globals hold them at run time."""
        if self._assignments is None:
            self._assignments = symbols.top_level_assignments(self.tree)
        found: dict[str, Value] = {}
        for name, rvalue in self._assignments.items():
            symbol = self.tree.names.get(name)
            if symbol is not None and isinstance(symbol.node, Var) and self._is_input_call(rvalue):
                found[name] = self._module_constant(name, symbol.node)
        return found

    def _is_input_call(self, e: Expression) -> bool:
        """`Typed(arr, M, N, ...)` or `tnp.randn(M, N, ...)`: a new input."""
        return (
            isinstance(e, CallExpr)
            and isinstance(e.callee, RefExpr)
            and (e.callee.fullname in names.TYPED or e.callee.fullname in names.RANDN)
        )

    def constant_input(self, e: Expression) -> Value:
        """The input a module-level `Typed(...)`/`randn(...)` makes, if its dims and name are
        known without running anything (OPAQUE otherwise)."""
        assert isinstance(e, CallExpr) and isinstance(e.callee, RefExpr)
        randn = e.callee.fullname in names.RANDN
        args: list[Value] = []
        kwargs: dict[str, Value] = {}
        for index, (arg, kind, arg_name) in enumerate(
            zip(e.args, e.arg_kinds, e.arg_names, strict=True)
        ):
            if kind not in (ARG_POS, ARG_NAMED):
                return OPAQUE
            # The array itself is not needed: only the dims and the name are.
            value = OPAQUE if (index == 0 and not randn and kind == ARG_POS) else self.constant(arg)
            if arg_name is None:
                args.append(value)
            else:
                kwargs[arg_name] = value
        if any(v is OPAQUE for v in [*args[0 if randn else 1:], *kwargs.values()]):
            return OPAQUE
        try:
            return self._new_typed(randn, args, kwargs, e)
        except Stop:
            return OPAQUE

    def constant(self, e: Expression) -> Value:
        """A module-level expression made of literals, names, arithmetic and dims only (OPAQUE
        otherwise): evaluating it has no effect to report."""
        if not self._is_constant_expr(e):
            return OPAQUE
        findings = dict(self.findings)
        try:
            return self.expr(Frame({}, None), e)
        except Stop:
            return OPAQUE
        finally:
            self.findings = findings

    def _is_constant_expr(self, e: Expression) -> bool:
        if isinstance(e, (IntExpr, FloatExpr, StrExpr, NameExpr)):
            return True
        if isinstance(e, MemberExpr):
            return self._is_constant_expr(e.expr)
        if isinstance(e, OpExpr):
            return self._is_constant_expr(e.left) and self._is_constant_expr(e.right)
        if isinstance(e, UnaryExpr):
            return self._is_constant_expr(e.expr)
        if isinstance(e, TupleExpr):
            return all(self._is_constant_expr(item) for item in e.items)
        if isinstance(e, CallExpr) and isinstance(e.callee, RefExpr):
            fullname = e.callee.fullname
            module, _, last = fullname.rpartition(".")
            allowed = (
                fullname in names.FULL_DIM
                or fullname in names.DIM_FUNCTION
                or (module.split(".")[0] in names.NUMERIC_MODULES and last in _MATH)
                or fullname in ("builtins.min", "builtins.max", "builtins.int", "builtins.float")
            )
            return allowed and all(self._is_constant_expr(arg) for arg in e.args)
        return False

    def _member(self, frame: Frame, e: MemberExpr) -> Value:
        if isinstance(e.expr, RefExpr) and isinstance(e.expr.node, MypyFile):
            known = self._global(e)
            return known
        receiver = self.expr(frame, e.expr)
        return self._attribute(receiver, e.name, e)

    def _attribute(self, receiver: Value, name: str, where: Context) -> Value:
        if isinstance(receiver, TypedValue):
            if name == "dim_type":
                if receiver.abstract is None:
                    raise Stop(None)
                return receiver.abstract.dims
            if name in ("arr", "expr_type", "abstract"):
                return OPAQUE
            return BoundMethod(receiver, name)
        if isinstance(receiver, ResultValue):
            if name == "arr":
                self._read_result(receiver, where)
                return OPAQUE
            if name == "spec":
                return receiver.tracker.spec_text if receiver.tracker else OPAQUE
            if name in ("tracker",):
                receiver.escaped = True
                return OPAQUE
            return BoundMethod(receiver, name)
        if isinstance(receiver, FullDim):
            if name in ("name", "size", "full"):
                return getattr(receiver, name)
            raise self.unsupported(f"`FullDim.{name}`", where)
        if isinstance(receiver, Sliced):
            if name in ("dim", "name", "start", "stop", "length", "interval", "is_full"):
                return getattr(receiver, name)
            raise self.unsupported(f"`Sliced.{name}`", where)
        if isinstance(receiver, ModuleValue):
            return self._known(f"{receiver.fullname}.{name}") or OPAQUE
        if receiver is OPAQUE:
            return OPAQUE
        if isinstance(receiver, (str, int, float, tuple, list, dict, set)):
            return BoundMethod(receiver, name)
        raise self.unsupported(f"the attribute `{name}` here", where)

    def _read_result(self, result: ResultValue, where: Context) -> None:
        """`c.arr`: the result must be complete (reported at its creation, as the runtime)."""
        if result.escaped or result.failed or result.tracker is None or result.line is None:
            return
        problem = result.tracker.coverage_diagnostic("when `.arr` is read")
        if problem is not None:
            result.failed = True
            self.report(problem, Context(result.line, result.column))

    def _index(self, frame: Frame, e: IndexExpr) -> Value:
        base = self.expr(frame, e.base)
        index = self.expr(frame, e.index)
        if base is OPAQUE or index is OPAQUE:
            if isinstance(base, (TypedValue, ResultValue, FullDim)):
                raise self.unsupported("an index it does not know", e.index)
            return OPAQUE
        if isinstance(base, FullDim):
            try:
                return base[index]  # type: ignore[index]
            except (TypeError, ValueError):
                raise Stop(None) from None
        if isinstance(base, (tuple, list, str, range)) and isinstance(index, (int, slice)):
            try:
                return base[index]
            except (TypeError, IndexError):
                raise Stop(None) from None
        if isinstance(base, dict):
            try:
                return base[index]
            except (TypeError, KeyError):
                raise Stop(None) from None
        raise self.unsupported("this subscript", e)

    def _comparison(self, frame: Frame, e: ComparisonExpr) -> Value:
        left = self.expr(frame, e.operands[0])
        for op, right_expr in zip(e.operators, e.operands[1:], strict=True):
            right = self.expr(frame, right_expr)
            if op in ("is", "is not"):
                same = left is right or (left is None and right is None)
                if (left is OPAQUE or right is OPAQUE) and not (
                    (left is None and isinstance(right, (TypedValue, ResultValue)))
                    or (right is None and isinstance(left, (TypedValue, ResultValue)))
                ):
                    return OPAQUE
                outcome: Value = same if op == "is" else not same
            elif left is OPAQUE or right is OPAQUE:
                return OPAQUE
            elif isinstance(left, (TypedValue, ResultValue)) or isinstance(
                right, (TypedValue, ResultValue)
            ):
                raise self.unsupported(f"`{op}` on tnp values", e)
            elif op in _COMPARE:
                try:
                    outcome = _COMPARE[op](left, right)
                except TypeError:
                    raise Stop(None) from None
            elif op in ("in", "not in"):
                try:
                    inside = left in right  # type: ignore[operator]
                except TypeError:
                    raise Stop(None) from None
                outcome = inside if op == "in" else not inside
            else:
                raise self.unsupported(f"the comparison `{op}`", e)
            if not outcome:
                return outcome
            left = right
        return True

    def _unary(self, op: str, value: Value, where: Context) -> Value:
        if op == "not":
            return not self._truth(value, where)
        if isinstance(value, TypedValue):
            if op != "-":
                raise self.unsupported(f"unary `{op}` on a Typed value", where)
            if value.abstract is None:
                return value
            return TypedValue(rules.unary(UnaryOp.NEG, value.abstract))
        if value is OPAQUE:
            return OPAQUE
        if _is_number(value) or isinstance(value, bool):
            if op == "-":
                return -value  # type: ignore[operator]
            if op == "+":
                return +value  # type: ignore[operator]
            if op == "~" and isinstance(value, int):
                return ~value
        raise self.unsupported(f"unary `{op}` here", where)

    def _binary(self, op: str, left: Value, right: Value, where: Context) -> Value:
        if isinstance(left, TypedValue) or isinstance(right, TypedValue):
            return self._tnp_binary(op, left, right, where)
        if isinstance(left, ResultValue) or isinstance(right, ResultValue):
            raise self.unsupported(f"`{op}` on a TypedResult", where)
        if left is OPAQUE or right is OPAQUE:
            return OPAQUE
        function = _PLAIN_BINARY.get(op)
        if function is None:
            raise self.unsupported(f"the operator `{op}` here", where)
        self._check_int_size(op, left, right, where)
        try:
            return function(left, right)
        except (TypeError, ZeroDivisionError, OverflowError, ValueError):
            raise Stop(None) from None

    def _check_int_size(self, op: str, left: Value, right: Value, where: Context) -> None:
        """Stop (with the budget's note) before an integer would outgrow `_MAX_INT_BITS`."""
        if not (isinstance(left, int) and isinstance(right, int)):
            return
        bits = max(left.bit_length(), right.bit_length()) + 1
        if op == "*":
            bits = left.bit_length() + right.bit_length()
        elif op == "**" and right > 0 and abs(left) > 1:
            bits = left.bit_length() * min(right, _MAX_INT_BITS + 1)
        if bits > _MAX_INT_BITS:
            what = f"an integer outgrew {_MAX_INT_BITS} bits"
            raise Stop(stop_finding(StopReason.INTEGER, what, where.line, where.column))

    def _tnp_binary(self, op: str, left: Value, right: Value, where: Context) -> Value:
        tnp_op = _TNP_BINARY.get(op)
        if tnp_op is None:
            raise self.unsupported(f"the operator `{op}` on a Typed value", where)
        return self._tnp_apply(tnp_op, left, right, where)

    def _operand(self, value: Value, where: Context) -> rules.Abstract | rules.Scalar | None:
        """An operand of a tnp op as the core takes it; None when poisoned."""
        if isinstance(value, TypedValue):
            return value.abstract
        if _is_number(value):
            assert isinstance(value, (int, float))
            return value
        if value is OPAQUE:
            raise self.unsupported("an operand it does not know", where)
        raise self.unsupported(f"an operand of type {type(value).__name__}", where)

    def _tnp_apply(self, op: BinaryOp, left: Value, right: Value, where: Context) -> Value:
        a = self._operand(left, where)
        b = self._operand(right, where)
        if a is None or b is None:
            return TypedValue(None)
        try:
            return TypedValue(rules.binary(op, a, b))
        except Violation as err:
            self.report(err.diagnostic, where)
            return TypedValue(None)

    # -- calls ---------------------------------------------------------------------------------

    def _call_expr(self, frame: Frame, e: CallExpr) -> Value:
        callee = self.expr(frame, e.callee)
        args: list[Value] = []
        kwargs: dict[str, Value] = {}
        for arg, kind, name in zip(e.args, e.arg_kinds, e.arg_names, strict=True):
            value = self.expr(frame, arg)
            if kind == ARG_POS:
                args.append(value)
            elif kind == ARG_NAMED and name is not None:
                kwargs[name] = value
            elif kind == ARG_STAR and isinstance(value, (tuple, list, range)):
                args.extend(value)
            else:
                if callee is OPAQUE or (isinstance(callee, Builtin) and not self._is_tnp(callee)):
                    self._escape(value)
                    continue
                raise self.unsupported("`*args` or `**kwargs` in this call", arg)
        return self.call(frame, callee, args, kwargs, e)

    def _is_tnp(self, callee: Builtin) -> bool:
        return callee.fullname.split(".")[0] == "tnp_runtime"

    def call(
        self, frame: Frame, callee: Value, args: list[Value], kwargs: dict[str, Value],
        where: CallExpr,
    ) -> Value:
        if isinstance(callee, FunctionValue):
            if callee.kernel:
                return self._call_kernel(callee.node, args, kwargs, where)
            return self._inline(callee.node, args, kwargs, where)
        if isinstance(callee, BoundMethod):
            return self._method(callee, args, kwargs, where)
        if isinstance(callee, Builtin):
            return self._builtin(frame, callee.fullname, args, kwargs, where)
        if callee is OPAQUE:
            return self._opaque_call(args, kwargs)
        raise self.unsupported("a call of this value", where)

    def _opaque_call(self, args: list[Value], kwargs: dict[str, Value]) -> Value:
        for value in (*args, *kwargs.values()):
            self._escape(value)
        return OPAQUE

    def _builtin(
        self, frame: Frame, fullname: str, args: list[Value], kwargs: dict[str, Value],
        where: CallExpr,
    ) -> Value:
        module, _, last = fullname.rpartition(".")
        if fullname in names.TYPED or fullname in names.RANDN:
            return self._new_typed(fullname in names.RANDN, args, kwargs, where)
        if fullname in names.TYPED_RESULT:
            return self._new_result(frame, args, kwargs, where)
        if fullname in names.FULL_DIM or fullname in names.DIM_FUNCTION:
            return self._new_dim(args, kwargs, where)
        if fullname in names.EINSUM:
            return self._einsum(args, kwargs, where)
        if fullname in names.TNP_MAX:
            return self._tnp_max(args, kwargs, where)
        if fullname in names.REVEAL:
            return self._reveal(args, kwargs, where)
        if fullname in names.KERNEL:
            raise self.unsupported("a call of `kernel` other than as a decorator", where)
        if module in names.TNP_MODULES and last in names.TNP_UNARY:
            return self._tnp_unary(last, args, kwargs, where)
        if module.split(".")[0] in names.NUMERIC_MODULES and last in _MATH:
            return self._numeric(last, args, kwargs, where)
        if module == names.BUILTINS:
            return self._python_builtin(last, args, kwargs, where)
        if fullname.split(".")[0] == "tnp_runtime":
            raise self.unsupported(f"`{fullname}`", where)
        return self._opaque_call(args, kwargs)

    def _reveal(self, args: list[Value], kwargs: dict[str, Value], where: CallExpr) -> Value:
        """`tnp.reveal(x)`: the text the runtime prints, as a note."""
        if len(args) != 1 or kwargs:
            raise self.unsupported("this call of `reveal`", where)
        (value,) = args
        if isinstance(value, TypedValue) and value.abstract is not None:
            sizes = {
                s.name: s.dim.size
                for leaf in ir.inputs_of(value.abstract.expr)
                if isinstance(leaf, Input)
                for s in self._input_dims[leaf]
            }
            text = f"tnp.reveal: {reveal_text(value.abstract, sizes)}"
            self.reveals.setdefault(where.line, Finding(
                Diagnostic(Code.UNSUPPORTED, text), where.line, where.column, plain_note=True
            ))
        return value

    def _python_builtin(
        self, name: str, args: list[Value], kwargs: dict[str, Value], where: CallExpr
    ) -> Value:
        if name in _PURE_BUILTINS:
            return OPAQUE if name != "len" else self._len(args, where)
        if name == "range":
            if kwargs or not all(isinstance(a, int) for a in args) or not 1 <= len(args) <= 3:
                raise self.unsupported("a `range` whose bounds it does not know", where)
            try:
                return range(*[a for a in args if isinstance(a, int)])
            except ValueError:
                raise Stop(None) from None
        if name in ("min", "max", "abs", "int", "float", "round", "bool"):
            if kwargs or any(isinstance(a, (TypedValue, ResultValue)) for a in args):
                raise self.unsupported(f"`{name}` on tnp values", where)
            if any(a is OPAQUE for a in args):
                return OPAQUE
            function = _PLAIN_BUILTINS[name]
            try:
                return function(*args)
            except (TypeError, ValueError, OverflowError):
                raise Stop(None) from None
        if name in ("enumerate", "zip", "list", "tuple", "reversed") and any(
            a is OPAQUE for a in args
        ):
            return OPAQUE
        if name in ("enumerate", "zip", "list", "tuple", "reversed"):
            if kwargs or any(not isinstance(a, _ITERABLE) for a in args):
                raise self.unsupported(f"`{name}` of values it does not know", where)
            # Iterators stay lazy, as in Python: a loop over them costs one statement per turn
            # of the budget, and `list(range(10**9))` is built against the same budget.
            iterables = [a for a in args if isinstance(a, _ITERABLE)]
            if name == "enumerate" and len(iterables) == 1:
                return enumerate(iterables[0])
            if name == "zip":
                return zip(*iterables, strict=False)
            if name == "reversed" and len(iterables) == 1 and isinstance(
                iterables[0], (range, tuple, list)
            ):
                return reversed(iterables[0])
            if name in ("list", "tuple") and len(iterables) == 1:
                items: list[Value] = []
                for item in iterables[0]:
                    self._tick(where)
                    items.append(item)
                return items if name == "list" else tuple(items)
            raise self.unsupported(f"this call of `{name}`", where)
        if name == "sum":
            return comprehensions.builtin_sum(self, args, kwargs, where)
        if name == "isinstance":
            return self._isinstance(args, kwargs, where)
        if any(isinstance(v, (TypedValue, ResultValue)) for v in (*args, *kwargs.values())):
            raise self.unsupported(f"the builtin `{name}` on tnp values", where)
        return OPAQUE

    def _isinstance(self, args: list[Value], kwargs: dict[str, Value], where: CallExpr) -> Value:
        """`isinstance(x, Typed)` (or a tuple of classes) on a value the interpreter knows,
        as `assert isinstance(acc, Typed)` narrows an accumulator that started as `0`."""
        if kwargs or len(args) != 2 or args[0] is OPAQUE:
            raise self.unsupported("this call of `isinstance`", where)
        value, classes = args
        targets = classes if isinstance(classes, tuple) else (classes,)
        answers = [_instance_of(value, t) for t in targets]
        if any(answer is None for answer in answers):
            raise self.unsupported("`isinstance` with a class it does not know", where)
        return any(answers)

    def _len(self, args: list[Value], where: CallExpr) -> Value:
        if len(args) == 1 and isinstance(args[0], (tuple, list, str, range, dict, set)):
            return len(args[0])
        return OPAQUE

    def _numeric(
        self, name: str, args: list[Value], kwargs: dict[str, Value], where: CallExpr
    ) -> Value:
        if len(args) != 1 or kwargs:
            return self._opaque_call(args, kwargs)
        (value,) = args
        if isinstance(value, (TypedValue, ResultValue)):
            raise self.unsupported(f"numpy's or math's `{name}` on a tnp value", where)
        if not _is_number(value):
            return OPAQUE
        assert isinstance(value, (int, float))
        try:
            return _MATH[name](value)
        except (ValueError, OverflowError):
            raise Stop(None) from None

    def _dims_arguments(self, values: Sequence[Value], where: CallExpr) -> list[FullDim]:
        dims: list[FullDim] = []
        for value in values:
            if not isinstance(value, FullDim):
                raise self.unsupported("a dim it does not know", where)
            dims.append(value)
        return dims

    def _fresh_leaf(self, name: str | None, dims: DimType) -> Input:
        """A new input leaf, as `tnp_runtime.typed.register_input` makes it."""
        anonymous = name is None
        leaf = ir.new_input(
            f"#static{next(self._anonymous)}" if name is None else name,
            tuple(s.name for s in dims),
            anonymous,
        )
        self._input_dims[leaf] = dims
        return leaf

    def _input(self, name: str | None, dims: DimType) -> TypedValue:
        return TypedValue(rules.Abstract(dims, self._fresh_leaf(name, dims)))

    def _spec_input(self, leaf: Input) -> SpecInput:
        return SpecInput(leaf, self._input_dims[leaf])

    def _new_typed(
        self, randn: bool, args: list[Value], kwargs: dict[str, Value], where: CallExpr
    ) -> Value:
        dim_args = args if randn else args[1:]
        if not randn and not args:
            raise self.unsupported("`Typed()` without an array", where)
        unknown = set(kwargs) - ({"name", "seed"} if randn else {"name"})
        if unknown:
            raise self.unsupported(f"`Typed(..., {sorted(unknown)[0]}=...)`", where)
        name = kwargs.get("name")
        if name is not None and not isinstance(name, str):
            raise self.unsupported("a `name=` it does not know", where)
        dims = self._dims_arguments(dim_args, where)
        if len({d.name for d in dims}) != len(dims):
            raise self.unsupported("`Typed(...)` naming a dim twice", where)
        return self._input(name, tuple(d.full for d in dims))

    def _new_result(
        self, frame: Frame, args: list[Value], kwargs: dict[str, Value], where: CallExpr
    ) -> Value:
        spec = args[0] if len(args) == 1 and not kwargs else kwargs.get("spec")
        if not isinstance(spec, str):
            raise self.unsupported("a `TypedResult` whose spec it does not know", where)
        try:
            tracker = ResultTracker(spec)
        except SpecError as err:
            self.report(err.diagnostic, where)
            result = ResultValue(None, where.line, where.column, failed=True)
        else:
            result = ResultValue(tracker, where.line, where.column,
                                 scope_inputs=self._inputs_in_scope(frame))
        frame.results.append(result)
        return result

    def _inputs_in_scope(self, frame: Frame) -> tuple[Input, ...]:
        """The inputs bound to names in `frame` and the module's globals, in the order the
        runtime's `_inputs_in_scope` sees them (`{**globals, **locals}`)."""
        bound: dict[str, Value] = {}
        if self._module_frame is not None:
            bound.update(self._module_frame.variables)
        else:
            bound.update(self._module_inputs())
        bound.update(frame.variables)
        leaves = [
            value.abstract.expr
            for value in bound.values()
            if isinstance(value, TypedValue) and value.abstract is not None
        ]
        return tuple(dict.fromkeys(leaf for leaf in leaves if isinstance(leaf, Input)))

    def _new_dim(self, args: list[Value], kwargs: dict[str, Value], where: CallExpr) -> Value:
        values = list(args) + [kwargs[k] for k in ("name", "size") if k in kwargs]
        if len(values) != 2 or any(v is OPAQUE for v in values):
            raise self.unsupported("a dim whose name or size it does not know", where)
        try:
            return FullDim(values[0], values[1])  # type: ignore[arg-type]
        except (ValueError, TypeError):
            raise Stop(None) from None

    def _einsum(self, args: list[Value], kwargs: dict[str, Value], where: CallExpr) -> Value:
        if kwargs or not args or not isinstance(args[-1], str):
            raise self.unsupported("an `einsum` whose subscripts it does not know", where)
        *operands, subscripts = args
        assert isinstance(subscripts, str)
        abstracts: list[rules.Abstract] = []
        for operand in operands:
            if not isinstance(operand, TypedValue):
                raise self.unsupported("an `einsum` operand it does not know", where)
            if operand.abstract is None:
                return TypedValue(None)
            abstracts.append(operand.abstract)
        try:
            return TypedValue(rules.einsum(abstracts, subscripts).value)
        except Violation as err:
            self.report(err.diagnostic, where)
            return TypedValue(None)

    def _tnp_max(self, args: list[Value], kwargs: dict[str, Value], where: CallExpr) -> Value:
        if len(args) != 2 or kwargs:
            raise self.unsupported("this call of `max`", where)
        x, y = args
        if isinstance(x, TypedValue) or isinstance(y, TypedValue):
            return self._tnp_apply(BinaryOp.MAX, x, y, where)
        if x is OPAQUE or y is OPAQUE:
            return OPAQUE
        try:
            return max(x, y)  # type: ignore[call-overload]
        except TypeError:
            raise Stop(None) from None

    def _tnp_unary(
        self, name: str, args: list[Value], kwargs: dict[str, Value], where: CallExpr
    ) -> Value:
        if len(args) != 1 or kwargs:
            raise self.unsupported(f"this call of `{name}`", where)
        (x,) = args
        if isinstance(x, TypedValue):
            if x.abstract is None:
                return x
            return TypedValue(rules.unary(_TNP_UNARY[name], x.abstract))
        if _is_number(x):
            return self._numeric(name, args, kwargs, where)
        raise self.unsupported(f"`{name}` of a value it does not know", where)

    # -- methods ---------------------------------------------------------------------------------

    def _method(
        self, method: BoundMethod, args: list[Value], kwargs: dict[str, Value], where: CallExpr
    ) -> Value:
        receiver = method.receiver
        if isinstance(receiver, TypedValue):
            return self._typed_method(receiver, method.name, args, kwargs, where)
        if isinstance(receiver, ResultValue):
            if method.name == "assign" and len(args) == 1 and not kwargs:
                self._assign(receiver, args[0], where)
                return None
            if method.name == "bind":
                raise self.unsupported("`TypedResult.bind` outside a kernel call", where)
            raise self.unsupported(f"`TypedResult.{method.name}`", where)
        if isinstance(receiver, list):
            return self._list_method(receiver, method.name, args, kwargs, where)
        if isinstance(receiver, dict):
            return comprehensions.dict_method(self, receiver, method.name, args, kwargs, where)
        # Methods of plain values (str.format, an array's methods): no tnp effect.
        if any(isinstance(v, ResultValue) for v in (*args, *kwargs.values())):
            return self._opaque_call(args, kwargs)
        return OPAQUE

    def _list_method(
        self, items: list[Value], name: str, args: list[Value], kwargs: dict[str, Value],
        where: CallExpr,
    ) -> Value:
        """The list methods that change a list, followed; others stop the analysis."""
        if kwargs:
            raise self.unsupported(f"`list.{name}` with keywords", where)
        if name == "append" and len(args) == 1:
            items.append(args[0])
            return None
        if name == "extend" and len(args) == 1 and isinstance(args[0], (list, tuple, range)):
            items.extend(args[0])
            return None
        if name == "pop" and len(args) <= 1 and items:
            index = args[0] if args else -1
            if isinstance(index, int) and -len(items) <= index < len(items):
                return items.pop(index)
        if name in ("index", "count") and len(args) == 1:
            return OPAQUE
        raise self.unsupported(f"`list.{name}` here", where)

    def _typed_method(
        self, receiver: TypedValue, name: str, args: list[Value], kwargs: dict[str, Value],
        where: CallExpr,
    ) -> Value:
        if kwargs and name != "slice":
            raise self.unsupported(f"keyword arguments to `Typed.{name}`", where)
        for value in (*args, *kwargs.values()):
            if value is OPAQUE:
                raise self.unsupported(f"an argument of `Typed.{name}` it does not know", where)
        value = receiver.abstract
        if name == "maximum":
            if not args or len(args) > 2:
                raise self.unsupported("this call of `maximum`", where)
            if len(args) == 2 and args[1]:
                return self._tnp_apply(BinaryOp.MAX, args[0], receiver, where)
            return self._tnp_apply(BinaryOp.MAX, receiver, args[0], where)
        if value is None:
            return TypedValue(None)
        try:
            if name == "slice":
                return self._slice(value, args, kwargs, where)
            if name in ("sum", "max") and len(args) == 1:
                dim = args[0]
                if not isinstance(dim, (FullDim, Sliced)):
                    raise self.unsupported(f"`Typed.{name}` of a value that is not a dim", where)
                op = ReduceOp.SUM if name == "sum" else ReduceOp.MAX
                return TypedValue(rules.reduce(op, value, dim.name))
            if name == "repeat" and len(args) == 1:
                dim = args[0]
                if not isinstance(dim, (FullDim, Sliced)):
                    raise self.unsupported("`Typed.repeat` of a value that is not a dim", where)
                return TypedValue(rules.repeat(value, dim))
            if name == "rearrange":
                dims = self._dims_arguments(args, where)
                return TypedValue(rules.rearrange(value, [d.name for d in dims])[0])
        except Violation as err:
            self.report(err.diagnostic, where)
            return TypedValue(None)
        raise self.unsupported(f"`Typed.{name}` called this way", where)

    def _slice(
        self, value: rules.Abstract, args: list[Value], kwargs: dict[str, Value],
        where: CallExpr,
    ) -> Value:
        parameters = ["dim", "start", "stop"]
        bound: dict[str, Value] = dict(zip(parameters, args, strict=False))
        for key, item in kwargs.items():
            if key not in parameters or key in bound:
                raise self.unsupported("this call of `Typed.slice`", where)
            bound[key] = item
        dim = bound.get("dim")
        start, stop = bound.get("start"), bound.get("stop")
        if isinstance(dim, Sliced):
            if start is not None or stop is not None:
                raise Stop(None)  # the runtime raises TypeError
            name, start, stop = dim.name, dim.start, dim.stop
        elif isinstance(dim, FullDim):
            if not isinstance(start, int) or not isinstance(stop, int):
                raise self.unsupported("slice bounds it does not know", where)
            name = dim.name
        else:
            raise self.unsupported("`Typed.slice` of a value that is not a dim", where)
        return TypedValue(rules.slice_dim(value, name, int(start), int(stop)).value)

    def _assign(self, result: ResultValue, tile: Value, where: CallExpr) -> None:
        """`c.assign(tile)`: as `TypedResult.assign`, through the same `ResultTracker`."""
        if not isinstance(tile, TypedValue):
            raise self.unsupported("an `assign` of a value it does not know", where)
        tracker = result.tracker
        if tracker is None:
            return
        if tile.abstract is None:
            result.failed = True
            return
        abstract = tile.abstract
        try:
            tracker.assign(
                abstract,
                lambda: script_binding(
                    abstract.dims, abstract.expr, self._spec_input, result.scope_inputs
                ),
            )
        except Violation as err:
            result.failed = True
            self.report(err.diagnostic, where)
        except SpecError as err:
            result.failed = True
            self.report(err.diagnostic, where)

    # -- inlining --------------------------------------------------------------------------------

    def _bind(
        self, fn: FuncDef, args: list[Value], kwargs: dict[str, Value], where: CallExpr
    ) -> dict[str, Value]:
        bound: dict[str, Value] = {}
        positional = list(args)
        for argument in fn.arguments:
            name = argument.variable.name
            kind = argument.kind
            if kind in (ARG_POS, ARG_OPT) and positional:
                bound[name] = positional.pop(0)
            elif kind == ARG_STAR:
                bound[name] = tuple(positional)
                positional = []
            elif name in kwargs and kind in (ARG_POS, ARG_OPT, ARG_NAMED, ARG_NAMED_OPT):
                bound[name] = kwargs.pop(name)
            elif kind in (ARG_OPT, ARG_NAMED_OPT) and argument.initializer is not None:
                bound[name] = self.constant(argument.initializer)
            else:
                raise self.unsupported(f"this call of `{fn.name}`", where)
        if positional or kwargs:
            raise Stop(None)  # the runtime raises TypeError
        return bound

    @contextmanager
    def _deeper(self, where: Context) -> Iterator[None]:
        if self._depth >= _MAX_CALL_DEPTH:
            raise self.unsupported("calls nested this deep", where)
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1

    def _inline(
        self, fn: FuncDef, args: list[Value], kwargs: dict[str, Value], where: CallExpr
    ) -> Value:
        bound = self._bind(fn, args, kwargs, where)
        with self._deeper(where):
            frame = Frame(bound, fn)
            returned = self._execute_body(frame, fn.body.body)
            self._check_scope_results(frame, f"when `{fn.name}` returns")
        return returned

    def signature(self, fn: FuncDef) -> KernelSignature:
        """Resolve a kernel's annotations as `@kernel` does at definition; a fault is reported
        at the annotation and ends the analysis (the runtime raises when the module loads)."""
        cached = self._signatures.get(fn)
        if cached is not None:
            return cached
        # Its annotations may be aliases of another module, re-analysed without a re-parse.
        self.dependencies[fn.fullname] = str(symbols.type_text(fn))
        module_dims = self.module_dims()
        inputs: dict[str, DimType] = {}
        results: dict[str, str] = {}
        results_at: dict[str, Context] = {}
        arg_types: Sequence[Type | None] = (
            fn.type.arg_types if isinstance(fn.type, CallableType) else [None] * len(fn.arguments)
        )
        for argument, arg_type in zip(fn.arguments, arg_types, strict=False):
            name = argument.variable.name
            dims_text = symbols.annotation_text(arg_type, names.TYPED)
            if dims_text is not None:
                try:
                    inputs[name] = resolve_dims(dims_text, module_dims)
                except SpecError as err:
                    raise self._annotation_fault(err, argument) from None
                continue
            spec_text = symbols.annotation_text(arg_type, names.TYPED_RESULT)
            if spec_text is not None:
                results[name] = spec_text
                results_at[name] = argument
        signature = kernel_signature(
            module_dims,
            inputs,
            results,
            lambda name, err: self._annotation_fault(err, results_at[name]),
        )
        self._signatures[fn] = signature
        return signature

    def module_dims(self) -> dict[str, FullDim]:
        """The `FullDim`s the module defines or imports, by dim name (`module_dims` at run
        time): imported ones from their types, this module's from types or its tree."""
        found: dict[str, FullDim] = {}
        for name, symbol in self.tree.names.items():
            node = symbol.node
            if not isinstance(node, Var):
                continue
            value: Value
            if node.fullname == f"{self.tree.fullname}.{name}":
                value = self._module_constant(name, node)
            else:
                value = self._foreign(node.fullname, node)
            if isinstance(value, FullDim):
                found[value.name] = value
            elif self._may_be_dim(node):
                self._hidden_dims = True
        return found

    def _may_be_dim(self, node: Var) -> bool:
        """A module name that may hold a dim whose name or size the types do not say."""
        if node.type is None:
            return True
        proper = get_proper_type(node.type)
        return isinstance(proper, Instance) and proper.type.fullname in names.FULL_DIM

    def _annotation_fault(self, err: SpecError, where: Context) -> Stop:
        """A kernel annotation that does not resolve: `tnp-bad-spec`, unless some dim of the
        module is not known statically (then the fault may be the plugin's)."""
        if self._hidden_dims:
            return self.unsupported("the dims of this module (a dim's name or size is not a "
                                    "literal in its type)", where)
        self.report(err.diagnostic, where)
        return Stop(None)

    def _call_kernel(
        self, fn: FuncDef, args: list[Value], kwargs: dict[str, Value], where: CallExpr
    ) -> Value:
        """A call of a kernel, as `@kernel`'s wrapper runs it: check and rename the inputs,
        bind the results, run the body, check coverage at return (at the `def` line)."""
        signature = self.signature(fn)
        bound = self._bind(fn, args, kwargs, where)
        arguments: dict[str, rules.Abstract] = {}
        for name, declared in signature.inputs.items():
            value = bound[name]
            if not isinstance(value, TypedValue):
                raise self.unsupported(f"the argument {name} of kernel `{fn.name}`", where)
            if value.abstract is None:
                raise Stop(None)
            problem = argument_dims_diagnostic(fn.name, name, value.abstract.dims, declared.dims)
            if problem is not None:
                self.report(problem, where)
                raise Stop(None)
            arguments[name] = value.abstract
        results: list[ResultValue] = []
        trackers: dict[str, ResultTracker] = {}
        for name in signature.results:
            result = bound[name]
            if not isinstance(result, ResultValue):
                raise self.unsupported(f"the result {name} of kernel `{fn.name}`", where)
            if result.tracker is None:
                raise Stop(None)
            results.append(result)
            trackers[name] = result.tracker
        try:
            values = enter_kernel(fn.name, signature, arguments, trackers, self._fresh_leaf)
        except (Violation, SpecError) as err:
            for result in results:
                result.failed = True
            self.report(err.diagnostic, where)
            raise Stop(None) from None
        for name, abstract in values.items():
            if abstract is not arguments[name]:
                bound[name] = TypedValue(abstract)
        with self._deeper(where):
            frame = Frame(bound, fn)
            returned = self._execute_body(frame, fn.body.body)
            self._check_scope_results(frame, f"when `{fn.name}` returns")
        self._check_kernel_results(fn, results)
        return returned
