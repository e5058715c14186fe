"""Edits to a module's concrete syntax tree, and applying a set of them in one pass.

A proposal's edits name nodes of one parsed tree (`source.Source.module`) by identity: a node to
replace, statements to insert after a statement, and imports the new code needs. Edits of
several proposals apply together (they touch different nodes; the engine never combines two
edits of one node), in one transformation, so the positions every proposal was computed from
stay those of the text it read. Everything the edits do not name is left as it was written:
libcst reprints untouched nodes byte for byte, comments and formatting included.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import libcst as cst


@dataclass(frozen=True, slots=True)
class Need:
    """An import the new code needs: `from MODULE import NAME` (`alias` None), or `import
    MODULE as ALIAS` (`name` None)."""

    module: str
    name: str | None = None
    alias: str | None = None


@dataclass(frozen=True, slots=True)
class Edits:
    """Replacements (original node, new node), insertions (original statement, statements to
    put after it; statements to put before it) and the imports they need."""

    replace: tuple[tuple[cst.CSTNode, cst.CSTNode], ...] = ()
    after: tuple[tuple[cst.BaseStatement, tuple[cst.BaseStatement, ...]], ...] = ()
    before: tuple[tuple[cst.BaseStatement, tuple[cst.BaseStatement, ...]], ...] = ()
    needs: tuple[Need, ...] = ()


class _Apply(cst.CSTTransformer):
    def __init__(self, edits: Sequence[Edits]) -> None:
        super().__init__()
        self.replace: dict[int, cst.CSTNode] = {}
        self.after: dict[int, list[cst.BaseStatement]] = {}
        self.before: dict[int, list[cst.BaseStatement]] = {}
        for edit in edits:
            for statement, added in edit.before:
                self.before.setdefault(id(statement), []).extend(added)
            for old, new in edit.replace:
                self.replace[id(old)] = new
            for statement, added in edit.after:
                self.after.setdefault(id(statement), []).extend(added)

    def on_leave(  # type: ignore[override]
        self, original_node: cst.CSTNode, updated_node: cst.CSTNode
    ) -> cst.CSTNode:
        replaced = self.replace.get(id(original_node))
        result = updated_node if replaced is None else replaced
        if isinstance(result, cst.IndentedBlock | cst.Module) and isinstance(
            original_node, cst.IndentedBlock | cst.Module
        ):
            result = self._insert(original_node.body, result)
        return result

    def _insert(self, originals: Sequence[cst.CSTNode], block: cst.IndentedBlock | cst.Module
                ) -> cst.IndentedBlock | cst.Module:
        if not any(id(s) in self.after or id(s) in self.before for s in originals):
            return block
        body: list[cst.BaseStatement] = []
        for original, updated in zip(originals, block.body, strict=True):
            inserted = self.before.get(id(original), ())
            statement = cst.SimpleStatementLine | cst.BaseCompoundStatement
            if inserted and isinstance(updated, statement):
                # The comments and blank lines above the statement stay above the insertion.
                inserted = [inserted[0].with_changes(leading_lines=updated.leading_lines),
                            *inserted[1:]]
                updated = updated.with_changes(leading_lines=())
            body.extend(inserted)
            body.append(updated)
            body.extend(self.after.get(id(original), ()))
        return block.with_changes(body=body)


def apply(module: cst.Module, edits: Sequence[Edits]) -> cst.Module:
    """`module` with every edit made, then the imports they need added."""
    changed = module.visit(_Apply(edits))
    assert isinstance(changed, cst.Module)
    needs: list[Need] = []
    for edit in edits:
        needs.extend(n for n in edit.needs if n not in needs)
    return add_imports(changed, needs)


def add_imports(module: cst.Module, needs: Iterable[Need]) -> cst.Module:
    """`module` with each needed import made available: a name joins an existing top-level
    `from MODULE import ...` (at its sorted place if the names were sorted), else a new import
    goes after the module's last top-level import of MODULE, else after its last import."""
    for need in needs:
        if _has(module, need):
            continue
        module = _add(module, need)
    return module


