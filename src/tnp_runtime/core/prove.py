"""Is a tile's expression the spec restricted to the tile? Proved, Refuted or Unknown.

Both sides are pointwise terms over the same free dims, so "the spec restricted to the tile"
is the spec's term itself, compared on the tile's indices. The answer comes from normal forms:
identical normal forms prove equality over the reals (assuming divisors nonzero). Different
normal forms are not a proof of difference (the normal form is not complete), so a difference
is confirmed numerically at a few indices of the tile before it is called Refuted; if the
numbers agree, the answer is Unknown and says so.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Final

from tnp_runtime.core import ir, normal, normal_mask, tables, tile_text
from tnp_runtime.core.counterexample import Counterexample, judged_counterexample
from tnp_runtime.core.diagnostics import Code, Diagnostic
from tnp_runtime.core.dims import DimType, IntervalSet, render_dims
from tnp_runtime.core.evaluate import EvaluationBudget, Evaluator, differ
from tnp_runtime.core.indexing import expand_taps, has_reads
from tnp_runtime.core.ir import Expr, input_labels, inputs_of, opaque_functions
from tnp_runtime.core.normal import ExtInf, MaxAtom, MaxOf, Poly, SumAtom
from tnp_runtime.core.normal_mask import MValue, predicates_of
from tnp_runtime.core.normal_terms import Call, Func, Mono
from tnp_runtime.core.normalize import normalize
from tnp_runtime.core.render import Renderer
from tnp_runtime.core.restrict import restrict
from tnp_runtime.core.spot_check import Disagreement, spot_check

# The longest `kernel - spec` shown: a short one says what cancelled (`2 * (M N, N K -> M K)`).
DIFFERENCE_CHARS: Final = 80


@dataclass(frozen=True, slots=True)
class PartialReduction:
    """A reduction the kernel did over part of the interval the spec reduces over."""

    op: str
    missing: tuple[tuple[str, IntervalSet], ...]

    def describe(self) -> str:
        parts = [f"{dim}[{over}]" for dim, over in self.missing]
        return f"missing {self.op} over {', '.join(parts)}"


@dataclass(frozen=True, slots=True)
class Proved:
    pass


@dataclass(frozen=True, slots=True)
class Refuted:
    """Different: shown by a numeric counterexample, or (when evaluating would be too costly)
    by a reduction the kernel does over strictly less than the spec's interval."""

    kernel_text: str
    spec_text: str
    # kernel - spec, when it says more than the two sides do (some term cancelled).
    difference: str | None
    counterexample: Counterexample | None
    partial: tuple[PartialReduction, ...]
    # Why a side has no normal form, when the numbers alone refute it.
    no_normal_form: str | None = None
    # The smallest subterms in which the two sides differ (kernel's, spec's), when smaller than
    # the sides themselves (`term_text.smallest_difference`).
    differs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Unknown:
    kernel_text: str
    spec_text: str
    reason: str
    numerically_equal: bool
    # The spot check's evaluation of the two sides, when it could compare them (a message note;
    # the verdict stays Unknown).
    judged: Counterexample | None = None


@dataclass(frozen=True, slots=True)
class Contradicted:
    """The normal forms are one, but evaluating the two terms tells them apart: a bug of the
    prover (`spot_check`), reported as `tnp-internal` instead of accepting the tile."""

    kernel_text: str
    spec_text: str
    disagreement: Disagreement


Verdict = Proved | Refuted | Unknown | Contradicted


def prove(
    kernel: Expr, spec: Expr, tile: DimType, sizes: Mapping[str, int] | None = None
) -> Verdict:
    """Compare `kernel` with `spec` on the indices of `tile` (dims of both, with slices).

    `sizes` (dim name to size) lets messages omit intervals that cover a whole dim."""
    tables.bound()  # between proofs: no normal form of an earlier proof is in use
    with tables.checking(), collector_paused():
        return _prove(kernel, spec, tile, sizes)


