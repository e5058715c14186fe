"""The spec language's syntax: its keywords, its errors, its syntax tree and its tokens.

The parser (`spec_parser`) turns text into the tree defined here, the resolver (`spec`) turns
the tree into the IR; both raise `SpecError`, defined here, with a caret under the fault. See
`spec` for the invariants the three modules keep together.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Final, Literal

from tnp_runtime.core.diagnostics import Code, Diagnostic
from tnp_runtime.core.dims import DimType, FullDim, Interval, Sliced
from tnp_runtime.core.elementwise import ELEMENTWISE
from tnp_runtime.core.index_pred import IndexPred
from tnp_runtime.core.ir import Affine

MAX_NESTING: Final = 64
"""Deepest nesting of parentheses, calls and brackets a spec may use (real specs use a few)."""

ReductionOp = Literal["sum", "max", "softmax", "min", "mean"]
Reducer = Literal["sum", "max"]
ArithOp = Literal["+", "-", "*", "/"]
Relation = Literal[">", ">=", "<", "<="]

KEYWORDS: Final = frozenset(
    {*ELEMENTWISE, "sum", "max", "softmax", "min", "mean", "where", "inf", "mask", "and"}
)
"""Words that are never dim names. Matched as whole words: `experts` is a dim."""

_KEYWORD_LIST: Final = ", ".join(
    (*ELEMENTWISE, "sum", "max", "softmax", "min", "mean", "where", "inf", "mask", "and")
)

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


# Words of messages


def _show_sliced(sliced: Sliced) -> str:
    return sliced.name if sliced.is_full else str(sliced)


def _show_dims(dims: DimType) -> str:
    return " ".join(_show_sliced(s) for s in dims) if dims else "no dims"


def _and_list(items: Sequence[str], conjunction: str = "and") -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


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
class IndexLeaf:
    """`t:B` in `logits:B V[t:B]`: an integer input whose value at each index is the position
    its dim is read at (a gather)."""

    name: str
    dims: tuple[str, ...]
    pos: int

    def __str__(self) -> str:
        return f"{self.name}:{' '.join(self.dims)}"


@dataclass(frozen=True, slots=True)
class SpecDim:
    """A dim name as written, with its slice `N[0:4]` if any (`interval` None: no slice), or,
    in a leaf only, the position it is read at: `N[O + K]` (an `Affine`; its dim names are
    resolved with the spec, see `indexing`) or `V[t:B]` (an `IndexLeaf`, a gather)."""

    name: str
    interval: Interval | None
    pos: int
    position: Affine | IndexLeaf | None = None

    def __str__(self) -> str:
        if self.position is not None:
            return f"{self.name}[{self.position}]"
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

    name: str  # a key of `elementwise.ELEMENTWISE`
    body: SpecNode
    pos: int


@dataclass(frozen=True, slots=True)
class Reduction:
    """`sum[D](body)`, `max[D](body)`, `softmax[D](body)`, `min[D](body)`, `mean[D](body)`."""

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


@dataclass(frozen=True, slots=True)
class Min2:
    """`min(a, b)`: the elementwise minimum."""

    a: SpecNode
    b: SpecNode
    pos: int


@dataclass(frozen=True, slots=True)
class Power:
    """`base ** exponent`: a whole or half-integer exponent; `pos` is the operator's offset."""

    base: SpecNode
    exponent: Fraction
    pos: int


@dataclass(frozen=True, slots=True)
class Where:
    """`where(left relation right, then, other)`: `then` where the comparison holds."""

    relation: Relation
    left: SpecNode
    right: SpecNode
    then: SpecNode
    other: SpecNode
    pos: int


@dataclass(frozen=True, slots=True)
class OpaqueCall:
    """`name(a, b, ...)`: a function declared with `tnp.opaque` in the kernel's module."""

    name: str
    args: tuple[SpecNode, ...]
    pos: int


@dataclass(frozen=True, slots=True)
class MaskNode:
    """`mask[qctx >= nctx](body)` (-inf where the predicate fails), `mask[p, 0](body)` (0 there).

    `pred` is the conjunction as written (`and`), over dim names; `dims` are the dims it
    names, each once, with the offset of its first mention; `fill` None is -inf.
    """

    pred: IndexPred
    dims: tuple[SpecDim, ...]
    fill: Fraction | None
    body: SpecNode
    pos: int


SpecNode = (
    Number | InfLit | Tensor | Neg | BinOp | Func | Reduction | Contraction | Max2 | Min2 | Power
    | Where | OpaqueCall | MaskNode
)


def _start(node: SpecNode) -> int:
    """Offset of the first character of `node` (a `BinOp`'s or `Power`'s `pos` is its
    operator)."""
    while isinstance(node, (BinOp, Power)):
        node = node.left if isinstance(node, BinOp) else node.base
    return node.pos


# ---------------------------------------------------------------------------------------------
# Tokenizer


@dataclass(frozen=True, slots=True)
class _Token:
    kind: Literal["name", "number", "position", "op", "end"]
    text: str
    pos: int


_SCANNER: Final = re.compile(
    r"""
    (?P<space>\s+)
    | (?P<number>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE](?P<exp>[+-]?[0-9]+))?)
    | (?P<position>\u27e8[0-9]+\u27e9)
    | (?P<name>[^\W\d]\w*)
    | (?P<op>->|\*\*|>=|<=|[<>]|[-+*/()\[\],:])
    """,
    re.VERBOSE,
)
_WORD_RUN: Final = re.compile(r"[\w.]+")


def _tokenize(text: str, equals: bool = False) -> list[_Token]:
    """The tokens of `text`, ending with one "end" token placed after the last non-space.

    `equals`: "=" is a token (the bindings of a spec that starts with `let`, `spec_let`)."""
    tokens: list[_Token] = []
    pos, size = 0, len(text)
    while pos < size:
        match = _SCANNER.match(text, pos)
        if match is None and equals and text[pos] == "=":
            tokens.append(_Token("op", "=", pos))
            pos += 1
            continue
        if match is None:
            char = text[pos]
            hint = "did you mean '->' or '>='? " if char in "=" else ""
            raise SpecError(
                text,
                pos,
                f"unexpected character {char!r}",
                f"{hint}a spec is made of dim names, numbers, + - * / ( ) [ ] , : -> "
                f"(and >= > <= < in a mask's predicate) "
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
        elif kind == "position":
            # A symbolic loop index written into the text (`core.symbolic`): only a slice
            # bound takes it.
            tokens.append(_Token("position", match.group(), pos))
        elif kind == "name":
            tokens.append(_Token("name", match.group(), pos))
        elif kind == "op":
            tokens.append(_Token("op", match.group(), pos))
        pos = end
    tokens.append(_Token("end", "", len(text.rstrip())))
    return tokens


def _describe(token: _Token) -> str:
    return "the end of the spec" if token.kind == "end" else f"'{token.text}'"
