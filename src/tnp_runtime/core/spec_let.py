"""Named subexpressions of the spec language: `let mu = sum[N](x:M N) / 256 in x:M N - mu`.

A spec may start with `let NAME = expr {, NAME = expr} in`, repeated (`let a = ... in let b =
... in body`); each binding may use the names bound before it. A bound name stands alone
wherever an expression may (`mu`, `exp(mu)`, `(mu, K:N K -> M K)`); not as a dim of a leaf.
The name is substituted by its expression's tree as it is parsed: the tree of a spec with
`let` is the tree of the same spec written out, so its resolution, its IR and its proofs are
the same. Positions in the substituted tree are those of the binding's text, where a fault in
it is shown.

In a spec that starts with `let`, `in` is a word of the language, not a dim name. Faults, each
a `SpecError` with a caret: a `let` without `in`, a binding named like a keyword or bound twice,
a binding never used (most often a typo in its uses), and, at resolution (`check_bindings`), a
binding named like a dim or an input, a name that is neither bound nor a dim, and a bound name
written as a dim of a leaf.

`same_spec_text` compares two spec texts by their trees, positions aside: texts that differ in
whitespace, in redundant parentheses or by a `let` are the same spec.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from tnp_runtime.core.dims import FullDim
from tnp_runtime.core.spec_parser import _Parser
from tnp_runtime.core.spec_syntax import (
    _KEYWORD_LIST,
    KEYWORDS,
    SpecError,
    SpecNode,
    Tensor,
    _describe,
    _Token,
    _tokenize,
)

LET: Final = "let"
IN: Final = "in"
_LET_START: Final = re.compile(r"\s*let\s+[^\W\d]\w*\s*=")


@dataclass(frozen=True, slots=True)
class LetBinding:
    """`name = ...` of a `let`: the name, where it is written, and its expression's tree."""

    name: str
    pos: int
    node: SpecNode


@dataclass(frozen=True, slots=True)
class LetSpec:
    """A parsed spec: its tree with every bound name substituted (`body`), its bindings in
    order, and every leaf of the text (bindings included), for the checks of resolution."""

    body: SpecNode
    bindings: tuple[LetBinding, ...]
    leaves: tuple[Tensor, ...]


class _LetParser(_Parser):
    """The spec parser with the `let` header and bound names (see the module docstring)."""

    def __init__(self, text: str) -> None:
        self.has_let = _LET_START.match(text) is not None
        if not self.has_let:
            super().__init__(text)
        else:
            # "=" is a token, and `in` ends a binding list: an operator here, so a leaf's dims
            # stop before it.
            tokens = [
                _Token("op", IN, t.pos) if t.kind == "name" and t.text == IN else t
                for t in _tokenize(text, equals=True)
            ]
            super().__init__(text, tokens)
        self.named: dict[str, LetBinding] = {}
        self.used: set[str] = set()
        self.leaves: list[Tensor] = []

    def _starts_let(self, index: int) -> bool:
        """`let NAME =` at token `index`."""
        tokens = self.tokens
        return (
            index + 2 < len(tokens)
            and tokens[index].kind == "name"
            and tokens[index].text == LET
            and tokens[index + 1].kind == "name"
            and self.is_op(tokens[index + 2], "=")
        )

    def let_spec(self) -> LetSpec:
        bindings: list[LetBinding] = []
        while self.has_let and self._starts_let(self.index):
            bindings.extend(self.header())
        if bindings and self.token.kind == "end":
            raise self.error(
                self.token.pos,
                "nothing after 'in'",
                f"write the spec after in, using {', '.join(b.name for b in bindings)}",
            )
        body = self.spec()
        for binding in bindings:
            if binding.name not in self.used:
                raise self.unused(binding)
        return LetSpec(body, tuple(bindings), tuple(self.leaves))

    def unused(self, binding: LetBinding) -> SpecError:
        """A binding never used: most often a use written before it, inside a leaf, or
        misspelt; the message says which."""
        written = [(d, leaf) for leaf in self.leaves for d in leaf.dims]
        for dim, leaf in written:
            if dim.name != binding.name:
                continue
            if dim.pos < binding.pos:
                return self.error(
                    dim.pos,
                    f"'{dim.name}' is used before its binding",
                    f"bind {dim.name} before the binding that uses it",
                )
            return self.error(
                dim.pos,
                f"'{dim.name}' is a name bound by let, not a dim of a leaf",
                f"a bound name stands alone as a value: write {dim.name} apart from "
                f"{leaf.dims[0].name if leaf.dims[0] is not dim else 'the dims'}, joined by an "
                "operator",
            )
        names = sorted({d.name for d, _ in written} - set(self.named))
        close = difflib.get_close_matches(binding.name, names, n=1, cutoff=0.6)
        typo = f" ('{close[0]}' is written where it may be meant)" if close else ""
        return self.error(
            binding.pos,
            f"'{binding.name}' is bound by let but never used{typo}",
            f"use {binding.name} in the spec, or remove its binding",
        )

    def header(self) -> list[LetBinding]:
        """`let NAME = expr {, NAME = expr} in`, up to and including `in`."""
        let = self.advance()
        found: list[LetBinding] = []
        while True:
            name = self.advance()
            if name.text in KEYWORDS:
                raise self.error(
                    name.pos,
                    f"'{name.text}' is a keyword and cannot be bound by let",
                    f"choose another name (keywords: {_KEYWORD_LIST})",
                )
            if name.text in self.named:
                raise self.error(
                    name.pos,
                    f"'{name.text}' is bound twice",
                    "give each binding its own name",
                )
            self.advance()  # "=", checked by `_starts_let` or below
            binding = LetBinding(name.text, name.pos, self.expr())
            self.named[binding.name] = binding
            found.append(binding)
            if self.at(IN):
                self.advance()
                return found
            if not self.at(","):
                token = self.token
                raise self.error(
                    let.pos if token.kind == "end" else token.pos,
                    f"let needs 'in' before the spec's body; found {_describe(token)} after "
                    f"the binding of {binding.name}",
                    f"write let {binding.name} = ... in <the spec, using {binding.name}>; "
                    "separate bindings with ','",
                )
            self.advance()
            if not (self.token.kind == "name" and self.is_op(self.peek(), "=")):
                raise self.error(
                    self.token.pos,
                    f"expected another binding after ',', found {_describe(self.token)}",
                    "write NAME = expression, or end the bindings with 'in'",
                )

    def atom(self) -> SpecNode:
        token = self.token
        if token.kind == "name" and not self.is_op(self.peek(), ":"):
            binding = self.named.get(token.text)
            if binding is not None:
                self.advance()
                self.used.add(binding.name)
                return binding.node
        return super().atom()

    def tensor(self) -> Tensor:
        leaf = super().tensor()
        self.leaves.append(leaf)
        return leaf


