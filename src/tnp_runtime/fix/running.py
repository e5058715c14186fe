"""Running values that start as plain numbers and become tiles (`row_sum = 0`, then `row_sum =
row_sum * rescale + p.sum(nctx)` in a loop): annotated `row_sum: Typed | float = 0`, and
`assert isinstance(row_sum, Typed)` inserted after the loop when the value is used after it.

The finding is mypy's own error about the value: an `[assignment]` of a Typed to the name in the
loop ('expression has type "Typed[...]", variable has type "int"'), or an error at a use of the
name that says it is a number where a Typed is needed ('"int" has no attribute "repeat"', an
argument or operand of type "float" where "Typed" is expected). The name must be first bound, in
its function (or at the module's top level), to a plain number (`0`, `0.0`, `-np.inf`,
`float("-inf")`) and rebound in a later loop of the same block; anything else is reported, not
guessed. The edit changes no value: the annotation is not run, and the assert fails loudly, at
run time, if the value is still a number after the loop (a loop that ran no iteration).
"""

from __future__ import annotations

import re
from typing import Final

import libcst as cst

import tnp_runtime
from tnp_runtime.fix.edits import Edits, Need, dotted
from tnp_runtime.fix.findings import Finding
from tnp_runtime.fix.proposal import Plan, Proposal, Unfixed
from tnp_runtime.fix.source import Source

_NUMBER: Final = re.compile(
    r"^[-+]?\s*(?:\d[\d_]*\.?[\d_]*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?"
    r"|(?:np|numpy|math)\.inf|float\((?P<q>['\"])[-+]?inf(?P=q)\))$"
)
_NUMBER_TYPE: Final = re.compile(r'"(?:int|float)"')
_NO_ATTRIBUTE: Final = re.compile(r'has no attribute "(?P<attr>\w+)"')
_LOOPS: Final = (cst.For, cst.While)


def _typed_members() -> frozenset[str]:
    return frozenset(n for n in dir(tnp_runtime.Typed) if not n.startswith("_"))


def _says_tile(finding: Finding) -> bool:
    """True if the finding says a number stands where a Typed is needed."""
    if finding.code == "assignment":
        return 'expression has type "Typed' in finding.message and bool(
            _NUMBER_TYPE.search(finding.message))
    if not _NUMBER_TYPE.search(finding.message):
        return False
    attr = _NO_ATTRIBUTE.search(finding.message)
    if attr is not None:
        return attr["attr"] in _typed_members()
    return "Typed" in finding.message


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def _assigned_names(node: cst.CSTNode) -> list[str]:
    match node:
        case cst.Assign():
            return [t.target.value for t in node.targets if isinstance(t.target, cst.Name)]
        case cst.AnnAssign() | cst.AugAssign():
            return [node.target.value] if isinstance(node.target, cst.Name) else []
    return []


def trigger_name(source: Source, finding: Finding) -> cst.Name | None:
    """The name the finding is about: the target of the assignment at its line, or the name
    that starts at its column."""
    if finding.code == "assignment" and "variable has type" in finding.message:
        for node in source.nodes((cst.Assign, cst.AugAssign)):
            if source.range(node).start.line == finding.line:
                names = [t for t in _targets(node)]
                if len(names) == 1:
                    return names[0]
        return None
    if finding.column is None:
        return None
    for node in source.nodes(cst.Name):
        position = source.range(node).start
        if position.line == finding.line and position.column == finding.column - 1:
            assert isinstance(node, cst.Name)
            return node
    return None


def _targets(node: cst.CSTNode) -> list[cst.Name]:
    match node:
        case cst.Assign():
            return [t.target for t in node.targets if isinstance(t.target, cst.Name)]
        case cst.AugAssign():
            return [node.target] if isinstance(node.target, cst.Name) else []
    return []


def typed_name(source: Source) -> tuple[str, Need | None]:
    """How the module can write `Typed`, and the import needed for it (None if it has one)."""
    for node in source.nodes(cst.ImportFrom):
        assert isinstance(node, cst.ImportFrom)
        if dotted(node.module) == "tnp_runtime" and not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                if alias.evaluated_name == "Typed":
                    return alias.evaluated_alias or "Typed", None
    return "Typed", Need("tnp_runtime", "Typed")


