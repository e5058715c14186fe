"""The expression IR: what a value computes, as a hash-consed DAG.

Semantics: every expression is a *pointwise term*. Its value at an index (a map from dim name to
integer) is a real number. An `Input` leaf reads its array at the index restricted to its dims;
broadcasting and transposing therefore do not change a term, and slices live in the DimType, not
here. A `Reduce` binds its dim over an interval: inside its body that dim ranges over the
interval, outside the body the same name may be free again (it refers to the outer index).

Invariant: nodes are interned. Build them only through the factory functions below; two live
nodes with equal fields are the same object, so equality is identity and hashing is by id. The
table holds its nodes weakly (see `core/tables.py`): a node leaves it only when nothing else
holds it, so nothing resets it and a long-lived process keeps only the nodes in use.
"""

from __future__ import annotations

import enum
import itertools
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Final, assert_never

from tnp_runtime.core import tables
from tnp_runtime.core.dims import Interval
from tnp_runtime.core.index_pred import IndexPred
from tnp_runtime.core.opaque import Opaque


class UnaryOp(enum.Enum):
    NEG = "-"
    EXP = "exp"
    LOG = "log"
    SQRT = "sqrt"
    SIN = "sin"
    COS = "cos"
    TANH = "tanh"
    SIGMOID = "sigmoid"
    ERF = "erf"
    ABS = "abs"


class BinaryOp(enum.Enum):
    ADD = "+"
    SUB = "-"
    MUL = "*"
    DIV = "/"
    MAX = "max"


class ReduceOp(enum.Enum):
    SUM = "sum"
    MAX = "max"


@dataclass(frozen=True, eq=False, slots=True, weakref_slot=True)
class Const:
    """An exact rational constant."""

    value: Fraction


@dataclass(frozen=True, eq=False, slots=True, weakref_slot=True)
class Inf:
    """`-inf` when `negative`, else `+inf`: the initial value of running maxima."""

    negative: bool


@dataclass(frozen=True, eq=False, slots=True, weakref_slot=True)
class Input:
    """A kernel input read at the current index.

    `serial` identifies the input: every registration of an array (a `Typed(...)`, a kernel
    parameter at a call) gets its own (`new_input`), so two arrays are two inputs whatever
    their names. `name` is what messages and specs call it (a parameter name, a `name=`, or a
    generated `#n` for an unnamed array); `anonymous` says the name was generated and is not
    shown to users. `dims` are the names of the input's dims in the order of its axes.
    """

    name: str
    dims: tuple[str, ...]
    anonymous: bool
    serial: int


@dataclass(frozen=True, slots=True)
class Affine:
    """An index computed from other dims: `sum(coef * dim) + offset` (`O + K`, `O + 2`, `5`).

    Canonical: `terms` sorted by dim, each dim once, no zero coefficient; so two equal
    expressions are equal values."""

    terms: tuple[tuple[str, int], ...]
    offset: int

    @property
    def dims(self) -> frozenset[str]:
        return frozenset(d for d, _ in self.terms)

    def __str__(self) -> str:
        """`O + K`, `O - 1`, `2 * O + K`, `3`: how specs write it."""
        pieces = [
            (coef < 0, d if abs(coef) == 1 else f"{abs(coef)} * {d}") for d, coef in self.terms
        ]
        if self.offset or not pieces:
            pieces.append((self.offset < 0, str(abs(self.offset))))
        first_negative, first = pieces[0]
        text = ("-" if first_negative else "") + first
        return text + "".join(f" {'-' if neg else '+'} {part}" for neg, part in pieces[1:])


@dataclass(frozen=True, slots=True)
class Gather:
    """A position given by an integer index input, `t:B` in `x:B V[t:B]`: at an index, the value
    of `index` there, a whole number in `[0, size)` (`size` is the size of the dim it indexes;
    the runtime checks the data). Opaque: two gathers are one only with the same index input."""

    index: Input
    size: int

    @property
    def dims(self) -> frozenset[str]:
        return frozenset(self.index.dims)

    def __str__(self) -> str:
        label = " ".join(self.index.dims) if self.index.anonymous else self.index.name
        return f"{label}:{' '.join(self.index.dims)}" if not self.index.anonymous else label


