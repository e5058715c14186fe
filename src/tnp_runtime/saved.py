"""`Saved[Literal["qctx"], Literal["definition"]]`: a kernel input the caller computed, and the
runtime's check of its numbers at a call.

The semantics are the core's (`core.saved`): inside the kernel the parameter is its definition,
and an argument whose expression is known is proved at the call. An argument that is an input
of its own (an array: `Typed(lse_array, qctx)`) has numbers no proof sees through; `check_data`
evaluates the definition with NumPy on the call's arguments and compares (`RTOL`, `ATOL`), a
`tnp-spec` error at the call naming the parameter and the largest difference otherwise.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from typing import Any, Final, Generic, TypeVar, Union, assert_never

import numpy as np
import numpy.typing as npt

from tnp_runtime.core.calls import KernelSignature
from tnp_runtime.core.diagnostics import Code, Diagnostic
from tnp_runtime.core.dims import DimType
from tnp_runtime.core.ir import (
    Affine,
    Apply,
    Binary,
    BinaryOp,
    Const,
    Expr,
    Gather,
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
from tnp_runtime.core.opaque import WHERE_GT
from tnp_runtime.core.saved import SavedInput, is_opaque
from tnp_runtime.errors import fail

# The operations' NumPy functions are the runtime's own (one table, in `typed`).
from tnp_runtime.typed import _NUMPY_BINARY, _NUMPY_UNARY, Array, Typed, _align

DimsT = TypeVar("DimsT")
DefT = TypeVar("DefT")

# The data check's tolerance (`np.isclose`). Values the forward pass saved in float32 pass: the
# relative error of a float32 logsumexp over n terms is about sqrt(n) * 6e-8, below 1e-5 up to
# n = 16384. What a mistake changes (a wrong scale, a missing max shift, another row, a
# statistic of the wrong input) moves values by 1e-2 and more.
RTOL: Final = 1e-4
ATOL: Final = 1e-6


class SavedValue(Generic[DefT]):
    """Never made: the second member of `Saved`'s union, which carries the definition's text in
    the type (`Saved[L["qctx"], L["..."]]` is `Typed[L["qctx"]] | SavedValue[L["..."]]`, so a
    `Typed[L["qctx"]]` argument type-checks)."""

    def __init__(self) -> None:
        raise TypeError("SavedValue is a type, not a value: annotate a parameter as Saved[...]")


Saved = Union[Typed[DimsT], SavedValue[DefT]]  # noqa: UP007 - subscripted as Saved[A, B]
"""`lse: Saved[Literal["qctx"], Literal["log(sum[nctx](exp(...)))"]]`: a `Typed` parameter with
dims qctx whose value is the definition, a spec over the kernel's plain `Typed` parameters."""


def saved_annotation(annotation: object) -> tuple[str, str] | None:
    """(dims, definition) from `Saved[Literal[dims], Literal[definition]]`, else None."""
    if typing.get_origin(annotation) is not Union:
        return None
    members = typing.get_args(annotation)
    if len(members) != 2 or typing.get_origin(members[1]) is not SavedValue:
        return None
    texts = [typing.get_args(m) for m in members]
    if not all(len(t) == 1 and typing.get_origin(t[0]) is typing.Literal for t in texts):
        raise TypeError(f"annotate as Saved[Literal[\"dims\"], Literal[\"definition\"]], "
                        f"got {annotation!r}")
    dims, definition = (typing.get_args(t[0])[0] for t in texts)
    if not isinstance(dims, str) or not isinstance(definition, str):
        raise TypeError(f"Saved[...] takes two strings, got {annotation!r}")
    return dims, definition


def check_data(kernel_name: str, signature: KernelSignature, arguments: Mapping[str, Typed[Any]]
               ) -> None:
    """Each saved argument that is an input of its own against its definition evaluated on the
    call's arguments: `tnp-spec` (at the call) unless close everywhere."""
    for name, saved in signature.saved.items():
        argument = arguments[name]
        if not is_opaque(argument.expr_type):
            continue  # proved, or refused, by `core.saved.check_argument`
        data = {
            parameter.leaf: (_align(arguments[other], parameter.dims), parameter.dims)
            for other, parameter in signature.inputs.items()
            if other not in signature.saved
        }
        problem = _compare(kernel_name, saved, _align(argument, saved.dims),
                           _definition(saved, data))
        if problem is not None:
            fail(problem)


