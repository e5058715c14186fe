"""Blame for `tnp-spec` and `tnp-reduce`: the line where the kernel's value departs from what the
spec needs, as a note at that line.

How it is found: by *repairs that are proved*. For a refuted tile, each candidate repair is a
small change of the kernel's term at the operations one source line made (`core.origins`
records which nodes each line built): a constant of that line replaced (by a constant of the
spec, by itself times the kernel's missing factor, or dropped), the values of that line scaled
by the factor that separates kernel and spec, an input read in place of another. A repair is
kept only if the repaired kernel has the spec's normal form on the tile: the same test the prover
accepts a tile by. The note names the line of the first repair that holds, and says what it
changes; when none holds (a missing rescale, a wrong structure), there is no note. A `tnp-reduce`
names the line that accumulated the partial reduction, from the kernel's reductions over the
missing dim.

Honesty: a line is named only by a proved repair or, for `tnp-reduce`, by the one line that built
every partial reduction concerned; never by a guess. Cost: this runs for a failed check only,
within a fixed number of normalisations (`MAX_REPAIRS`), and not at all for a kernel term of more
than `MAX_NODES` nodes; deterministic, so both halves name the same line.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Final

from tnp_runtime.core import ir, normal, origins, tables
from tnp_runtime.core.blame import located
from tnp_runtime.core.diagnostics import Code, Diagnostic, LocatedNote
from tnp_runtime.core.dims import DimType, IntervalSet
from tnp_runtime.core.index_pred import IndexPred
from tnp_runtime.core.indexing import expand_taps, has_reads
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
    ReduceOp,
    Unary,
    UnaryOp,
)
from tnp_runtime.core.normal import Poly
from tnp_runtime.core.normal_mask import MValue, predicates_of
from tnp_runtime.core.normalize import normalize
from tnp_runtime.core.opaque import WHERES
from tnp_runtime.core.origins import Location
from tnp_runtime.core.render import number
from tnp_runtime.core.restrict import restrict

# At most this many repaired kernels are normalised for one message.
MAX_REPAIRS: Final = 96
# Kernel terms with more nodes get no blame (each repair renormalises what lies above it).
MAX_NODES: Final = 20_000


def with_blame(
    problem: Diagnostic | None, kernel: Expr, spec: Expr, tile: DimType
) -> Diagnostic | None:
    """`problem` with notes at the lines to blame, for a `tnp-spec` or `tnp-reduce` finding."""
    if problem is None or problem.code not in (Code.SPEC, Code.REDUCE):
        return problem
    try:
        with tables.checking():
            notes = _blame(problem.code, kernel, spec, tile)
    except (normal.NotNormalizable, RecursionError):
        return problem
    return problem.with_located(notes)


@dataclass(frozen=True, slots=True)
class _Kernel:
    """The kernel's term with what blame reads of it: its nodes by line, parents' lines."""

    root: Expr
    by_line: dict[Location, list[Expr]]
    # Nodes read by a node of another line (or the root): a line's values as others see them.
    outputs: dict[Location, list[Expr]]
    # For each input, the nodes that read it directly (a child, or a read's source).
    readers: dict[Input, list[Expr]]


def _survey(root: Expr) -> _Kernel | None:
    by_line: dict[Location, list[Expr]] = {}
    outputs: dict[Location, list[Expr]] = {}
    readers: dict[Input, list[Expr]] = {}
    exported: set[int] = {id(root)}
    count = 0
    all_nodes = list(ir.nodes(root))
    if len(all_nodes) > MAX_NODES:
        return None
    for node in all_nodes:
        count += 1
        where = origins.line_of(node)
        if where is not None:
            by_line.setdefault(where, []).append(node)
        for child in _children(node):
            if isinstance(child, Input):
                readers.setdefault(child, []).append(node)
            if origins.line_of(child) != where:
                exported.add(id(child))
        if isinstance(node, Read):
            readers.setdefault(node.source, []).append(node)
    for where, made in by_line.items():
        outputs[where] = [n for n in made if id(n) in exported]
    return _Kernel(root, by_line, outputs, readers)


def _children(node: Expr) -> tuple[Expr, ...]:
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


def _rebuild(
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
        children = _children(node)
        if children and not children_done:
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in done)
            continue
        new = [done[id(c)] for c in children]
        if operand is not None:
            new = [operand(node, c, n) for c, n in zip(children, new, strict=True)]
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
class _Repair:
    """A change of the kernel's term, the lines it is about, and what the note says there."""

    lines: tuple[Location, ...]
    text: str
    make: Callable[[], Expr]


