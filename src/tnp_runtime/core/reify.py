"""From a normal form back to a term: `reify(v)` is an IR term whose normal form is `v` itself.

Loops are proved by induction on invariants guessed from the first iterations' running values:
their terms grow with each iteration (max(max(max(-inf, a), b), c)...), their normal forms do
not (a max over nctx[0:96], a sum over nctx[0:96] of exp(s - that max)). To run the loop body
on such a value, the interpreter needs it as a term again; this module builds one.

Contract: `reify(v)` is None or a term `t` with `normalize(t) is v` (the same interned object).
Every piece is checked where it is made (an atom, a polynomial) by normalizing it, memoized per
node as the normalizer is, so a piece that does not come back to its normal form gives None
rather than a wrong term; a caller still checks the identity (None and a mismatch both mean "no
term"). The term is built bottom-up over the normal form's DAG, iteratively and once per object
(by uid), so its cost is linear in the normal form.

How each object is built, so that the rules of `normal*` map it back to itself:

* a `Poly` is the sum of its terms, balanced (no intermediate sum merges what the target does
  not: a subset of terms with no mergeable pair has none); `c·m` is `const(c) * m`;
* a `Mono` is the product of its atoms' powers (a negative power divides) times `exp` of its
  exponent. `exp(k·log P)` with a whole k multiplies P out (`normal.exp`), so such a term of
  the exponent is split, exp((k - ½)·log P + rest)·exp(½·log P), whose product adds the
  exponents back. A constant exponent (exp of it folds to a float) has no term: None;
* a `SumAtom` over one dim is a `Reduce` per interval of its set, added (adjacent tiles merge).
  Over several dims it is nested: the outer dim d's reduction of (the factors that read no
  other bound dim) times (the sum over the other dims of the rest), which the normalizer
  flattens back when that inner sum reads d;
* an unguarded `MaxAtom` nests its dims with innermost a dim every term of the body reads
  (`reduce_max` pulls out the others); a guarded one is the max of `Mask(guard, -inf, body)`,
  whose normal form is a `PartialMax` (a guarded maximum is never a finite term alone);
* a `MaxOf` is the max of its arguments, starting with two that share no term (else the common
  part is pulled out), the guarded ones last (`normal_mask` folds them into the finite max);
* a `Func` is its `UnaryOp` of the argument; `group(P)` (a multi-term denominator) is 1/P,
  whose inverse picks P again unless content keys order P's shifts by exp differently once
  scaled, in which case a few scalings c/(c·P) are tried;
* a `Call` is the function of its arguments; `where` holds (d, a, b) and is where(d > 0, a, b);
* `Ind(p)` is `Mask(p, 0, 1)`; `Masked(p, P)` is `Mask(p, -inf, P)`; `ExtInf` is `Inf`.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import assert_never

from tnp_runtime.core import ir, normal
from tnp_runtime.core.dims import IntervalSet
from tnp_runtime.core.ir import BinaryOp, Expr, ReduceOp, UnaryOp
from tnp_runtime.core.normal_mask import Masked, MValue, PartialMax
from tnp_runtime.core.normal_terms import (
    UNIT,
    Atom,
    Call,
    ExtInf,
    Func,
    Ind,
    Leaf,
    MaxAtom,
    MaxOf,
    Mono,
    NotNormalizable,
    Poly,
    SumAtom,
    atom_poly,
    single_atom,
)
from tnp_runtime.core.normalize import normalize
from tnp_runtime.core.opaque import WHERES

Node = Poly | Mono | Atom
Bindings = tuple[tuple[str, IntervalSet], ...]
Terms = Sequence[tuple[Mono, Fraction]]
Factors = Sequence[tuple[Atom, int]]

# `Func` names that are an elementwise function of the IR (`group` is not: it is 1/P).
_UNARY = {op.value: op for op in UnaryOp if op is not UnaryOp.NEG}
# exp(k·log P) with a whole |k| up to this is multiplied out (`normal._MAX_LOG_POWER`); the
# split is harmless for larger k, so every whole k is split.
_HALF = Fraction(1, 2)


def reify(value: MValue) -> Expr | None:
    """A term whose normal form is `value` (the same object), or None where none is built."""
    match value:
        case ExtInf(negative=negative):
            return ir.inf(negative)
        case Poly():
            return _Builder().poly(value)
        case Masked(pred=pred, poly=poly):
            inner = _Builder().poly(poly)
            return None if inner is None else _check(ir.mask(pred, ir.inf(True), inner), value)
        case PartialMax(args=args):
            builder = _Builder()
            parts = [builder.poly(arg) for arg in args]
            if any(p is None for p in parts):
                return None
            return _check(_fold(BinaryOp.MAX, [p for p in parts if p is not None]), value)
        case _:
            assert_never(value)


def _check(expr: Expr | None, expected: MValue) -> Expr | None:
    """`expr` if its normal form is `expected`, else None."""
    if expr is None:
        return None
    try:
        return expr if normalize(expr) is expected else None
    except NotNormalizable:
        return None


def _fold(op: BinaryOp, items: Sequence[Expr]) -> Expr:
    """`op` over `items`, as a balanced tree (items non-empty)."""
    level = list(items)
    while len(level) > 1:
        pairs = [ir.binary(op, level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        level = pairs + level[len(level) - len(level) % 2 :]
    return level[0]


def _children(node: Node) -> tuple[Node, ...]:
    match node:
        case Poly(terms=terms):
            return tuple(m for m, _ in terms)
        case Mono(factors=factors, exponent=exponent):
            monos = () if exponent is None else tuple(m for m, _ in exponent.terms)
            return tuple(a for a, _ in factors) + monos
        case SumAtom(body=body):
            return (body,)
        case MaxAtom(body=body) | Func(arg=body):
            return (body,)
        case MaxOf(args=args) | Call(args=args):
            return args
        case Leaf() | Ind():
            return ()
        case _:
            assert_never(node)


def _guarded(poly: Poly) -> bool:
    """Whether `poly` is one guarded maximum (its term's normal form is a `PartialMax`)."""
    atom = single_atom(poly)
    return isinstance(atom, MaxAtom) and atom.guard is not None


def _free(factors: Factors, terms: Terms) -> frozenset[str]:
    return frozenset().union(*(a.free for a, _ in factors), *(m.free for m, _ in terms))


class _Builder:
    """One reification: the term of each object made so far, by uid (None: none found)."""

    def __init__(self) -> None:
        self._done: dict[int, Expr | None] = {}

    def poly(self, root: Poly) -> Expr | None:
        stack: list[tuple[Node, bool]] = [(root, False)]
        while stack:
            node, ready = stack.pop()
            if node.uid in self._done:
                continue
            if ready:
                self._done[node.uid] = self._build(node)
                continue
            stack.append((node, True))
            stack.extend((c, False) for c in _children(node) if c.uid not in self._done)
        return self._done[root.uid]

    def _build(self, node: Node) -> Expr | None:
        """The term of `node`, its children's terms being made."""
        match node:
            case Poly():
                return self._poly(node)
            case Mono(factors=factors, exponent=exponent):
                return self._mono(factors, () if exponent is None else exponent.terms)
            case Leaf(input=source, index=index):
                return ir.read(source, dict(index)) if index else source
            case Ind(pred=pred):
                return _check(ir.mask(pred, ir.const(0), ir.const(1)), atom_poly(node))
            case SumAtom():
                return self._sum_atom(node)
            case MaxAtom():
                return self._max_atom(node)
            case MaxOf():
                return self._max_of(node)
            case Func():
                return self._func(node)
            case Call(func=func, args=args):
                parts = self._all(args)
                if parts is None:
                    return None
                if func not in WHERES:
                    return _check(ir.apply(func, tuple(parts)), atom_poly(node))
                # (d, a, b) is where(d > 0, a, b), made from where(x > y, a, b) with x - y = k·d
                # for some k > 0 (d is scaled to a leading coefficient 1). With k = 1 the rule
                # may read max(a, b) (b + d = a) or a min where the original k did not; that
                # happens for one k at most each, so one of three scalings gives the atom.
                d, a, b = parts
                for k in (1, 2, 3):
                    x = d if k == 1 else ir.binary(BinaryOp.MUL, ir.const(k), d)
                    found = _check(ir.apply(func, (x, ir.const(0), a, b)), atom_poly(node))
                    if found is not None:
                        return found
                return None
            case _:
                assert_never(node)

    def _all(self, nodes: Sequence[Node]) -> list[Expr] | None:
        found = [self._done[n.uid] for n in nodes]
        return None if any(f is None for f in found) else [f for f in found if f is not None]

    def _poly(self, poly: Poly) -> Expr | None:
        if _guarded(poly):
            # Its term's normal form is a `PartialMax`: only a max with other terms (`_max_of`,
            # `reify` of a `PartialMax`) makes it what it is there, and checks that.
            return self._done[poly.terms[0][0].uid]
        return _check(self._sum(poly.terms), poly)

    def _sum(self, terms: Terms) -> Expr | None:
        """The sum of `terms` (their monomials' terms being made)."""
        parts: list[Expr] = []
        for mono, coef in terms:
            if mono is UNIT:
                parts.append(ir.const(coef))
                continue
            found = self._done[mono.uid]
            if found is None:
                return None
            parts.append(found if coef == 1 else ir.binary(BinaryOp.MUL, ir.const(coef), found))
        return _fold(BinaryOp.ADD, parts) if parts else ir.const(0)

    def _mono(self, factors: Factors, exponent: Terms) -> Expr | None:
        """The product of `factors` times exp of the sum of `exponent` (a mono's parts)."""
        above: list[Expr] = []
        below: list[Expr] = []
        for atom, power in factors:
            found = self._done[atom.uid]
            if found is None:
                return None
            if isinstance(atom, Func) and atom.name == "group":
                power = -power  # its term is 1/P, the atom to the power -1
            (above if power > 0 else below).extend(_powers(found, abs(power)))
        if exponent:
            if all(m is UNIT for m, _ in exponent):
                return None  # exp of a constant folds to a float: no term has this monomial
            whole = {m.uid for m, c in exponent if c.denominator == 1 and _is_log(m)}
            halves = [(m, _HALF) for m, _ in exponent if m.uid in whole]
            rest = [(m, c - _HALF if m.uid in whole else c) for m, c in exponent]
            for part in (rest, halves) if whole else (exponent,):
                summed = self._sum(part)
                if summed is None:
                    return None
                above.append(ir.unary(UnaryOp.EXP, summed))
        result = _fold(BinaryOp.MUL, above) if above else ir.const(1)
        return ir.binary(BinaryOp.DIV, result, _fold(BinaryOp.MUL, below)) if below else result

    def _sum_atom(self, atom: SumAtom) -> Expr | None:
        body = atom.body
        terms = () if body.exponent is None else body.exponent.terms
        expected = atom_poly(atom)
        for candidate in self._sums(atom.bindings, body.factors, terms):
            if candidate is None:
                continue
            checked = _check(candidate, expected)
            if checked is not None:
                return checked
        return None

    def _sums(self, bindings: Bindings, factors: Factors, exponent: Terms) -> list[Expr | None]:
        """Terms for the sum over `bindings` of the monomial (factors, exponent): one for each
        dim that can be the outermost (one dim: the only one)."""
        if len(bindings) == 1:
            (dim, over), = bindings
            return [_over(ReduceOp.SUM, dim, over, self._mono(factors, exponent))]
        found: list[Expr | None] = []
        for i, (dim, over) in enumerate(bindings):
            rest = bindings[:i] + bindings[i + 1 :]
            bound = {d for d, _ in rest}
            outer_f = [(a, p) for a, p in factors if not a.free & bound]
            outer_e = [(m, c) for m, c in exponent if not m.free & bound]
            inner_f = [(a, p) for a, p in factors if a.free & bound]
            inner_e = [(m, c) for m, c in exponent if m.free & bound]
            if dim not in _free(inner_f, inner_e) - bound:
                continue  # the inner sum would be pulled out of the outer one, not flattened
            inner = next((t for t in self._sums(rest, inner_f, inner_e) if t is not None), None)
            if inner is None:
                continue
            if outer_f or outer_e:
                outside = self._mono(outer_f, outer_e)
                if outside is None:
                    continue
                inner = ir.binary(BinaryOp.MUL, outside, inner)
            found.append(_over(ReduceOp.SUM, dim, over, inner))
        return found

    def _max_atom(self, atom: MaxAtom) -> Expr | None:
        body = self._done[atom.body.uid]
        if body is None:
            return None
        if atom.guard is not None:
            # `normal_mask.reduce` makes these over one dim; the caller checks the result.
            if len(atom.bindings) != 1:
                return None
            (dim, over), = atom.bindings
            return _over(ReduceOp.MAX, dim, over, ir.mask(atom.guard, ir.inf(True), body))
        expected = atom_poly(atom)
        for inner_dim, inner_over in atom.bindings:
            if any(inner_dim not in m.free for m, _ in atom.body.terms):
                continue  # `reduce_max` would pull the terms that do not read it out
            term = _over(ReduceOp.MAX, inner_dim, inner_over, body)
            for dim, over in reversed(atom.bindings):
                if dim != inner_dim and term is not None:
                    term = _over(ReduceOp.MAX, dim, over, term)
            checked = None if term is None else _check(term, expected)
            if checked is not None:
                return checked
        return None

    def _max_of(self, atom: MaxOf) -> Expr | None:
        parts = self._all(atom.args)
        if parts is None:
            return None
        finite = [(a, p) for a, p in zip(atom.args, parts, strict=True) if not _guarded(a)]
        guarded = [p for a, p in zip(atom.args, parts, strict=True) if _guarded(a)]
        if not finite:
            return None
        # Two arguments with no common term first: the max of any two with a common term
        # pulls it out (max(x + c, y + c) = max(x, y) + c), which the target has not done.
        if len(finite) > 1:
            pair = next(
                (
                    (i, j)
                    for i in range(len(finite))
                    for j in range(i + 1, len(finite))
                    if not set(finite[i][0].terms) & set(finite[j][0].terms)
                ),
                None,
            )
            if pair is None:
                return None
            i, j = pair
            finite = [finite[i], finite[j]] + [f for k, f in enumerate(finite) if k not in pair]
        term = finite[0][1]
        for other in [p for _, p in finite[1:]] + guarded:
            term = ir.binary(BinaryOp.MAX, term, other)
        return _check(term, atom_poly(atom))

    def _func(self, atom: Func) -> Expr | None:
        arg = self._done[atom.arg.uid]
        if arg is None:
            return None
        if atom.name != "group":
            op = _UNARY.get(atom.name)
            return None if op is None else _check(ir.unary(op, arg), atom_poly(atom))
        # 1/P has normal form group(P)^-1 when P's inverse picks P among its shifts by exp;
        # the choice compares content keys, which a scaling may reorder: try a few.
        expected = normal.inverse(atom_poly(atom))
        ratios = [abs(c) for _, c in atom.arg.terms]
        scales = [Fraction(1), *ratios, *(1 / r for r in ratios)]
        for c in dict.fromkeys(s * sign for s in scales for sign in (1, -1)):
            below = arg if c == 1 else ir.binary(BinaryOp.MUL, ir.const(c), arg)
            checked = _check(ir.binary(BinaryOp.DIV, ir.const(c), below), expected)
            if checked is not None:
                return checked
        return None


def _is_log(mono: Mono) -> bool:
    """Whether `mono` is log(P) alone (`exp` multiplies out whole multiples of it)."""
    if mono.exponent is None and len(mono.factors) == 1:
        atom, power = mono.factors[0]
        return power == 1 and isinstance(atom, Func) and atom.name == "log"
    return False


def _powers(base: Expr, power: int) -> list[Expr]:
    """Factors whose product is base**power (by squaring: a term of size log(power))."""
    found: list[Expr] = []
    square = base
    while power:
        if power & 1:
            found.append(square)
        power >>= 1
        if power:
            square = ir.binary(BinaryOp.MUL, square, square)
    return found


def _over(op: ReduceOp, dim: str, over: IntervalSet, body: Expr | None) -> Expr | None:
    """`op` of `body` over `dim` in each interval of `over`, combined (sum: +, max: max)."""
    if body is None:
        return None
    parts = [ir.reduce(op, dim, interval, body) for interval in over.intervals]
    return _fold(BinaryOp.ADD if op is ReduceOp.SUM else BinaryOp.MAX, parts)
