"""Terms as a message shows them: a small tree, its text, where two trees differ, shared names.

`render.Renderer` turns a normal form into a `Term` (the spec language's operators over atoms
such as `(M N)`, `(M N, N K -> M K)`, numbers); this module prints it with the fewest
parentheses that keep its meaning, finds the smallest subterms in which two terms differ (the
"differs in" line of a refuted tile), and names subterms that a long text repeats
(`... where s = (Q, K -> qctx nctx)`), so a message stays readable without cutting out the
part that differs.

Everything here runs only once a check has failed: the success path never builds a `Term`.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final


class Kind(enum.Enum):
    ATOM = "atom"  # `head` is the whole text: a number, `(M N)`, a contraction
    ADD = "add"  # args summed; a NEG arg is shown as a subtraction
    MUL = "mul"  # args multiplied
    DIV = "div"  # args[0] / args[1]
    NEG = "neg"  # -args[0]
    POW = "pow"  # args[0] ** head
    CALL = "call"  # head(args...): `exp`, `sum[N[0:64]]`, `max`, `mask[qctx >= nctx]`


@dataclass(frozen=True, slots=True)
class Term:
    """One node of a shown term. Invariant: ADD and MUL have at least two args, DIV two, NEG
    and POW one; the order of ADD and MUL args is the order they are shown in."""

    kind: Kind
    head: str = ""
    args: tuple[Term, ...] = ()
    # The hash, computed once from the children's (a term of a 4096-tile kernel is deep, and
    # the default hash would walk all of it at every lookup).
    digest: int = field(default=0, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "digest", hash((self.kind, self.head, self.args)))

    def __hash__(self) -> int:
        return self.digest


def atom(text: str) -> Term:
    return Term(Kind.ATOM, text)


def add(terms: Iterable[Term]) -> Term:
    parts = tuple(terms)
    if not parts:
        return atom("0")
    return parts[0] if len(parts) == 1 else Term(Kind.ADD, "", parts)


def mul(terms: Iterable[Term]) -> Term:
    parts = tuple(terms)
    if not parts:
        return atom("1")
    return parts[0] if len(parts) == 1 else Term(Kind.MUL, "", parts)


def div(num: Term, den: Term) -> Term:
    return Term(Kind.DIV, "", (num, den))


def neg(term: Term) -> Term:
    return term.args[0] if term.kind is Kind.NEG else Term(Kind.NEG, "", (term,))


def power(base: Term, exponent: int) -> Term:
    return base if exponent == 1 else Term(Kind.POW, str(exponent), (base,))


def call(head: str, *args: Term) -> Term:
    return Term(Kind.CALL, head, args)


_PRECEDENCE: Final = {
    Kind.ADD: 1,
    Kind.MUL: 2,
    Kind.DIV: 2,
    Kind.NEG: 2,
    Kind.POW: 3,
    Kind.ATOM: 4,
    Kind.CALL: 4,
}


def show(term: Term) -> str:
    """The term's text, parenthesised only where the operators' precedence needs it."""
    match term.kind:
        case Kind.ATOM:
            return term.head
        case Kind.CALL:
            return f"{term.head}({', '.join(show(a) for a in term.args)})"
        case Kind.ADD:
            shown, hidden = _elided(term.args)
            text = show(shown[0])
            for i, arg in enumerate(shown[1:], 1):
                if i == KEPT_HEAD and hidden:
                    text += f" + … {hidden} more terms …"
                if arg.kind is Kind.NEG:
                    text += " - " + _wrap(arg.args[0], 2)
                else:
                    text += " + " + show(arg)
            return text
        case Kind.MUL:
            shown, hidden = _elided(term.args)
            texts = [_wrap(a, 2) for a in shown]
            if hidden:
                texts.insert(KEPT_HEAD, f"… {hidden} more factors …")
            return " * ".join(texts)
        case Kind.DIV:
            return f"{_wrap(term.args[0], 2)} / {_wrap(term.args[1], 3)}"
        case Kind.NEG:
            return "-" + _wrap(term.args[0], 2)
        case Kind.POW:
            return f"{_wrap(term.args[0], 4)} ** {term.head}"


# A sum or product of more args than this shows its first KEPT_HEAD and last KEPT_TAIL (a kernel
# of 4096 tiles has sums of 4096 terms); the "differs in" line names what differs in full.
MAX_ARGS: Final = 12
KEPT_HEAD: Final = 4
KEPT_TAIL: Final = 2


def _elided(args: tuple[Term, ...]) -> tuple[tuple[Term, ...], int]:
    if len(args) <= MAX_ARGS:
        return args, 0
    return (*args[:KEPT_HEAD], *args[-KEPT_TAIL:]), len(args) - KEPT_HEAD - KEPT_TAIL


def _wrap(term: Term, at_least: int) -> str:
    text = show(term)
    return text if _PRECEDENCE[term.kind] >= at_least else f"({text})"


def smallest_differences(kernel: Term, spec: Term, limit: int = 3) -> list[tuple[Term, Term]]:
    """The smallest pairs of subterms, one of each side at the same place, outside of which the
    two terms are the same (at most `limit`, in the order shown; empty when the terms are one).

    Down through nodes of the same operator: the args of a call, a division, a power or a
    negation place by place; those of a sum or product (a multiset) once the args both sides
    share are taken out, paired in their shown order when each side has as many left. Where a
    node of one operator meets another, or a sum has extra terms on one side, the pair is what is
    left of the two nodes (a lone extra term of the kernel against `0`)."""
    found: list[tuple[Term, Term]] = []
    stack = [(kernel, spec)]
    while stack and len(found) < limit:
        k, s = stack.pop()
        if k == s:
            continue
        if k.kind is not s.kind or k.head != s.head:
            pair = (k, s)
        elif k.kind in (Kind.ADD, Kind.MUL):
            left, right = _unshared(k.args, s.args)
            if len(left) == len(right):
                stack.extend(reversed(list(zip(left, right, strict=True))))
                continue
            build = add if k.kind is Kind.ADD else mul
            pair = (build(left), build(right))
        elif len(k.args) != len(s.args):
            pair = (k, s)
        else:
            stack.extend(reversed(list(zip(k.args, s.args, strict=True))))
            continue
        if pair not in found:
            found.append(pair)
    return found


# A part both sides of a difference share is shown as "…" past this length.
SHARED_CHARS: Final = 30


def show_pair(kernel: Term, spec: Term) -> tuple[str, str]:
    """The texts of a differing pair; when one side is the other with a factor, divisor or sign
    more (`X` against `X / 4`), the long shared `X` is shown as "…" on both: what differs is the
    rest, shown in full."""
    for outer, inner, flipped in ((spec, kernel, False), (kernel, spec, True)):
        if outer.kind in (Kind.MUL, Kind.DIV, Kind.NEG, Kind.POW) and inner in outer.args:
            if len(show(inner)) > SHARED_CHARS:
                texts = ("…", show(_replace(outer, inner, atom("…"))))
                return (texts[1], texts[0]) if flipped else texts
    return show(kernel), show(spec)


def _unshared(left: tuple[Term, ...], right: tuple[Term, ...]) -> tuple[list[Term], list[Term]]:
    """The args of each side that the other lacks (as multisets), in their shown order."""
    common = Counter(left) & Counter(right)
    taken: Counter[Term] = Counter()
    out: list[list[Term]] = []
    for side in (left, right):
        rest = []
        taken.clear()
        for arg in side:
            if taken[arg] < common[arg]:
                taken[arg] += 1
            else:
                rest.append(arg)
        out.append(rest)
    return out[0], out[1]


# A subterm is named when it occurs at least twice and its text is at least this long, and only
# in a text longer than `LONG`: a short text reads best as it is.
NAMED_MIN: Final = 16
LONG: Final = 120
MAX_NAMES: Final = 6


def with_names(term: Term, taken: Iterable[str] = ()) -> str:
    """The term's text; when it is long, the subterms it repeats are named once after it:
    `sum[nctx](exp(s / 4)) ... where s = (K:nctx dhead, qctx dhead -> qctx nctx)`. `taken`:
    names already in use (dims, inputs), never chosen."""
    shown, names = named(term, taken)
    if not names:
        return show(term)
    # Each name is defined after the ones it uses: reversed order of naming (later names
    # are smaller subterms, which the earlier ones may contain).
    defined = ", ".join(f"{n} = {show(t)}" for n, t in reversed(names))
    return f"{show(shown)} where {defined}"


def named(term: Term, taken: Iterable[str] = ()) -> tuple[Term, list[tuple[str, Term]]]:
    """The term with its repeated subterms replaced by names, and the names with what they
    stand for (each written with the names given before it); no names for a short term."""
    if len(show(term)) <= LONG:
        return term, []
    used = set(taken)
    names: list[tuple[str, Term]] = []
    while len(names) < MAX_NAMES:
        repeated = _largest_repeated([term, *(t for _, t in names)])
        if repeated is None:
            break
        name = _fresh(repeated, used)
        used.add(name)
        names = [(n, _replace(t, repeated, atom(name))) for n, t in names]
        names.append((name, repeated))
        term = _replace(term, repeated, atom(name))
    return term, names


def using_names(term: Term, names: list[tuple[str, Term]]) -> Term:
    """`term` (a part of a term `named` named) written with those names, in naming order."""
    for name, _ in names:
        original = _expanded(name, names)
        term = _replace(term, original, atom(name))
    return term


def _expanded(name: str, names: list[tuple[str, Term]]) -> Term:
    """What a name stands for, with the names inside it written out."""
    by_name = dict(names)
    term = by_name[name]
    changed = True
    while changed:
        changed = False
        for other, definition in names:
            replaced = _replace(term, atom(other), _expanded_once(definition, by_name))
            if replaced != term:
                term, changed = replaced, True
    return term


def _expanded_once(term: Term, by_name: dict[str, Term]) -> Term:
    if term.kind is Kind.ATOM and term.head in by_name:
        return by_name[term.head]
    if not term.args:
        return term
    return Term(term.kind, term.head, tuple(_expanded_once(a, by_name) for a in term.args))


def _largest_repeated(roots: list[Term]) -> Term | None:
    """The longest subterm (by text) found twice in the roots, the roots themselves aside."""
    counts: Counter[Term] = Counter()
    stack = [a for root in roots for a in root.args]
    while stack:
        node = stack.pop()
        counts[node] += 1
        stack.extend(node.args)
    best: Term | None = None
    best_len = NAMED_MIN - 1
    for node, count in counts.items():
        if count < 2 or (node.kind is Kind.ATOM and node.head.isidentifier()):
            continue
        size = len(show(node))
        if size > best_len:
            best, best_len = node, size
    return best


def _fresh(term: Term, used: set[str]) -> str:
    head = term.head.lstrip("(")
    if (term.kind is Kind.ATOM and "->" in head) or head.startswith("sum"):
        base = "s"
    elif head.startswith("max"):
        base = "m"
    elif head.startswith("exp"):
        base = "e"
    else:
        base = "t"
    if base not in used:
        return base
    n = 1
    while f"{base}{n}" in used:
        n += 1
    return f"{base}{n}"


def _replace(term: Term, old: Term, new: Term) -> Term:
    if term == old:
        return new
    if not term.args:
        return term
    return Term(term.kind, term.head, tuple(_replace(a, old, new) for a in term.args))


__all__ = [
    "Kind",
    "Term",
    "add",
    "atom",
    "call",
    "div",
    "mul",
    "named",
    "neg",
    "power",
    "show",
    "show_pair",
    "smallest_differences",
    "using_names",
    "with_names",
]
