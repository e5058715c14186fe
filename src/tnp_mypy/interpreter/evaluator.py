"""The abstract interpreter: runs a scope's statements on abstract values, as the runtime would.

Integers are concrete, so loops unroll and conditions on known values are followed. Every tnp
operation is the core's own function (`rules`, `ResultTracker`, `resolve_dims`/`resolve_spec`,
`calls`, `inputs`) applied to the same `Abstract` values the runtime holds: the interpreter
decides only *which* core function runs, never what it concludes. Violations become `Finding`s
at the line the runtime would report; anything the interpreter cannot follow (and the budget)
raises `Stop` with one `tnp-unsupported` finding, and nothing after it is reported (an error or
a note: see `features.analysis.stop_severity`).

The work is split by job, each module a set of functions of the `Interpreter`:

- `control`: frames, blocks, loops and branches, `return`/`break`/`continue`, the budget;
- `statements`: the statements, assignments and stores, refused writes to typed data;
- `expressions`: the expressions, names, attributes, subscripts, operators, calls;
- `module_scope`: names outside the running frames (module constants and dims, imports);
- `python_builtins`: Python's builtins and number functions, list and dict methods;
- `tnp_api`: tnp's API, one table from full name to handler;
- `kernels`: a kernel's signature and calls, and the inlining of the module's helpers;
- `comprehensions`: comprehensions and `sum` over them.

This class holds the state of one module's analysis and its entry points only.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from mypy.nodes import Context, Expression, ForStmt, FuncDef, MypyFile

from tnp_mypy.config import Config
from tnp_mypy.interpreter import control, expressions, kernels, module_scope
from tnp_mypy.interpreter.control import Frame, Stop
from tnp_mypy.interpreter.induction import LoopShape
from tnp_mypy.interpreter.speculation import Abandon, Speculation
from tnp_mypy.interpreter.values import OPAQUE, Value
from tnp_mypy.report import Finding, StopReason, stop_finding
from tnp_runtime.core.assertion import KernelScope
from tnp_runtime.core.calls import KernelSignature
from tnp_runtime.core.diagnostics import Code, Diagnostic
from tnp_runtime.core.inputs import InputRegistry

__all__ = ["Frame", "Interpreter", "Stop"]


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
        # The running loops' variables and values (a finding says "when i = 4").
        self.loops: list[tuple[str, Value]] = []
        # The budget: statements run so far, and the clock's limit.
        self.statements = 0
        self.deadline = time.monotonic() + config.max_seconds
        # The inputs made in this analysis (`Typed(...)`, kernel parameters), with their dims.
        self.inputs = InputRegistry("#static")
        self.assignments: dict[str, Expression] | None = None
        self.constants: dict[str, Value] = {}
        self.constants_in_progress: set[str] = set()
        self.module_frame: Frame | None = None
        self.depth = 0
        self.signatures: dict[FuncDef, KernelSignature] = {}
        # The kernel calls running, innermost last: `tnp.assert_spec` resolves against the
        # innermost one's parameters (none: script form).
        self.kernel_scopes: list[KernelScope] = []
        # Set when a module name may be a dim the types do not describe (see `module_dims`).
        self.hidden_dims = False
        # The open speculative runs, innermost last (`speculation`, `induction`), and the
        # number of findings reported so far (a loop's driver compares it around iterations).
        self.speculations: list[Speculation] = []
        self.reports = 0
        # What `induction` read of each loop's body, per loop statement.
        self.loop_shapes: dict[ForStmt, LoopShape] = {}

    # -- entry points ------------------------------------------------------------------------

    def run_module(self) -> list[Finding]:
        """Script form at module level."""
        frame = Frame({}, None)
        self.module_frame = frame
        return self._run(lambda: self._scope(frame, "at the end of the module"))

    def run_function(self, fn: FuncDef) -> list[Finding]:
        """Script form in an annotated function: parameters are unknown values."""
        frame = Frame({name: OPAQUE for name in fn.arg_names if name is not None}, fn)
        return self._run(lambda: self._scope(frame, f"when `{fn.name}` returns"))

    def run_kernel(self, fn: FuncDef) -> list[Finding]:
        """Kernel form: the parameters are the inputs and results the annotations declare."""
        return self._run(lambda: kernels.run_kernel(self, fn))

    def constant(self, e: Expression) -> Value:
        """A module-level expression's value if it is a constant (see `module_scope`)."""
        return module_scope.constant(self, e)

    def _scope(self, frame: Frame, when: str) -> None:
        body = self.tree.defs if frame.function is None else frame.function.body.body
        control.execute_body(self, frame, body)
        kernels.check_scope_end(self, frame, when)

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

    # -- what the modules of the interpreter call --------------------------------------------

    def expr(self, frame: Frame, e: Expression) -> Value:
        """The value of `e` in `frame` (see `expressions`)."""
        return expressions.evaluate(self, frame, e)

    def report(self, diagnostic: Diagnostic, where: Context) -> None:
        """A finding at `where`'s line; the same (line, code) again only adds its loop context."""
        if self.speculations:
            raise Abandon(f"line {where.line}: {diagnostic.message}")
        self.reports += 1
        key = (where.line, diagnostic.code)
        finding = self.findings.get(key)
        if finding is None:
            finding = Finding(diagnostic, where.line, where.column)
            self.findings[key] = finding
        finding.occurred(", ".join(f"{name} = {value}" for name, value in self.loops))

    def unsupported(self, what: str, where: Context) -> Stop:
        """The `Stop` for code the interpreter cannot follow."""
        return Stop(stop_finding(StopReason.CONSTRUCT, what, where.line, where.column))
