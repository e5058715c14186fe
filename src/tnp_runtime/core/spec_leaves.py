"""The spec parser's token plumbing and its leaves: tensors, dims, slices and read positions.

`spec_parser._Parser` (the expression grammar) derives from `_LeafParser`; this part reads a
leaf such as `K:nctx dhead`, `N[0:4]` or `x:N[P + K]` and reports every fault as a `SpecError`
with a caret. It calls no expression rule, so it stands alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from tnp_runtime.core import symbolic
from tnp_runtime.core.dims import Interval
from tnp_runtime.core.indexing import affine
from tnp_runtime.core.ir import Affine
from tnp_runtime.core.spec_syntax import (
    _KEYWORD_LIST,
    KEYWORDS,
    MAX_NESTING,
    IndexLeaf,
    SpecDim,
    SpecError,
    Tensor,
    _describe,
    _Token,
    _tokenize,
)


class _LeafParser:
    """A cursor over the tokens of one text, and the rules of leaves and dims."""

    def __init__(self, text: str, tokens: list[_Token] | None = None) -> None:
        self.text = text
        self.tokens = _tokenize(text) if tokens is None else tokens
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
        dims = [self.dim(in_leaf=True)]
        while self.token.kind == "name":
            token, after = self.token, self.peek()
            if token.text in KEYWORDS:
                if self.is_op(after, "(") or self.is_op(after, "["):
                    break  # a call follows the leaf; the caller reports the missing operator
                raise self.keyword_as_dim(token, None)
            if self.is_op(after, "("):
                break  # a function call follows the leaf; the caller reports the operator
            if self.is_op(after, ":"):
                break  # "M K:N": another leaf; the caller reports the missing operator
            dims.append(self.dim(in_leaf=True))
        self.check_distinct(dims, "in one leaf")
        return Tensor(name, tuple(dims), first.pos)

    def dim(self, in_leaf: bool = False) -> SpecDim:
        """A dim, with its slice `N[0:4]`; in a leaf, or with its position `N[O + K]`."""
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
        if in_leaf and not self.bracket_is_slice():
            return SpecDim(token.text, None, token.pos, self.position(token.text))
        return SpecDim(token.text, self.slice(token.text), token.pos)

    def bracket_is_slice(self) -> bool:
        """Whether the `[` at hand opens a slice (`N[0:4]`, or a malformed one such as
        `N[-1:2]`): a ':' before the closing `]` that does not name an index input (`V[t:B]`).
        Otherwise it is a position (`N[P + K]`, `K[2]`)."""
        if self.peek().kind == "name" and self.is_op(self.peek(2), ":"):
            return False
        ahead = 1
        while (token := self.peek(ahead)).kind != "end" and not self.is_op(token, "]"):
            if self.is_op(token, ":"):
                return True
            ahead += 1
        return False

    def position(self, name: str) -> Affine | IndexLeaf:
        """`[O + K]`, `[O - 1]`, `[2 * O + K]`, `[3]`, or an index input `[t:B]`: where a leaf
        reads its dim `name`."""
        bracket = self.advance()
        example = f"write where {name} is read, e.g. x:{name}[O + K] or x:B {name}[t:B]"
        if self.token.kind == "name" and self.is_op(self.peek(), ":"):
            return self.index_leaf(bracket, example)
        terms: dict[str, int] = {}
        offset, sign = 0, 1
        if self.at("-"):
            self.advance()
            sign = -1
        while True:
            token = self.token
            if token.kind == "number" and token.text.isdigit():
                self.advance()
                if not self.at("*"):
                    offset += sign * int(token.text)
                else:
                    self.advance()
                    dim = self.token
                    if dim.kind != "name" or dim.text in KEYWORDS:
                        raise self.error(
                            dim.pos,
                            f"expected a dim after '{token.text} *' in the position of {name}, "
                            f"found {_describe(dim)}",
                            example,
                        )
                    self.advance()
                    terms[dim.text] = terms.get(dim.text, 0) + sign * int(token.text)
            elif token.kind == "name" and token.text not in KEYWORDS:
                self.advance()
                terms[token.text] = terms.get(token.text, 0) + sign
            else:
                raise self.error(
                    token.pos,
                    f"bad position of {name}: expected a dim or a non-negative integer, "
                    f"found {_describe(token)}",
                    example,
                )
            if self.at("+") or self.at("-"):
                sign = 1 if self.advance().text == "+" else -1
                continue
            break
        if not self.at("]"):
            if self.token.kind == "end":
                raise self.error(bracket.pos, "unclosed '['", example)
            raise self.error(
                self.token.pos,
                f"bad position of {name}: expected '+', '-' or ']', found {_describe(self.token)}",
                example,
            )
        self.advance()
        return affine(terms, offset)

    def index_leaf(self, bracket: _Token, example: str) -> IndexLeaf:
        first = self.advance()
        self.advance()  # the ":"
        dims: list[str] = []
        while self.token.kind == "name" and self.token.text not in KEYWORDS:
            dims.append(self.advance().text)
        if not dims or not self.at("]"):
            if self.token.kind == "end":
                raise self.error(bracket.pos, "unclosed '['", example)
            raise self.error(
                self.token.pos,
                f"bad index input {first.text}: expected its dims, then ']', found "
                f"{_describe(self.token)}",
                example,
            )
        self.advance()
        return IndexLeaf(first.text, tuple(dims), first.pos)

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
        low, high = _bound_value(start), _bound_value(stop)
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
        if token.kind != "position" and (token.kind != "number" or not token.text.isdigit()):
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
        elif token.text in (">", ">=", "<", "<="):
            fix = "did you mean '->'? a comparison goes in where(x > y, a, b)"
        elif token.text in ("[", "]", ":"):
            fix = (
                "a slice goes right after a dim name, e.g. N[0:4], "
                "and an input's name right before its dims, e.g. K:nctx dhead"
            )
        else:
            fix = "join the parts with an operator (+ - * /), or remove the extra text"
        return self.error(token.pos, problem, fix)


def _bound_value(token: _Token) -> int:
    """A slice bound's value: its digits, or the symbolic position its token stands for."""
    if token.kind == "position":
        position = symbolic.token_position(token.text)
        if position is None:
            raise SpecError(token.text, 0, "a symbolic position outside its loop", "")
        return position
    return int(token.text)