def _top_imports(module: cst.Module) -> list[tuple[int, cst.Import | cst.ImportFrom]]:
    found: list[tuple[int, cst.Import | cst.ImportFrom]] = []
    for index, statement in enumerate(module.body):
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Import | cst.ImportFrom):
                    found.append((index, small))
    return found


def dotted(node: cst.BaseExpression | None) -> str:
    """`a.b.c` for a Name or Attribute chain; "" for anything else."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = dotted(node.value)
        return f"{head}.{node.attr.value}" if head else ""
    return ""


def _has(module: cst.Module, need: Need) -> bool:
    for _, imp in _top_imports(module):
        if need.name is not None and isinstance(imp, cst.ImportFrom):
            if dotted(imp.module) == need.module and not isinstance(imp.names, cst.ImportStar):
                if any(alias.evaluated_name == need.name and alias.asname is None
                       for alias in imp.names):
                    return True
        if need.name is None and isinstance(imp, cst.Import):
            for alias in imp.names:
                bound = alias.evaluated_alias or alias.evaluated_name
                if alias.evaluated_name == need.module and bound == (need.alias or need.module):
                    return True
    return False


def _add(module: cst.Module, need: Need) -> cst.Module:
    imports = _top_imports(module)
    if need.name is not None:
        for index, imp in imports:
            if (isinstance(imp, cst.ImportFrom) and dotted(imp.module) == need.module
                    and not isinstance(imp.names, cst.ImportStar)):
                return _join(module, index, imp, need.name)
        text = f"from {need.module} import {need.name}\n"
    else:
        text = f"import {need.module}" + (f" as {need.alias}" if need.alias else "") + "\n"
    statement = cst.parse_statement(text)
    same = [i for i, imp in imports if _module_of(imp) == need.module]
    at = (same or [i for i, _ in imports] or [_after_docstring(module) - 1])[-1] + 1
    body = [*module.body[:at], statement, *module.body[at:]]
    return module.with_changes(body=body)


def _module_of(imp: cst.Import | cst.ImportFrom) -> str:
    if isinstance(imp, cst.ImportFrom):
        return dotted(imp.module)
    return dotted(imp.names[0].name)


def _after_docstring(module: cst.Module) -> int:
    """The index of the first statement after the module's docstring and __future__ imports."""
    at = 0
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            break
        small = statement.body[0]
        docstring = isinstance(small, cst.Expr) and isinstance(small.value, cst.SimpleString)
        future = isinstance(small, cst.ImportFrom) and dotted(small.module) == "__future__"
        if not (docstring or future):
            break
        at += 1
    return at


def _join(module: cst.Module, index: int, imp: cst.ImportFrom, name: str) -> cst.Module:
    """`module` with `name` added to the names of `imp` (statement `index` of the module)."""
    assert not isinstance(imp.names, cst.ImportStar)
    names = list(imp.names)
    shown = [alias.evaluated_name for alias in names]
    at = len(names)
    if shown == sorted(shown):
        at = next((i for i, n in enumerate(shown) if n > name), len(names))
    new = cst.ImportAlias(name=cst.Name(name))
    if at < len(names):
        # The comma of a neighbour keeps the list's layout (one line, or one name a line).
        neighbour = names[at - 1] if at > 0 else names[at]
        comma = neighbour.comma if isinstance(neighbour.comma, cst.Comma) else cst.Comma(
            whitespace_after=cst.SimpleWhitespace(" "))
        names.insert(at, new.with_changes(comma=comma))
    else:
        last = names[-1]
        comma = last.comma if isinstance(last.comma, cst.Comma) else cst.Comma(
            whitespace_after=cst.SimpleWhitespace(" "))
        names[-1] = last.with_changes(comma=comma)
        names.append(new.with_changes(comma=cst.MaybeSentinel.DEFAULT))
    statement = module.body[index]
    assert isinstance(statement, cst.SimpleStatementLine)
    body = [imp.with_changes(names=names) if small is imp else small for small in statement.body]
    return module.with_changes(body=[
        *module.body[:index], statement.with_changes(body=body), *module.body[index + 1:]
    ])
