"""Analyse the scope being checked once, cache the findings, report them.

Hooks on tnp's API (`Typed(...)`, `TypedResult(...)`, `c.assign`, `einsum`, the `@kernel`
decorator) call `analyze` while mypy checks the scope that contains them. The scope (a kernel,
an annotated function, or the module) is interpreted once per version of the code it depends
on, and its findings are emitted from whichever hook fires first (see `report.emit` for the
once-per-line rule).

A cached analysis is reused only while everything its verdict depends on is unchanged:

- the module's statements. The daemon (dmypy) re-parses an edited module and merges the new
  tree into the old one (`mypy.server.astmerge`): the module and its top-level functions keep
  their identity but take the new statements, so the node alone does not tell versions apart.
  A re-parse always brings a new `defs` list, and the entry holds the list it was made from;
  any edit of the module (a helper the scope inlines, a constant, a line moved) re-analyses.
- the types of the names it read from types (another module's dims and constants, this
  module's dims) and the signatures of the kernels it resolved: the daemon re-checks a
  function without re-parsing when a name it uses changes in another module.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from mypy.checker import TypeChecker
from mypy.nodes import Decorator, FuncDef, FuncItem, MypyFile, Statement
from mypy.plugin import FunctionContext, MethodContext
from mypy.types import CallableType, Instance, Type, get_proper_type

from tnp_mypy import names, times
from tnp_mypy.compat import current_function
from tnp_mypy.config import Config
from tnp_mypy.guard import reraise
from tnp_mypy.interpreter import symbols
from tnp_mypy.interpreter import writes as writes_module
from tnp_mypy.interpreter.evaluator import Interpreter
from tnp_mypy.report import Finding, StopReason, emit, internal_diagnostic
from tnp_runtime.core import tables
from tnp_runtime.core.diagnostics import Diagnostic


@dataclass(slots=True)
class _Analysis:
    """The findings of one scope. Holding `node` and `statements` keeps their ids unique, so
    an identity test against them cannot match a newer object."""

    node: FuncItem | MypyFile
    # The module's top-level statements when it was analysed (see the module docstring).
    statements: list[Statement]
    findings: list[Finding]
    # Full name -> `symbols.type_text` of each name whose type the verdict read.
    dependencies: dict[str, str]
    seconds: float


# (module, scope) -> the latest analysis of that scope. Bounded by the scopes of the current
# code: analysing a scope drops its module's entries made from older statements (`_prune`).
_CACHE: dict[tuple[str, str], _Analysis] = {}
tables.register("plugin.analyses", _CACHE, "none: stale entries are dropped", clear=False)


def _current(api: TypeChecker, cached: _Analysis | None, node: FuncItem | MypyFile) -> bool:
    if cached is None or cached.node is not node or cached.statements is not api.tree.defs:
        return False
    for fullname, shown in cached.dependencies.items():
        module, _, name = fullname.rpartition(".")
        tree = api.modules.get(module)
        symbol = tree.names.get(name) if tree is not None else None
        if symbol is None or symbols.type_text(symbol.node) != shown:
            return False
    return True


def _run(api: TypeChecker, config: Config, node: FuncItem | MypyFile, kind: str) -> list[Finding]:
    tree = api.tree
    key = (tree.fullname, kind + ":" + (node.fullname if isinstance(node, FuncDef) else ""))
    if isinstance(node, FuncItem):
        key = (key[0], f"{key[1]}@{node.line}")
    cached = _CACHE.get(key)
    if not _current(api, cached, node):
        started = time.monotonic()
        _prune(tree)
        # No value of an earlier analysis survives it (an analysis keeps only findings, which
        # are text), so the core's tables may be emptied: see `tnp_runtime.core.tables`.
        tables.reset_if_idle()
        interpreter = Interpreter(tree, config)
        try:
            with tables.checking():
                findings = _interpret(interpreter, node, kind)
            findings = [stop_severity(config, api.tree, node, kind, f) for f in findings]
        except Exception as err:
            if reraise():
                raise
            findings = [Finding(internal_diagnostic(err), node.line, node.column)]
        seconds = time.monotonic() - started
        times.record(tree.fullname, node.fullname or tree.fullname, kind, node.line, seconds,
                     interpreter.statements, findings)
        # Returned from the local: another check in this process (a language server's thread)
        # may prune or replace the entry at once.
        _CACHE[key] = analysis = _Analysis(node, tree.defs, findings,
                                           dict(interpreter.dependencies), seconds)
        return analysis.findings
    assert cached is not None
    return cached.findings


def _interpret(interpreter: Interpreter, node: FuncItem | MypyFile, kind: str) -> list[Finding]:
    if kind == "kernel":
        assert isinstance(node, FuncDef)
        return interpreter.run_kernel(node)
    if kind == "function":
        assert isinstance(node, FuncDef)
        findings = interpreter.run_function(node)
        if node.arguments:
            # Alone, a function's parameters are unknown; where it is called with known
            # arguments it is inlined and followed. Its own "cannot follow" note would mostly
            # be about its parameters: not shown.
            findings = [f for f in findings if not _cannot_follow(f)]
        return findings
    return interpreter.run_module()


def _prune(tree: MypyFile) -> None:
    """Drop the module's entries made from other statements than its current ones: `_current`
    never accepts them again, and each holds a whole old syntax tree."""
    stale = [key for key, analysis in _CACHE.items()
             if key[0] == tree.fullname and analysis.statements is not tree.defs]
    for key in stale:
        del _CACHE[key]


def stop_severity(
    config: Config, tree: MypyFile, node: FuncItem | MypyFile, kind: str, finding: Finding
) -> Finding:
    """`finding` as it is shown. A `tnp-unsupported` finding ends the static check of its scope:
    where the scope writes a result, the rest of its tiles went unchecked, so it is an error
    (unless `unsupported = "note"`), with a note that says so; where the scope writes nothing,
    nothing was missed that mypy could report, and it stays a note."""
    if not finding.diagnostic.code.may_be_note or finding.plain_note:
        return finding
    if kind == "kernel":
        assert isinstance(node, FuncDef)
        writes = writes_module.kernel_writes(node) or writes_module.scope_writes(tree, node)
    else:
        assert isinstance(node, (FuncDef, MypyFile))
        writes = writes_module.scope_writes(tree, node)
    if not (writes and config.stop_is_error):
        finding.as_note = True
        return finding
    diagnostic = finding.diagnostic
    note = ("this scope writes a result and mypy did not check all of it; "
            '`unsupported = "note"` in [tool.tnp_mypy] shows this as a note instead')
    finding.diagnostic = Diagnostic(diagnostic.code, diagnostic.message,
                                    (*diagnostic.notes, note))
    return finding


def _cannot_follow(finding: Finding) -> bool:
    return finding.stop is StopReason.CONSTRUCT


def _report(api: TypeChecker, findings: list[Finding]) -> None:
    for finding in findings:
        emit(api, finding)


def _kernel_of(api: TypeChecker, fn: FuncItem) -> bool:
    """True if `fn` is a module-level function decorated with `@tnp.kernel`."""
    symbol = api.tree.names.get(fn.name) if isinstance(fn, FuncDef) else None
    node = symbol.node if symbol is not None else None
    return isinstance(node, Decorator) and node.func is fn and symbols.is_kernel(node)


def _takes_tnp_values(fn: FuncDef) -> bool:
    """A function whose parameters are tnp values is checked where it is called (inlined)."""
    arg_types = fn.type.arg_types if isinstance(fn.type, CallableType) else []
    for arg_type in arg_types:
        proper = get_proper_type(arg_type)
        if isinstance(proper, Instance) and proper.type.fullname in (
            names.TYPED | names.TYPED_RESULT
        ):
            return True
    return False


# tnp's own modules build tnp values generically; they are checked by their tests, not here.
_OWN_PACKAGES = ("tnp_runtime", "tnp_mypy")


def scope_findings(api: TypeChecker, config: Config) -> list[Finding]:
    """The findings of the scope mypy is checking now (empty if it is not analysed)."""
    if api.tree.fullname.split(".")[0] in _OWN_PACKAGES:
        return []
    fn = current_function(api)
    if fn is None:
        return _run(api, config, api.tree, "module")
    if not isinstance(fn, FuncDef) or fn.fullname != f"{api.tree.fullname}.{fn.name}":
        return []  # a lambda, a method or a nested function: followed where it is called
    if _kernel_of(api, fn):
        return _run(api, config, fn, "kernel")
    if _takes_tnp_values(fn):
        return []
    return _run(api, config, fn, "function")


def analyze(config: Config, ctx: FunctionContext | MethodContext) -> None:
    """Hooked on a call of tnp's API: analyse the enclosing scope (once) and report."""
    if isinstance(ctx.api, TypeChecker):
        _report(ctx.api, scope_findings(ctx.api, config))


def analyze_call(config: Config, ctx: FunctionContext) -> Type:
    analyze(config, ctx)
    return ctx.default_return_type


def analyze_method(config: Config, ctx: MethodContext) -> Type:
    analyze(config, ctx)
    return ctx.default_return_type


def analyze_kernel(config: Config, ctx: FunctionContext) -> Type:
    """Hooked on the `@tnp.kernel` decorator: analyse the kernel it decorates."""
    api = ctx.api
    if isinstance(api, TypeChecker) and isinstance(ctx.context, Decorator):
        fn = ctx.context.func
        if fn.fullname == f"{api.tree.fullname}.{fn.name}":
            _report(api, _run(api, config, fn, "kernel"))
    return ctx.default_return_type
