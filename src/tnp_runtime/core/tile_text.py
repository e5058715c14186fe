"""The two sides of a failed tile as a message shows them, and where they differ.

Two renderings of each side are at hand: the normal form (`Renderer.term`: what the prover
compared, canonical but expanded) and the term as written (`ir_terms`: the kernel's and the
spec's own operators, running values folded). A short normal form reads well and is shown; a
long one is shown as written when that is shorter (an online softmax's `exp(x - m) / l`
rather than its expanded denominator), and then the spec's sums are cut at the kernel's tiles
so "differs in" can name what differs within one tile. Only ever built for a failed check.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from tnp_runtime.core.ir import Apply, Binary, Expr, Mask, Reduce, Unary
from tnp_runtime.core.ir_terms import IrTerms
from tnp_runtime.core.normal_mask import MValue
from tnp_runtime.core.render import Renderer
from tnp_runtime.core.term_text import (
    LONG,
    Kind,
    Term,
    add,
    call,
    div,
    named,
    neg,
    show_pair,
    smallest_differences,
    using_names,
    with_names,
)

# The most IR nodes (both sides) shown as written; past it, the normal form is shown.
WRITTEN_NODES: Final = 2_000


@dataclass(frozen=True, slots=True)
class Sides:
    kernel_text: str
    spec_text: str
    # (kernel's, spec's) smallest differing subterms, unless that is the whole sides.
    differs: tuple[tuple[str, str], ...]


def sides(
    kernel: Expr,
    spec: Expr,
    kernel_nf: MValue,
    spec_nf: MValue,
    renderer: Renderer,
    taken: Iterable[str],
) -> Sides:
    names = frozenset(taken)
    nf = _sides(renderer.term(kernel_nf), renderer.term(spec_nf), names)
    if len(nf.kernel_text) + len(nf.spec_text) <= 2 * LONG:
        return nf
    if _nodes(kernel, WRITTEN_NODES) + _nodes(spec, WRITTEN_NODES) > WRITTEN_NODES:
        return nf  # a kernel of thousands of tiles: its term as written is no shorter
    try:
        written = _as_written(kernel, spec, renderer, names)
    except RecursionError:
        return nf
    shorter = len(written.kernel_text) < len(nf.kernel_text)
    return written if shorter and written.differs else nf


def _as_written(kernel: Expr, spec: Expr, renderer: Renderer, names: frozenset[str]) -> Sides:
    kernel_side = IrTerms(renderer)
    kernel_term = kernel_side.term(kernel)
    # The spec is shown as written, and compared cut at the kernel's tiles.
    spec_shown = _rebased(kernel_term, IrTerms(renderer).term(spec))
    cut = IrTerms(renderer, cuts=kernel_side.sum_cuts_of(kernel_term))
    spec_cut = _rebased(kernel_term, cut.term(spec))
    return _sides(kernel_term, spec_shown, names, spec_cut)


def _sides(
    kernel_term: Term, spec_term: Term, names: frozenset[str], spec_compared: Term | None = None
) -> Sides:
    compared = spec_term if spec_compared is None else spec_compared
    found = smallest_differences(kernel_term, compared)
    _, kernel_names = named(kernel_term, names)
    _, spec_names = named(spec_term, names)
    differs = () if found == [(kernel_term, compared)] else tuple(
        dict.fromkeys(_pair(k, s, kernel_names, spec_names) for k, s in found)
    )
    return Sides(with_names(kernel_term, names), with_names(spec_term, names), differs)


def _pair(
    kernel: Term,
    spec: Term,
    kernel_names: list[tuple[str, Term]],
    spec_names: list[tuple[str, Term]],
) -> tuple[str, str]:
    """A differing pair's texts: the shared part as "…" when one side is the other with a factor
    more; else each written with its side's names."""
    plain = show_pair(kernel, spec)
    if "…" in plain[0] or "…" in plain[1]:
        return plain
    return show_pair(using_names(kernel, kernel_names), using_names(spec, spec_names))


def _nodes(expr: Expr, limit: int) -> int:
    """The distinct nodes of `expr`, counted up to just past `limit`."""
    seen: set[int] = set()
    stack = [expr]
    while stack and len(seen) <= limit:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        match node:
            case Reduce(body=body):
                stack.append(body)
            case Binary(left=left, right=right):
                stack += (left, right)
            case Unary(operand=operand) | Mask(operand=operand):
                stack.append(operand)
            case Apply(args=args):
                stack += args
            case _:
                pass
    return len(seen)


def _rebased(kernel: Term, spec: Term) -> Term:
    """The spec `exp(x) / (... sum[N](exp(y)) ...)` written with the shift the kernel's
    numerator has, `exp(x - m) / (... sum[N](exp(y - m)) ...)`, when `m` is a reduction over
    all of N (so constant along every sum over N it enters): the same value, in the kernel's
    form, so that what differs is what the kernel got wrong, not the shift it rightly made."""
    if kernel.kind is not Kind.DIV or spec.kind is not Kind.DIV:
        return spec
    (k_num, _), (s_num, s_den) = kernel.args, spec.args
    if not (_is_exp(k_num) and _is_exp(s_num)):
        return spec
    shifted, plain = k_num.args[0], s_num.args[0]
    if not (shifted.kind is Kind.ADD and len(shifted.args) == 2):
        return spec
    if _unwrapped(shifted.args[0]) != _unwrapped(plain):
        return spec
    if shifted.args[1].kind is not Kind.NEG:
        return spec
    shift = shifted.args[1].args[0]
    match = re.fullmatch(r"(?:max|sum)\[(\w+)\]", shift.head) if shift.kind is Kind.CALL else None
    if match is None:
        return spec
    return div(k_num, _shift_sums(s_den, match.group(1), shift))


def _unwrapped(term: Term) -> Term:
    """An input's atom without its parentheses: `(M N)` in a product, `M N` alone in a call."""
    if term.kind is Kind.ATOM and term.head.startswith("(") and term.head.endswith(")"):
        return Term(Kind.ATOM, term.head[1:-1])
    return term


def _wrapped(term: Term) -> Term:
    """An input's atom as a term of a sum writes it, `(M N)` (numbers and names stay bare)."""
    if term.kind is not Kind.ATOM or term.head.startswith("("):
        return term
    if term.head.isidentifier() or re.fullmatch(r"-?[0-9.]+|-?inf", term.head):
        return term
    return Term(Kind.ATOM, f"({term.head})")


def _is_exp(term: Term) -> bool:
    return term.kind is Kind.CALL and term.head == "exp"


def _shift_sums(term: Term, dim: str, shift: Term, inside: bool = False) -> Term:
    """`exp(y)` under a sum over `dim` becomes `exp(y - shift)`."""
    if inside and _is_exp(term):
        arg = term.args[0]
        parts = arg.args if arg.kind is Kind.ADD else (_wrapped(arg),)
        return call("exp", add([*parts, neg(shift)]))
    if term.kind is Kind.CALL and re.match(rf"sum\[{re.escape(dim)}[\[\]]", term.head):
        inside = True
    if not term.args:
        return term
    args = tuple(_shift_sums(a, dim, shift, inside) for a in term.args)
    return Term(term.kind, term.head, args)


__all__ = ["Sides", "sides"]
