"""An independent oracle: a spec evaluated with NumPy on the real input arrays.

It walks the parse tree of `tnp_runtime.core.spec.parse_spec` (the syntax only: no resolution
to the IR, no normal form, no prover) and computes each node with NumPy: leaves are the arrays
themselves, contractions multiply and reduce with NumPy, softmax is written out. A leaf names an
input by dims (`M N`) or by name and dims (`A:M N`); when that picks out more than one input the
spec has no single meaning and the oracle says so (`Ambiguous`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tnp_runtime.core.spec import (
    BinOp,
    Contraction,
    Func,
    IndexLeaf,
    InfLit,
    MaskNode,
    Max2,
    Min2,
    Neg,
    Number,
    Power,
    Reduction,
    SpecNode,
    Tensor,
    Where,
    parse_spec,
)

Array = np.ndarray[Any, np.dtype[np.float64]]


@dataclass(frozen=True)
class OracleInput:
    """An input as the spec sees it: its name (None if unnamed), dims in axis order, data."""

    name: str | None
    dims: tuple[str, ...]
    array: Array


class Ambiguous(Exception):
    """A leaf of the spec matches several inputs."""


@dataclass(frozen=True)
class _Value:
    """An array whose axes are `dims`, each holding positions [start, stop) of its dim."""

    array: Array
    dims: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]

    def aligned(self, order: Sequence[str]) -> Array:
        """The array with its axes in `order` (which has the same names)."""
        return np.transpose(self.array, [self.dims.index(d) for d in order])


_FUNCS = {
    "exp": np.exp, "log": np.log, "sqrt": np.sqrt, "sin": np.sin, "cos": np.cos,
    "tanh": np.tanh, "abs": np.abs, "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "erf": np.vectorize(math.erf, otypes=[np.float64]),
}


class _Evaluator:
    def __init__(self, sizes: Mapping[str, int], inputs: Sequence[OracleInput]) -> None:
        self.sizes = sizes
        self.inputs = inputs

    def eval(self, node: SpecNode) -> _Value:
        match node:
            case Number(value=value):
                return _Value(np.array(float(value)), (), ())
            case InfLit():
                return _Value(np.array(np.inf), (), ())
            case Tensor():
                return self.leaf(node)
            case Neg(operand=operand):
                inner = self.eval(operand)
                return _Value(-inner.array, inner.dims, inner.spans)
            case BinOp(op=op, left=left, right=right):
                a, b = self.eval(left), self.eval(right)
                x, y, base = self.pointwise(a, b)
                result = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}[op](x, y)
                return _Value(result, base.dims, base.spans)
            case Func(name=name, body=body):
                inner = self.eval(body)
                return _Value(_FUNCS[name](inner.array), inner.dims, inner.spans)
            case Max2(a=first, b=second):
                a, b = self.eval(first), self.eval(second)
                x, y, base = self.pointwise(a, b)
                return _Value(np.maximum(x, y), base.dims, base.spans)
            case Min2(a=first, b=second):
                a, b = self.eval(first), self.eval(second)
                x, y, base = self.pointwise(a, b)
                return _Value(np.minimum(x, y), base.dims, base.spans)
            case Where(relation=relation, left=left, right=right, then=then, other=other):
                values = [self.eval(n) for n in (left, right, then, other)]
                base = next((v for v in values if v.dims), values[0])
                x, y, a, b = (v.aligned(base.dims) if v.dims else v.array for v in values)
                compare = {">": np.greater, ">=": np.greater_equal, "<": np.less,
                           "<=": np.less_equal}[relation]
                chosen = np.where(compare(x, y), a, b)
                # A condition within rounding of its boundary (x - y is 0 over the reals, but
                # not in float64) may take either branch in the kernel: no value to compare
                # there (NaN, which the comparison counts with overflow, never as a mismatch).
                close = np.abs(x - y) <= 1e-9 * np.maximum(1.0, np.maximum(np.abs(x), np.abs(y)))
                chosen = np.where(close & (a != b), np.nan, chosen)
                # A side with no value leaves the condition undecided: no value either (NaN
                # compares false, which would pick a branch the kernel need not take).
                chosen = np.where(np.isnan(x) | np.isnan(y), np.nan, chosen)
                result = np.broadcast_to(chosen, base.array.shape)
                return _Value(np.array(result), base.dims, base.spans)
            case Power(base=operand, exponent=exponent):
                inner = self.eval(operand)
                return _Value(np.power(inner.array, float(exponent)), inner.dims, inner.spans)
            case Reduction():
                return self.reduction(node)
            case Contraction():
                return self.contraction(node)
            case MaskNode(pred=pred, fill=fill, body=body):
                inner = self.eval(body)
                grids = np.ix_(*(np.arange(start, stop) for start, stop in inner.spans))
                position = dict(zip(inner.dims, grids, strict=True))
                keep = np.ones(inner.array.shape, dtype=bool)
                for atom in pred.atoms:
                    total: Any = atom.lhs.const
                    for dim, coef in atom.lhs.terms:
                        total = total + coef * position[dim]
                    keep &= np.asarray(total >= 0)
                filler = -np.inf if fill is None else float(fill)
                return _Value(np.where(keep, inner.array, filler), inner.dims, inner.spans)
        raise AssertionError(f"unknown spec node {node!r}")

    def leaf(self, tensor: Tensor) -> _Value:
        written = tuple(d.name for d in tensor.dims)
        matches = [
            inp for inp in self.inputs
            if set(inp.dims) == set(written) and (tensor.name is None or inp.name == tensor.name)
        ]
        if len(matches) != 1:
            shown = f"{tensor.name}:" if tensor.name else ""
            raise Ambiguous(f"leaf `{shown}{' '.join(written)}` matches {len(matches)} inputs")
        (inp,) = matches
        if any(dim.position is not None for dim in tensor.dims):
            return self.read(tensor, inp)
        array = np.transpose(inp.array, [inp.dims.index(d) for d in written])
        spans = []
        for axis, dim in enumerate(tensor.dims):
            start, stop = (0, self.sizes[dim.name]) if dim.interval is None else (
                dim.interval.start, dim.interval.stop)
            array = np.take(array, np.arange(start, stop), axis=axis)
            spans.append((start, stop))
        return _Value(array, written, tuple(spans))

    def read(self, tensor: Tensor, inp: OracleInput) -> _Value:
        """A leaf read at positions (`x:N[O + K]`, `x:B V[t:B]`): the input indexed with NumPy
        at every point of the leaf's dims (its plain dims, then those the positions use)."""
        spans: dict[str, tuple[int, int]] = {}
        for dim in tensor.dims:
            if dim.position is None:
                spans[dim.name] = (0, self.sizes[dim.name]) if dim.interval is None else (
                    dim.interval.start, dim.interval.stop)
        for dim in tensor.dims:
            used = (
                dim.position.dims if isinstance(dim.position, IndexLeaf)
                else sorted(d for d, _ in dim.position.terms) if dim.position is not None
                else ()
            )
            for name in used:
                spans.setdefault(name, (0, self.sizes[name]))
        out = tuple(spans)
        shape = tuple(b - a for a, b in spans.values())
        grid = dict(zip(out, np.meshgrid(
            *(np.arange(a, b) for a, b in spans.values()), indexing="ij"), strict=True))
        by_name = {dim.name: dim for dim in tensor.dims}
        index = []
        for name in inp.dims:
            position = by_name[name].position
            if position is None:
                index.append(grid[name])
            elif isinstance(position, IndexLeaf):
                (source,) = [i for i in self.inputs if i.name == position.name]
                values = source.array[tuple(grid[d] for d in source.dims)]
                index.append(values.astype(np.intp))
            else:
                at = np.full(shape, position.offset, dtype=np.intp)
                for d, c in position.terms:
                    at = at + c * grid[d]
                index.append(at)
        return _Value(inp.array[tuple(index)], out, tuple(spans.values()))

    def pointwise(self, a: _Value, b: _Value) -> tuple[Array, Array, _Value]:
        """Both operands with the axes of the non-scalar one (the left one if both are not)."""
        if not b.dims:
            return a.array, b.array, a
        if not a.dims:
            return a.array, b.array, b
        assert set(a.dims) == set(b.dims), (a.dims, b.dims)
        return a.array, b.aligned(a.dims), a

    def reduction(self, node: Reduction) -> _Value:
        value = self.eval(node.body)
        dim = node.dim.name
        axis = value.dims.index(dim)
        array, spans = value.array, list(value.spans)
        if node.dim.interval is not None:
            start = spans[axis][0]
            array = np.take(
                array, np.arange(node.dim.interval.start - start, node.dim.interval.stop - start),
                axis=axis)
            spans[axis] = (node.dim.interval.start, node.dim.interval.stop)
        if node.op == "softmax":
            e = np.exp(array)
            return _Value(e / e.sum(axis=axis, keepdims=True), value.dims, tuple(spans))
        reducers = {"sum": np.sum, "max": np.max, "min": np.min, "mean": np.mean}
        reduced = reducers[node.op](array, axis=axis)
        keep = [i for i in range(len(value.dims)) if i != axis]
        return _Value(
            np.asarray(reduced), tuple(value.dims[i] for i in keep), tuple(spans[i] for i in keep))

    def contraction(self, node: Contraction) -> _Value:
        values = [self.eval(operand) for operand in node.operands]
        union: list[str] = []
        spans: dict[str, tuple[int, int]] = {}
        for value in values:
            for dim, span in zip(value.dims, value.spans, strict=True):
                if dim not in spans:
                    union.append(dim)
                    spans[dim] = span
        product: Array = np.array(1.0)
        for value in values:
            # Each operand's axes in the union's order, with size 1 for the dims it lacks.
            own = value.aligned([d for d in union if d in value.dims])
            shape = [own.shape[[d for d in union if d in value.dims].index(d)]
                     if d in value.dims else 1 for d in union]
            product = product * own.reshape(shape)
        out = [d.name for d in node.out_dims]
        dropped = tuple(i for i, d in enumerate(union) if d not in out)
        if dropped:
            product = product.sum(axis=dropped) if node.reducer == "sum" else product.max(
                axis=dropped)
        kept = [d for d in union if d in out]
        result = np.transpose(product, [kept.index(d) for d in out if d in kept]) if kept else \
            product
        # Broadcast the output dims no operand has, over their (sliced) extent.
        out_spans = []
        shape = []
        for dim in node.out_dims:
            if dim.name in spans:
                span = spans[dim.name]
            elif dim.interval is not None:
                span = (dim.interval.start, dim.interval.stop)
            else:
                span = (0, self.sizes[dim.name])
            out_spans.append(span)
            shape.append(span[1] - span[0])
        expanded = result.reshape([
            s if d.name in kept else 1 for d, s in zip(node.out_dims, shape, strict=True)])
        return _Value(np.broadcast_to(expanded, shape).copy(), tuple(out), tuple(out_spans))


def evaluate_spec(
    spec: str, sizes: Mapping[str, int], inputs: Sequence[OracleInput]
) -> tuple[Array, tuple[str, ...]]:
    """The whole result the spec denotes, and the dim names of its axes."""
    with np.errstate(all="ignore"):
        value = _Evaluator(sizes, inputs).eval(parse_spec(spec))
    return value.array, value.dims