# Open `collector_paused` blocks (in any thread), and whether the collector was enabled when the
# first of them opened: the last one to close restores that.
_paused = [0, False]
_PAUSE_LOCK = threading.Lock()


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the block, then as it was found: the outermost block
    (over all threads) re-enables it only if it was enabled on entry, also when a block raises;
    a caller that had turned it off finds it off.

    Why: a proof only adds to the interned tables and makes no cycles; a collection during it
    walks those tables and frees nothing, and at thousands of tiles it is a large part of the
    time (README, "Flash attention")."""
    with _PAUSE_LOCK:
        if _paused[0] == 0:
            _paused[1] = gc.isenabled()
            gc.disable()
        _paused[0] += 1
    try:
        yield
    finally:
        with _PAUSE_LOCK:
            _paused[0] -= 1
            if _paused[0] == 0 and _paused[1]:
                gc.enable()


def _prove(
    kernel: Expr, spec: Expr, tile: DimType, sizes: Mapping[str, int] | None
) -> Verdict:
    try:
        # Masked terms are first rewritten for the tile's region (`restrict`): a mask that is
        # all-true or all-false there goes, a reduction is cut where a mask changes. A term
        # without a mask is returned as it is.
        kernel_nf = normalize(restrict(kernel, tile))
        spec_nf = normalize(restrict(spec, tile))
    except normal.NotNormalizable as err:
        renderer = _renderer(kernel, spec, tile, sizes)
        return _without_normal_form(kernel, spec, tile, sizes, renderer, err)
    if kernel_nf is not spec_nf and (has_reads(kernel) or has_reads(spec)):
        # A kernel that unrolled its filter reads at constant taps: write out the reductions
        # over taps (an identity, `indexing.expand_taps`) and compare again.
        try:
            kernel_taps, spec_taps = normalize(expand_taps(kernel)), normalize(expand_taps(spec))
        except normal.NotNormalizable:
            pass
        else:
            if kernel_taps is spec_taps:
                kernel_nf, spec_nf = kernel_taps, spec_taps
    if kernel_nf is spec_nf:
        # Defence in depth: a proof stands only if the terms also agree where evaluated.
        disagreement = spot_check(kernel, spec, tile, sizes)
        if disagreement is None:
            return Proved()
        renderer = _renderer(kernel, spec, tile, sizes)
        return Contradicted(renderer.expr(kernel), renderer.expr(spec), disagreement)
    # Only a failed proof needs the text of both sides.
    renderer = _renderer(kernel, spec, tile, sizes)
    taken = {*renderer.sizes, *(node.name for node in [*inputs_of(kernel), *inputs_of(spec)])}
    shown = tile_text.sides(kernel, spec, kernel_nf, spec_nf, renderer, taken)
    kernel_text, spec_text, differs = shown.kernel_text, shown.spec_text, shown.differs
    masked = bool(predicates_of(spec_nf))
    # `refutes`: a reduction of the kernel covers less than the spec's, which refutes the tile
    # even when the terms are too large to evaluate; `partial`: the parts no reduction of the
    # kernel covers at all (`tnp-reduce`). A kernel that covers every part, some with the wrong
    # body, is refuted all the same, and reported as the wrong value it is (`tnp-spec`).
    refutes = bool(tuple(_partial_reductions(kernel_nf, spec_nf, masked, every_body=False)))
    partial = tuple(_partial_reductions(kernel_nf, spec_nf, masked, every_body=True))
    if partial and predicates_of(kernel_nf) != predicates_of(spec_nf):
        partial = ()  # the two differ by their masks (a wrong side), not by an interval
    difference = _difference(kernel_nf, spec_nf, renderer)
    cuts = _boundaries(kernel_nf, spec_nf)
    try:
        equal, counterexample = _numeric_check(kernel, spec, tile)
    except EvaluationBudget:
        judged = judged_counterexample(kernel, spec, tile, sizes, None, cuts)
        # A difference beyond the rigorous round-off bound, on inputs as valid as any, refutes
        # the tile as a plain counterexample does at small sizes (`Counterexample.refutes`).
        if refutes or (judged is not None and judged.refutes):
            return Refuted(kernel_text, spec_text, difference, judged, partial, differs=differs)
        reason = "the normal forms differ; evaluating them position by position is past its budget"
        return Unknown(kernel_text, spec_text, reason, False, judged)
    if counterexample is None:
        judged = judged_counterexample(kernel, spec, tile, sizes, None, cuts)
        if judged is not None and judged.refutes:
            return Refuted(kernel_text, spec_text, difference, judged, partial, differs=differs)
        reason = "the normal forms differ but no index of the tile tells them apart"
        return Unknown(kernel_text, spec_text, reason, equal, judged)
    counterexample = judged_counterexample(kernel, spec, tile, sizes, counterexample, cuts)
    return Refuted(kernel_text, spec_text, difference, counterexample, partial, differs=differs)


# The most block boundaries `_boundaries` gives one dim: past it, its blocks stay random.
MAX_CUTS: Final = 64


def _boundaries(kernel_nf: MValue, spec_nf: MValue) -> dict[str, frozenset[int]]:
    """Where the intervals the two normal forms reduce over start and stop, by dim: the judge's
    inputs change there (`judge.judge`), so pieces the two sides combine differently (the first
    key tile of a running sum left unrescaled: `max[nctx[0:32]]` against `max[nctx[0:64]]`)
    are told apart at any size. For a message's numbers (and a refutation) only: a failed check."""
    found: dict[str, set[int]] = {}
    stack: list[object] = []
    for value in (kernel_nf, spec_nf):
        match value:
            case normal_mask.Masked(poly=poly):
                stack.append(poly)
            case normal_mask.PartialMax(args=args):
                stack.extend(args)
            case Poly():
                stack.append(value)
            case _:
                pass
    seen: set[int] = set()
    while stack:  # every node of both DAGs once (iterative: they are deep)
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        match node:
            case Poly(terms=terms):
                stack.extend(mono for mono, _ in terms)
            case Mono(factors=factors, exponent=exponent):
                stack.extend(atom for atom, _ in factors)
                if exponent is not None:
                    stack.append(exponent)
            case SumAtom(bindings=bindings, body=body) | MaxAtom(bindings=bindings, body=body):
                stack.append(body)
                for dim, over in bindings:
                    for interval in over.intervals:
                        found.setdefault(dim, set()).update((interval.start, interval.stop))
            case MaxOf(args=args) | Call(args=args):
                stack.extend(args)
            case Func(arg=arg):
                stack.append(arg)
            case _:
                pass
    return {dim: frozenset(cuts) for dim, cuts in found.items() if len(cuts) <= MAX_CUTS}