def parse_let(text: str) -> LetSpec:
    """The tree of a whole spec, `let` bindings substituted; raises `SpecError` on any fault."""
    return _LetParser(text).let_spec()


def parse_spec(text: str) -> SpecNode:
    """The syntax tree of a whole spec (with `let`, written out); raises `SpecError`."""
    return parse_let(text).body


def check_bindings(
    text: str, parsed: LetSpec, dims: Mapping[str, FullDim], input_names: frozenset[str]
) -> None:
    """The checks of a `let` that need the dims and inputs a spec resolves against."""
    if not parsed.bindings:
        return
    bound = [b.name for b in parsed.bindings]
    for binding in parsed.bindings:
        what = (
            "a dim" if binding.name in dims else "an input" if binding.name in input_names else None
        )
        if what is not None:
            raise SpecError(
                text,
                binding.pos,
                f"let binds '{binding.name}', which is already the name of {what}",
                f"rename the binding, e.g. {binding.name}_",
            )
    for leaf in parsed.leaves:
        for dim in leaf.dims:
            if dim.name in dims:
                continue
            if dim.name in bound:
                later = len(leaf.dims) == 1 and leaf.name is None
                raise SpecError(
                    text,
                    dim.pos,
                    f"'{dim.name}' is used before its binding"
                    if later
                    else f"'{dim.name}' is a name bound by let, not a dim of a leaf",
                    f"bind {dim.name} before the binding that uses it"
                    if later
                    else f"a bound name stands alone as a value: write {dim.name} apart, "
                    "joined by an operator",
                )
            close = difflib.get_close_matches(dim.name, bound, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]}?)" if close else ""
            known = ", ".join(sorted(dims))
            raise SpecError(
                text,
                dim.pos,
                f"unknown name '{dim.name}': neither bound by let nor a dim",
                f"the let binds {', '.join(bound)}{hint}; the dims are {known}",
            )


def _shape(node: object) -> object:
    """`node` without positions, comparable: a syntax tree's fields other than `pos`."""
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        return (
            type(node).__name__,
            *(_shape(getattr(node, f.name)) for f in dataclasses.fields(node) if f.name != "pos"),
        )
    if isinstance(node, tuple):
        return tuple(_shape(item) for item in node)
    return node


def same_spec_text(first: str, second: str) -> bool:
    """True if both texts parse to the same tree (whitespace, redundant parentheses and `let`
    aside); False if they differ or either does not parse."""
    if first == second:
        return True
    try:
        return _shape(parse_spec(first)) == _shape(parse_spec(second))
    except SpecError:
        return False
