"""Defence in depth: a proved tile is evaluated before it is accepted.

The prover says two terms are equal when their normal forms are one node. A bug in the normal
form (a factor lost while merging, a term cancelled that should not be) would then accept a
wrong kernel. So before a `Proved` verdict stands, both sides' IR terms are evaluated here, in
float64, at a few pseudo-random points of the tile, on pseudo-random inputs; a disagreement
beyond rounding is a bug of tnp (`tnp-internal`), never an acceptance.

Independence: this module walks the `ir` terms directly (`ir.Expr`, as the kernel and the spec
resolution built them); it never calls the normal form (of the elementwise registry it reads
only the round-off rules, `Elementwise.bound`). Value arithmetic with round-off bounds is in
`round_off`.

Cost. One point costs one walk of each side's DAG, with each node evaluated once per class of
values of its free dims (memoized). A reduction over a dim of 131072 positions cannot visit
every position within the budget (10% of the proof), so large dims are *compressed*: the inputs
given to the terms are constant on a few random blocks of the dim, except at a few random
single positions ("specials"); a sum over an interval is then the sum over the classes it meets,
each weighted by how many of its positions lie there. This is exact for those inputs, and those
inputs are as valid as any: an identity over the reals holds for every input, so a disagreement
on them is a real bug of the prover, never a false alarm. It still tells apart what a prover bug
would confuse: blocks have independent values (a lost factor, a wrong interval, a missing
rescale between tiles all change the result), and the specials break the symmetry inside a
block (so `sum(x²)` is not `(sum x)² / n` on them). Dims of at most `EXACT_SIZE` positions are
not compressed: every position is its own class, and the evaluation is the plain one.

If even the compressed walk would exceed `MAX_STEPS` node evaluations, it is retried with fewer
classes (down to one block and one special per dim: still a check of the algebra, which is where
normal-form bugs live); past that, the check gives up silently and the proof stands, as it did
before this check existed.

"Beyond rounding": each evaluated value carries a first-order bound on its own float64 round-off
(`_Value.err`), propagated through every operation (a sum adds its terms' bounds, a product
scales each factor's bound by the other factor, exp multiplies by its value, a division divides
by the divisor, ...). Since the two sides are equal over the reals, their float64 values can
differ by at most the two bounds together; a difference larger than `SAFETY` times that (plus
a subnormal-sized floor) is a disagreement. NaN (a log or sqrt outside its domain, a division by
zero: the prover assumes neither happens) and overflow (a value that became infinite from finite
operands, anywhere in either side) make the point inconclusive, never a disagreement; the next
point, on smaller inputs, is tried. Infinities that come from `inf` in the terms themselves (a
running max starting at -inf) are compared exactly: two infinities of the same sign agree.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import operator
import random
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, cast

from tnp_runtime.core import ir, opaque, symbolic, tables
from tnp_runtime.core.dims import DimType, Interval
from tnp_runtime.core.elementwise import BY_OP
from tnp_runtime.core.index_pred import Truth
from tnp_runtime.core.indexing import read_dims, read_position
from tnp_runtime.core.ir import (
    Apply,
    Binary,
    BinaryOp,
    Const,
    Expr,
    Inf,
    Input,
    Mask,
    Read,
    Reduce,
    ReduceOp,
    Unary,
    UnaryOp,
    free_dims,
)
from tnp_runtime.core.round_off import EPS as _EPS
from tnp_runtime.core.round_off import INFINITIES as _INFINITIES
from tnp_runtime.core.round_off import TINY as _TINY
from tnp_runtime.core.round_off import Bounded as _V
from tnp_runtime.core.round_off import binary as _binary
from tnp_runtime.core.round_off import const as _const
from tnp_runtime.core.round_off import max_of as _max
from tnp_runtime.core.round_off import sum_of as _sum

# A dim this small is evaluated position by position (no compression).
EXACT_SIZE: Final = 64
# Compression of a larger dim, tried in this order while a walk exceeds the budget:
# (random blocks, random single positions).
COMPRESSIONS: Final = ((8, 2), (2, 1), (1, 1))
# Node evaluations one check may spend on one rung of COMPRESSIONS (about 0.1 to 0.3 s).
MAX_STEPS: Final = 200_000
# Once this many steps are spent, no further point is started (large DAGs get one point).
SOFT_STEPS: Final = 500
# Points per check, at most; each uses its own input distribution (see `_DISTRIBUTIONS`).
POINTS: Final = 3
# How far beyond the two round-off bounds a difference must be to count.
SAFETY: Final = 8.0

# (low, high) of the inputs at each point: positive first (log and sqrt of inputs, and of their
# sums and products, stay in their domain), then negative (a sign the prover got wrong shows
# whatever the point), then both signs with values near zero.
_DISTRIBUTIONS: Final = ((0.5, 2.0), (-2.0, -0.5), (-1.0, 1.0))


# A dim a mask reads is evaluated position by position up to this size (a mask's predicate
# needs positions, not blocks); a larger one is compressed like any other.
MASK_EXACT_SIZE: Final = 1024


class _Budget(Exception):
    pass


class _Inconclusive(Exception):
    """A mask's predicate is not constant on the blocks of the point: no verdict here."""


