"""Text of normal forms and expressions, in the spec language, for messages.

What a message shows must parse as a spec where it can: a sum of a product of inputs renders as
a contraction `(M N, N K -> M K)`, a partial one with the slice on the dims
`(M N[0:32], N[0:32] K -> M K)`. Inputs show their dims; their name is added (`K:nctx dhead`)
when two inputs in view share a dim set, as the spec language requires. Long texts are cut
with an ellipsis so a message stays readable however many tiles a kernel has.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Final, assert_never

from tnp_runtime.core import constants, normal, normal_mask
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
from tnp_runtime.core.term_text import Kind, Term, add, atom, call, div, mul, neg, power, show

MAX_CHARS: Final = 240
# A quotient with a denominator up to this is shown as one even when it stands for a float.
SIMPLE_DENOMINATOR: Final = 10_000


def number(value: Fraction) -> str:
    """`4`, `0.25`, `0.044715`, `(1/3)`: decimal when exact; a constant that stands for a float
    (`constants.float_constant`: `np.sqrt(2 / np.pi)` in a kernel) as that float's shortest
    text, `0.7978845608028654`, as the kernel or spec wrote it; else a parenthesised quotient.
    Display only: the prover keeps the exact rational."""
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
    as_float = float(value)
    simple = value.denominator <= SIMPLE_DENOMINATOR  # 1/3 and 22/7 read best as written
    if not simple and math.isfinite(as_float) and constants.float_constant(as_float) == value:
        text = repr(as_float)
        if "e" not in text and "inf" not in text:
            return text
    return f"({value.numerator}/{value.denominator})"


def _plain(value: Fraction) -> bool:
    """Shown without a quotient: an integer or a decimal."""
    return not number(value).startswith("(")


def _common_factor(coefs: list[Fraction]) -> Fraction | None:
    """A coefficient to take out of a sum, shown once in front of it, when some coefficients
    are quotients and dividing by it leaves every one plain: `C*x + 0.044715*C*x**3` is shown
    `C * (x + 0.044715 * x ** 3)`, the way a kernel writes it. None when nothing is gained."""
    if len(coefs) < 2 or all(_plain(c) for c in coefs):
        return None
    for candidate in sorted({abs(c) for c in coefs}, key=lambda c: (len(number(c)), c)):
        if candidate != 1 and all(_plain(c / candidate) for c in coefs):
            return candidate
    return None


def cut(text: str, limit: int = MAX_CHARS) -> str:
    """For the short view of a kernel's expression (`Renderer.expr`); normal forms are never
    cut (`term_text` names their repeated parts and elides long sums instead)."""
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
        return show(self.term(value))

    def term(self, value: normal_mask.MValue) -> Term:
        """The value as a `term_text.Term`: to show, to compare with another, to name parts of."""
        match value:
            case ExtInf(negative=negative):
                return atom("-inf" if negative else "inf")
            case normal_mask.Masked(pred=pred, poly=poly):
                return call(f"mask[{pred}]", self._poly(poly))
            case normal_mask.PartialMax(args=args):
                return self._max_of(args)
            case Poly():
                return self._poly(value)
            case _:
                assert_never(value)

    def _max_of(self, args: Iterable[Poly]) -> Term:
        terms = sorted((self._poly(a) for a in args), key=show)
        result = terms[0]
        for other in terms[1:]:
            result = call("max", result, other)
        return result

    def _poly(self, poly: Poly) -> Term:
        if not poly.terms:
            return atom("0")
        alone = normal.single_atom(poly)
        if isinstance(alone, Leaf):
            # A bare input needs no parentheses of its own inside a call: exp(M N).
            return atom(self._read(alone))
        ordered = sorted(
            ((self._mono(mono), mono, coef) for mono, coef in poly.terms), key=lambda t: show(t[0])
        )
        common = _common_factor([coef for _, _, coef in ordered])
        if common is not None and len(ordered) > 1:
            inner = add(self._signed(body, mono, coef / common) for body, mono, coef in ordered)
            return mul([atom(number(common)), inner])
        return add(self._signed(body, mono, coef) for body, mono, coef in ordered)

    def _signed(self, body: Term, mono: Mono, coef: Fraction) -> Term:
        term = self._term(body, mono, abs(coef))
        return neg(term) if coef < 0 else term

    def _term(self, body: Term, mono: Mono, coef: Fraction) -> Term:
        if mono is normal.UNIT:
            return atom(number(coef))
        if coef == 1:
            return body
        if coef.numerator == 1 and not (body.kind is Kind.DIV and body.args[0] == atom("1")):
            return div(body, atom(str(coef.denominator)))
        return mul([atom(number(coef)), *(body.args if body.kind is Kind.MUL else (body,))])

    def _mono(self, mono: Mono) -> Term:
        num: list[Term] = []
        den: list[Term] = []
        for atom_, exponent in mono.factors:
            (num if exponent > 0 else den).append(power(self._atom(atom_), abs(exponent)))
        if mono.exponent is not None:
            num.append(call("exp", self._poly(mono.exponent)))
        result = mul(num)
        for d in den:
            result = div(result, d)
        return result

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

    def _atom(self, node: Atom) -> Term:
        match node:
            case Leaf():
                return atom(f"({self._read(node)})")
            case SumAtom(bindings=bindings, body=body):
                return self._sum(bindings, body, node.free)
            case MaxAtom(bindings=bindings, body=body, guard=guard):
                result = self._poly(body)
                if guard is not None:
                    result = call(f"mask[{guard}]", result)
                for dim, over in reversed(bindings):
                    result = call(f"max[{dim}{self._interval_suffix(dim, over)}]", result)
                return result
            case MaxOf(args=args):
                return self._max_of(args)
            case Func(name=name, arg=arg):
                if name == "group":
                    return self._poly(arg)  # parenthesised where precedence needs it
                return call(name, self._poly(arg))
            case Call(func=func, args=args):
                terms = [self._poly(a) for a in args]
                if func.is_where:  # (d, a, b): where(d > 0, a, b)
                    relation = ">" if func is WHERE_GT else ">="
                    test = atom(f"{show(terms[0])} {relation} 0")
                    return call("where", test, terms[1], terms[2])
                return call(func.name, *terms)
            case Ind(pred=pred):
                return atom(f"mask[{pred}, 0](1)")
            case _:
                assert_never(node)

    def _sum(
        self,
        bindings: tuple[tuple[str, IntervalSet], ...],
        body: Mono,
        free: frozenset[str],
    ) -> Term:
        slices = {dim: self._interval_suffix(dim, over) for dim, over in bindings}
        leaves = [a for a, p in body.factors if isinstance(a, Leaf) and p == 1 and not a.index]
        if body.exponent is None and len(leaves) == len(body.factors) and leaves:
            leaves.sort(key=lambda a: self._leaf(a.input, {}))
            operands = ", ".join(self._leaf(a.input, slices) for a in leaves)
            out = " ".join(sorted(free, key=lambda d: self._out_position(d, leaves)))
            return atom(f"({operands} -> {out})")
        result = self._mono(body)
        for dim, _ in reversed(bindings):
            result = call(f"sum[{dim}{slices[dim]}]", result)
        return result

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
        for i, leaf in enumerate(leaves):
            if dim in leaf.input.dims:
                return (1, i, leaf.input.dims.index(dim))
        return (2, 0, 0)
