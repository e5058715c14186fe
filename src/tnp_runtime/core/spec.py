"""The spec language (docs/DESIGN.md §4): tokenizer, parser, and resolution to the IR.

A spec such as `6 * (M N, N K -> M K)` states what a kernel's whole result is, as a pointwise
term over the kernel's inputs. This module turns its text into

* a syntax tree (`parse_spec`): a closed union of small frozen nodes (`SpecNode`), each with
  `pos`, the offset in the text of the token that starts it, except `BinOp` whose `pos` is its
  operator (where a dim mismatch between its operands is reported);
* an `ir.Expr` and the result's DimType (`resolve_spec`), given the declared dims and the
  kernel's inputs.

`parse_dims` / `resolve_dims` do the same for the dims of an annotation (`Typed[L["M N"]]`).

Invariants:

* Every failure, whatever the text, is a `SpecError` (a `ValueError`, code `tnp-bad-spec`)
  whose diagnostic shows the spec line with a caret under the fault and says how to fix it.
* Parsing is linear in the length of the text. Nesting of parentheses and calls is capped at
  `MAX_NESTING` levels and every other repetition (operators, unary minus) is parsed and
  resolved with loops, so no text reaches Python's recursion limit.
* Resolution builds nodes only through the `ir` factories: a leaf is the very node the runtime
  builds for the same input, and results compare by identity.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Final, Literal, assert_never

from tnp_runtime.core import ir
from tnp_runtime.core.diagnostics import Code, Diagnostic
from tnp_runtime.core.dims import DimType, FullDim, Interval, Sliced, dim_names

__all__ = [
    "KEYWORDS",
    "MAX_NESTING",
    "BinOp",
    "Contraction",
    "Func",
    "InfLit",
    "Max2",
    "Neg",
    "Number",
    "Reduction",
    "ResolvedSpec",
    "SpecDim",
    "SpecError",
    "SpecInput",
    "SpecNode",
    "Tensor",
    "parse_dims",
    "parse_spec",
    "resolve_dims",
    "resolve_spec",
]

MAX_NESTING: Final = 64
"""Deepest nesting of parentheses, calls and brackets a spec may use (real specs use a few)."""

FuncName = Literal["exp", "log", "sqrt", "sin", "cos"]
ReductionOp = Literal["sum", "max", "softmax"]
Reducer = Literal["sum", "max"]
ArithOp = Literal["+", "-", "*", "/"]

_FUNC_NAMES: Final[dict[str, FuncName]] = {
    "exp": "exp",
    "log": "log",
    "sqrt": "sqrt",
    "sin": "sin",
    "cos": "cos",
}
KEYWORDS: Final = frozenset({*_FUNC_NAMES, "sum", "max", "softmax", "inf"})
"""Words that are never dim names. Matched as whole words: `experts` is a dim."""

_KEYWORD_LIST: Final = "exp, log, sqrt, sin, cos, sum, max, softmax, inf"

_UNARY_OPS: Final[dict[FuncName, ir.UnaryOp]] = {
    "exp": ir.UnaryOp.EXP,
    "log": ir.UnaryOp.LOG,
    "sqrt": ir.UnaryOp.SQRT,
    "sin": ir.UnaryOp.SIN,
    "cos": ir.UnaryOp.COS,
}
_BINARY_OPS: Final[dict[ArithOp, ir.BinaryOp]] = {
    "+": ir.BinaryOp.ADD,
    "-": ir.BinaryOp.SUB,
    "*": ir.BinaryOp.MUL,
    "/": ir.BinaryOp.DIV,
}
_REDUCE_OPS: Final[dict[Reducer, ir.ReduceOp]] = {
    "sum": ir.ReduceOp.SUM,
    "max": ir.ReduceOp.MAX,
}

# Numbers are exact rationals; these caps keep `Fraction` (and `int`, which refuses more than
# 4300 digits) cheap on hostile text. No real spec comes near them.
_MAX_NUMBER_CHARS: Final = 100
_MAX_EXPONENT: Final = 300


# ---------------------------------------------------------------------------------------------
# Errors


class SpecError(ValueError):
    """A spec or dims annotation that cannot be parsed or resolved (code `tnp-bad-spec`).

    `text` is the spec, `position` the offset of the fault in it (None when the fault has no
    single place), `diagnostic` the data both halves report: its message is one line starting
    with "bad spec: ", its notes are the spec line, a caret line under the fault, and a line
    "fix: ..." saying how to fix it. `str(err)` is the message and the notes, one per line.
    """

    code: str = Code.BAD_SPEC.value

    def __init__(self, text: str, position: int | None, problem: str, fix: str) -> None:
        self.text = text
        self.position = position
        self.problem = " ".join(problem.splitlines())
        self.fix = " ".join(fix.splitlines())
        notes = (*_excerpt(text, position), f"fix: {self.fix}")
        self.diagnostic = Diagnostic(Code.BAD_SPEC, f"bad spec: {self.problem}", notes)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join((self.diagnostic.message, *self.diagnostic.notes))

    def __reduce__(self) -> tuple[type[SpecError], tuple[str, int | None, str, str]]:
        return (SpecError, (self.text, self.position, self.problem, self.fix))


_INDENT: Final = "    "
_WINDOW: Final = 100


def _excerpt(text: str, position: int | None) -> tuple[str, ...]:
    """The line of `text` holding `position`, and a caret line whose `^` sits under it.

    Long lines are cut to a window around the caret. Characters that do not print one column
    wide are shown as one: whitespace (tabs) as a space, others as "?", so the caret stays
    aligned.
    """
    pos = 0 if position is None else min(max(position, 0), len(text))
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    line = text[start : len(text) if end == -1 else end]
    col = pos - start
    if len(line) > _WINDOW:
        lo = max(0, min(col - _WINDOW // 2, len(line) - _WINDOW))
        hi = lo + _WINDOW
        prefix = "..." if lo > 0 else ""
        suffix = "..." if hi < len(line) else ""
        line = prefix + line[lo:hi] + suffix
        col = len(prefix) + col - lo
    shown = "".join(c if c.isprintable() else " " if c.isspace() else "?" for c in line).rstrip()
    if position is None:
        # An empty spec shows as "" rather than as a blank note.
        return (_INDENT + (shown or '""'),)
    return (_INDENT + shown, _INDENT + " " * col + "^")


# ---------------------------------------------------------------------------------------------
# Syntax tree


@dataclass(frozen=True, slots=True)
class Number:
    """A decimal literal, kept exact: "0.1" is 1/10, "1e-3" is 1/1000."""

    value: Fraction
    pos: int


@dataclass(frozen=True, slots=True)
class InfLit:
    """`inf` (positive; `-inf` is `Neg(InfLit)`)."""

    pos: int


@dataclass(frozen=True, slots=True)
class SpecDim:
    """A dim name as written, with its slice `N[0:4]` if any (`interval` None: no slice)."""

    name: str
    interval: Interval | None
    pos: int

    def __str__(self) -> str:
        return self.name if self.interval is None else f"{self.name}[{self.interval}]"


@dataclass(frozen=True, slots=True)
class Tensor:
    """A leaf: `M N` (the input with those dims) or `K:nctx dhead` (the input named K).

    `dims` are distinct names, in the order written.
    """

    name: str | None
    dims: tuple[SpecDim, ...]
    pos: int


@dataclass(frozen=True, slots=True)
class Neg:
    operand: SpecNode
    pos: int


@dataclass(frozen=True, slots=True)
class BinOp:
    """`left op right`; `pos` is the operator's offset."""

    op: ArithOp
    left: SpecNode
    right: SpecNode
    pos: int