class _ReadsPositions(Exception):
    """A read at computed positions met a dim evaluated by classes, not positions."""




@dataclass(frozen=True, slots=True)
class Disagreement:
    """The prover said equal, but the two sides differ at `index` beyond rounding."""

    index: tuple[tuple[str, int], ...]
    kernel_value: float
    spec_value: float
    tolerance: float
    inputs: str  # how the inputs were drawn, for the message

    def describe_index(self) -> str:
        return ", ".join(f"{d}={i}" for d, i in self.index) or "the only index"


class _Partition:
    """The classes of one dim's positions: each position its own class (`exact`), or random
    contiguous blocks (class -1 - b) with random single positions (class = the position)."""

    def __init__(
        self,
        name: str,
        size: int,
        blocks: int,
        specials: int,
        exact: bool = False,
        cuts: frozenset[int] = frozenset(),
    ) -> None:
        self.exact = exact or size <= EXACT_SIZE
        self.size = size
        # Block b is [cuts[b], cuts[b + 1]); the last one reaches past any position.
        self.cuts: list[int] = [0, sys.maxsize]
        self.specials: list[int] = []
        self._special_set: frozenset[int] = frozenset()
        self._cache: dict[Interval, list[tuple[int, int]]] = {}
        if self.exact:
            return
        rng = random.Random(f"tnp-spot-check|{name}|{size}|{blocks}|{specials}")
        inner = rng.sample(range(1, size), min(blocks - 1, size - 1))
        # `cuts`: boundaries a caller wants between blocks (`judge`: where the terms' intervals
        # start and stop, so a piece of a reduction has inputs of its own).
        inner = sorted({*inner, *(c for c in cuts if 0 < c < size)})
        self.cuts = [0, *inner, sys.maxsize]
        self.specials = sorted(rng.sample(range(size), min(specials, size)))
        self._special_set = frozenset(self.specials)

    def positions(self, cls: int) -> tuple[int, int]:
        """(lowest, highest) position of a class (a block's includes its specials)."""
        if cls >= 0:
            return (cls, cls)
        b = -1 - cls
        return (self.cuts[b], min(self.cuts[b + 1], self.size) - 1)

    def class_of(self, i: int) -> int:
        if self.exact or i in self._special_set:
            return i
        return -bisect.bisect_right(self.cuts, i)

    def classes_in(self, interval: Interval) -> list[tuple[int, int]]:
        """(class, how many of its positions lie in `interval`), for classes met."""
        found = self._cache.get(interval)
        if found is not None:
            return found
        start, stop = interval.start, interval.stop
        if self.exact:
            found = [(i, 1) for i in range(start, stop)]
        else:
            found = []
            lo = bisect.bisect_left(self.specials, start)
            hi = bisect.bisect_left(self.specials, stop)
            inside = self.specials[lo:hi]
            first = max(bisect.bisect_right(self.cuts, start) - 1, 0)
            for b in range(first, len(self.cuts) - 1):
                b_start, b_stop = self.cuts[b], self.cuts[b + 1]
                if b_start >= stop:
                    break
                overlap = min(stop, b_stop) - max(start, b_start)
                overlap -= sum(1 for s in inside if b_start <= s < b_stop)
                if overlap > 0:
                    found.append((-1 - b, overlap))
            found.extend((s, 1) for s in inside)
        self._cache[interval] = found
        return found