def _definition(saved: SavedInput, data: Mapping[Input, tuple[Array, DimType]]) -> Array:
    """The definition evaluated on the arguments, axes in the saved parameter's declared order."""
    return evaluate_term(saved.term, data, saved.dims)


def evaluate_term(term: Expr, data: Mapping[Input, tuple[Array, DimType]], order: DimType
                  ) -> Array:
    """`term` evaluated with NumPy (float64) on whole inputs: `data` maps each leaf it reads to
    its array, with axes in the order of its `DimType` (full dims); the value's axes are in
    `order`, which names the term's free dims. The evaluation of a saved input's definition,
    and of a spec on the inputs a kernel ran on (the pytest plugin, `tnp_pytest.check`)."""
    arrays = {leaf: (array, tuple(s.name for s in dims)) for leaf, (array, dims) in data.items()}
    sizes = {s.name: s.dim.size for _, dims in data.values() for s in dims}
    sizes.update({s.name: s.dim.size for s in order})
    ranges = {name: (0, sizes[name]) for name in free_dims(term)}
    value, dims = _Evaluator(arrays).value(term, ranges)
    return _aligned(value, dims, tuple(s.name for s in order))


def _compare(kernel_name: str, saved: SavedInput, passed: Array, defined: Array
             ) -> Diagnostic | None:
    with np.errstate(invalid="ignore"):
        close = np.isclose(passed, defined, rtol=RTOL, atol=ATOL)
        if bool(np.all(close)):
            return None
        difference = np.where(close, 0.0, np.abs(passed - defined))
    difference = np.where(np.isnan(difference), np.inf, difference)
    at = np.unravel_index(int(np.argmax(difference)), difference.shape)
    where = " ".join(f"{s.name}={int(i)}" for s, i in zip(saved.dims, at, strict=True))
    wrong = int(np.count_nonzero(~close))
    return Diagnostic(
        Code.SPEC,
        f"{kernel_name}: the argument for saved input {saved.name} is not its definition "
        f"`{saved.text}`: largest difference {float(difference[at]):.3g} at {where} (argument "
        f"{float(passed[at])!r}, definition {float(defined[at])!r})",
        (f"{wrong} of {passed.size} values differ beyond rtol={RTOL:g}, atol={ATOL:g}",),
    )


def _aligned(value: Array, dims: tuple[str, ...], target: tuple[str, ...]) -> Array:
    """`value` (axes `dims`, a subset of `target`) broadcastable against `target`'s order."""
    order = [d for d in target if d in dims]
    moved = np.transpose(value, [dims.index(d) for d in order]) if value.ndim else value
    shape = [moved.shape[order.index(d)] if d in dims else 1 for d in target]
    return np.asarray(moved, dtype=np.float64).reshape(shape)




