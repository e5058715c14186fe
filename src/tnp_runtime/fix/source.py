"""A module's text parsed once, with the positions and scopes the fixes look things up by.

Positions are libcst's: 1-based lines, 0-based columns. mypy prints 1-based columns, so a
finding's column `c` is the node starting at column `c - 1`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, ParentNodeProvider, PositionProvider


class Unparsable(Exception):
    """The text is not Python libcst can parse: `line` (1-based) and the parser's message."""

    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.column = column
        self.message = message


@dataclass(frozen=True, slots=True)
class Literal:
    """A string literal (one, or several written side by side): its node, its value, and each
    part's node with the offset of its body in the value. `editable` is False when a part's body
    is not its value character for character (an escape sequence, bytes, an f-string)."""

    node: cst.BaseExpression
    value: str
    parts: tuple[tuple[cst.SimpleString, int], ...]
    editable: bool


class Source:
    """`text` parsed (`Unparsable` if it cannot be), with positions and parents of its nodes."""

    def __init__(self, text: str) -> None:
        self.text = text
        try:
            # Python's own parser first: its message and position are the ones users know.
            ast.parse(text)
        except SyntaxError as err:
            raise Unparsable(err.lineno or 1, (err.offset or 1) - 1, err.msg) from None
        except ValueError as err:  # a null byte
            raise Unparsable(1, 0, str(err)) from None
        try:
            parsed = cst.parse_module(text)
        except cst.ParserSyntaxError as err:
            raise Unparsable(err.raw_line, err.raw_column, err.message) from None
        wrapper = MetadataWrapper(parsed)
        self.module = wrapper.module
        self.positions = wrapper.resolve(PositionProvider)
        self.parents = wrapper.resolve(ParentNodeProvider)

    def range(self, node: cst.CSTNode) -> CodeRange:
        return self.positions[node]

    def nodes(self, kind: type[cst.CSTNode] | tuple[type[cst.CSTNode], ...]
              ) -> Iterator[cst.CSTNode]:
        """Every node of `kind`, in source order."""
        found = [node for node in self.positions if isinstance(node, kind)]
        found.sort(key=lambda n: (self.positions[n].start.line, self.positions[n].start.column))
        return iter(found)

    def functions(self) -> list[cst.FunctionDef]:
        return [n for n in self.nodes(cst.FunctionDef) if isinstance(n, cst.FunctionDef)]

    def scope_at(self, line: int) -> cst.FunctionDef | None:
        """The innermost function whose text (decorators included) holds `line`."""
        best: cst.FunctionDef | None = None
        for fn in self.functions():
            if self.function_lines(fn)[0] <= line <= self.function_lines(fn)[1]:
                best = fn  # later functions that hold the line are nested in earlier ones
        return best

    def function_lines(self, fn: cst.FunctionDef) -> tuple[int, int]:
        first = min([self.range(fn).start.line]
                    + [self.range(d).start.line for d in fn.decorators])
        return first, self.range(fn).end.line

    def enclosing(self, node: cst.CSTNode, kind: type[cst.CSTNode]) -> cst.CSTNode | None:
        """The nearest ancestor of `node` of `kind`."""
        current = self.parents.get(node)
        while current is not None and not isinstance(current, kind):
            current = self.parents.get(current)
        return current

    def scope_of(self, node: cst.CSTNode) -> cst.FunctionDef | None:
        found = self.enclosing(node, cst.FunctionDef)
        return found if isinstance(found, cst.FunctionDef) else None

    def literals(self) -> list[Literal]:
        """Every string literal that is not part of a larger one, in source order."""
        found: list[Literal] = []
        for node in self.nodes((cst.SimpleString, cst.ConcatenatedString)):
            if isinstance(self.parents.get(node), cst.ConcatenatedString):
                continue
            assert isinstance(node, cst.BaseExpression)
            found.append(_literal(node))
        return found


def _flatten(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(node, cst.ConcatenatedString):
        return [*_flatten(node.left), *_flatten(node.right)]
    return [node]


def _literal(node: cst.BaseExpression) -> Literal:
    parts: list[tuple[cst.SimpleString, int]] = []
    value = ""
    editable = True
    for part in _flatten(node):
        if not isinstance(part, cst.SimpleString):
            return Literal(node, "", (), False)
        prefix = part.prefix.lower()
        body = part.raw_value
        if "b" in prefix or ("r" not in prefix and "\\" in body):
            editable = False
        evaluated = part.evaluated_value
        parts.append((part, len(value)))
        value += evaluated if isinstance(evaluated, str) else ""
    return Literal(node, value, tuple(parts), editable)