def propose(source: Source, finding: Finding) -> Plan:
    if not _says_tile(finding):
        return Plan()
    name = trigger_name(source, finding)
    if name is None:
        return Plan()
    value = name.value
    scope = source.scope_of(name)
    binding = first_binding(source, scope, value)
    if binding is None:
        return Plan()
    statement = source.enclosing(binding, cst.SimpleStatementLine)
    block = source.parents.get(statement) if statement is not None else None
    if statement is None or not isinstance(block, cst.IndentedBlock | cst.Module):
        return Plan()
    annotated = isinstance(binding, cst.AnnAssign)
    if not annotated:
        assert isinstance(binding, cst.Assign)
        if len(binding.targets) != 1 or not _NUMBER.match(_code(binding.value).strip()):
            return Plan(unfixed=(Unfixed(finding.line, f"`{value}` is first bound to "
                                         f"`{_code(binding.value).strip()}`, not a plain number: "
                                         "annotate it by hand"),))
    elif "Typed" not in _code(binding):
        return Plan()
    body: list[cst.CSTNode] = list(block.body)
    after = body[body.index(statement) + 1:]
    loops = [s for s in after if isinstance(s, _LOOPS) and _rebinds(s, value)
             and source.range(s).start.line <= finding.line]
    if not loops:
        return Plan(unfixed=(Unfixed(finding.line, f"`{value}` starts as a number, but no loop "
                                     "after it in the same block rebinds it: fix it by hand"),))
    loop = loops[-1]
    assert isinstance(loop, cst.BaseStatement)
    typed, need = typed_name(source)
    replace: tuple[tuple[cst.CSTNode, cst.CSTNode], ...] = ()
    what = []
    if not annotated:
        assert isinstance(binding, cst.Assign)
        new = cst.AnnAssign(
            target=cst.Name(value),
            annotation=cst.Annotation(cst.parse_expression(f"{typed} | float")),
            value=binding.value,
        )
        replace = ((binding, new),)
        what.append(f"annotate `{value}: {typed} | float`")
    insert: tuple[tuple[cst.BaseStatement, tuple[cst.BaseStatement, ...]], ...] = ()
    if _used_after(source, scope, value, loop) and not _asserted(body, loop, value):
        check = cst.parse_statement(f"assert isinstance({value}, {typed})\n")
        insert = ((loop, (check,)),)
        what.append(f"assert `{value}` is {typed} after the loop")
    if not what:
        return Plan()
    line = source.range(binding).start.line
    key = f"running:{id(scope)}:{value}"
    return Plan((Proposal(line, " and ".join(what), key,
                          Edits(replace=replace, after=insert,
                                needs=(need,) if need else ())),))


def first_binding(source: Source, scope: cst.FunctionDef | None, value: str
                   ) -> cst.CSTNode | None:
    for node in source.nodes((cst.Assign, cst.AnnAssign, cst.AugAssign)):
        if source.scope_of(node) is scope and value in _assigned_names(node):
            return node
    return None


def _rebinds(loop: cst.CSTNode, value: str) -> bool:
    found = False

    class _Visitor(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False

        def on_visit(self, node: cst.CSTNode) -> bool:
            nonlocal found
            if value in _assigned_names(node):
                found = True
            return super().on_visit(node)

    loop.visit(_Visitor())
    return found


def _used_after(source: Source, scope: cst.FunctionDef | None, value: str,
                loop: cst.CSTNode) -> bool:
    end = source.range(loop).end
    for node in source.nodes(cst.Name):
        assert isinstance(node, cst.Name)
        start = source.range(node).start
        if node.value == value and (start.line, start.column) > (end.line, end.column) and (
                source.scope_of(node) is scope):
            return True
    return False


def _asserted(body: list[cst.CSTNode], loop: cst.BaseStatement, value: str) -> bool:
    """True if the asserts right after `loop` already test `isinstance(value, ...)`."""
    for statement in body[body.index(loop) + 1:]:
        if not (isinstance(statement, cst.SimpleStatementLine)
                and all(isinstance(s, cst.Assert) for s in statement.body)):
            return False
        if f"isinstance({value}," in _code(statement).replace(" ", ""):
            return True
    return False