class _Partitions:
    """The partition of every dim, made on first use: from the dim's size when known (the
    result's binding), else from the first interval or index seen (positions past the last
    cut belong to the last block, so a later, longer interval is still covered)."""

    def __init__(
        self,
        sizes: Mapping[str, int],
        blocks: int,
        specials: int,
        exact: frozenset[str] = frozenset(),
        masked: frozenset[str] = frozenset(),
        cuts: Mapping[str, frozenset[int]] | None = None,
    ) -> None:
        self.sizes = sizes
        # Boundaries between blocks wanted by the caller, by dim (`_Partition`).
        self.cuts = cuts or {}
        # Dims a read computes positions of or from: a position is then an index, not a class.
        self.exact = exact
        # Dims a mask reads: positions too, up to `MASK_EXACT_SIZE`.
        self.masked = masked
        self.blocks, self.specials = blocks, specials
        self.made: dict[str, _Partition] = {}
        self.memo: dict[tuple[str, Interval], list[tuple[int, int]]] = {}

    def of(self, dim: str, reach: int) -> _Partition:
        found = self.made.get(dim)
        if found is None:
            size = self.sizes.get(dim, reach)
            exact = dim in self.exact or (dim in self.masked and size <= MASK_EXACT_SIZE)
            cuts = self.cuts.get(dim, frozenset())
            found = self.made[dim] = _Partition(
                dim, size, self.blocks, self.specials, exact, cuts
            )
        return found

    def classes(self, dim: str, interval: Interval) -> list[tuple[int, int]]:
        """`classes_in` of `dim`'s partition, memoized here: one lookup per reduction."""
        found = self.memo.get((dim, interval))
        if found is None:
            found = self.of(dim, interval.stop).classes_in(interval)
            self.memo[dim, interval] = found
        return found

    def all_exact(self) -> bool:
        return all(p.exact for p in self.made.values())

    def compressed(self) -> list[str]:
        return sorted(name for name, p in self.made.items() if not p.exact)


_MASK: Final = 2**64 - 1
_MUL: Final = BinaryOp.MUL
_ADD: Final = BinaryOp.ADD
_SUB: Final = BinaryOp.SUB
_EXP: Final = UnaryOp.EXP


def _mix(z: int) -> int:
    """splitmix64's finalizer: 64 well-mixed bits from any 64-bit integer."""
    z = (z + 0x9E3779B97F4A7C15) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