def _blame(code: Code, kernel: Expr, spec: Expr, tile: DimType) -> tuple[LocatedNote, ...]:
    survey = _survey(kernel)
    if survey is None:
        return ()
    spec_nf = normalize(restrict(spec, tile))
    kernel_nf = normalize(restrict(kernel, tile))
    if code is Code.REDUCE:
        reduce_notes = _reduce_notes(survey, kernel_nf, spec_nf)
        if reduce_notes:
            return reduce_notes
    tried = 0
    for repair in _repairs(survey, kernel, spec, kernel_nf, spec_nf):
        if tried >= MAX_REPAIRS:
            break
        tried += 1
        if _equal(repair.make(), spec, spec_nf, tile):
            return tuple(note for where in repair.lines for note in located(where, repair.text))
    return ()


def _equal(kernel: Expr, spec: Expr, spec_nf: MValue, tile: DimType) -> bool:
    """The prover's test of a tile (`prove._prove`): one normal form, also once the taps of
    shifted reads are written out."""
    try:
        if normalize(restrict(kernel, tile)) is spec_nf:
            return True
        if has_reads(kernel) or has_reads(spec):
            return normalize(expand_taps(kernel)) is normalize(expand_taps(spec))
    except normal.NotNormalizable:
        pass
    return False


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


def _by_line(survey: _Kernel) -> list[Location]:
    return sorted(survey.by_line, key=lambda w: (w.file or "", w.line))


def _repairs(
    survey: _Kernel, kernel: Expr, spec: Expr, kernel_nf: MValue, spec_nf: MValue
) -> Iterator[_Repair]:
    """Candidate repairs, the cheapest kinds first and within a kind the earliest line first:
    an input read in place of another, a constant, a mask, the positions of a read, then a
    factor missing from one line's values."""
    r = _ratio(kernel_nf, spec_nf)
    spec_constants = _constants(spec)
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
    yield from _rescale_repairs(survey)
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
    survey: _Kernel, where: Location, spec_constants: list[Fraction], r: Fraction | None
) -> Iterator[_Repair]:
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
            yield _Repair((where,), text, _substitute_constant(survey, made, value, other))