def _difference(kernel_nf: MValue, spec_nf: MValue, renderer: Renderer) -> str | None:
    """kernel - spec as text, only when some term cancels: otherwise it repeats both sides."""
    if not (isinstance(kernel_nf, Poly) and isinstance(spec_nf, Poly)):
        return None
    try:
        difference = normal.sub(kernel_nf, spec_nf)
    except normal.NotNormalizable:
        return None
    if not isinstance(difference, Poly):
        return None
    if len(difference.terms) >= len(kernel_nf.terms) + len(spec_nf.terms):
        return None
    text = renderer.value(difference)
    # Past this length it repeats the two sides rather than saying what is left of them.
    return text if len(text) <= DIFFERENCE_CHARS else None


def _renderer(
    kernel: Expr, spec: Expr, tile: DimType, sizes: Mapping[str, int] | None
) -> Renderer:
    all_sizes = {**(sizes or {}), **{s.name: s.dim.size for s in tile}}
    order = tuple(s.name for s in tile)
    return Renderer.for_inputs(all_sizes, [*inputs_of(kernel), *inputs_of(spec)], order)


def _without_normal_form(
    kernel: Expr,
    spec: Expr,
    tile: DimType,
    sizes: Mapping[str, int] | None,
    renderer: Renderer,
    err: Exception,
) -> Verdict:
    """No normal form: only numbers can still tell the two apart."""
    kernel_text, spec_text = renderer.expr(kernel), renderer.expr(spec)
    try:
        equal, counterexample = _numeric_check(kernel, spec, tile)
    except EvaluationBudget:
        # As with normal forms: a judged difference beyond the round-off bound refutes.
        judged = judged_counterexample(kernel, spec, tile, sizes, None)
        if judged is not None and judged.refutes:
            return Refuted(kernel_text, spec_text, None, judged, (), str(err))
        reason = f"no normal form ({err}), and too large to compare numerically"
        return Unknown(kernel_text, spec_text, reason, False, judged)
    if counterexample is not None and counterexample.is_finite:
        # Two finite values that differ refute the equality whatever the normal form.
        return Refuted(kernel_text, spec_text, None, counterexample, (), str(err))
    return Unknown(kernel_text, spec_text, f"no normal form: {err}", equal)