@dataclass(frozen=True, slots=True)
class Func:
    """`exp(body)` and the other pointwise functions."""

    name: FuncName
    body: SpecNode
    pos: int


@dataclass(frozen=True, slots=True)
class Reduction:
    """`sum[D](body)`, `max[D](body)`, `softmax[D](body)`."""

    op: ReductionOp
    dim: SpecDim
    body: SpecNode
    pos: int


@dataclass(frozen=True, slots=True)
class Contraction:
    """`(a, b -> out)` (reducer "sum"), `sum(a, b -> out)`, `max(a, b -> out)`.

    Multiply the operands; reduce, with `reducer`, every dim they have that `out` lacks;
    broadcast the dims of `out` they lack. `operands` is not empty; `out_dims` is not empty and
    its names are distinct.
    """

    reducer: Reducer
    operands: tuple[SpecNode, ...]
    out_dims: tuple[SpecDim, ...]
    pos: int


@dataclass(frozen=True, slots=True)
class Max2:
    """`max(a, b)`: the elementwise maximum."""

    a: SpecNode
    b: SpecNode
    pos: int


SpecNode = Number | InfLit | Tensor | Neg | BinOp | Func | Reduction | Contraction | Max2


def _start(node: SpecNode) -> int:
    """Offset of the first character of `node` (a `BinOp`'s `pos` is its operator)."""
    while isinstance(node, BinOp):
        node = node.left
    return node.pos


# ---------------------------------------------------------------------------------------------
# Tokenizer


@dataclass(frozen=True, slots=True)
class _Token:
    kind: Literal["name", "number", "op", "end"]
    text: str
    pos: int


_SCANNER: Final = re.compile(
    r"""
    (?P<space>\s+)
    | (?P<number>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE](?P<exp>[+-]?[0-9]+))?)
    | (?P<name>[^\W\d]\w*)
    | (?P<op>->|[-+*/()\[\],:])
    """,
    re.VERBOSE,
)
_WORD_RUN: Final = re.compile(r"[\w.]+")


def _tokenize(text: str) -> list[_Token]:
    """The tokens of `text`, ending with one "end" token placed after the last non-space."""
    tokens: list[_Token] = []
    pos, size = 0, len(text)
    while pos < size:
        match = _SCANNER.match(text, pos)
        if match is None:
            char = text[pos]
            hint = "did you mean '->'? " if char in "<>=" else ""
            raise SpecError(
                text,
                pos,
                f"unexpected character {char!r}",
                f"{hint}a spec is made of dim names, numbers, + - * / ( ) [ ] , : -> "
                f"and the keywords {_KEYWORD_LIST}",
            )
        kind, end = match.lastgroup, match.end()
        if kind == "number":
            if end < size and (text[end].isalnum() or text[end] in "_."):
                run = _WORD_RUN.match(text, pos)
                shown = run.group() if run is not None else text[pos:end]
                raise SpecError(
                    text,
                    pos,
                    f"bad number '{shown}'",
                    "write numbers like 2, 0.5 or 1e-3, and put an operator between a number "
                    "and a dim: 2 * M N",
                )
            if end - pos > _MAX_NUMBER_CHARS:
                raise SpecError(
                    text,
                    pos,
                    f"number longer than {_MAX_NUMBER_CHARS} characters",
                    "write it with an exponent, e.g. 1.5e-30",
                )
            exponent = match.group("exp")
            if exponent is not None and abs(int(exponent)) > _MAX_EXPONENT:
                raise SpecError(
                    text,
                    pos,
                    f"exponent of '{match.group()}' is out of range",
                    f"keep exponents between -{_MAX_EXPONENT} and {_MAX_EXPONENT}",
                )
            tokens.append(_Token("number", match.group(), pos))
        elif kind == "name":
            tokens.append(_Token("name", match.group(), pos))
        elif kind == "op":
            tokens.append(_Token("op", match.group(), pos))
        pos = end
    tokens.append(_Token("end", "", len(text.rstrip())))
    return tokens