def _substitute_constant(
    survey: _Kernel, made: list[Binary], value: Fraction, other: Fraction
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
    return lambda: _rebuild(survey.root, targets)


def _input_repairs(survey: _Kernel, kernel: Expr, spec: Expr) -> Iterator[_Repair]:
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
            yield _Repair(lines, text, functools.partial(ir.substitute, kernel, one_way))
            if right in survey.readers and wrong.serial < right.serial:
                both = tuple(dict.fromkeys([*lines, *_reader_lines(survey, right)]))
                text = (f"reads {labels[wrong]} or {labels[right]}: with the two swapped, the "
                        "tile equals the spec")
                swap: dict[Input, Expr] = {wrong: right, right: wrong}
                yield _Repair(tuple(sorted(both, key=lambda w: w.line)), text,
                              functools.partial(ir.substitute, kernel, swap))


def _reader_lines(survey: _Kernel, leaf: Input) -> tuple[Location, ...]:
    found = (origins.line_of(n) for n in survey.readers.get(leaf, ()))
    return tuple(sorted({w for w in found if w is not None}, key=lambda w: w.line))


def _mask_repairs(
    survey: _Kernel, where: Location, spec_preds: list[IndexPred]
) -> Iterator[_Repair]:
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
        yield _Repair((where,), text, functools.partial(_rebuild, survey.root, targets))


def _where_repairs(survey: _Kernel, where: Location) -> Iterator[_Repair]:
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
    yield _Repair((where,), text, lambda: _rebuild(survey.root, targets))


def _read_repairs(survey: _Kernel, where: Location) -> Iterator[_Repair]:
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
            yield _Repair((where,), text, _reads_changed(survey, made, shifted))
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
            yield _Repair((where,), text, _reads_changed(survey, made, swapped))


def _reads_changed(
    survey: _Kernel, made: list[Read], change: Callable[[Affine], Affine]
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


def _rescaled(survey: _Kernel, where: Location) -> dict[Expr, Callable[[Expr], Expr]]:
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


def _rescale_repairs(survey: _Kernel) -> Iterator[_Repair]:
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
            yield _Repair((where,), text, functools.partial(_rebuild, survey.root, changes))
    if len(lines) > 1:
        yield _Repair(tuple(lines), text, functools.partial(_rebuild, survey.root, every))


def _scale_repairs(survey: _Kernel, factor: Fraction, missing: bool) -> Iterator[_Repair]:
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
        made = {id(n) for n in survey.outputs[where] if _children(n)}
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
        yield _Repair((where,), text, functools.partial(_rebuild, root, {}, operand))


def _reduce_notes(survey: _Kernel, kernel_nf: MValue, spec_nf: MValue) -> tuple[LocatedNote, ...]:
    """For a partial reduction: the lines that accumulate the kernel's pieces of it (a `+` or a
    `max` with a piece as operand), or else the lines that reduce, each with what it covers."""
    from tnp_runtime.core.prove import _partial_reductions  # the prover's own finding

    masked = bool(predicates_of(spec_nf))
    notes: list[LocatedNote] = []
    for partial in _partial_reductions(kernel_nf, spec_nf, masked):
        if len(partial.missing) != 1:
            continue
        ((dim, missing),) = partial.missing
        op = ReduceOp.SUM if partial.op == "sum" else ReduceOp.MAX
        pieces = {id(n): n for n in ir.nodes(survey.root)
                  if isinstance(n, Reduce) and n.op is op and n.dim == dim}
        combine = BinaryOp.ADD if op is ReduceOp.SUM else BinaryOp.MAX
        by_line: dict[Location | None, list[Reduce]] = {}
        for node in ir.nodes(survey.root):
            if isinstance(node, Binary) and node.op is combine:
                for operand in (node.left, node.right):
                    if id(operand) in pieces:
                        by_line.setdefault(origins.line_of(node), []).append(pieces[id(operand)])
        accumulated = bool(by_line)
        if not accumulated:
            for piece in pieces.values():
                by_line.setdefault(origins.line_of(piece), []).append(piece)
        if None in by_line or not 0 < len(by_line) <= 3:
            continue
        covered = IntervalSet.of(p.interval for p in pieces.values())
        if not covered.is_disjoint(missing):
            continue
        what = (f"accumulates the {partial.op} over {dim}, whose pieces cover {dim}[{covered}]"
                if accumulated else f"computes the {partial.op} over {dim}[{covered}] only")
        for where in sorted(by_line, key=lambda w: w.line if w else 0):
            notes += located(
                where, f"this line {what}; the spec's {partial.op} needs {dim}[{missing}] too"
            )
    return tuple(dict.fromkeys(notes))


def _single(locations: Iterator[Location | None]) -> Location | None:
    found = set(locations)
    return next(iter(found)) if len(found) == 1 and None not in found else None


__all__ = ["MAX_NODES", "MAX_REPAIRS", "with_blame"]