class _Walker:
    """Evaluates terms on one input distribution, with the dims' classes; memoized per
    (node, classes of its free dims). Values are `_V` tuples (value, err, overflow). The walk
    visits every node of a DAG of thousands of tiles, so `at` is one lean function."""

    def __init__(
        self, partitions: _Partitions, low: float, high: float, steps: list[int]
    ) -> None:
        self.partitions = partitions
        self.low, self.span = low, high - low
        self.memo: dict[object, _V] = {}
        # free dims -> a function of the environment giving their classes.
        self.getters: dict[frozenset[str], operator.itemgetter[Any]] = {}
        # The dims the reductions being evaluated have bound (one entry per open reduction).
        self.bound: frozenset[str] = frozenset()
        self.bounds: dict[tuple[frozenset[str], str], frozenset[str]] = {}
        self.steps = steps  # shared with the other walkers of the check: [left]
        self.salt = f"{low}|{high}"
        self.seeds: dict[Input, int] = {}

    def at(self, expr: Expr, env: dict[str, int]) -> _V:
        # The key: a node's value depends on the classes of its free dims only. Outside every
        # reduction (`bound` empty), and inside one for a node that does not read the dims it
        # binds, those are the point's: the node alone is the key. Most of a tiled kernel's
        # DAG (its running values) is evaluated there, so this path is the fast one.
        bound = self.bound
        if not bound:
            key: object = expr
        else:
            dims = free_dims(expr)
            if dims.isdisjoint(bound):
                key = expr
            else:
                getter = self.getters.get(dims)
                if getter is None:  # `dims` is not empty: it meets `bound`
                    getter = self.getters[dims] = operator.itemgetter(*dims)
                key = (expr, getter(env))
        memo = self.memo
        found = memo.get(key)
        if found is not None:
            return found
        steps = self.steps
        steps[0] -= 1
        if steps[0] < 0:
            raise _Budget
        # Dispatch on the exact type: every node is one of the seven (the IR is closed).
        kind = type(expr)
        at = self.at
        if kind is Binary:
            b = cast(Binary, expr)
            # Outside reductions a child's key is the child: look it up before calling.
            left = memo.get(b.left) if not bound else None
            if left is None:
                left = at(b.left, env)
            right = memo.get(b.right) if not bound else None
            if right is None:
                right = at(b.right, env)
            op = b.op
            x, y = left[0], right[0]
            # The common cases inline (the walk's hot path); `_binary` has the same rules.
            if op is _MUL and x - x == 0 and y - y == 0:  # both finite
                w = x * y
                if w - w == 0:
                    ex, ey = left[1], right[1]
                    err = abs(x) * ey + abs(y) * ex + ex * ey + _EPS * abs(w) + _TINY
                    found = (w, err, left[2] or right[2])
                else:
                    found = _binary(op, left, right)
            elif (op is _ADD or op is _SUB) and x - x == 0 and y - y == 0:
                w = x + y if op is _ADD else x - y
                if w - w == 0:
                    found = (w, left[1] + right[1] + _EPS * abs(w) + _TINY, left[2] or right[2])
                else:
                    found = _binary(op, left, right)
            else:
                found = _binary(op, left, right)
        elif kind is Reduce:
            found = self.reduce(cast(Reduce, expr), env)
        elif kind is Unary:
            u = cast(Unary, expr)
            operand = memo.get(u.operand) if not bound else None
            if operand is None:
                operand = at(u.operand, env)
            v = operand[0]
            e = operand[1]
            if u.op is _EXP and -700.0 < v < 700.0 and e <= 1.0:  # the hot case inline
                # expm1(e) <= e + e * e for e <= 1: the bound holds beyond first order.
                w = math.exp(v)
                found = (w, w * (e + e * e + _EPS) + _TINY, operand[2])
            else:
                found = _unary(u.op, operand)
        elif kind is Input:
            leaf = cast(Input, expr)
            found = (self.input(leaf, [env[d] for d in leaf.dims]), 0.0, False)
        elif kind is Read:
            node = cast(Read, expr)
            if not self.partitions.exact:
                raise _ReadsPositions
            found = (self.input(node.source, list(read_position(node, env))), 0.0, False)
        elif kind is Const:
            found = _const(cast(Const, expr).value)
        elif kind is Apply:
            call = cast(Apply, expr)
            found = _apply(call.func, [at(a, env) for a in call.args])
        elif kind is Mask:
            m = cast(Mask, expr)
            ranges = {
                d: self.partitions.of(d, 0).positions(env[d]) for d in m.pred.dims
            }
            truth = m.pred.truth(ranges)
            if truth is Truth.BAND:
                raise _Inconclusive
            found = at(m.operand if truth is Truth.TRUE else m.fill, env)
        else:
            found = (-math.inf if cast(Inf, expr).negative else math.inf, 0.0, False)
        memo[key] = found
        return found

    def input(self, node: Input, classes: list[int]) -> float:
        """A value in [low, high) fixed by the input, the classes of its index and the
        distribution (a pure function of them: the runtime and the plugin agree)."""
        seed = self.seeds.get(node)
        if seed is None:
            identity = " ".join(node.dims) if node.anonymous else node.name
            text = f"{identity}|{node.dims}|{self.salt}"
            digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
            seed = self.seeds[node] = int.from_bytes(digest, "little")
        z = seed
        for cls in classes:
            z = _mix(z ^ (cls & _MASK))
        return self.low + self.span * (z / 2**64)

    def reduce(self, expr: Reduce, env: dict[str, int]) -> _V:
        dim = expr.dim
        classes = self.partitions.classes(dim, expr.interval)
        if len(classes) > self.steps[0]:
            raise _Budget
        outer, outer_bound = env.get(dim), self.bound
        inner_bound = self.bounds.get((outer_bound, dim))
        if inner_bound is None:
            inner_bound = self.bounds[outer_bound, dim] = outer_bound | {dim}
        self.bound = inner_bound
        body = expr.body
        at = self.at
        if len(classes) == 1:  # one class (a tile within one block): count times its value
            cls, count = classes[0]
            env[dim] = cls
            value = at(body, env)
            values = None
        else:
            values = []
            for cls, count in classes:
                env[dim] = cls
                values.append((at(body, env), count))
        if outer is None:
            del env[dim]
        else:
            env[dim] = outer
        self.bound = outer_bound
        if values is None:
            if count == 1 or expr.op is ReduceOp.MAX:
                return value
            x, e, o = value
            w = x * count
            if w != w:
                return (w, math.inf, o)
            if w in _INFINITIES:
                return (w, 0.0, o or x not in _INFINITIES)
            return (w, e * count + _EPS * abs(w) + _TINY, o)
        if expr.op is ReduceOp.MAX:
            return _max([v for v, _ in values])
        return _sum(values)


