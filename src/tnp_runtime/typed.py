"""`Typed`: a NumPy array with the two types tnp tracks, checked at every operation.

Invariant: `arr.shape` has one axis per entry of `dim_type`, in that order, each as long as that
dim's slice. Every operation first applies the core rule (which may raise), then computes the
data; so the data never disagrees with the types.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, Generic, NoReturn, TypeVar

import numpy as np
import numpy.typing as npt

from tnp_runtime.core import masks, operations, origins, reads, rules, tables
from tnp_runtime.core.diagnostics import Code, Diagnostic, Violation
from tnp_runtime.core.dims import DimType, FullDim, Sliced
from tnp_runtime.core.elementwise import BY_OP
from tnp_runtime.core.index_pred import IndexPred
from tnp_runtime.core.inputs import InputRegistry, new_input_dims
from tnp_runtime.core.ir import BinaryOp, Expr, Input, ReduceOp, UnaryOp
from tnp_runtime.core.spec import SpecInput
from tnp_runtime.errors import fail, reraise, user_line

Array = npt.NDArray[np.float64]
Number = int | float
DimsT = TypeVar("DimsT")

# The runtime's inputs, each with its full dims, so a spec can be resolved against the inputs a
# tile reads. The registry's table is weak: an entry lives as long as its leaf (held by the
# values that read the input), so it needs no reset.
INPUTS: Final = InputRegistry("#")
tables.register("typed.input_dims", INPUTS.entries, "none: weak, an entry dies with its input",
                clear=False)


def register_input(name: str | None, dims: DimType) -> Expr:
    """The leaf of a new input, distinct from every other; unnamed inputs get a hidden name."""
    return INPUTS.new(name, dims)


def spec_input(leaf: Input) -> SpecInput:
    return INPUTS.spec_input(leaf)


class ReadOnlyArray(np.ndarray):
    """The data behind a typed value or a result, as `.arr` hands it out: read-only, and an
    in-place write to it (`x.arr[...] = 0`, `x.arr += 1`) raises `tnp-write` at the user's
    line, where the mypy plugin reports it. A copy (`x.arr.copy()`, `np.exp(x.arr)`) is
    writeable and behaves as a plain array."""

    _tnp_owner: rules.Abstract | str | None = None

    def __array_finalize__(self, obj: object) -> None:
        self._tnp_owner = getattr(obj, "_tnp_owner", None)

    def __setitem__(self, key: Any, value: Any) -> None:
        if not self.flags.writeable:
            self._refuse()
        super().__setitem__(key, value)

    def _refuse(self) -> NoReturn:
        owner = self._tnp_owner
        fail(rules.write_diagnostic(owner if owner is not None else "a typed value"))


def _in_place(name: str) -> Callable[..., Any]:
    def method(self: ReadOnlyArray, other: Any) -> Any:
        if not self.flags.writeable:
            self._refuse()
        return getattr(np.ndarray, name)(self, other)

    method.__name__ = name
    return method


for _name in ("__iadd__", "__isub__", "__imul__", "__itruediv__", "__ifloordiv__", "__imod__",
              "__ipow__", "__imatmul__", "__iand__", "__ior__", "__ixor__", "__ilshift__",
              "__irshift__"):
    setattr(ReadOnlyArray, _name, _in_place(_name))


def read_only(data: Array, owner: rules.Abstract | str) -> Array:
    """`data` as `.arr` hands it out (see `ReadOnlyArray`)."""
    view = data.view(ReadOnlyArray)
    view.flags.writeable = False
    view._tnp_owner = owner
    return view


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def as_scalar(value: object) -> rules.Scalar:
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    assert isinstance(value, (int, float))
    return value


class Typed(Generic[DimsT]):
    """An array whose axes are logical dims. Annotate as `Typed[Literal["M N"]]`."""

    __slots__ = ("_abstract", "_data")
    # NumPy scalars on the left (np.float64(2) * x) defer to our reflected operators.
    __array_ufunc__ = None

    # Read-only (its WRITEABLE flag is off): the numbers a type describes cannot change
    # behind it. `Typed(...)` copies the caller's array, so the caller cannot change them
    # either.
    _data: Array
    _abstract: rules.Abstract

    def __init__(self, arr: Any, *dims: FullDim, name: str | None = None) -> None:
        data = np.array(arr, dtype=np.float64)
        for d in dims:
            if not isinstance(d, FullDim):
                raise TypeError(f"Typed(...) takes FullDims after the array, got {d!r}")
        try:
            dim_type = new_input_dims(dims)
        except Violation as err:
            reraise(err)
        if data.shape != tuple(d.size for d in dims):
            fail(
                Diagnostic(
                    Code.DIM,
                    f"array of shape {data.shape} does not match dims "
                    f"{' '.join(f'{d.name}={d.size}' for d in dims)}",
                )
            )
        data.flags.writeable = False
        self._data = data
        self._abstract = rules.Abstract(dim_type, register_input(name, dim_type))

    @classmethod
    def _make(cls, arr: Array, abstract: rules.Abstract, located: bool = True) -> Typed[Any]:
        value: Typed[Any] = object.__new__(cls)
        # NumPy returns a scalar, not a 0-d array, for an op on two values without dims.
        arr = np.asarray(arr)
        arr.flags.writeable = False
        value._data = arr
        value._abstract = abstract
        # Where the kernel made this term, for messages (`core.origins`): one lookup when the
        # term already has its line.
        if located and origins.wanted(abstract.expr):
            where = user_line()
            if where is not None:
                origins.record(abstract.expr, where)
        return value

    def _with_abstract(self, abstract: rules.Abstract) -> Typed[Any]:
        """The same data under another type (a kernel's parameter at a top-level call): a term
        the kernel receives, not one it makes (`core.origins`)."""
        origins.record(abstract.expr, origins.EXTERNAL)
        return Typed._make(self._data, abstract, located=False)

    @property
    def arr(self) -> Array:
        """The data, read-only: an in-place write raises `tnp-write` (see `ReadOnlyArray`)."""
        return read_only(self._data, self._abstract)

    @arr.setter
    def arr(self, value: object) -> None:
        fail(rules.write_diagnostic(self._abstract))

    # -- the two types ---------------------------------------------------------------------

    @property
    def dim_type(self) -> DimType:
        return self._abstract.dims

    @property
    def expr_type(self) -> Expr:
        return self._abstract.expr

    @property
    def abstract(self) -> rules.Abstract:
        return self._abstract

    def __repr__(self) -> str:
        return f"Typed({self._abstract.label()})"

    # -- slicing, reducing, broadcasting -----------------------------------------------------

    def slice(self, dim: FullDim | Sliced, start: int | None = None, stop: int | None = None
              ) -> Typed[Any]:
        """`x.slice(M, 0, 5)` or `x.slice(M[0:5])`: absolute indices into the whole dim."""
        if isinstance(dim, Sliced):
            if start is not None or stop is not None:
                raise TypeError("give either x.slice(M[a:b]) or x.slice(M, a, b)")
            name, start, stop = dim.name, dim.start, dim.stop
        else:
            if start is None or stop is None:
                raise TypeError("x.slice(M, start, stop) needs both bounds")
            name = dim.name
        try:
            step = rules.slice_dim(self._abstract, name, int(start), int(stop))
        except Violation as err:
            reraise(err)
        index: list[slice] = [slice(None)] * self._data.ndim
        index[step.axis] = slice(step.offset_start, step.offset_stop)
        _record_slice(step.value, name)
        return Typed._make(self._data[tuple(index)], step.value)

    # -- reads at computed positions (convolutions; rules in core/reads.py) -----------------

    def window(self, dim: FullDim, out: FullDim | Sliced, taps: FullDim | Sliced) -> Typed[Any]:
        """`x.window(N, O[a:b], K[0:3])`: dims O and K in place of N; at (o, k) the value of x
        at N = o + k (within x's current slice of N, else `tnp-dim`)."""
        try:
            out, taps = reads.as_sliced(out), reads.as_sliced(taps)
            step = reads.window(self._abstract, dim.name, out, taps)
        except Violation as err:
            reraise(err)
        positions = np.add.outer(np.arange(out.start, out.stop), np.arange(taps.start, taps.stop))
        return Typed._make(np.take(self._data, positions - step.held_start, step.axis), step.value)

    def shift(self, dim: FullDim, out: FullDim | Sliced, offset: int) -> Typed[Any]:
        """`x.shift(N, O[a:b], k)`: dim O in place of N; at o the value of x at N = o + k."""
        try:
            out = reads.as_sliced(out)
            step = reads.shift(self._abstract, dim.name, out, _whole(offset, "shift"))
        except Violation as err:
            reraise(err)
        positions = np.arange(out.start, out.stop) + _whole(offset, "shift")
        return Typed._make(np.take(self._data, positions - step.held_start, step.axis), step.value)

    def at(self, dim: FullDim, position: int) -> Typed[Any]:
        """`w.at(K, k)`: the value at K = k, without the dim K (one tap of a filter)."""
        try:
            step = reads.at(self._abstract, dim.name, _whole(position, "at"))
        except Violation as err:
            reraise(err)
        data = np.take(self._data, _whole(position, "at") - step.held_start, step.axis)
        return Typed._make(np.array(data, dtype=np.float64), step.value)

    def gather(self, dim: FullDim, index: Typed[Any]) -> Typed[Any]:
        """`logits.gather(V, t)`: the value at V = t (t an input of whole numbers in [0, size of
        V) with the value's other dims), without the dim V: cross-entropy's target logit."""
        if not isinstance(index, Typed):
            raise TypeError("x.gather(V, t) takes the index as a Typed input")
        try:
            step = reads.gather(self._abstract, dim.name, index._abstract)
        except Violation as err:
            reraise(err)
        positions = _align(index, step.value.dims)
        whole = np.floor(positions) == positions
        if not (np.all(whole) and np.all((positions >= 0) & (positions < dim.size))):
            bad = positions[~(whole & (positions >= 0) & (positions < dim.size))]
            fail(Diagnostic(
                Code.DIM,
                f"gather({dim.name}, {index._abstract.label()}): index {bad.flat[0]:g} is not "
                f"a whole number in [0, {dim.size}), the positions of {dim.name}",
            ))
        taken = np.take_along_axis(
            self._data, np.expand_dims(positions.astype(np.intp), step.axis), step.axis
        )
        return Typed._make(np.array(np.squeeze(taken, step.axis), dtype=np.float64), step.value)

    def _reduce(self, op: ReduceOp, dim: FullDim) -> Typed[Any]:
        try:
            value = rules.reduce(op, self._abstract, dim.name)
        except Violation as err:
            reraise(err)
        axis = [s.name for s in self.dim_type].index(dim.name)
        data = self._data.sum(axis=axis) if op is ReduceOp.SUM else self._data.max(axis=axis)
        return Typed._make(np.asarray(data, dtype=np.float64), value)

    def sum(self, dim: FullDim) -> Typed[Any]:
        return self._reduce(ReduceOp.SUM, dim)

    def max(self, dim: FullDim) -> Typed[Any]:
        return self._reduce(ReduceOp.MAX, dim)

    def min(self, dim: FullDim) -> Typed[Any]:
        """The minimum over the value's current slice of `dim` (-max(-x) in its ExprType)."""
        return self._derived_reduce(operations.reduce_min, np.min, dim)

    def mean(self, dim: FullDim) -> Typed[Any]:
        """The mean over the value's current slice of `dim`: its sum divided by the slice's
        length (of a tile, the tile's length)."""
        return self._derived_reduce(operations.mean, np.mean, dim)

    def _derived_reduce(
        self, rule: Callable[[rules.Abstract, str], rules.Abstract],
        numpy: Callable[..., Any], dim: FullDim,
    ) -> Typed[Any]:
        try:
            value = rule(self._abstract, dim.name)
        except Violation as err:
            reraise(err)
        axis = [s.name for s in self.dim_type].index(dim.name)
        return Typed._make(np.asarray(numpy(self._data, axis=axis), dtype=np.float64), value)

    def repeat(self, dim: FullDim | Sliced) -> Typed[Any]:
        """Broadcast along a new dim (or a slice of one), added as the last axis."""
        try:
            value = rules.repeat(self._abstract, dim)
        except Violation as err:
            reraise(err)
        length = value.dims[-1].length
        _record_slice(value, value.dims[-1].name)
        data = np.broadcast_to(self._data[..., np.newaxis], (*self._data.shape, length))
        return Typed._make(data, value)

    def rearrange(self, *dims: FullDim) -> Typed[Any]:
        try:
            value, perm = rules.rearrange(self._abstract, [d.name for d in dims])
        except Violation as err:
            reraise(err)
        return Typed._make(np.transpose(self._data, perm), value)

    # -- arithmetic ----------------------------------------------------------------------------

    def _binary(self, op: BinaryOp, other: object, reflected: bool) -> Typed[Any]:
        if isinstance(other, Typed):
            left, right = (other, self) if reflected else (self, other)
            try:
                value = rules.binary(op, left._abstract, right._abstract)
            except Violation as err:
                reraise(err)
            aligned = _align(right, left.dim_type)
            return Typed._make(_NUMPY_BINARY[op](left._data, aligned), value)
        if not _is_number(other):
            return NotImplemented  # type: ignore[no-any-return]
        scalar = as_scalar(other)
        try:
            if reflected:
                value = rules.binary(op, scalar, self._abstract)
            else:
                value = rules.binary(op, self._abstract, scalar)
        except Violation as err:
            reraise(err)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            data = (
                _NUMPY_BINARY[op](np.float64(scalar), self._data)
                if reflected
                else _NUMPY_BINARY[op](self._data, np.float64(scalar))
            )
        return Typed._make(np.asarray(data, dtype=np.float64), value)

    def __add__(self, other: object) -> Typed[Any]:
        return self._binary(BinaryOp.ADD, other, False)

    def __radd__(self, other: object) -> Typed[Any]:
        return self._binary(BinaryOp.ADD, other, True)

    def __sub__(self, other: object) -> Typed[Any]:
        return self._binary(BinaryOp.SUB, other, False)

    def __rsub__(self, other: object) -> Typed[Any]:
        return self._binary(BinaryOp.SUB, other, True)

    def __mul__(self, other: object) -> Typed[Any]:
        return self._binary(BinaryOp.MUL, other, False)

    def __rmul__(self, other: object) -> Typed[Any]:
        return self._binary(BinaryOp.MUL, other, True)

    def __truediv__(self, other: object) -> Typed[Any]:
        return self._binary(BinaryOp.DIV, other, False)

    def __rtruediv__(self, other: object) -> Typed[Any]:
        return self._binary(BinaryOp.DIV, other, True)

    def __neg__(self) -> Typed[Any]:
        return self.unary(UnaryOp.NEG)

    def unary(self, op: UnaryOp) -> Typed[Any]:
        value = rules.unary(op, self._abstract)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            data = _NUMPY_UNARY[op](self._data)
        return Typed._make(np.asarray(data, dtype=np.float64), value)

    def maximum(self, other: Typed[Any] | Number, reflected: bool = False) -> Typed[Any]:
        return self._binary(BinaryOp.MAX, other, reflected)

    # -- comparisons: conditions for `tnp.where` ------------------------------------------------

    def _compare(self, relation: str, other: object) -> Condition:
        if not isinstance(other, Typed) and not _is_number(other):
            return NotImplemented  # type: ignore[no-any-return]
        return Condition(relation, self, other if isinstance(other, Typed) else as_scalar(other))

    def __gt__(self, other: object) -> Condition:
        return self._compare(">", other)

    def __ge__(self, other: object) -> Condition:
        return self._compare(">=", other)

    def __lt__(self, other: object) -> Condition:
        return self._compare("<", other)

    def __le__(self, other: object) -> Condition:
        return self._compare("<=", other)

    def __abs__(self) -> Typed[Any]:
        return self.unary(UnaryOp.ABS)

    def __pow__(self, exponent: object) -> Typed[Any]:
        """`x ** k` for a whole or half-integer k (see `core.operations`)."""
        if _is_number(exponent):
            exponent = as_scalar(exponent)
        try:
            value = operations.power(self._abstract, exponent)
        except Violation as err:
            reraise(err)
        assert isinstance(exponent, (int, float))
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            data = np.power(self._data, float(exponent))
        return Typed._make(np.asarray(data, dtype=np.float64), value)

    def minimum(self, other: Typed[Any] | Number, reflected: bool = False) -> Typed[Any]:
        """Elementwise min (-max(-x, -y) in its ExprType)."""
        if isinstance(other, Typed):
            left, right = (other, self) if reflected else (self, other)
            try:
                value = operations.minimum(left._abstract, right._abstract)
            except Violation as err:
                reraise(err)
            return Typed._make(np.minimum(left._data, _align(right, left.dim_type)), value)
        if not _is_number(other):
            raise TypeError(f"min() takes Typed values or numbers, got {type(other).__name__}")
        scalar = as_scalar(other)
        try:
            value = operations.minimum(self._abstract, scalar)
        except Violation as err:
            reraise(err)
        data = np.minimum(self._data, np.float64(scalar))
        return Typed._make(np.asarray(data, dtype=np.float64), value)


    def mask(self, pred: IndexPred, fill: Number = -np.inf) -> Typed[Any]:
        """`x.mask(qctx >= nctx)`: x where the index predicate holds, -inf elsewhere (or
        `fill`, e.g. 0). The predicate's dims must be dims of x."""
        if not isinstance(pred, IndexPred):
            raise TypeError(
                f"x.mask takes an index predicate such as qctx >= nctx, got {pred!r}"
            )
        if not _is_number(fill):
            raise TypeError(f"a mask's fill is a number, got {fill!r}")
        try:
            value = masks.mask(self._abstract, pred, as_scalar(fill))
        except Violation as err:
            reraise(err)
        keep = _holds(pred, self.dim_type)
        data = np.where(keep, self._data, np.float64(fill))
        return Typed._make(np.asarray(data, dtype=np.float64), value)



class Condition:
    """`x > y` (or >=, <, <=) of a Typed value and a Typed value or a number: a condition for
    `tnp.where`, not a bool (`if x > 0:` raises, as for NumPy arrays)."""

    __slots__ = ("left", "relation", "right")

    def __init__(self, relation: str, left: Typed[Any], right: Typed[Any] | rules.Scalar) -> None:
        self.relation = relation
        self.left = left
        self.right = right

    def __bool__(self) -> bool:
        raise TypeError(
            f"`x {self.relation} y` of Typed values is a condition for tnp.where(cond, a, b), "
            "not a bool"
        )

    def __repr__(self) -> str:
        return f"Condition({self.left!r} {self.relation} {self.right!r})"


def _holds(pred: IndexPred, dims: DimType) -> npt.NDArray[np.bool_]:
    """Where `pred` holds on the positions of `dims` (one axis per dim, as the data's)."""
    grids = np.ix_(*(np.arange(s.start, s.stop) for s in dims)) if dims else ()
    position = {s.name: grid for s, grid in zip(dims, grids, strict=True)}
    keep = np.ones(tuple(s.length for s in dims), dtype=bool)
    for atom in pred.atoms:
        total: Any = atom.lhs.const
        for dim, coef in atom.lhs.terms:
            total = total + coef * position[dim]
        keep &= np.asarray(total >= 0)
    return keep


def _record_slice(value: rules.Abstract, name: str) -> None:
    """`value` got its slice of `name` at the user's current line (`core.origins`)."""
    where = user_line()
    held = value.sliced(name)
    if where is not None and held is not None:
        origins.record_slice(value.expr, name, held.interval, where)


def _whole(value: object, method: str) -> int:
    """A position given to `x.shift` or `x.at`: an integer (a float is refused, not rounded)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"x.{method}(...) takes an integer position, got {value!r}")
    return int(value)


def _align(value: Typed[Any], order: DimType) -> Array:
    """`value`'s data with axes permuted into `order` (same dim names)."""
    names = [s.name for s in value.dim_type]
    wanted = [s.name for s in order]
    if names == wanted:
        return value._data
    return np.transpose(value._data, [names.index(n) for n in wanted])


_NUMPY_BINARY: Final[dict[BinaryOp, Callable[[Any, Any], Any]]] = {
    BinaryOp.ADD: np.add,
    BinaryOp.SUB: np.subtract,
    BinaryOp.MUL: np.multiply,
    BinaryOp.DIV: np.divide,
    BinaryOp.MAX: np.maximum,
}

_NUMPY_UNARY: Final[dict[UnaryOp, Callable[[Any], Any]]] = {
    UnaryOp.NEG: np.negative,
    **{
        # NumPy has no erf or sigmoid: the registry's float64 function, element by element.
        op: getattr(np, function.numpy)
        if function.numpy is not None
        else np.vectorize(function.real, otypes=[np.float64])
        for op, function in BY_OP.items()
    },
}

