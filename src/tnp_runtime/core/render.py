"""Text of normal forms and expressions, in the spec language, for messages.

What a message shows must parse as a spec where it can: a sum of a product of inputs renders as
a contraction `(M N, N K -> M K)`, a partial one with the slice on the dims
`(M N[0:32], N[0:32] K -> M K)`. Inputs show their dims; their name is added (`K:nctx dhead`)
when two inputs in view share a dim set, as the spec language requires. Long texts are cut
with an ellipsis so a message stays readable however many tiles a kernel has.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Final, assert_never

from tnp_runtime.core import normal, normal_mask
from tnp_runtime.core.dims import IntervalSet
from tnp_runtime.core.indexing import read_label
from tnp_runtime.core.ir import (
    Apply,
    Binary,
    Const,
    Expr,
    Inf,
    Input,
    Mask,
    Read,
    Reduce,
    Unary,
    UnaryOp,
    input_labels,
)
from tnp_runtime.core.normal import (
    Atom,
    Call,
    ExtInf,
    Func,
    Ind,
    Leaf,
    MaxAtom,
    MaxOf,
    Mono,
    Poly,
    SumAtom,
)
from tnp_runtime.core.opaque import WHERE_GT

MAX_CHARS: Final = 240


def number(value: Fraction) -> str:
    """`4`, `0.25`, `(1/3)`: decimal when exact, else a parenthesised quotient."""
    if value.denominator == 1:
        return str(value.numerator)
    den = value.denominator
    for p in (2, 5):
        while den % p == 0:
            den //= p
    if den == 1 and len(str(value.denominator)) <= 8:
        text = f"{float(value):.12f}".rstrip("0")
        if Fraction(text) == value:
            return text
    return f"({value.numerator}/{value.denominator})"


def cut(text: str, limit: int = MAX_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Renderer:
    """Renders values of one message: `sizes` says which intervals are whole dims,
    `named` which inputs must show their names (they share a dim set with another)."""

    sizes: Mapping[str, int]
    named: frozenset[str]
    order: tuple[str, ...] = ()
    # Distinct inputs that would read alike (two arrays named x): shown as `x#2:M N`.
    qualified: Mapping[Input, str] = field(default_factory=dict)

    @staticmethod
    def for_inputs(
        sizes: Mapping[str, int], inputs: Iterable[Input], order: tuple[str, ...] = ()
    ) -> Renderer:
        """`order`: the dims of the value in view, so its free dims are listed in that order."""
        by_dims: dict[frozenset[str], set[str]] = {}
        for node in inputs:
            by_dims.setdefault(frozenset(node.dims), set()).add(node.name)
        named = {name for names in by_dims.values() if len(names) > 1 for name in names}
        labels = input_labels(inputs)
        # Every input of a group that reads alike is qualified, the first too (`x` and `x#2`).
        groups: dict[str, int] = {}
        for label in labels.values():
            base = label.rsplit("#", 1)[0] if "#" in label[1:] else label
            groups[base] = groups.get(base, 0) + 1
        qualified = {
            node: label
            for node, label in labels.items()
            if groups[label.rsplit("#", 1)[0] if "#" in label[1:] else label] > 1
        }
        return Renderer(sizes, frozenset(named), order, qualified)

    # -- normal forms -------------------------------------------------------------------------

    def value(self, value: normal_mask.MValue) -> str:
        match value:
            case ExtInf(negative=negative):
                return "-inf" if negative else "inf"
            case normal_mask.Masked(pred=pred, poly=poly):
                return cut(f"mask[{pred}]({self._poly(poly)})")
            case normal_mask.PartialMax(args=args):
                texts = sorted(self._poly(a) for a in args)
                text = texts[0]
                for other in texts[1:]:
                    text = f"max({text}, {other})"
                return cut(text)
            case Poly():
                return cut(self._poly(value))
            case _:
                assert_never(value)

    def _poly(self, poly: Poly) -> str:
        if not poly.terms:
            return "0"
        alone = normal.single_atom(poly)
        if isinstance(alone, Leaf):
            # A bare input needs no parentheses of its own inside a call: exp(M N).
            return self._read(alone)
        parts: list[str] = []
        for i, (mono, coef) in enumerate(sorted(poly.terms, key=lambda t: self._mono(t[0]))):
            sign = "-" if coef < 0 else "+"
            body = self._term(mono, abs(coef))
            if i == 0:
                parts.append(("-" if sign == "-" else "") + body)
            else:
                parts.append(f" {sign} {body}")
        return "".join(parts)

    def _term(self, mono: Mono, coef: Fraction) -> str:
        if mono is normal.UNIT:
            return number(coef)
        text = self._mono(mono)
        if coef == 1:
            return text
        if coef.numerator == 1 and text and not text.startswith("1 /"):
            return f"{text} / {coef.denominator}" if coef.denominator != 1 else text
        return f"{number(coef)} * {text}"

    def _mono(self, mono: Mono) -> str:
        num: list[str] = []
        den: list[str] = []
        for atom, power in mono.factors:
            text = self._atom(atom)
            (num if power > 0 else den).extend([text] * abs(power))
        if mono.exponent is not None:
            num.append(f"exp({self._poly(mono.exponent)})")
        head = " * ".join(num) if num else "1"
        return head + "".join(f" / {d}" for d in den)

    def _interval_suffix(self, dim: str, over: IntervalSet) -> str:
        if len(over.intervals) == 1 and over.intervals[0].start == 0:
            if self.sizes.get(dim) == over.intervals[0].stop:
                return ""
        return "[" + ", ".join(str(iv) for iv in over.intervals) + "]"

    def _leaf(self, node: Input, slices: Mapping[str, str]) -> str:
        dims = " ".join(d + slices.get(d, "") for d in node.dims)
        label = self.qualified.get(node)
        if label is not None:
            if node.anonymous:
                rank = label.rsplit("#", 1)[1] if "#" in label else "1"
                return f"unnamed#{rank}:{dims}"
            return f"{label}:{dims}"
        if node.name in self.named and not node.anonymous:
            return f"{node.name}:{dims}"
        return dims

    def _read(self, atom: Leaf) -> str:
        shown = self._leaf(atom.input, {})
        if not atom.index:
            return shown
        if ":" not in shown and not atom.input.anonymous:
            shown = f"{atom.input.name}:{shown}"  # a read is easier to follow by its name
        return read_label(atom.index, shown)

    def _atom(self, atom: Atom) -> str:
        match atom:
            case Leaf():
                return f"({self._read(atom)})"
            case SumAtom(bindings=bindings, body=body):
                return self._sum(bindings, body, atom.free)
            case MaxAtom(bindings=bindings, body=body, guard=guard):
                text = self._poly(body)
                if guard is not None:
                    text = f"mask[{guard}]({text})"
                for dim, over in reversed(bindings):
                    text = f"max[{dim}{self._interval_suffix(dim, over)}]({text})"
                return text
            case MaxOf(args=args):
                texts = sorted(self._poly(a) for a in args)
                text = texts[0]
                for other in texts[1:]:
                    text = f"max({text}, {other})"
                return text
            case Func(name=name, arg=arg):
                if name == "group":
                    return f"({self._poly(arg)})"
                return f"{name}({self._poly(arg)})"
            case Call(func=func, args=args):
                texts = [self._poly(a) for a in args]
                if func.is_where:  # (d, a, b): where(d > 0, a, b)
                    relation = ">" if func is WHERE_GT else ">="
                    return f"where({texts[0]} {relation} 0, {texts[1]}, {texts[2]})"
                return f"{func.name}({', '.join(texts)})"
            case Ind(pred=pred):
                return f"mask[{pred}, 0](1)"
            case _:
                assert_never(atom)

    def _sum(
        self,
        bindings: tuple[tuple[str, IntervalSet], ...],
        body: Mono,
        free: frozenset[str],
    ) -> str:
        slices = {dim: self._interval_suffix(dim, over) for dim, over in bindings}
        leaves = [a for a, p in body.factors if isinstance(a, Leaf) and p == 1 and not a.index]
        if body.exponent is None and len(leaves) == len(body.factors) and leaves:
            leaves.sort(key=lambda a: self._leaf(a.input, {}))
            operands = ", ".join(self._leaf(a.input, slices) for a in leaves)
            out = " ".join(sorted(free, key=lambda d: self._out_position(d, leaves)))
            return f"({operands} -> {out})"
        text = self._mono(body)
        for dim, _ in reversed(bindings):
            text = f"sum[{dim}{slices[dim]}]({text})"
        return text

    # -- expressions (the kernel's ExprType, short) ---------------------------------------------

    def expr(self, expr: Expr, depth: int = 3) -> str:
        return cut(self._expr(expr, depth), 80)

    def _expr(self, expr: Expr, depth: int) -> str:
        if depth == 0:
            return "…"
        match expr:
            case Const(value=value):
                return number(value)
            case Inf(negative=negative):
                return "-inf" if negative else "inf"
            case Input() as node:
                shown = self._leaf(node, {})
                if node.anonymous or node in self.qualified:
                    return shown
                return f"{node.name}:{' '.join(node.dims)}"
            case Read(source=source, index=index):
                shown = self._expr(source, depth)
                return read_label(index, shown)
            case Unary(op=op, operand=operand):
                inner = self._expr(operand, depth - 1)
                return f"-{inner}" if op is UnaryOp.NEG else f"{op.value}({inner})"
            case Binary(op=op, left=left, right=right):
                lhs, rhs = self._expr(left, depth - 1), self._expr(right, depth - 1)
                if op.value == "max":
                    return f"max({lhs}, {rhs})"
                return f"({lhs} {op.value} {rhs})"
            case Reduce(op=op, dim=dim, interval=interval, body=body):
                return f"{op.value}[{dim}[{interval}]]({self._expr(body, depth - 1)})"
            case Apply(func=func, args=args):
                texts = [self._expr(a, depth - 1) for a in args]
                if func.is_where:  # (x, y, a, b): where(x > y, a, b)
                    relation = ">" if func is WHERE_GT else ">="
                    return f"where({texts[0]} {relation} {texts[1]}, {texts[2]}, {texts[3]})"
                return f"{func.name}({', '.join(texts)})"
            case Mask(pred=pred, fill=fill, operand=operand):
                inner = self._expr(operand, depth - 1)
                if isinstance(fill, Inf):
                    return f"mask[{pred}]({inner})"
                return f"mask[{pred}, {self._expr(fill, 1)}]({inner})"
            case _:
                assert_never(expr)


    def _out_position(self, dim: str, leaves: list[Leaf]) -> tuple[int, int, int]:
        """Dims of the value in view first, in its order; the rest as the operands meet them."""
        if dim in self.order:
            return (0, self.order.index(dim), 0)
        for i, atom in enumerate(leaves):
            if dim in atom.input.dims:
                return (1, i, atom.input.dims.index(dim))
        return (2, 0, 0)