def _describe(token: _Token) -> str:
    return "the end of the spec" if token.kind == "end" else f"'{token.text}'"


# ---------------------------------------------------------------------------------------------
# Parser


class _Parser:
    """Recursive descent over the grammar of docs/DESIGN.md §4.1; one instance per text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.index = 0
        self.nesting = 0

    # -- token plumbing ----------------------------------------------------------------------

    @property
    def token(self) -> _Token:
        return self.tokens[self.index]

    def peek(self, ahead: int = 1) -> _Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        if token.kind != "end":
            self.index += 1
        return token

    @staticmethod
    def is_op(token: _Token, text: str) -> bool:
        return token.kind == "op" and token.text == text

    def at(self, text: str) -> bool:
        return self.is_op(self.token, text)

    def error(self, pos: int | None, problem: str, fix: str) -> SpecError:
        return SpecError(self.text, pos, problem, fix)

    def enter(self, opener: _Token) -> None:
        """Count one level of nesting opened by `opener`; too deep is an error, not a crash."""
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise self.error(
                opener.pos,
                f"spec nests more than {MAX_NESTING} levels of parentheses",
                "simplify the spec; a real spec nests only a few levels",
            )

    # -- entry points ------------------------------------------------------------------------

    def spec(self) -> SpecNode:
        if self.token.kind == "end":
            raise self.error(
                None,
                "empty spec",
                'write what the kernel computes, e.g. "2 * (M N, N K -> M K)"',
            )
        node = self.expr()
        token = self.token
        if token.kind != "end":
            raise self.trailing(token)
        return node

    def dims_only(self) -> tuple[SpecDim, ...]:
        token = self.token
        if token.kind == "end":
            raise self.error(
                None, "empty dims", 'list the value\'s dims separated by spaces, e.g. "M N"'
            )
        dims: list[SpecDim] = []
        while self.token.kind == "name":
            if self.is_op(self.peek(), ":"):
                raise self.error(
                    self.token.pos,
                    f"'{self.token.text}:' names an input, which dims cannot do",
                    'list only dim names separated by spaces, e.g. "M N"',
                )
            dims.append(self.dim())
        if self.token.kind != "end":
            raise self.error(
                self.token.pos,
                f"unexpected {_describe(self.token)} in a list of dims",
                'list only dim names separated by spaces, e.g. "M N" or "M N[0:4]"',
            )
        self.check_distinct(dims, "in these dims")
        return tuple(dims)

    # -- expressions -------------------------------------------------------------------------

    def expr(self) -> SpecNode:
        node = self.term()
        while self.at("+") or self.at("-"):
            operator = self.advance()
            op: ArithOp = "+" if operator.text == "+" else "-"
            node = BinOp(op, node, self.term(), operator.pos)
        return node

    def term(self) -> SpecNode:
        node = self.unary()
        while self.at("*") or self.at("/"):
            operator = self.advance()
            op: ArithOp = "*" if operator.text == "*" else "/"
            node = BinOp(op, node, self.unary(), operator.pos)
        return node

    def unary(self) -> SpecNode:
        # A loop, not recursion: "- - - ... x" must not consume the stack.
        minuses: list[int] = []
        while self.at("-"):
            minuses.append(self.advance().pos)
        node = self.atom()
        for pos in reversed(minuses):
            node = Neg(node, pos)
        return node

    def atom(self) -> SpecNode:
        token = self.token
        if token.kind == "number":
            self.advance()
            return Number(Fraction(token.text), token.pos)
        if token.kind == "name":
            # A keyword followed by ":" is an input's name (a parameter may be called `max`).
            if token.text in KEYWORDS and not self.is_op(self.peek(), ":"):
                return self.keyword_atom()
            return self.tensor()
        if self.at("("):
            opener = self.advance()
            operands, out, close = self.call_body(opener)
            if out is not None:
                return Contraction("sum", operands, out, opener.pos)
            if len(operands) > 1:
                raise self.error(
                    close.pos,
                    f"{len(operands)} operands separated by ',' need '-> dims'",
                    "end the contraction with its output dims, e.g. (M N, N K -> M K)",
                )
            return operands[0]
        raise self.expected_expression(token)

    def keyword_atom(self) -> SpecNode:
        keyword = self.advance()
        word = keyword.text
        if word == "inf":
            return InfLit(keyword.pos)
        if word in _FUNC_NAMES:
            func = _FUNC_NAMES[word]
            if not self.at("("):
                raise self.keyword_as_dim(keyword, f"to apply it, write {word}(x)")
            opener = self.advance()
            return Func(func, self.single_body(word, opener), keyword.pos)
        reducer: Reducer = "max" if word == "max" else "sum"
        if word == "softmax" or self.at("["):
            op: ReductionOp = "softmax" if word == "softmax" else reducer
            if not self.at("["):
                raise self.error(
                    self.token.pos,
                    f"softmax needs the dim it normalizes over, found {_describe(self.token)}",
                    "write softmax[D](x)",
                )
            dim = self.bracketed_dim(word)
            if not self.at("("):
                raise self.error(
                    self.token.pos,
                    f"{word}[{dim}] needs its argument in parentheses, "
                    f"found {_describe(self.token)}",
                    f"write {word}[{dim}](x)",
                )
            opener = self.advance()
            return Reduction(op, dim, self.single_body(f"{word}[{dim}]", opener), keyword.pos)
        if not self.at("("):
            raise self.keyword_as_dim(
                keyword,
                f"to reduce, write {word}[D](x) or {word}(a, b -> dims)"
                + ("; for the elementwise maximum, max(a, b)" if word == "max" else ""),
            )
        opener = self.advance()
        operands, out, close = self.call_body(opener)
        if out is not None:
            return Contraction(reducer, operands, out, keyword.pos)
        if word == "max" and len(operands) == 2:
            return Max2(operands[0], operands[1], keyword.pos)
        if word == "max" and len(operands) > 2:
            raise self.error(
                _start(operands[2]),
                f"max(...) without '->' takes two arguments, got {len(operands)}",
                "nest it: max(max(a, b), c); or end with '-> dims' for a max-contraction",
            )
        if word == "max":
            raise self.error(
                close.pos,
                "max(x) needs a second argument or '-> dims'",
                "write max(a, b) for the elementwise maximum, max[D](x) to reduce x over D, "
                "or max(a, b -> dims) for a max-contraction",
            )
        raise self.error(
            close.pos,
            "sum(...) needs '-> dims' before ')'",
            "write sum[D](x) to reduce x over D, or sum(a, b -> dims) for a contraction",
        )

    def single_body(self, owner: str, opener: _Token) -> SpecNode:
        """The body of `exp(...)`, `sum[D](...)`: one expression, or a (sum-)contraction."""
        operands, out, _ = self.call_body(opener)
        if out is not None:
            return Contraction("sum", operands, out, opener.pos)
        if len(operands) > 1:
            raise self.error(
                _start(operands[1]),
                f"{owner}(...) takes one argument, got {len(operands)}",
                f"combine them with an operator, or contract them: {owner}(a, b -> dims)",
            )
        return operands[0]

    def call_body(
        self, opener: _Token
    ) -> tuple[tuple[SpecNode, ...], tuple[SpecDim, ...] | None, _Token]:
        """After `opener` "(": `operands ["->" dims] ")"`.

        Returns the operands, the output dims (None without "->"), and the ")" token.
        """
        self.enter(opener)
        operands = [self.expr()]
        while self.at(","):
            self.advance()
            operands.append(self.expr())
        out: tuple[SpecDim, ...] | None = None
        if self.at("->"):
            out = self.out_dims(self.advance())
        close = self.token
        if not self.at(")"):
            if close.kind == "end":
                raise self.error(
                    opener.pos,
                    "unclosed '('",
                    "add ')' to close it where its contents end",
                )
            expected = "')'" if out is not None else "',', '->' or ')'"
            raise self.error(
                close.pos,
                f"expected {expected}, found {_describe(close)}",
                "join the parts with an operator (+ - * /), or close the parenthesis",
            )
        self.advance()
        self.nesting -= 1
        return tuple(operands), out, close

    def out_dims(self, arrow: _Token) -> tuple[SpecDim, ...]:
        token = self.token
        if token.kind != "name":
            problem = (
                "nothing after '->'"
                if token.kind == "end" or self.is_op(token, ")")
                else f"expected the output dims after '->', found {_describe(token)}"
            )
            raise self.error(
                arrow.pos, problem, "list the result's dims after '->', e.g. (M N, N K -> M K)"
            )
        dims: list[SpecDim] = []
        while self.token.kind == "name":
            if self.is_op(self.peek(), ":"):
                raise self.error(
                    self.token.pos,
                    f"'{self.token.text}:' names an input, but an output lists dims only",
                    "write only dim names after '->', e.g. -> qctx dhead",
                )
            dims.append(self.dim())
        self.check_distinct(dims, "in the output")
        return tuple(dims)

    # -- leaves and dims ---------------------------------------------------------------------

    def tensor(self) -> Tensor:
        first = self.token
        name: str | None = None
        if self.is_op(self.peek(), ":"):
            name = self.advance().text
            self.advance()  # the ":"
            if self.token.kind != "name":
                raise self.error(
                    self.token.pos,
                    f"expected the dims of input {name} after '{name}:', "
                    f"found {_describe(self.token)}",
                    f"write the input's dims after the colon, e.g. {name}:M N",
                )
        dims = [self.dim()]
        while self.token.kind == "name":
            token, after = self.token, self.peek()
            if token.text in KEYWORDS:
                if self.is_op(after, "(") or self.is_op(after, "["):
                    break  # a call follows the leaf; the caller reports the missing operator
                raise self.keyword_as_dim(token, None)
            if self.is_op(after, ":"):
                break  # "M K:N": another leaf; the caller reports the missing operator
            dims.append(self.dim())
        self.check_distinct(dims, "in one leaf")
        return Tensor(name, tuple(dims), first.pos)

    def dim(self) -> SpecDim:
        token = self.token
        if token.kind != "name":
            raise self.error(
                token.pos,
                f"expected a dim name, found {_describe(token)}",
                "write a declared dim's name, e.g. M or N[0:4]",
            )
        if token.text in KEYWORDS:
            raise self.keyword_as_dim(token, None)
        self.advance()
        if not self.at("["):
            return SpecDim(token.text, None, token.pos)
        return SpecDim(token.text, self.slice(token.text), token.pos)

    def slice(self, name: str) -> Interval:
        bracket = self.advance()
        start = self.bound(name)
        if not self.at(":"):
            raise self.error(
                self.token.pos,
                f"bad slice of {name}: expected ':', found {_describe(self.token)}",
                f"write the slice as {name}[start:stop], e.g. {name}[0:4]",
            )
        self.advance()
        stop = self.bound(name)
        if not self.at("]"):
            if self.token.kind == "end":
                raise self.error(
                    bracket.pos,
                    "unclosed '['",
                    f"close the slice: {name}[{start.text}:{stop.text}]",
                )
            raise self.error(
                self.token.pos,
                f"bad slice of {name}: expected ']', found {_describe(self.token)}",
                f"write the slice as {name}[start:stop], e.g. {name}[0:4]",
            )
        self.advance()
        low, high = int(start.text), int(stop.text)
        if low >= high:
            example = f"{name}[{high}:{low}]" if high < low else f"{name}[{low}:{low + 1}]"
            raise self.error(
                start.pos,
                f"bad slice {name}[{low}:{high}]: it is empty",
                f"write {name}[start:stop] with start < stop, e.g. {example}",
            )
        return Interval(low, high)

    def bound(self, name: str) -> _Token:
        token = self.token
        if token.kind != "number" or not token.text.isdigit():
            raise self.error(
                token.pos,
                f"bad slice of {name}: {_describe(token)} is not a non-negative integer",
                f"write the slice with integer bounds, e.g. {name}[0:4]",
            )
        return self.advance()

    def bracketed_dim(self, word: str) -> SpecDim:
        bracket = self.advance()
        self.enter(bracket)
        dim = self.dim()
        if self.token.kind == "name":
            raise self.error(
                self.token.pos,
                f"{word}[...] reduces over one dim, found a second: '{self.token.text}'",
                f"nest the reductions: {word}[{dim.name}]({word}[{self.token.text}](x))"
                if word != "softmax"
                else "softmax normalizes over one dim: softmax[D](x)",
            )
        if not self.at("]"):
            if self.token.kind == "end":
                raise self.error(bracket.pos, "unclosed '['", f"write {word}[{dim}](x)")
            raise self.error(
                self.token.pos,
                f"expected ']' after {word}[{dim}, found {_describe(self.token)}",
                f"write {word}[{dim}](x)",
            )
        self.advance()
        self.nesting -= 1
        return dim

    def check_distinct(self, dims: Sequence[SpecDim], where: str) -> None:
        seen: set[str] = set()
        for dim in dims:
            if dim.name in seen:
                raise self.error(
                    dim.pos,
                    f"dim {dim.name} appears twice {where}",
                    f"write each dim once; remove the second {dim.name}",
                )
            seen.add(dim.name)

    # -- error builders ----------------------------------------------------------------------

    def keyword_as_dim(self, token: _Token, usage: str | None) -> SpecError:
        fix = (
            f"a dim cannot be named '{token.text}': rename it, e.g. "
            f'FullDim("{token.text}_", size) (keywords: {_KEYWORD_LIST})'
        )
        return self.error(
            token.pos,
            f"'{token.text}' is a keyword, not a dim name",
            fix if usage is None else f"{usage}; {fix}",
        )

    def expected_expression(self, token: _Token) -> SpecError:
        if token.kind == "end":
            problem = "the spec ends where an expression is expected"
        elif token.text == ")":
            problem = "expected an expression before ')'"
        else:
            problem = f"expected an expression, found {_describe(token)}"
        return self.error(
            token.pos,
            problem,
            "write a value there: a leaf such as M N, a number, '-', '(' or a call such as "
            "exp(...)",
        )

    def trailing(self, token: _Token) -> SpecError:
        problem = f"unexpected {_describe(token)} after a complete expression"
        if token.text == ")":
            fix = "remove the ')' or add a matching '(' before it"
        elif token.text in (",", "->"):
            fix = "put a contraction in parentheses: (M N, N K -> M K)"
        elif token.text in ("[", "]", ":"):
            fix = (
                "a slice goes right after a dim name, e.g. N[0:4], "
                "and an input's name right before its dims, e.g. K:nctx dhead"
            )
        else:
            fix = "join the parts with an operator (+ - * /), or remove the extra text"
        return self.error(token.pos, problem, fix)


def parse_spec(text: str) -> SpecNode:
    """The syntax tree of a whole spec; raises `SpecError` on any fault."""
    return _Parser(text).spec()


def parse_dims(text: str) -> tuple[SpecDim, ...]:
    """The dims of an annotation such as "M N" or "qctx dhead" (slices allowed: "N[0:4]").

    At least one dim, each named once; raises `SpecError` on any fault.
    """
    return _Parser(text).dims_only()


# ---------------------------------------------------------------------------------------------
# Resolution


@dataclass(frozen=True, slots=True)
class SpecInput:
    """A kernel input as a spec sees it: the leaf a spec naming it resolves to (its identity,
    name and dims), and its full dims in the order of its axes.

    An anonymous leaf's name was generated (an unnamed array) and cannot be written in a spec.
    """

    leaf: ir.Input
    dims: DimType

    @property
    def name(self) -> str:
        return self.leaf.name

    @property
    def anonymous(self) -> bool:
        return self.leaf.anonymous


@dataclass(frozen=True, slots=True)
class ResolvedSpec:
    """What a spec computes: `expr` at every index of `dims`.

    `dims` are the result's dims in the order written in the spec's output, each a `Sliced`,
    full unless the spec slices it.
    """

    expr: ir.Expr
    dims: DimType


@dataclass(frozen=True, slots=True)
class _Value:
    expr: ir.Expr
    dims: DimType


def _show_sliced(sliced: Sliced) -> str:
    return sliced.name if sliced.is_full else str(sliced)


def _show_dims(dims: DimType) -> str:
    return " ".join(_show_sliced(s) for s in dims) if dims else "no dims"


def _and_list(items: Sequence[str], conjunction: str = "and") -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


class _Resolver:
    """Resolves one parsed spec against the declared dims and the kernel's inputs."""

    def __init__(
        self,
        text: str,
        dims: Mapping[str, FullDim],
        inputs: Sequence[SpecInput],
        open_inputs: bool = False,
    ) -> None:
        self.text = text
        self.open_inputs = open_inputs
        self.inputs = tuple(inputs)
        # A dim is known if declared or held by an input; broadcast dims come from here.
        self.known: dict[str, FullDim] = dict(dims)
        self.by_dim_set: dict[frozenset[str], list[SpecInput]] = {}
        self.by_name: dict[str, list[SpecInput]] = {}
        for inp in self.inputs:
            for sliced in inp.dims:
                self.known.setdefault(sliced.name, sliced.dim)
            self.by_dim_set.setdefault(frozenset(dim_names(inp.dims)), []).append(inp)
            if not inp.anonymous:
                self.by_name.setdefault(inp.name, []).append(inp)

    def error(self, pos: int, problem: str, fix: str) -> SpecError:
        return SpecError(self.text, pos, problem, fix)

    def resolve(self, node: SpecNode) -> _Value:
        match node:
            case Number():
                return _Value(ir.const(node.value), ())
            case InfLit():
                return _Value(ir.inf(False), ())
            case Tensor():
                return self.leaf(node)
            case Neg():
                return self.negation(node)
            case BinOp():
                return self.arithmetic(node)
            case Func():
                body = self.resolve(node.body)
                return _Value(ir.unary(_UNARY_OPS[node.name], body.expr), body.dims)
            case Reduction():
                return self.reduction(node)
            case Contraction():
                return self.contraction(node)
            case Max2():
                first, second = self.resolve(node.a), self.resolve(node.b)
                dims = self.pointwise_dims("max(a, b)", first, second, node.pos)
                return _Value(ir.binary(ir.BinaryOp.MAX, first.expr, second.expr), dims)
            case _:
                assert_never(node)

    # Chains of minus signs and of operators are walked with loops, not recursion: the parser
    # builds them with loops, so they can be as long as the text.

    def negation(self, node: Neg) -> _Value:
        count = 0
        inner: SpecNode = node
        while isinstance(inner, Neg):
            count += 1
            inner = inner.operand
        operand = self.resolve(inner)
        expr = operand.expr
        for _ in range(count):
            expr = ir.unary(ir.UnaryOp.NEG, expr)
        return _Value(expr, operand.dims)

    def arithmetic(self, node: BinOp) -> _Value:
        spine: list[BinOp] = []
        leftmost: SpecNode = node
        while isinstance(leftmost, BinOp):
            spine.append(leftmost)
            leftmost = leftmost.left
        acc = self.resolve(leftmost)
        for binop in reversed(spine):
            right = self.resolve(binop.right)
            dims = self.pointwise_dims(f"'{binop.op}'", acc, right, binop.pos)
            acc = _Value(ir.binary(_BINARY_OPS[binop.op], acc.expr, right.expr), dims)
        return acc

    def pointwise_dims(self, what: str, left: _Value, right: _Value, pos: int) -> DimType:
        """Dims of a pointwise op: same names and slices on both sides; a scalar broadcasts.

        The result keeps the left operand's order (the non-scalar one's if one is a scalar).
        """
        if not right.dims:
            return left.dims
        if not left.dims:
            return right.dims
        left_by_name = {s.name: s for s in left.dims}
        right_by_name = {s.name: s for s in right.dims}
        if left_by_name.keys() != right_by_name.keys():
            left_names, right_names = left_by_name.keys(), right_by_name.keys()
            wider = left if left_names > right_names else right
            if left_names > right_names or right_names > left_names:
                names = " ".join(s.name for s in wider.dims)
                fix = f"broadcast the narrower side to the same dims: (... -> {names})"
            else:
                fix = (
                    "give both sides the same dims: contract or reduce one side, "
                    "e.g. (... -> M K) or sum[N](...)"
                )
            raise self.error(
                pos,
                f"operands of {what} have different dims: left {_show_dims(left.dims)}, "
                f"right {_show_dims(right.dims)}",
                fix,
            )
        for name, sliced in left_by_name.items():
            other = right_by_name[name]
            if sliced != other:
                raise self.error(
                    pos,
                    f"operands of {what} take different slices of {name}: left {sliced}, "
                    f"right {other}",
                    f"slice {name} alike on both sides",
                )
        return left.dims

    def unknown_dim(self, dim: SpecDim) -> SpecError:
        return _unknown_dim(self.text, dim, self.known)

    def describe_inputs(self) -> str:
        if not self.inputs:
            return "there are no inputs"
        shown = [
            f"{'an unnamed input' if inp.anonymous else inp.name} ({_show_dims(inp.dims)})"
            for inp in self.inputs
        ]
        return "the inputs are " + ", ".join(shown)

    def leaf(self, tensor: Tensor) -> _Value:
        for dim in tensor.dims:
            if dim.name not in self.known:
                raise self.unknown_dim(dim)
        written_names = frozenset(d.name for d in tensor.dims)
        written = " ".join(str(d) for d in tensor.dims)
        if tensor.name is not None:
            homonyms = self.by_name.get(tensor.name, [])
            if len(homonyms) > 1:
                raise self.homonyms(tensor, tensor.name, homonyms)
            named = homonyms[0] if homonyms else None
            if named is None and self.open_inputs:
                return self.unread_input(tensor, tensor.name, anonymous=False)
            if named is None:
                raise self.error(
                    tensor.pos,
                    f"no input named '{tensor.name}'",
                    f"use the name of a kernel parameter or of Typed(..., name=...); "
                    f"{self.describe_inputs()}",
                )
            if frozenset(dim_names(named.dims)) != written_names:
                own = " ".join(dim_names(named.dims))
                raise self.error(
                    tensor.pos,
                    f"input {named.name} has dims {own}, not {written}",
                    f"write {named.name}:{own}",
                )
            inp = named
        else:
            candidates = self.by_dim_set.get(written_names, [])
            if not candidates and self.open_inputs:
                return self.unread_input(tensor, " ".join(d.name for d in tensor.dims), True)
            if not candidates:
                raise self.error(
                    tensor.pos,
                    f"no input has dims `{written}`",
                    f"write the dims of an input, in any order ({self.describe_inputs()}), "
                    "or compute this value, e.g. with a contraction (... -> dims)",
                )
            if len(candidates) > 1:
                names = [inp.name for inp in candidates if not inp.anonymous]
                repeated = next((n for n in names if names.count(n) > 1), None)
                if repeated is not None:
                    raise self.homonyms(tensor, repeated, candidates)
                raise self.ambiguous(tensor, written, candidates)
            inp = candidates[0]
        own_by_name = {s.name: s for s in inp.dims}
        dims: list[Sliced] = []
        for dim in tensor.dims:
            sliced = own_by_name[dim.name]
            if dim.interval is not None:
                sliced = self.narrow(sliced, dim, f"input {inp.name}")
            dims.append(sliced)
        return _Value(inp.leaf, tuple(dims))

    def unread_input(self, tensor: Tensor, name: str, anonymous: bool) -> _Value:
        """A leaf for an input the kernel never read (script form only)."""
        dims: list[Sliced] = []
        for dim in tensor.dims:
            sliced = self.known[dim.name].full
            if dim.interval is not None:
                sliced = self.narrow(sliced, dim, f"input {name}")
            dims.append(sliced)
        expr = ir.new_input(name, tuple(d.name for d in tensor.dims), anonymous)
        return _Value(expr, tuple(dims))

    def homonyms(self, tensor: Tensor, name: str, inputs: Sequence[SpecInput]) -> SpecError:
        """Two different arrays share the name a leaf needs: no spelling can tell them apart."""
        same = [inp for inp in inputs if inp.name == name]
        shown = ", ".join(_show_dims(inp.dims) for inp in same)
        return self.error(
            tensor.pos,
            f"{len(same)} different inputs are named '{name}' ({shown}): the spec cannot tell "
            "which one it means",
            "give each array its own name (Typed(arr, ..., name=\"...\")) and write that name",
        )

    def ambiguous(self, tensor: Tensor, written: str, candidates: Sequence[SpecInput]) -> SpecError:
        who = ["an unnamed input" if inp.anonymous else inp.name for inp in candidates]
        plain = " ".join(d.name for d in tensor.dims)
        quantifier = "both" if len(candidates) == 2 else "all"
        named = [inp.name for inp in candidates if not inp.anonymous]
        spellings = [f"`{name}:{written}`" for name in named]
        if len(named) == len(candidates):
            fix = f"name it: {_and_list(spellings, 'or')}"
        else:
            give = 'give the unnamed inputs names with Typed(arr, ..., name="X") and write `X:'
            fix = f"{give}{written}`" + (
                f", or name one of the others: {_and_list(spellings, 'or')}" if named else ""
            )
        return self.error(
            tensor.pos,
            f"ambiguous leaf `{written}`: inputs {_and_list(who)} {quantifier} have dims {plain}",
            fix,
        )

    def narrow(self, sliced: Sliced, dim: SpecDim, holder: str) -> Sliced:
        """`sliced` narrowed to the slice written on `dim`, which must lie within it."""
        assert dim.interval is not None
        size = sliced.dim.size
        if dim.interval.stop > size:
            raise self.error(
                dim.pos,
                f"slice {dim} lies outside {dim.name}, whose size is {size}",
                f"keep the bounds within {dim.name}[0:{size}]",
            )
        if not sliced.interval.contains(dim.interval):
            raise self.error(
                dim.pos,
                f"slice {dim} lies outside the {sliced} that {holder} holds",
                f"keep the bounds within {sliced}",
            )
        return Sliced(sliced.dim, dim.interval)

    def reduction(self, node: Reduction) -> _Value:
        value = self.resolve(node.body)
        dim = node.dim
        found = next((s for s in value.dims if s.name == dim.name), None)
        if found is None:
            if dim.name not in self.known:
                raise self.unknown_dim(dim)
            raise self.error(
                dim.pos,
                f"{node.op}[{dim.name}] of a value without {dim.name}: "
                f"its dims are {_show_dims(value.dims)}",
                f"reduce over one of its dims ({_show_dims(value.dims)}), "
                f"or give the argument the dim {dim.name}",
            )
        if dim.interval is not None:
            found = self.narrow(found, dim, f"the argument of {node.op}[...]")
        interval = found.interval
        match node.op:
            case "softmax":
                exp = ir.unary(ir.UnaryOp.EXP, value.expr)
                total = ir.reduce(ir.ReduceOp.SUM, dim.name, interval, exp)
                dims = tuple(found if s.name == dim.name else s for s in value.dims)
                return _Value(ir.binary(ir.BinaryOp.DIV, exp, total), dims)
            case "sum" | "max":
                expr = ir.reduce(_REDUCE_OPS[node.op], dim.name, interval, value.expr)
                return _Value(expr, tuple(s for s in value.dims if s.name != dim.name))
            case _:
                assert_never(node.op)

    def contraction(self, node: Contraction) -> _Value:
        values = [self.resolve(operand) for operand in node.operands]
        # Every dim the operands share must be the same slice in each: they are multiplied
        # pointwise, as in einsum.
        shared: dict[str, Sliced] = {}
        for operand, value in zip(node.operands, values, strict=True):
            for sliced in value.dims:
                seen = shared.setdefault(sliced.name, sliced)
                if seen != sliced:
                    raise self.error(
                        _start(operand),
                        f"operands of the contraction take different slices of {sliced.name}: "
                        f"{seen} and {sliced}",
                        f"slice {sliced.name} alike in every operand",
                    )
        out: list[Sliced] = []
        for dim in node.out_dims:
            sliced_or_none = shared.get(dim.name)
            if sliced_or_none is not None:
                if dim.interval is not None and dim.interval != sliced_or_none.interval:
                    raise self.error(
                        dim.pos,
                        f"output {dim} differs from the operands' {sliced_or_none}",
                        f"slice the operand instead, or write {dim.name} in the output "
                        "without a slice",
                    )
                out.append(sliced_or_none)
                continue
            full = self.known.get(dim.name)
            if full is None:
                raise self.unknown_dim(dim)
            # Broadcast: a dim of the output that no operand has.
            out.append(full.full if dim.interval is None else self.narrow(full.full, dim, "it"))
        expr = values[0].expr
        for value in values[1:]:
            expr = ir.binary(ir.BinaryOp.MUL, expr, value.expr)
        out_names = {d.name for d in node.out_dims}
        reducer = _REDUCE_OPS[node.reducer]
        # One reduce per dropped dim, innermost first in sorted name order, so the same
        # contraction always builds the same (interned) node.
        for name in sorted(shared.keys() - out_names):
            expr = ir.reduce(reducer, name, shared[name].interval, expr)
        return _Value(expr, tuple(out))