Position = Affine | Gather


@dataclass(frozen=True, eq=False, slots=True, weakref_slot=True)
class Read:
    """`source` read with some of its dims at computed positions (`reads.py`).

    `index` maps dims of `source` (sorted, each once) to the position it is read at (an
    `Affine` of other dims, or a `Gather` by an index input);
    a dim of `source` not in `index` is read at the current index, as an `Input` is. Never the
    identity: `read` returns the plain input for it, so a read at the identity is the same
    interned node as the leaf (every term without shifted reads is unchanged)."""

    source: Input
    index: tuple[tuple[str, Position], ...]


@dataclass(frozen=True, eq=False, slots=True, weakref_slot=True)
class Unary:
    op: UnaryOp
    operand: Expr


@dataclass(frozen=True, eq=False, slots=True, weakref_slot=True)
class Binary:
    op: BinaryOp
    left: Expr
    right: Expr


@dataclass(frozen=True, eq=False, slots=True, weakref_slot=True)
class Reduce:
    """`op` of `body` over `dim` ranging over `interval`; binds `dim` inside `body`."""

    op: ReduceOp
    dim: str
    interval: Interval
    body: Expr


@dataclass(frozen=True, eq=False, slots=True, weakref_slot=True)
class Apply:
    """An opaque function (`opaque.Opaque`: a declared one, or `where`) of argument terms,
    pointwise: its value at an index is the function of its arguments' values there."""

    func: Opaque
    args: tuple[Expr, ...]



@dataclass(frozen=True, eq=False, slots=True, weakref_slot=True)
class Mask:
    """`operand` where `pred` holds at the index, else `fill` (a `Const`, or `Inf` -inf: the
    fill of masked scores). `pred`'s dims are free dims of the term."""

    pred: IndexPred
    fill: Expr
    operand: Expr


Expr = Const | Inf | Input | Read | Unary | Binary | Reduce | Mask | Apply

# Weak table: a node's entry lives exactly as long as the node (its `KeyedRef` removes the entry
# when the node dies). A key holds the node's children, so a live parent keeps its children
# interned; an id can be reused only by a node made after every key that mentions it is gone.
_TABLE: Final[dict[tuple[object, ...], weakref.KeyedRef[tuple[object, ...], Expr]]] = {}
tables.register("ir.nodes", _TABLE, "none: weak, a node leaves when nothing holds it", clear=False)


def _forget(ref: weakref.KeyedRef[tuple[object, ...], Expr]) -> None:
    """A node died: drop its entry, unless the key has been interned again since."""
    if _TABLE.get(ref.key) is ref:
        del _TABLE[ref.key]


def _intern(key: tuple[object, ...], build: type[Expr], *fields: object) -> Expr:
    ref = _TABLE.get(key)
    node = ref() if ref is not None else None
    if node is None:
        node = build(*fields)  # type: ignore[arg-type]
        _TABLE[key] = weakref.KeyedRef(node, _forget, key)
    return node


def const(value: Fraction | int) -> Expr:
    value = Fraction(value)
    return _intern(("c", value), Const, value)


def inf(negative: bool) -> Expr:
    return _intern(("inf", negative), Inf, negative)


def input_leaf(
    name: str, dims: tuple[str, ...], anonymous: bool = False, serial: int = 0
) -> Expr:
    """The input with exactly these fields (tests build fixed leaves with it); a new array is
    registered with `new_input`."""
    return _intern(("in", name, dims, anonymous, serial), Input, name, dims, anonymous, serial)


# Never reset (see `core/tables.py`): two inputs never share a serial in one process.
_SERIALS: Final = itertools.count(1)


def new_input(name: str, dims: tuple[str, ...], anonymous: bool = False) -> Input:
    """A new input, distinct from every other, whatever its name and dims."""
    leaf = input_leaf(name, dims, anonymous, next(_SERIALS))
    assert isinstance(leaf, Input)
    return leaf


