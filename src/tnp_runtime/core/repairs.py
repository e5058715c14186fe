"""Candidate repairs of a refuted kernel, for `core/blame_spec.py`: small changes of the
kernel's term at the operations of one source line (`core.origins`), each with the note that
names the line if the repaired kernel proves equal to the spec.

A repair is built lazily (`Repair.make`): only the ones tried are normalised. The kinds, in the
order they are tried: a running sum not rescaled when its max grows; an input read in place of
another (or two swapped); a constant of a line (replaced by a constant of the spec, by itself
times the missing factor, or dropped); a mask's predicate; a read's positions (moved by a small
offset, or two dims swapped); a `where`'s branches; the values of a line times a factor.
Nothing here decides anything: `blame_spec` proves each repair with the prover's own test.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction

from tnp_runtime.core import ir, normal, origins
from tnp_runtime.core.index_pred import IndexPred
from tnp_runtime.core.ir import (
    Affine,
    Apply,
    Binary,
    BinaryOp,
    Const,
    Expr,
    Gather,
    Input,
    Mask,
    Read,
    Reduce,
    Unary,
    UnaryOp,
)
from tnp_runtime.core.normal import Poly
from tnp_runtime.core.normal_mask import MValue
from tnp_runtime.core.normalize import normalize
from tnp_runtime.core.opaque import WHERES
from tnp_runtime.core.origins import Location
from tnp_runtime.core.render import number


@dataclass(frozen=True, slots=True)
class Survey:
    """The kernel's term with what blame reads of it: its nodes by line, parents' lines."""

    root: Expr
    by_line: dict[Location, list[Expr]]
    # Nodes read by a node of another line (or the root): a line's values as others see them.
    outputs: dict[Location, list[Expr]]
    # For each input, the nodes that read it directly (a child, or a read's source).
    readers: dict[Input, list[Expr]]
    # How many nodes the term has.
    size: int


def survey(root: Expr, max_nodes: int) -> Survey | None:
    """What blame reads of the kernel's term `root`; None for more than `max_nodes` nodes."""
    by_line: dict[Location, list[Expr]] = {}
    outputs: dict[Location, list[Expr]] = {}
    readers: dict[Input, list[Expr]] = {}
    exported: set[int] = {id(root)}
    all_nodes = list(ir.nodes(root))
    if len(all_nodes) > max_nodes:
        return None
    for node in all_nodes:
        where = origins.line_of(node)
        if where is not None:
            by_line.setdefault(where, []).append(node)
        for child in children(node):
            if isinstance(child, Input):
                readers.setdefault(child, []).append(node)
            if origins.line_of(child) != where:
                exported.add(id(child))
        if isinstance(node, Read):
            readers.setdefault(node.source, []).append(node)
    for where, made in by_line.items():
        outputs[where] = [n for n in made if id(n) in exported]
    return Survey(root, by_line, outputs, readers, len(all_nodes))


def children(node: Expr) -> tuple[Expr, ...]:
    match node:
        case Unary(operand=operand) | Mask(operand=operand):
            return (operand,)
        case Binary(left=left, right=right):
            return (left, right)
        case Reduce(body=body):
            return (body,)
        case Apply(args=args):
            return args
        case _:
            return ()