def _sample_indices(tile: DimType, masked: bool = False) -> list[tuple[tuple[str, int], ...]]:
    """First, last and middle index of the tile; with `masked`, also two opposite corners
    (dims alternately at their first and last position), since a mask relating two dims
    (qctx >= nctx) holds at the three diagonal points and fails off the diagonal."""
    firsts = tuple((s.name, s.start) for s in tile)
    lasts = tuple((s.name, s.stop - 1) for s in tile)
    middles = tuple((s.name, (s.start + s.stop) // 2) for s in tile)
    candidates = [lasts, middles]
    if masked:
        for parity in (0, 1):
            candidates.append(
                tuple(
                    (s.name, s.start if i % 2 == parity else s.stop - 1) for i, s in enumerate(tile)
                )
            )
    points = [firsts]
    for point in candidates:
        if point not in points:
            points.append(point)
    return points


def _numeric_check(
    kernel: Expr, spec: Expr, tile: DimType
) -> tuple[bool, Counterexample | None]:
    """(equal at every sampled index, the first index where they differ)."""
    evaluator = Evaluator(labels=input_labels([*inputs_of(kernel), *inputs_of(spec)]))
    found: Counterexample | None = None
    masked = ir.has_mask(kernel) or ir.has_mask(spec)
    for point in _sample_indices(tile, masked):
        index = dict(point)
        k, s = evaluator.at(kernel, index), evaluator.at(spec, index)
        if differ(k, s):
            # The first finite one refutes; an infinite or NaN one only if none is finite.
            stand_ins = {f.name: None for e in (kernel, spec) for f in opaque_functions(e)}
            candidate = Counterexample(point, k, s, tuple(stand_ins))
            if candidate.is_finite:
                return False, candidate
            found = found or candidate
    return found is None, found


def _reductions(value: MValue) -> Iterator[SumAtom | MaxAtom]:
    match value:
        case ExtInf():
            return
        case normal_mask.Masked(poly=poly):
            stack: list[Poly] = [poly]
        case normal_mask.PartialMax(args=args):
            stack = list(args)
        case Poly():
            stack = [value]
    seen: set[int] = set()
    while stack:
        poly = stack.pop()
        if poly.uid in seen:
            continue
        seen.add(poly.uid)
        for mono, _ in poly.terms:
            if mono.exponent is not None:
                stack.append(mono.exponent)
            for atom, _power in mono.factors:
                match atom:
                    case SumAtom():
                        yield atom
                    case MaxAtom():
                        yield atom
                        stack.append(atom.body)
                    case MaxOf(args=args):
                        stack.extend(args)
                    case _:
                        pass


def _partial_reductions(
    kernel_nf: MValue, spec_nf: MValue, masked: bool = False, every_body: bool = True
) -> Iterator[PartialReduction]:
    """Reductions of the kernel that cover strictly less than one of the spec's.

    Over one dim, what is missing is what none of the kernel's reductions of the same body
    covers: a kernel whose pieces together cover the spec's interval but are combined wrongly
    (a running sum not rescaled when its max grows) misses nothing, and is a wrong value. With
    masks (`masked`), a piece the kernel reduces with another body (a diagonal tile left
    unmasked: its body lacks the mask) is not missing either: the kernel visited it. With
    `every_body`, neither is any part that a reduction of the kernel over the same dim covers,
    whatever its body, masks or not."""
    spec_atoms = list(_reductions(spec_nf))
    kernel_atoms = list(_reductions(kernel_nf))
    # Every part of a dim some reduction of the kernel covers, whatever its body: a part the
    # kernel reduced over was not left out, so a difference there is a wrong value (a factor
    # lost or wrong, a running value not rescaled: `tnp-spec`), not a partial reduction.
    visited: dict[tuple[type, str], IntervalSet] = {}
    for k in kernel_atoms:
        if every_body or (masked and len(k.bindings) == 1):
            for dim, over in k.bindings:
                key = (type(k), dim)
                visited[key] = visited[key].union(over) if key in visited else over
    reported: set[tuple[object, ...]] = set()
    for s in spec_atoms:
        s_dims = dict(s.bindings)
        within = []
        for k in kernel_atoms:
            if type(k) is not type(s) or k.body is not s.body:
                continue
            if isinstance(k, MaxAtom) and isinstance(s, MaxAtom) and k.guard != s.guard:
                continue
            k_dims = dict(k.bindings)
            if k_dims.keys() != s_dims.keys():
                continue
            if all(k_dims[d].issubset(s_dims[d]) for d in k_dims):
                within.append(k_dims)
        if len(s_dims) == 1 and within:
            (dim,) = s_dims
            covered = within[0][dim]
            for k_dims in within[1:]:
                covered = covered.union(k_dims[dim])
            if (type(s), dim) in visited:
                covered = covered.union(visited[(type(s), dim)])
            candidates = [{dim: covered}]
        else:
            candidates = within
        for k_dims in candidates:
            missing = tuple(
                (d, _minus(s_dims[d].difference(k_dims[d]), visited.get((type(s), d)), every_body))
                for d in sorted(k_dims)
            )
            missing = tuple((d, over) for d, over in missing if over.intervals)
            if missing and missing not in reported:
                reported.add(missing)
                yield PartialReduction("sum" if isinstance(s, SumAtom) else "max", missing)


def _minus(missing: IntervalSet, visited: IntervalSet | None, every_body: bool) -> IntervalSet:
    return missing.difference(visited) if every_body and visited is not None else missing


def diagnose(verdict: Verdict, tile: DimType) -> Diagnostic | None:
    """The error an `assign` reports for a verdict, or None when proved."""
    where = render_dims(tile)
    match verdict:
        case Proved():
            return None
        case Refuted(kernel_text, spec_text, difference, counterexample, partial, reason, differs):
            notes = []
            if differs:
                places = "; ".join(f"kernel `{k}` where the spec has `{s}`" for k, s in differs)
                notes.append(f"differs in: {places}")
            if difference is not None:
                notes.append(f"kernel - spec = `{difference}`")
            if reason is not None:
                notes.append(f"no normal form: {reason}")
            if counterexample is not None:
                notes.append(counterexample.describe())
            else:
                notes.append("no numeric counterexample: no index could be evaluated conclusively")
            if partial:
                what = "; ".join(p.describe() for p in partial)
                message = (
                    f"partial reduction: {what}: kernel computes `{kernel_text}` over {where}; "
                    f"the spec requires `{spec_text}`"
                )
                return Diagnostic(Code.REDUCE, message, tuple(notes))
            message = (
                f"kernel computes `{kernel_text}` over {where}; the spec requires `{spec_text}`"
            )
            return Diagnostic(Code.SPEC, message, tuple(notes))
        case Contradicted(kernel_text, spec_text, found):
            message = (
                f"the prover said equal, but at index {found.describe_index()} "
                f"kernel = {found.kernel_value!r}, spec = {found.spec_value!r} "
                f"(beyond a round-off bound of {found.tolerance:.3g}): this is a bug in tnp, "
                "and the tile was not accepted"
            )
            shown = (
                f"kernel: `{kernel_text}` over {where}",
                f"spec: `{spec_text}`",
                f"evaluated on deterministic pseudo-random {found.inputs}",
            )
            return Diagnostic(Code.INTERNAL, message, shown)
        case Unknown(kernel_text, spec_text, reason, equal, judged):
            message = (
                f"cannot prove that the kernel's `{kernel_text}` over {where} equals "
                f"the spec's `{spec_text}`"
            )
            numeric = (
                "they agree numerically at sampled indices on random inputs"
                if equal
                else "no numeric comparison settles it"
            )
            notes = [reason, numeric]
            if judged is not None and judged.tolerance is not None and judged.beyond:
                notes[1] = "yet they differ numerically, beyond float64 rounding"
                notes.append(judged.describe())
            return Diagnostic(Code.UNPROVEN, message, tuple(notes))


__all__ = ["Contradicted", "Proved", "Refuted", "Unknown", "Verdict", "diagnose", "prove"]