def read(source: Input, index: Mapping[str, Position]) -> Expr:
    """`source` read at `index` (entries that read a dim at itself are dropped; all of them:
    the plain input)."""
    entries = tuple(
        sorted(
            (dim, at)
            for dim, at in index.items()
            if not (isinstance(at, Affine) and at.offset == 0 and at.terms == ((dim, 1),))
        )
    )
    if not entries:
        return source
    return _intern(("read", source, entries), Read, source, entries)


def unary(op: UnaryOp, operand: Expr) -> Expr:
    node = _intern(("u", op, operand), Unary, op, operand)
    if _ANY_MASK[0] and operand in _MASKED:
        _MASKED.add(node)
    return node


def binary(op: BinaryOp, left: Expr, right: Expr) -> Expr:
    node = _intern(("b", op, left, right), Binary, op, left, right)
    if _ANY_MASK[0] and (left in _MASKED or right in _MASKED):
        _MASKED.add(node)
    return node


def reduce(op: ReduceOp, dim: str, interval: Interval, body: Expr) -> Expr:
    node = _intern(("r", op, dim, interval, body), Reduce, op, dim, interval, body)
    if _ANY_MASK[0] and body in _MASKED:
        _MASKED.add(node)
    return node


def mask(pred: IndexPred, fill: Expr, operand: Expr) -> Expr:
    """The node itself; builders that know the value's slices simplify first
    (`masks.mask_value`)."""
    assert isinstance(fill, Const | Inf), "a mask's fill is a constant or -inf"
    node = _intern(("m", pred, fill, operand), Mask, pred, fill, operand)
    _ANY_MASK[0] = True
    _MASKED.add(node)
    return node


# The nodes with a `Mask` under them, kept as they are built (a parent is added when a child
# is in the set), so that the prover skips the restriction of a term without masks at the cost
# of one lookup (`has_mask`); weak, like the table of nodes.
_MASKED: Final[weakref.WeakSet[Expr]] = weakref.WeakSet()
# Whether any `Mask` was ever built in this process: until then the factories skip the set.
_ANY_MASK: Final = [False]
tables.register("ir.masked", _MASKED, "none: weak, a node leaves when nothing holds it",
                clear=False)


def has_mask(expr: Expr) -> bool:
    """Whether a `Mask` node is under `expr` (or is it)."""
    return _ANY_MASK[0] and expr in _MASKED


def apply(func: Opaque, args: tuple[Expr, ...]) -> Expr:
    node = _intern(("a", func, args), Apply, func, args)
    if _ANY_MASK[0] and any(a in _MASKED for a in args):
        _MASKED.add(node)
    return node


_FREE_DIMS: Final[dict[Expr, frozenset[str]]] = {}
tables.register("ir.free_dims", _FREE_DIMS, "cleared: recomputed from the node on demand")


def free_dims(expr: Expr) -> frozenset[str]:
    """Dim names the term depends on (not bound by a `Reduce` around the use)."""
    cached = _FREE_DIMS.get(expr)
    if cached is not None:
        return cached
    result: frozenset[str]
    match expr:
        case Const() | Inf():
            result = frozenset()
        case Input(dims=dims):
            result = frozenset(dims)
        case Read(source=source, index=index):
            read_at = {dim for dim, _ in index}
            result = frozenset(source.dims).difference(read_at).union(
                *(at.dims for _, at in index)
            )
        case Unary(operand=operand):
            result = free_dims(operand)
        case Binary(left=left, right=right):
            result = free_dims(left) | free_dims(right)
        case Reduce(dim=dim, body=body):
            result = free_dims(body) - {dim}
        case Apply(args=args):
            result = frozenset().union(*(free_dims(a) for a in args))
        case Mask(pred=pred, operand=operand):
            result = free_dims(operand) | pred.dims
    _FREE_DIMS[expr] = result
    return result


def nodes(expr: Expr) -> Iterator[Expr]:
    """The distinct nodes under `expr` (itself included), in first-seen order, left before
    right (iterative: DAGs are deep)."""
    seen: set[int] = set()
    stack: list[Expr] = [expr]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        match node:
            case Read(source=source, index=index):
                stack += (at.index for _, at in reversed(index) if isinstance(at, Gather))
                stack.append(source)
            case Unary(operand=operand):
                stack.append(operand)
            case Binary(left=left, right=right):
                stack.append(right)
                stack.append(left)
            case Reduce(body=body):
                stack.append(body)
            case Apply(args=args):
                stack.extend(reversed(args))
            case Mask(operand=operand):
                stack.append(operand)
            case Const() | Inf() | Input():
                pass
            case _:
                assert_never(node)


