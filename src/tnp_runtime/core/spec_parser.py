"""The spec language's parser: text to the syntax tree of `spec_syntax`, in linear time.

Nesting of parentheses and calls is capped at `MAX_NESTING` levels and every other repetition
(operators, unary minus) is parsed with loops, so no text reaches Python's recursion limit.
Every failure is a `SpecError` with a caret under the fault.
"""

from __future__ import annotations

from fractions import Fraction

from tnp_runtime.core import constants, operations
from tnp_runtime.core.diagnostics import Violation
from tnp_runtime.core.elementwise import ELEMENTWISE
from tnp_runtime.core.spec_leaves import _LeafParser
from tnp_runtime.core.spec_syntax import (
    KEYWORDS,
    ArithOp,
    BinOp,
    Contraction,
    Func,
    InfLit,
    Max2,
    Min2,
    Neg,
    Number,
    OpaqueCall,
    Power,
    Reducer,
    Reduction,
    ReductionOp,
    Relation,
    SpecDim,
    SpecNode,
    Where,
    _describe,
    _start,
    _Token,
)

# ---------------------------------------------------------------------------------------------
# Parser

# The reduction each keyword written `word[D](x)` denotes.
_REDUCTIONS: dict[str, ReductionOp] = {
    "sum": "sum", "max": "max", "softmax": "softmax", "min": "min", "mean": "mean",
}


class _Parser(_LeafParser):
    """Recursive descent over the grammar of docs/DESIGN.md §4.1; one instance per text. The
    token plumbing and the leaves (tensors, dims, slices, positions) are `_LeafParser`'s."""

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
        node = self.power()
        for pos in reversed(minuses):
            node = Neg(node, pos)
        return node

    def power(self) -> SpecNode:
        """`atom [ "**" [ "-" ] NUMBER ]`: binds tighter than unary minus, as in Python
        (`-x ** 2` is `-(x ** 2)`); the exponent is a whole or half-integer number."""
        node = self.atom()
        if not self.at("**"):
            return node
        operator = self.advance()
        negative = self.at("-")
        if negative:
            self.advance()
        token = self.token
        if token.kind != "number":
            raise self.error(
                token.pos,
                f"the exponent of '**' must be a number, found {_describe(token)}",
                "write a whole number such as x ** 2 or x ** -1 (or 0.5 for a square root); "
                "a power by a value is exp(y * log(x))",
            )
        self.advance()
        exponent = -Fraction(token.text) if negative else Fraction(token.text)
        try:
            operations.power_exponent(exponent)
        except Violation as err:
            raise self.error(
                token.pos,
                f"exponent {token.text}: tnp proves whole and half-integer powers only",
                "write x ** 2, x ** -1 or x ** 0.5 (sqrt); for another power, "
                "exp(y * log(x))",
            ) from err
        if self.at("**"):
            raise self.error(
                self.token.pos,
                "a second '**' after an exponent",
                "write one power with the exponent worked out: x ** 8, not x ** 2 ** 3",
            )
        return Power(node, exponent, operator.pos)

    def atom(self) -> SpecNode:
        token = self.token
        if token.kind == "number":
            self.advance()
            return Number(constants.spec_number(token.text), token.pos)
        if token.kind == "name":
            # A keyword followed by ":" is an input's name (a parameter may be called `max`).
            if token.text in KEYWORDS and not self.is_op(self.peek(), ":"):
                return self.keyword_atom()
            if self.is_op(self.peek(), "("):
                return self.opaque_call()
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
        if word == "mask":
            from tnp_runtime.core.spec_mask import parse_mask  # it imports this module's class

            return parse_mask(self, keyword.pos)
        if word == "and":
            raise self.error(
                keyword.pos,
                "'and' joins the predicates of a mask only",
                "write mask[qctx >= nctx and nctx < 100](x)",
            )
        if word in ELEMENTWISE:
            func = word
            if not self.at("("):
                raise self.keyword_as_dim(keyword, f"to apply it, write {word}(x)")
            opener = self.advance()
            return Func(func, self.single_body(word, opener), keyword.pos)
        if word == "min" and not self.at("["):
            return self.minimum(keyword)
        if word == "where":
            return self.where(keyword)
        reducer: Reducer = "max" if word == "max" else "sum"
        if word in ("softmax", "mean") or self.at("["):
            op: ReductionOp = _REDUCTIONS[word]
            if not self.at("["):
                what = "normalizes" if word == "softmax" else "averages"
                raise self.error(
                    self.token.pos,
                    f"{word} needs the dim it {what} over, found {_describe(self.token)}",
                    f"write {word}[D](x)",
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

    def minimum(self, keyword: _Token) -> SpecNode:
        """`min(a, b)` (after the keyword): the elementwise minimum; there is no
        min-contraction."""
        if not self.at("("):
            raise self.keyword_as_dim(
                keyword, "write min(a, b) for the elementwise minimum, min[D](x) to reduce"
            )
        opener = self.advance()
        operands, out, close = self.call_body(opener)
        if out is not None or len(operands) != 2:
            raise self.error(
                close.pos,
                f"min(...) takes two arguments and no '->', got {len(operands)}"
                + (" and '->'" if out is not None else ""),
                "write min(a, b) for the elementwise minimum, min[D](x) to reduce x over D; "
                "nest it for more: min(min(a, b), c)",
            )
        return Min2(operands[0], operands[1], keyword.pos)

    def where(self, keyword: _Token) -> SpecNode:
        """`where(a REL b, then, other)` (after the keyword), REL one of > >= < <=."""
        fix = "write where(x > y, a, b) (or >=, <, <=): a where x > y, else b"
        if not self.at("("):
            raise self.keyword_as_dim(keyword, fix)
        opener = self.advance()
        self.enter(opener)
        left = self.expr()
        relation = self.token
        if relation.kind != "op" or relation.text not in (">", ">=", "<", "<="):
            raise self.error(
                relation.pos, f"expected a comparison (> >= < <=), found {_describe(relation)}",
                fix,
            )
        self.advance()
        right = self.expr()
        branches: list[SpecNode] = []
        for _ in range(2):
            if not self.at(","):
                raise self.error(
                    self.token.pos, f"expected ',' in where(...), found {_describe(self.token)}",
                    fix,
                )
            self.advance()
            branches.append(self.expr())
        if not self.at(")"):
            raise self.error(
                self.token.pos, f"expected ')' after where's branches, found "
                f"{_describe(self.token)}", fix,
            )
        self.advance()
        self.nesting -= 1
        op: Relation = ">" if relation.text == ">" else (
            ">=" if relation.text == ">=" else ("<" if relation.text == "<" else "<="))
        return Where(op, left, right, branches[0], branches[1], keyword.pos)

    def opaque_call(self) -> SpecNode:
        """`name(a, b, ...)`: a function the kernel's module declares with `tnp.opaque`."""
        name = self.advance()
        opener = self.advance()
        operands, out, close = self.call_body(opener)
        if out is not None:
            raise self.error(
                close.pos,
                f"{name.text}(...) is a function call: it takes no '->'",
                f"contract first, then apply it: {name.text}((a, b -> dims))",
            )
        return OpaqueCall(name.text, operands, name.pos)

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


def parse_spec(text: str) -> SpecNode:
    """The syntax tree of a whole spec; raises `SpecError` on any fault."""
    return _Parser(text).spec()


def parse_dims(text: str) -> tuple[SpecDim, ...]:
    """The dims of an annotation such as "M N" or "qctx dhead" (slices allowed: "N[0:4]").

    At least one dim, each named once; raises `SpecError` on any fault.
    """
    return _Parser(text).dims_only()