def _unary(op: UnaryOp, x: _V) -> _V:
    v, e, o = x
    if v != v:  # NaN
        return x
    if op is UnaryOp.NEG:
        return (-v, e, o)
    try:
        w, err = BY_OP[op].bound(v, e)
    except ValueError:  # outside the domain: log(0), sqrt(-1), sin(inf)
        return (math.nan, math.inf, o)
    except OverflowError:
        return (math.inf, math.inf, True)
    return (w, err, o)


def _apply(func: opaque.Opaque, args: list[_V]) -> _V:
    """An opaque function with round-off: `where` takes the branch its condition picks, and is
    inconclusive (NaN) when the condition is within the round-off of its sides; a declared
    function is its stand-in (`opaque.stand_in_bound`)."""
    overflow = any(a[2] for a in args)
    if any(a[0] != a[0] for a in args):
        return (math.nan, math.inf, overflow)
    if func.is_where:
        (x, ex, _), (y, ey, _), a, b = args
        if x - x == 0 and y - y == 0 and abs(x - y) <= ex + ey:
            return (math.nan, math.inf, overflow)  # the two sides may take different branches
        taken = opaque.where_value(func, x, y, 1.0, 0.0) == 1.0
        chosen = a if taken else b
        return (chosen[0], chosen[1], overflow)
    if any(a[0] in _INFINITIES for a in args):
        return (math.nan, math.inf, overflow)
    w, err = opaque.stand_in_bound(func, [(a[0], a[1]) for a in args])
    return (w, err, overflow)


def _compare(k: _V, s: _V) -> tuple[bool | None, float]:
    """(disagree?, tolerance); None when the point cannot tell (NaN, overflow)."""
    kv, ke, ko = k
    sv, se, so = s
    if kv != kv or sv != sv or ko or so:
        return None, math.nan
    if kv in _INFINITIES or sv in _INFINITIES:
        return kv != sv, 0.0
    tolerance = SAFETY * (ke + se) + _TINY
    if not tolerance < math.inf:  # a bound lost (a divisor within its own round-off of 0)
        return None, tolerance
    return abs(kv - sv) > tolerance, tolerance


def _points(tile: DimType, count: int) -> list[dict[str, int]]:
    """`count` pseudo-random indices of the tile, fixed by the tile (both halves agree)."""
    rng = random.Random("tnp-spot-check|" + " ".join(str(s) for s in tile))
    return [{s.name: rng.randrange(s.start, s.stop) for s in tile} for _ in range(count)]


def _reaches(*terms: Expr) -> dict[str, int]:
    """The largest stop of each dim's reductions in the terms (iterative: DAGs are deep)."""
    reach: dict[str, int] = {}
    seen: set[int] = set()
    stack = list(terms)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, Reduce):
            reach[node.dim] = max(reach.get(node.dim, 0), node.interval.stop)
            stack.append(node.body)
        elif isinstance(node, Binary):
            stack += (node.left, node.right)
        elif isinstance(node, Unary | Mask):
            stack.append(node.operand)
        elif isinstance(node, Apply):
            stack += node.args
    return reach