def inputs_of(expr: Expr) -> list[Input]:
    """The distinct `Input` leaves under `expr`, in first-seen order (a read's input, then the
    index inputs of its gathers)."""
    return [node for node in nodes(expr) if isinstance(node, Input)]


def opaque_functions(expr: Expr) -> list[Opaque]:
    """The declared opaque functions (not `where`) applied under `expr`, first seen first."""
    found = (node.func for node in nodes(expr) if isinstance(node, Apply))
    return list(dict.fromkeys(f for f in found if not f.is_where))


def rewrite(
    expr: Expr,
    leaf: Callable[[Expr], Expr],
    reduction: Callable[[Reduce, Expr], Expr] | None = None,
) -> Expr:
    """`expr` rebuilt bottom-up (iterative, memoized per node): each leaf (a constant, an
    input, a read) replaced by `leaf(node)`, each reduction by `reduction(node, new body)`
    (by default the same reduction of the new body)."""
    done: dict[int, Expr] = {}
    stack: list[tuple[Expr, bool]] = [(expr, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in done:
            continue
        match node:
            case Const() | Inf() | Input() | Read():
                done[id(node)] = leaf(node)
            case Unary(op=op, operand=operand):
                if children_done:
                    done[id(node)] = unary(op, done[id(operand)])
                else:
                    stack += [(node, True), (operand, False)]
            case Binary(op=op, left=left, right=right):
                if children_done:
                    done[id(node)] = binary(op, done[id(left)], done[id(right)])
                else:
                    stack += [(node, True), (left, False), (right, False)]
            case Reduce(op=op, dim=dim, interval=interval, body=body):
                if not children_done:
                    stack += [(node, True), (body, False)]
                elif reduction is None:
                    done[id(node)] = reduce(op, dim, interval, done[id(body)])
                else:
                    done[id(node)] = reduction(node, done[id(body)])
            case Apply(func=func, args=args):
                if children_done:
                    done[id(node)] = apply(func, tuple(done[id(a)] for a in args))
                else:
                    stack += [(node, True), *((a, False) for a in args)]
            case Mask(pred=pred, fill=fill, operand=operand):
                if children_done:
                    done[id(node)] = mask(pred, fill, done[id(operand)])
                else:
                    stack += [(node, True), (operand, False)]
            case _:
                assert_never(node)
    return done[id(expr)]


def substitute(expr: Expr, replace: Mapping[Input, Expr]) -> Expr:
    """`expr` with each input leaf in `replace` replaced by its term (iterative, memoized per
    node). A replaced input's term may have free dims only among the input's dims: a `Reduce`
    over one of them around the leaf then binds the term's dim, as it bound the input's. A read
    of a replaced input reads the term at its positions (`indexing.substitute_read`)."""
    if not replace:
        return expr
    from tnp_runtime.core import indexing  # it builds on this module

    def leaf(node: Expr) -> Expr:
        match node:
            case Input():
                return replace.get(node, node)
            case Read():
                return indexing.substitute_read(node, replace)
            case _:
                return node

    return rewrite(expr, leaf)


def input_labels(inputs: Iterable[Input]) -> dict[Input, str]:
    """How messages tell inputs apart: the name (the dims for an unnamed input), qualified
    `x#2`, `x#3`... in order of registration when distinct inputs would read alike."""
    by_text: dict[tuple[str, tuple[str, ...]], list[Input]] = {}
    for node in dict.fromkeys(inputs):
        text = " ".join(node.dims) if node.anonymous else node.name
        by_text.setdefault((text, node.dims), []).append(node)
    labels: dict[Input, str] = {}
    for (text, _dims), nodes in by_text.items():
        nodes.sort(key=lambda n: n.serial)
        for rank, node in enumerate(nodes, start=1):
            labels[node] = text if rank == 1 else f"{text}#{rank}"
    return labels