def rebuild(
    root: Expr,
    change: Mapping[Expr, Callable[[Expr], Expr]],
    operand: Callable[[Expr, Expr, Expr], Expr] | None = None,
) -> Expr:
    """`root` rebuilt bottom-up, each node in `change` replaced by `change[node]` of the node
    rebuilt from its new children, and each child of a node replaced by `operand(node, child,
    rebuilt child)` where given (iterative, memoised per node)."""
    done: dict[int, Expr] = {}
    stack: list[tuple[Expr, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in done:
            continue
        below = children(node)
        if below and not children_done:
            stack.append((node, True))
            stack.extend((c, False) for c in below if id(c) not in done)
            continue
        new = [done[id(c)] for c in below]
        if operand is not None:
            new = [operand(node, c, n) for c, n in zip(below, new, strict=True)]
        match node:
            case Unary(op=op):
                rebuilt = ir.unary(op, new[0])
            case Binary(op=op):
                rebuilt = ir.binary(op, new[0], new[1])
            case Reduce(op=op, dim=dim, interval=interval):
                rebuilt = ir.reduce(op, dim, interval, new[0])
            case Apply(func=func):
                rebuilt = ir.apply(func, tuple(new))
            case Mask(pred=pred, fill=fill):
                rebuilt = ir.mask(pred, fill, new[0])
            case _:
                rebuilt = node
        replace = change.get(node)
        done[id(node)] = rebuilt if replace is None else replace(rebuilt)
    return done[id(root)]


@dataclass(frozen=True, slots=True)
class Repair:
    """A change of the kernel's term, the lines it is about, and what the note says there."""

    lines: tuple[Location, ...]
    text: str
    make: Callable[[], Expr]


def _ratio(kernel_nf: MValue, spec_nf: MValue) -> Fraction | None:
    """The constant r with spec = r * kernel, if the two differ by a constant factor."""
    if not (isinstance(kernel_nf, Poly) and isinstance(spec_nf, Poly)):
        return None
    if not kernel_nf.terms or not spec_nf.terms:
        return None
    kernel_terms = dict(kernel_nf.terms)
    mono, spec_coef = spec_nf.terms[0]
    kernel_coef = kernel_terms.get(mono)
    if not kernel_coef:
        return None
    r = spec_coef / kernel_coef
    if r == 1 or normal.scale(kernel_nf, r) is not spec_nf:
        return None
    return r


def _constants(expr: Expr) -> list[Fraction]:
    """The spec's constants: its numbers and the values of its constant subterms (`sqrt(16)`
    is 4), in order of appearance."""
    found: dict[Fraction, None] = {}
    for node in ir.nodes(expr):
        if isinstance(node, Const):
            found[node.value] = None
        elif not ir.free_dims(node) and not ir.inputs_of(node):
            try:
                value = normalize(node)
            except normal.NotNormalizable:
                continue
            known = normal.constant_value(value) if isinstance(value, Poly) else None
            if known is not None:
                found[known] = None
    return list(found)


def _by_line(survey: Survey) -> list[Location]:
    return sorted(survey.by_line, key=lambda w: (w.file or "", w.line))


def repairs(
    survey: Survey, kernel: Expr, spec: Expr, kernel_nf: MValue, spec_nf: MValue
) -> Iterator[Repair]:
    """Candidate repairs, the likeliest kinds first and within a kind the earliest line first:
    a running sum not rescaled (tried only where one is found, and the costliest mistake to find
    by eye), an input read in place of another, a constant, a mask, the positions of a read, a
    `where`'s branches, then a factor missing from one line's values."""
    r = _ratio(kernel_nf, spec_nf)
    spec_constants = _constants(spec)
    yield from _rescale_repairs(survey)
    yield from _input_repairs(survey, kernel, spec)
    for where in _by_line(survey):
        yield from _constant_repairs(survey, where, spec_constants, r)
    spec_preds = list(dict.fromkeys(n.pred for n in ir.nodes(spec) if isinstance(n, Mask)))
    for where in _by_line(survey):
        yield from _mask_repairs(survey, where, spec_preds)
    for where in _by_line(survey):
        yield from _read_repairs(survey, where)
    for where in _by_line(survey):
        yield from _where_repairs(survey, where)
    factors = [] if r is None else [r]
    factors += [f for c in spec_constants if c not in (0, 1) for f in (c, 1 / c)]
    for factor in dict.fromkeys(factors):
        yield from _scale_repairs(survey, factor, factor == r)


def _constant_operand(node: Expr) -> tuple[Fraction, bool] | None:
    """The constant of a binary node with one constant operand, and whether it is the left."""
    if not isinstance(node, Binary) or node.op is BinaryOp.MAX:
        return None
    left, right = isinstance(node.left, Const), isinstance(node.right, Const)
    if left == right:
        return None
    constant = node.left if left else node.right
    assert isinstance(constant, Const)
    return constant.value, left


def _constant_repairs(
    survey: Survey, where: Location, spec_constants: list[Fraction], r: Fraction | None
) -> Iterator[Repair]:
    """A constant of the line replaced. The nodes of one source operation are told apart from
    another's on the same line (`a * 2` and `b * 2`) by the line of their other operand: the
    iterations of a loop make one operation many nodes, which change together."""
    groups: dict[tuple[Fraction, BinaryOp, bool, Location | None], list[Binary]] = {}
    for node in survey.by_line[where]:
        found = _constant_operand(node)
        if found is not None:
            assert isinstance(node, Binary)
            value, on_left = found
            operand = node.right if on_left else node.left
            key = (value, node.op, on_left, origins.line_of(operand))
            groups.setdefault(key, []).append(node)
    for (value, op, _left, _line), made in groups.items():
        identity = Fraction(1) if op in (BinaryOp.MUL, BinaryOp.DIV) else Fraction(0)
        candidates = [*spec_constants]
        if r is not None:
            candidates += [value * r, value / r]
        candidates.append(identity)
        for other in dict.fromkeys(candidates):
            if other == value:
                continue
            if other == identity:
                text = (f"the tile equals the spec without the `{op.value} {number(value)}` "
                        "applied here")
            else:
                text = (f"the constant {number(value)} here: with {number(other)} instead, "
                        "the tile equals the spec")
            yield Repair((where,), text, _substitute_constant(survey, made, value, other))


def _substitute_constant(
    survey: Survey, made: list[Binary], value: Fraction, other: Fraction
) -> Callable[[], Expr]:
    def replace(node: Expr) -> Expr:
        if not isinstance(node, Binary):
            return node
        if isinstance(node.left, Const) and node.left.value == value:
            return ir.binary(node.op, ir.const(other), node.right)
        if isinstance(node.right, Const) and node.right.value == value:
            return ir.binary(node.op, node.left, ir.const(other))
        return node

    targets: dict[Expr, Callable[[Expr], Expr]] = {n: replace for n in made}
    return lambda: rebuild(survey.root, targets)


def _input_repairs(survey: Survey, kernel: Expr, spec: Expr) -> Iterator[Repair]:
    """An input read in place of another of the same dims, or two swapped: at the lines of the
    operations that read them."""
    kernel_inputs = ir.inputs_of(kernel)
    candidates = list(dict.fromkeys([*ir.inputs_of(spec), *kernel_inputs]))
    labels = ir.input_labels(candidates)
    for wrong in kernel_inputs:
        for right in candidates:
            if right is wrong or sorted(right.dims) != sorted(wrong.dims):
                continue
            lines = _reader_lines(survey, wrong)
            if not lines:
                continue
            text = (f"reads {labels[wrong]}: with {labels[right]} in its place, the tile "
                    "equals the spec")
            one_way: dict[Input, Expr] = {wrong: right}
            yield Repair(lines, text, functools.partial(ir.substitute, kernel, one_way))
            if right in survey.readers and wrong.serial < right.serial:
                both = tuple(dict.fromkeys([*lines, *_reader_lines(survey, right)]))
                text = (f"reads {labels[wrong]} or {labels[right]}: with the two swapped, the "
                        "tile equals the spec")
                swap: dict[Input, Expr] = {wrong: right, right: wrong}
                yield Repair(tuple(sorted(both, key=lambda w: w.line)), text,
                              functools.partial(ir.substitute, kernel, swap))


def _reader_lines(survey: Survey, leaf: Input) -> tuple[Location, ...]:
    found = (origins.line_of(n) for n in survey.readers.get(leaf, ()))
    return tuple(sorted({w for w in found if w is not None}, key=lambda w: w.line))


def _mask_repairs(
    survey: Survey, where: Location, spec_preds: list[IndexPred]
) -> Iterator[Repair]:
    """The line's masks with a predicate of the spec's masks instead."""
    made = [n for n in survey.by_line[where] if isinstance(n, Mask)]
    for pred in spec_preds:
        if all(n.pred == pred for n in made) or not made:
            continue

        def replace(node: Expr, pred: IndexPred = pred) -> Expr:
            assert isinstance(node, Mask)
            return ir.mask(pred, node.fill, node.operand)

        targets: dict[Expr, Callable[[Expr], Expr]] = {n: replace for n in made}
        wrote = " and ".join(dict.fromkeys(str(n.pred) for n in made))
        text = (f"the mask `{wrote}` here: with `{pred}` instead, the tile equals the spec")
        yield Repair((where,), text, functools.partial(rebuild, survey.root, targets))


def _where_repairs(survey: Survey, where: Location) -> Iterator[Repair]:
    """The line's `where`s with their two branches swapped (a condition on the wrong side)."""
    made = [n for n in survey.by_line[where] if isinstance(n, Apply) and n.func in WHERES]
    if not made:
        return

    def replace(node: Expr) -> Expr:
        assert isinstance(node, Apply)
        x, y, then, other = node.args
        return ir.apply(node.func, (x, y, other, then))

    targets: dict[Expr, Callable[[Expr], Expr]] = {n: replace for n in made}
    text = "the `where` here: with its two branches swapped, the tile equals the spec"
    yield Repair((where,), text, lambda: rebuild(survey.root, targets))


def _read_repairs(survey: Survey, where: Location) -> Iterator[Repair]:
    """The positions the line reads at, shifted by a small offset, or with two dims swapped."""
    reads = [n for n in survey.by_line[where] if isinstance(n, Read)]
    if not reads or any(isinstance(at, Gather) for n in reads for _, at in n.index):
        return
    sources = list(dict.fromkeys(n.source for n in reads))
    labels = ir.input_labels(sources)
    for source in sources:
        made = [n for n in reads if n.source is source]
        for delta in (-1, 1, -2, 2):
            def shifted(at: Affine, delta: int = delta) -> Affine:
                return Affine(at.terms, at.offset + delta)

            text = (f"the positions of {labels[source]} read here, moved by {delta:+d}, make "
                    "the tile equal the spec")
            yield Repair((where,), text, _reads_changed(survey, made, shifted))
    made = reads
    dims = sorted({d for n in made for _, at in n.index if isinstance(at, Affine)
                   for d in at.dims})
    for i, a in enumerate(dims):
        for b in dims[i + 1:]:
            def swapped(at: Affine, a: str = a, b: str = b) -> Affine:
                renamed = {b if d == a else a if d == b else d: c for d, c in at.terms}
                return Affine(tuple(sorted(renamed.items())), at.offset)

            text = (f"the positions read here use {a} where {b} belongs and {b} where {a} "
                    "does: swapped, the tile equals the spec")
            yield Repair((where,), text, _reads_changed(survey, made, swapped))


def _reads_changed(
    survey: Survey, made: list[Read], change: Callable[[Affine], Affine]
) -> Callable[[], Expr]:
    changed = {
        n: ir.read(n.source, {d: change(at) for d, at in n.index if isinstance(at, Affine)})
        for n in made
    }

    def leaf(node: Expr) -> Expr:
        found = changed.get(node) if isinstance(node, Read) else None
        return node if found is None else found

    return lambda: ir.rewrite(survey.root, leaf)


def _shift(expr: Expr) -> Expr | None:
    """The `m` of the first `exp(a - m)` in `expr`: what a running value of an online softmax
    was computed against (its max so far)."""
    for node in ir.nodes(expr):
        if (isinstance(node, Unary) and node.op is UnaryOp.EXP
                and isinstance(node.operand, Binary) and node.operand.op is BinaryOp.SUB):
            return node.operand.right
    return None


def _rescaled(survey: Survey, where: Location) -> dict[Expr, Callable[[Expr], Expr]]:
    """For the running sums the line accumulates (`c + b`, each `c` the line's previous one):
    `c` rescaled by exp(c's shift - b's shift) before `b` is added, where the two differ."""
    made = survey.by_line[where]
    accumulations = {id(n) for n in made if isinstance(n, Binary) and n.op is BinaryOp.ADD}
    changes: dict[Expr, Callable[[Expr], Expr]] = {}
    for node in made:
        if id(node) not in accumulations:
            continue
        assert isinstance(node, Binary)
        carried, piece = node.left, node.right
        newest = (carried.right if isinstance(carried, Binary) and id(carried) in accumulations
                  else carried)
        old, new = _shift(newest), _shift(piece)
        if old is None or new is None or old is new:
            continue
        factor = ir.unary(UnaryOp.EXP, ir.binary(BinaryOp.SUB, old, new))

        def rescale(rebuilt: Expr, factor: Expr = factor) -> Expr:
            assert isinstance(rebuilt, Binary)
            carried = ir.binary(BinaryOp.MUL, rebuilt.left, factor)
            return ir.binary(BinaryOp.ADD, carried, rebuilt.right)

        changes[node] = rescale
    return changes


def _rescale_repairs(survey: Survey) -> Iterator[Repair]:
    """A running sum not rescaled when the max it is taken against grows (online softmax): at
    one line, then at every line that accumulates one (a flash attention's sum and output)."""
    text = ("this line adds to a running value without rescaling it: with the running value "
            "multiplied by exp(old max - new max) first, the tile equals the spec")
    every: dict[Expr, Callable[[Expr], Expr]] = {}
    lines: list[Location] = []
    for where in _by_line(survey):
        changes = _rescaled(survey, where)
        if changes:
            every.update(changes)
            lines.append(where)
            yield Repair((where,), text, functools.partial(rebuild, survey.root, changes))
    if len(lines) > 1:
        yield Repair(tuple(lines), text, functools.partial(rebuild, survey.root, every))


def _scale_repairs(survey: Survey, factor: Fraction, missing: bool) -> Iterator[Repair]:
    """The values one line computes, times `factor` (`missing`: the factor that separates the
    kernel from the spec), where operations of other lines of the kernel use them: the line
    nearest the result first. Leaves (an input's slice) are left out, and so are lines whose
    values include the result itself: scaling the result fixes any constant factor, and says
    nothing about where it was lost. A term the kernel received (a `Saved` parameter's) that
    shares a node with the line keeps it as it is."""
    root = survey.root
    lines = sorted(survey.outputs, key=lambda w: (w.file or "", w.line), reverse=True)
    scale = ir.const(factor)
    for where in lines:
        made = {id(n) for n in survey.outputs[where] if children(n)}
        if not made or id(root) in made:
            continue

        def operand(parent: Expr, child: Expr, rebuilt: Expr, where: Location = where,
                    made: set[int] = made) -> Expr:
            if id(child) not in made:
                return rebuilt
            used_at = origins.line_of(parent)
            if used_at is None or used_at == where:
                return rebuilt
            return ir.binary(BinaryOp.MUL, rebuilt, scale)

        text = (f"the tile equals the spec if the value computed here is multiplied by "
                f"{number(factor)}" + (": a factor the kernel leaves out" if missing else ""))
        yield Repair((where,), text, functools.partial(rebuild, root, {}, operand))



__all__ = ["Repair", "Survey", "children", "rebuild", "repairs", "survey"]