def _mask_dims(*terms: Expr) -> frozenset[str]:
    """Every dim a mask in the terms reads (iterative: DAGs are deep)."""
    found: set[str] = set()
    seen: set[int] = set()
    stack = [t for t in terms if ir.has_mask(t)]
    while stack:
        node = stack.pop()
        if id(node) in seen or not ir.has_mask(node):
            continue
        seen.add(id(node))
        if isinstance(node, Mask):
            found |= node.pred.dims
            stack.append(node.operand)
        elif isinstance(node, Reduce):
            stack.append(node.body)
        elif isinstance(node, Binary):
            stack += (node.left, node.right)
        elif isinstance(node, Unary):
            stack.append(node.operand)
    return frozenset(found)


# Pairs (kernel, spec) already checked in this process. The prover's verdict depends on the two
# terms only, not on the tile (a tile's position lives in its dims, not in its term), so one
# check per pair is as strong as one per tile: a matmul's 4096 output tiles share one pair.
# The set holds the nodes themselves (not their ids, which a node made after one died may reuse);
# a reset forgets them, and a pair is then checked again.
# A masked term is the exception: its value depends on where the tile lies, so its pairs are
# remembered per tile.
_CHECKED: Final[set[tuple[object, ...]]] = set()
tables.register("spot_check.checked", _CHECKED, "cleared: each pair is checked again once")


def spot_check(
    kernel: Expr, spec: Expr, tile: DimType, sizes: Mapping[str, int] | None = None
) -> Disagreement | None:
    """Evaluate both sides at a few points of `tile`; the first disagreement beyond rounding,
    or None (agreement, or nothing conclusive within the budget)."""
    if symbolic.active():
        # A symbolic run (a tile loop proved once for many iterations) has no concrete
        # positions to evaluate at: its first and last iterations are concrete runs, and the
        # spot check runs there.
        return None
    pair: tuple[object, ...] = (kernel, spec)
    if ir.has_mask(kernel) or ir.has_mask(spec):
        pair = (kernel, spec, tile)
    if pair in _CHECKED:
        return None
    extents = {**(sizes or {}), **{s.name: s.dim.size for s in tile}}
    if not sizes:  # called without the binding's sizes (tests, tools): read them off the terms
        extents = {**_reaches(kernel, spec), **extents}
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 100_000))
    try:
        exact: frozenset[str] = frozenset()
        masked = _mask_dims(kernel, spec)
        rungs = list(COMPRESSIONS)
        while rungs:
            blocks, specials = rungs[0]
            partitions = _Partitions(extents, blocks, specials, exact, masked)
            try:
                found = _check(kernel, spec, tile, partitions)
            except _Inconclusive:
                return None  # a mask straddles a block: the proof stands unchecked here
            except _ReadsPositions:
                # A read met a compressed dim: start again with the reads' dims exact (terms
                # without reads never pay for finding them).
                exact = read_dims(kernel) | read_dims(spec)
                continue
            except _Budget:
                if partitions.all_exact():
                    break  # compressing changes nothing: give up
                rungs.pop(0)
                continue
            if found is None:
                # Only an agreement is remembered: a pair that disagreed is checked, and
                # reported, again at every tile that proves it.
                _CHECKED.add(pair)
            return found
    finally:
        sys.setrecursionlimit(limit)
    return None


def _check(
    kernel: Expr, spec: Expr, tile: DimType, partitions: _Partitions
) -> Disagreement | None:
    steps = [MAX_STEPS]
    for n, point in enumerate(_points(tile, POINTS)):
        if n and MAX_STEPS - steps[0] > SOFT_STEPS:
            break
        low, high = _DISTRIBUTIONS[n % len(_DISTRIBUTIONS)]
        walker = _Walker(partitions, low, high, steps)
        env = {name: partitions.of(name, i + 1).class_of(i) for name, i in point.items()}
        k, s = walker.at(kernel, dict(env)), walker.at(spec, dict(env))
        disagree, tolerance = _compare(k, s)
        if disagree:
            compressed = partitions.compressed()
            how = f"inputs drawn uniformly from [{low:g}, {high:g})"
            if compressed:
                how += f", constant on random blocks of {', '.join(compressed)}"
            return Disagreement(tuple(point.items()), k[0], s[0], tolerance, how)
    return None