def _unknown_dim(text: str, dim: SpecDim, known: Mapping[str, FullDim]) -> SpecError:
    declare = f'declare {dim.name} = FullDim("{dim.name}", size) in the kernel\'s module'
    if not known:
        fix = f"{declare}; no dims are known yet"
    else:
        fix = f"{declare}, or use one of the known dims: {', '.join(sorted(known))}"
        close = difflib.get_close_matches(dim.name, list(known), n=1, cutoff=0.7)
        if close:
            fix += f" (did you mean {close[0]}?)"
    return SpecError(text, dim.pos, f"unknown dim '{dim.name}'", fix)


def resolve_spec(
    text: str,
    dims: Mapping[str, FullDim],
    inputs: Sequence[SpecInput],
    open_inputs: bool = False,
) -> ResolvedSpec:
    """Parse `text` and resolve it to the IR term it denotes and the result's dims.

    `dims` maps names to the declared dims (the kernel module's `FullDim`s); `inputs` are the
    kernel's inputs. Raises `SpecError` on any fault, syntax or resolution.

    `open_inputs` is for script form, where the inputs are only those the first tile reads: a
    leaf that matches none of them is an input the kernel never read, not a fault of the spec,
    so it resolves to a leaf of its own and the proof then reports the difference.
    """
    value = _Resolver(text, dims, inputs, open_inputs).resolve(parse_spec(text))
    return ResolvedSpec(value.expr, value.dims)


def resolve_dims(text: str, dims: Mapping[str, FullDim]) -> DimType:
    """The DimType an annotation such as "M N" denotes: full dims unless sliced ("N[0:4]")."""
    result: list[Sliced] = []
    for dim in parse_dims(text):
        full = dims.get(dim.name)
        if full is None:
            raise _unknown_dim(text, dim, dims)
        if dim.interval is None:
            result.append(full.full)
        elif dim.interval.stop > full.size:
            raise SpecError(
                text,
                dim.pos,
                f"slice {dim} lies outside {dim.name}, whose size is {full.size}",
                f"keep the bounds within {dim.name}[0:{full.size}]",
            )
        else:
            result.append(Sliced(full, dim.interval))
    return tuple(result)