class _Evaluator:
    """A term as a NumPy array over its free dims (`ranges`: each dim's interval in scope).

    `log(sum[N](exp(e)))` and `exp(e) / sum[N](exp(e'))` (a softmax) are evaluated shifted by
    the max of `e'` over N, so a saved statistic or output of large scores does not overflow
    where the kernel's own computation did not."""

    def __init__(self, arrays: Mapping[Input, tuple[Array, tuple[str, ...]]]) -> None:
        self.arrays = arrays

    def value(self, expr: Expr, ranges: dict[str, tuple[int, int]]
              ) -> tuple[Array, tuple[str, ...]]:
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            return self._value(expr, ranges)

    def _value(self, expr: Expr, ranges: dict[str, tuple[int, int]]
               ) -> tuple[Array, tuple[str, ...]]:
        match expr:
            case Const(value=number):
                return np.asarray(float(number)), ()
            case Inf(negative=negative):
                return np.asarray(-np.inf if negative else np.inf), ()
            case Input():
                array, dims = self.arrays[expr]
                return array[tuple(slice(*ranges[d]) for d in dims)], dims
            case Read():
                return self._read(expr, ranges)
            case Mask():
                return self._mask(expr, ranges)
            case Unary(op=UnaryOp.LOG, operand=Reduce(
                op=ReduceOp.SUM, body=Unary(op=UnaryOp.EXP)
            ) as total):
                return self._logsumexp(total, ranges)
            case Binary(op=BinaryOp.DIV, left=Unary(op=UnaryOp.EXP, operand=numerator),
                        right=Reduce(op=ReduceOp.SUM, body=Unary(op=UnaryOp.EXP)) as total):
                return self._softmax(numerator, total, ranges)
            case Unary(op=op, operand=operand):
                value, dims = self._value(operand, ranges)
                return np.asarray(_NUMPY_UNARY[op](value), dtype=np.float64), dims
            case Binary(op=op, left=left, right=right):
                a, da = self._value(left, ranges)
                b, db = self._value(right, ranges)
                dims = (*da, *(d for d in db if d not in da))
                result = _NUMPY_BINARY[op](_aligned(a, da, dims), _aligned(b, db, dims))
                return np.asarray(result, dtype=np.float64), dims
            case Reduce(
                op=ReduceOp.SUM, dim=dim, interval=interval,
                body=Binary(op=BinaryOp.MUL, left=left, right=right),
            ):
                # A contraction: summed by einsum, never materialized over all the dims
                scope = {**ranges, dim: (interval.start, interval.stop)}
                return self._contract(dim, interval.length, left, right, scope)
            case Reduce(op=op, dim=dim, interval=interval, body=body):
                value, dims = self._value(body, {**ranges, dim: (interval.start, interval.stop)})
                if dim not in dims:
                    return (value * interval.length if op is ReduceOp.SUM else value), dims
                axis = dims.index(dim)
                rest = dims[:axis] + dims[axis + 1:]
                match op:
                    case ReduceOp.SUM:
                        return value.sum(axis=axis), rest
                    case ReduceOp.MAX:
                        return value.max(axis=axis), rest
                    case _:
                        assert_never(op)
            case Apply(func=func, args=args):
                values = [self._value(a, ranges) for a in args]
                dims = tuple(dict.fromkeys(d for _, ds in values for d in ds))
                arrays = [_aligned(v, ds, dims) for v, ds in values]
                if func.is_where:
                    x, y, then, other = arrays
                    held = x > y if func is WHERE_GT else x >= y
                    return np.asarray(np.where(held, then, other), dtype=np.float64), dims
                assert func.call is not None, "a declared function of the runtime"
                shape = np.broadcast_shapes(*(a.shape for a in arrays))
                full = [np.broadcast_to(a, shape) for a in arrays]
                return np.asarray(func.call(*full), dtype=np.float64), dims
            case _:
                assert_never(expr)

    def _mask(self, mask: Mask, ranges: dict[str, tuple[int, int]]
              ) -> tuple[Array, tuple[str, ...]]:
        """`mask.operand` where its predicate holds at the index (over the dims in scope),
        else the fill: every atom's linear form evaluated on the grid of its dims."""
        value, dims = self._value(mask.operand, ranges)
        fill, fill_dims = self._value(mask.fill, ranges)
        pred_dims = tuple(sorted(mask.pred.dims))
        out = (*dims, *(d for d in (*fill_dims, *pred_dims) if d not in dims))
        holds = np.ones([1] * len(out), dtype=bool)
        for atom in mask.pred.atoms:
            form = np.full([1] * len(out), float(atom.lhs.const))
            for dim, coef in atom.lhs.terms:
                shape = [1] * len(out)
                shape[out.index(dim)] = ranges[dim][1] - ranges[dim][0]
                form = form + coef * np.arange(*ranges[dim], dtype=np.float64).reshape(shape)
            holds = holds & (form >= 0)
        result = np.where(holds, _aligned(value, dims, out), _aligned(fill, fill_dims, out))
        return np.asarray(result, dtype=np.float64), out

    def _read(self, read: Read, ranges: dict[str, tuple[int, int]]
              ) -> tuple[Array, tuple[str, ...]]:
        """An input read at computed positions (`ir.Read`): NumPy's advanced indexing of the
        whole array, one integer array per axis, broadcast over the dims they range over."""
        array, source_dims = self.arrays[read.source]
        index = dict(read.index)
        dims = tuple(dict.fromkeys(
            d for name in source_dims
            for d in ((name,) if name not in index else sorted(index[name].dims))
        ))

        def coordinate(name: str) -> npt.NDArray[np.int64]:
            shape = [1] * len(dims)
            start, stop = ranges[name]
            shape[dims.index(name)] = stop - start
            return np.arange(start, stop).reshape(shape)

        axes: list[npt.NDArray[np.int64]] = []
        for name in source_dims:
            position = index.get(name)
            match position:
                case None:
                    axes.append(coordinate(name))
                case Affine(terms=terms, offset=offset):
                    axes.append(sum((coef * coordinate(d) for d, coef in terms),
                                    np.zeros([1] * len(dims), dtype=np.int64)) + offset)
                case Gather(index=leaf):
                    values, value_dims = self._value(leaf, ranges)
                    axes.append(_aligned(values, value_dims, dims).astype(np.int64))
                case _:
                    assert_never(position)
        return np.asarray(array[tuple(axes)], dtype=np.float64), dims

    def _contract(self, dim: str, length: int, left: Expr, right: Expr,
                  ranges: dict[str, tuple[int, int]]) -> tuple[Array, tuple[str, ...]]:
        """`sum[dim](left * right)` by `np.einsum` over the operands' own axes."""
        a, da = self._value(left, ranges)
        b, db = self._value(right, ranges)
        out = tuple(d for d in (*da, *(d for d in db if d not in da)) if d != dim)
        if dim not in da and dim not in db:
            return _aligned(a, da, out) * _aligned(b, db, out) * length, out
        letter = {name: chr(ord("a") + n) for n, name in enumerate(dict.fromkeys((*da, *db)))}
        subscripts = ",".join("".join(letter[d] for d in ds) for ds in (da, db))
        result = np.einsum(f"{subscripts}->{''.join(letter[d] for d in out)}", a, b)
        return np.asarray(result, dtype=np.float64), out

    def _shifted_sum(self, total: Reduce, ranges: dict[str, tuple[int, int]]
                     ) -> tuple[Array, Array, tuple[str, ...]]:
        """`sum[dim](exp(e))` as (shift, sum of exp(e - shift), their dims): the shift is the
        max of `e` over the reduced dim (0 where that is not finite)."""
        assert isinstance(total.body, Unary)
        interval = total.interval
        value, dims = self._value(total.body.operand,
                                  {**ranges, total.dim: (interval.start, interval.stop)})
        if total.dim not in dims:
            return value, np.full_like(value, float(interval.length)), dims
        axis = dims.index(total.dim)
        shift = value.max(axis=axis, keepdims=True)
        shift = np.where(np.isfinite(shift), shift, 0.0)
        summed = np.exp(value - shift).sum(axis=axis)
        return np.squeeze(shift, axis=axis), summed, dims[:axis] + dims[axis + 1:]

    def _softmax(self, numerator: Expr, total: Reduce, ranges: dict[str, tuple[int, int]]
                 ) -> tuple[Array, tuple[str, ...]]:
        """`exp(e) / sum[dim](exp(e'))`, both shifted by the max of `e'` (exact in real
        arithmetic for any shift, and no overflow where the scores are large)."""
        shift, summed, ds = self._shifted_sum(total, ranges)
        value, dn = self._value(numerator, ranges)
        dims = (*dn, *(d for d in ds if d not in dn))
        result = np.exp(_aligned(value, dn, dims) - _aligned(shift, ds, dims)) / _aligned(
            summed, ds, dims)
        return np.asarray(result, dtype=np.float64), dims

    def _logsumexp(self, total: Reduce, ranges: dict[str, tuple[int, int]]
                   ) -> tuple[Array, tuple[str, ...]]:
        shift, summed, dims = self._shifted_sum(total, ranges)
        return np.log(summed) + shift, dims


__all__ = [
    "ATOL", "RTOL", "Saved", "SavedValue", "check_data", "evaluate_term", "saved_annotation"
]
