"""Random tiled kernels from the whole API, each with the spec of what it computes.

A kernel writes its result tile by tile over one dim of the result (`T`), with ragged tiles
(the tile size need not divide the dim). Inside the tile loop it builds a random expression of
its inputs: numbers on either side of + - * /, unary -, exp log sqrt sin cos, elementwise max,
.sum/.max (whole, accumulated over ragged tiles, or over a slice), `.at` (one position of a dim,
the spec's `x:K[2]`), `.gather` by an integer index input (`a:M N[ti:M]`), tiled sums divided or
multiplied by whole ones, a running max with rescaling (online softmax, normalizer or weighted
sum), einsum, repeat, rearrange. Values carry bounds (an interval) so that log, sqrt, division
and exp are only applied where they are defined and do not overflow.

Forms: kernel form (`@tnp.kernel`), script form, a nested kernel (an outer kernel passes
expressions of its inputs to an inner kernel, with its own result), two inputs with one name
(script form), and a module-level `Typed` named like a kernel parameter read by the kernel.
Mutations make some kernels wrong: a wrong constant in the spec, a wrong tile, two inputs
swapped in the spec, a running max without its rescale, the last tile skipped. Some specs name a
subexpression with `let` (the same spec: the oracle evaluates the tree it parses to).

`generate(rng)` returns a `Case`: the module source, the arrays, the spec, and what the oracle
needs to evaluate the spec (dim sizes and the inputs the spec may name).
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field

DIM_NAMES = ("M", "N", "K")
NUMBERS = ("2", "3", "0.5", "1.5")
# (variable, dims) of every input a kernel may read; `a` and `x` have the same dims, so a
# spec must name them.
PALETTE = (("a", ("M", "N")), ("b", ("N", "K")), ("x", ("M", "N")), ("u", ("M",)),
           ("w", ("K", "M")))
# The index input `ti` (kernel and script forms): dims M, whole numbers in [0, size of N).
INDEX_DIMS, GATHERED = ("M",), "N"
FORMS = ("kernel", "kernel", "script", "script", "nested", "reused", "global")
MUTATIONS = ("none", "none", "none", "constant", "tile", "swap", "rescale", "skip", "factor")


@dataclass(frozen=True)
class Bounds:
    lo: float
    hi: float

    @property
    def positive(self) -> bool:
        return self.lo > 1e-2

    def nonzero(self) -> bool:
        return self.lo > 1e-2 or self.hi < -1e-2


@dataclass(frozen=True)
class Val:
    code: str  # a Python name holding the value
    spec: str
    dims: tuple[str, ...]  # axis order
    bounds: Bounds


@dataclass(frozen=True)
class InputSpec:
    var: str  # the Python name (parameter or local)
    label: str  # the name a spec leaf uses
    dims: tuple[str, ...]
    array_key: str  # which array of the case it holds


@dataclass
class Case:
    source: str
    arrays: dict[str, list[list[float]] | list[float]] = field(default_factory=dict)
    spec: str = ""
    sizes: dict[str, int] = field(default_factory=dict)
    # The inputs a spec leaf may name: (label, dims, array key).
    spec_inputs: list[tuple[str, tuple[str, ...], str]] = field(default_factory=list)
    form: str = ""
    mutation: str = "none"
    features: set[str] = field(default_factory=set)


def _interval_mul(a: Bounds, b: Bounds) -> Bounds:
    products = [a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi]
    return Bounds(min(products), max(products))


def _interval_div(a: Bounds, b: Bounds) -> Bounds:
    return _interval_mul(a, Bounds(1 / b.hi, 1 / b.lo))


class Builder:
    """The statements of one tile loop body, and the values they compute."""

    def __init__(self, rng: random.Random, sizes: dict[str, int], tile_dim: str,
                 inputs: list[InputSpec], features: set[str]) -> None:
        self.rng = rng
        self.sizes = sizes
        self.tile = tile_dim
        self.inputs = inputs
        self.lines: list[str] = []
        self.count = 0
        self.features = features
        self.online: list[int] = []  # line indices of rescale factors (for the mutation)
        self.leaf_lines: list[int] = []  # line indices of tile slices (for the mutation)
        # (spec of a merged tiled sum, the same spec without its whole-sum factor).
        self.factors: list[tuple[str, str]] = []
        # An integer input with dims INDEX_DIMS and values in [0, size of GATHERED), if any.
        self.index_input: InputSpec | None = None

    def fresh(self, prefix: str = "v") -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def emit(self, code: str, spec: str, dims: tuple[str, ...], bounds: Bounds) -> Val:
        name = self.fresh()
        self.lines.append(f"{name} = {code}")
        return Val(name, spec, dims, bounds)

    def dim_ref(self, d: str) -> str:
        return f"{d}[i:hi]" if d == self.tile else d

    # -- values of a given dim set ------------------------------------------------------

    def gen(self, dims: frozenset[str], depth: int) -> Val:
        rng = self.rng
        if depth <= 0 or rng.random() < 0.25:
            return self.base(dims, depth)
        choices = ["number", "neg", "binary", "func", "max", "rearrange", "reduce", "einsum",
                   "repeat", "merge", "online", "min", "power", "where"]
        kind = rng.choice(choices)
        others = [d for d in DIM_NAMES if d not in dims and d != self.tile]
        if kind == "number":
            v = self.gen(dims, depth - 1)
            number = rng.choice(NUMBERS)
            k = float(number)
            symbol = rng.choice("+-*/")
            if rng.random() < 0.5:
                b = {"+": Bounds(v.bounds.lo + k, v.bounds.hi + k),
                     "-": Bounds(v.bounds.lo - k, v.bounds.hi - k),
                     "*": _interval_mul(v.bounds, Bounds(k, k)),
                     "/": _interval_mul(v.bounds, Bounds(1 / k, 1 / k))}[symbol]
                return self.emit(f"{v.code} {symbol} {number}", f"({v.spec}) {symbol} {number}",
                                 v.dims, b)
            if symbol == "/" and not v.bounds.nonzero():
                symbol = "*"
            b = {"+": Bounds(k + v.bounds.lo, k + v.bounds.hi),
                 "-": Bounds(k - v.bounds.hi, k - v.bounds.lo),
                 "*": _interval_mul(v.bounds, Bounds(k, k)),
                 "/": _interval_div(Bounds(k, k), v.bounds) if v.bounds.nonzero() else v.bounds,
                 }[symbol]
            return self.emit(f"{number} {symbol} {v.code}", f"{number} {symbol} ({v.spec})",
                             v.dims, b)
        if kind == "neg":
            v = self.gen(dims, depth - 1)
            return self.emit(f"-{v.code}", f"-({v.spec})", v.dims,
                             Bounds(-v.bounds.hi, -v.bounds.lo))
        if kind == "binary":
            v, w = self.gen(dims, depth - 1), self.gen(dims, depth - 1)
            symbol = rng.choice("+-*/")
            if symbol == "/" and not w.bounds.nonzero():
                symbol = "*"
            b = {"+": Bounds(v.bounds.lo + w.bounds.lo, v.bounds.hi + w.bounds.hi),
                 "-": Bounds(v.bounds.lo - w.bounds.hi, v.bounds.hi - w.bounds.lo),
                 "*": _interval_mul(v.bounds, w.bounds),
                 "/": _interval_div(v.bounds, w.bounds) if symbol == "/" else v.bounds}[symbol]
            return self.emit(f"{v.code} {symbol} {w.code}", f"({v.spec}) {symbol} ({w.spec})",
                             v.dims, b)
        if kind == "func" and rng.random() < 0.4:
            return self.mask(dims, depth)
        if kind == "func":
            v = self.gen(dims, depth - 1)
            funcs = ["sin", "cos", "tanh", "sigmoid", "erf", "abs"]
            if v.bounds.hi < 20:
                funcs.append("exp")
            if v.bounds.positive:
                funcs += ["log", "sqrt"]
            f = rng.choice(funcs)
            lo, hi = v.bounds.lo, v.bounds.hi
            if f == "exp":
                b = Bounds(math.exp(max(lo, -700)), math.exp(hi))
            elif f == "log":
                b = Bounds(math.log(lo), math.log(hi))
            elif f == "sqrt":
                b = Bounds(math.sqrt(lo), math.sqrt(hi))
            elif f == "sigmoid":
                b = Bounds(0, 1)
            elif f == "abs":
                b = Bounds(0 if lo < 0 < hi else min(abs(lo), abs(hi)), max(abs(lo), abs(hi)))
            else:
                b = Bounds(-1, 1)
            self.features.add(f)
            return self.emit(f"tnp.{f}({v.code})", f"{f}({v.spec})", v.dims, b)
        if kind == "max":
            v = self.gen(dims, depth - 1)
            self.features.add("max")
            if rng.random() < 0.5:
                w = self.gen(dims, depth - 1)
                return self.emit(f"tnp.max({v.code}, {w.code})", f"max({v.spec}, {w.spec})",
                                 v.dims, Bounds(max(v.bounds.lo, w.bounds.lo),
                                                max(v.bounds.hi, w.bounds.hi)))
            b = Bounds(max(v.bounds.lo, 1), max(v.bounds.hi, 1))
            if rng.random() < 0.5:
                return self.emit(f"tnp.max({v.code}, 1)", f"max({v.spec}, 1)", v.dims, b)
            return self.emit(f"tnp.max(1, {v.code})", f"max(1, {v.spec})", v.dims, b)
        if kind == "min":
            v = self.gen(dims, depth - 1)
            self.features.add("min")
            if rng.random() < 0.5:
                w = self.gen(dims, depth - 1)
                return self.emit(f"tnp.min({v.code}, {w.code})", f"min({v.spec}, {w.spec})",
                                 v.dims, Bounds(min(v.bounds.lo, w.bounds.lo),
                                                min(v.bounds.hi, w.bounds.hi)))
            b = Bounds(min(v.bounds.lo, 1), min(v.bounds.hi, 1))
            return self.emit(f"{v.code}.minimum(1)", f"min({v.spec}, 1)", v.dims, b)
        if kind == "where":
            v, w = self.gen(dims, depth - 1), self.gen(dims, depth - 1)
            relation = rng.choice((">", ">=", "<", "<="))
            self.features.add("where")
            b = Bounds(min(v.bounds.lo, w.bounds.lo, 0), max(v.bounds.hi, w.bounds.hi, 0))
            if rng.random() < 0.5:  # a ReLU-like where of one value
                return self.emit(f"tnp.where({v.code} {relation} 1, {v.code}, 0)",
                                 f"where({v.spec} {relation} 1, {v.spec}, 0)", v.dims, b)
            return self.emit(f"tnp.where({v.code} {relation} {w.code}, {w.code}, {v.code})",
                             f"where({v.spec} {relation} {w.spec}, {w.spec}, {v.spec})",
                             v.dims, b)
        if kind == "power":
            v = self.gen(dims, depth - 1)
            k = rng.choice((2, 3, -1, 0.5) if v.bounds.positive else (2, 3))
            if k == -1 and not v.bounds.nonzero():
                k = 2
            self.features.add("power")
            lo, hi = v.bounds.lo, v.bounds.hi
            if k == 0.5:
                b = Bounds(math.sqrt(lo), math.sqrt(hi))
            elif k == -1:
                b = _interval_div(Bounds(1, 1), v.bounds)
            else:
                corners = [lo**k, hi**k] + ([0.0] if lo < 0 < hi else [])
                b = Bounds(min(corners), max(corners))
            return self.emit(f"{v.code} ** {k}", f"({v.spec}) ** {k}", v.dims, b)
        if kind == "rearrange":
            v = self.gen(dims, depth - 1)
            if len(v.dims) < 2:
                return v
            order = list(v.dims)
            rng.shuffle(order)
            self.features.add("rearrange")
            return self.emit(f"{v.code}.rearrange({', '.join(order)})", v.spec, tuple(order),
                             v.bounds)
        if kind == "repeat":
            if len(dims) < 2:
                return self.base(dims, depth)
            d = rng.choice(sorted(dims))
            v = self.gen(dims - {d}, depth - 1)
            order = (*v.dims, d)
            self.features.add("repeat")
            return self.emit(f"{v.code}.repeat({self.dim_ref(d)})",
                             f"(({v.spec}) -> {' '.join(order)})", order, v.bounds)
        if kind == "einsum":
            return self.einsum(dims, depth, others)
        if not others:
            return self.base(dims, depth)
        r = rng.choice(others)
        if kind == "reduce":
            return self.reduce(dims, depth, r)
        if kind == "merge":
            return self.merge(dims, depth, r)
        return self.online_softmax(dims, depth, r)

    def mask(self, dims: frozenset[str], depth: int) -> Val:
        """A mask by an index predicate on the value's dims: fill 0, or -inf under exp."""
        rng = self.rng
        v = self.gen(dims, depth - 1)
        if not v.dims:
            return v
        first = rng.choice(sorted(v.dims))
        second = rng.choice(sorted(v.dims))
        if first != second and rng.random() < 0.7:
            code, text = rng.choice((
                (f"{first} >= {second}", f"{first} >= {second}"),
                (f"({first} - {second} < 2) & ({second} - {first} < 2)",
                 f"{first} - {second} < 2 and {second} - {first} < 2"),
                (f"{first} + 1 > {second}", f"{first} + 1 > {second}"),
            ))
        else:
            limit = rng.randrange(1, self.sizes[first] + 1)
            code = text = f"{first} < {limit}"
        self.features.add("mask")
        if v.bounds.hi < 20 and rng.random() < 0.5:
            return self.emit(f"tnp.exp({v.code}.mask({code}))", f"exp(mask[{text}]({v.spec}))",
                             v.dims, Bounds(0.0, math.exp(v.bounds.hi)))
        return self.emit(f"{v.code}.mask({code}, fill=0)", f"mask[{text}, 0]({v.spec})",
                         v.dims, Bounds(min(v.bounds.lo, 0.0), max(v.bounds.hi, 0.0)))

    def base(self, dims: frozenset[str], depth: int) -> Val:
        """A leaf with exactly these dims, else one built from leaves."""
        rng = self.rng
        index = self.index_input
        if (index is not None and dims == frozenset(index.dims) and self.tile != GATHERED
                and rng.random() < 0.3):
            return self.gather(index, dims)
        exact = [inp for inp in self.inputs if set(inp.dims) == dims]
        if exact:
            inp = rng.choice(exact)
            return self.leaf(inp)
        # An input with one more dim (not the tile's), reduced over it.
        wider = [inp for inp in self.inputs if set(inp.dims) > dims
                 and len(set(inp.dims) - dims) == 1 and self.tile not in set(inp.dims) - dims]
        narrower = [inp for inp in self.inputs if set(inp.dims) < dims]
        if wider and (not narrower or rng.random() < 0.5):
            inp = rng.choice(wider)
            (r,) = set(inp.dims) - dims
            how = rng.choice(("sum", "max", "at"))
            if how == "at":  # one position of r: a filter tap, `x.at(K, 2)` is `x:K[2]`
                c = rng.randrange(self.sizes[r])
                self.features.add("tap")
                v = self.leaf(inp)
                spec = f"{inp.label}:" + " ".join(f"{r}[{c}]" if d == r else d for d in inp.dims)
                return self.emit(f"{v.code}.at({r}, {c})", spec,
                                 tuple(d for d in v.dims if d != r), v.bounds)
            v = self.leaf(inp)
            n = self.sizes[r]
            b = Bounds(n * v.bounds.lo, n * v.bounds.hi) if how == "sum" else v.bounds
            return self.emit(f"{v.code}.{how}({r})", f"{how}[{r}]({v.spec})",
                             tuple(d for d in v.dims if d != r), b)
        if narrower:
            inp = rng.choice(narrower)
            return self.repeat_to(self.leaf(inp), dims)
        raise AssertionError(f"no input to build dims {sorted(dims)} from")

    def gather(self, index: InputSpec, dims: frozenset[str]) -> Val:
        """An input read at the index input's positions: `a.gather(N, ti)` is `a:M N[ti:M]`."""
        (inp,) = [i for i in self.inputs if set(i.dims) == dims | {GATHERED} and i.var == "a"]
        self.features.add("gather")
        v, t = self.leaf(inp), self.leaf(index)
        position = f"{GATHERED}[{index.label}:{' '.join(index.dims)}]"
        spec = f"{inp.label}:" + " ".join(position if d == GATHERED else d for d in inp.dims)
        return self.emit(f"{v.code}.gather({GATHERED}, {t.code})", spec,
                         tuple(d for d in v.dims if d != GATHERED), v.bounds)

    def leaf(self, inp: InputSpec) -> Val:
        spec = f"{inp.label}:{' '.join(inp.dims)}"
        if self.tile in inp.dims:
            self.leaf_lines.append(len(self.lines))
            code = (f"{inp.var}.slice({self.tile}, i, hi)" if self.rng.random() < 0.5
                    else f"{inp.var}.slice({self.tile}[i:hi])")
            return self.emit(code, spec, inp.dims, Bounds(0.5, 2.0))
        return Val(inp.var, spec, inp.dims, Bounds(0.5, 2.0))

    def einsum(self, dims: frozenset[str], depth: int, others: list[str]) -> Val:
        rng = self.rng
        contracted = {rng.choice(others)} if others and rng.random() < 0.7 else set()
        union = sorted(dims | contracted)
        first = {d for d in union if rng.random() < 0.6} | contracted
        # Sets are walked in sorted order: a set's order depends on the process's string hashing,
        # and the rng must be drawn in the same order for a seed to give the same kernels.
        second = (set(union) - first) | contracted | {
            d for d in sorted(first) if rng.random() < 0.3}
        if not first:
            first = {union[0]}
        if not second:
            second = {union[-1]}
        v, w = self.gen(frozenset(first), depth - 1), self.gen(frozenset(second), depth - 1)
        if set(v.dims) | set(w.dims) != dims | contracted:
            return self.base(dims, 0) if depth > 0 else self.repeat_to(v, dims)
        out = sorted(dims)
        rng.shuffle(out)
        size = math.prod(self.sizes[d] for d in contracted) if contracted else 1
        b = _interval_mul(v.bounds, w.bounds)
        b = Bounds(min(b.lo, b.lo * size), max(b.hi, b.hi * size))
        subscripts = f"{' '.join(v.dims)}, {' '.join(w.dims)} -> {' '.join(out)}"
        self.features.add("einsum")
        return self.emit(f'einsum({v.code}, {w.code}, "{subscripts}")',
                         f"(({v.spec}), ({w.spec}) -> {' '.join(out)})", tuple(out), b)

    def repeat_to(self, v: Val, dims: frozenset[str]) -> Val:
        for d in sorted(dims - set(v.dims)):
            order = (*v.dims, d)
            v = self.emit(f"{v.code}.repeat({self.dim_ref(d)})",
                          f"(({v.spec}) -> {' '.join(order)})", order, v.bounds)
        return v

    def reduce(self, dims: frozenset[str], depth: int, r: str) -> Val:
        """sum or max over r: whole, over a slice, or accumulated over ragged tiles."""
        rng = self.rng
        v = self.gen(dims | {r}, depth - 1)
        how = rng.choice(("sum", "max", "min", "mean"))
        n = self.sizes[r]
        rest = tuple(d for d in v.dims if d != r)
        style = rng.choice(("whole", "slice", "tiled"))
        if how != "sum":
            self.features.add(how)
        b = Bounds(min(v.bounds.lo, n * v.bounds.lo), max(v.bounds.hi, n * v.bounds.hi)) \
            if how == "sum" else v.bounds
        if style == "whole":
            return self.emit(f"{v.code}.{how}({r})", f"{how}[{r}]({v.spec})", rest, b)
        if style == "slice":
            start = rng.randrange(0, n)
            stop = rng.randrange(start + 1, n + 1)
            self.features.add("slice")
            return self.emit(f"{v.code}.slice({r}, {start}, {stop}).{how}({r})",
                             f"{how}[{r}[{start}:{stop}]]({v.spec})", rest, b)
        step = rng.randrange(1, n + 1)
        acc, j = self.fresh("acc"), self.fresh("j")
        # A tiled mean is the tiles' sums over the whole dim's size.
        merge = {"sum": f"{acc} + part", "mean": f"{acc} + part", "max": f"tnp.max({acc}, part)",
                 "min": f"tnp.min({acc}, part)"}[how]
        tile_how = "sum" if how == "mean" else how
        scale = f" / {n}" if how == "mean" else ""
        self.lines += [
            f"{acc} = None",
            f"for {j} in range(0, {n}, {step}):",
            f"    part = {v.code}.slice({r}, {j}, min({j} + {step}, {n})).{tile_how}({r}){scale}",
            f"    {acc} = part if {acc} is None else {merge}",
        ]
        self.features.add("tiled-reduce")
        return Val(acc, f"{how}[{r}]({v.spec})", rest, b)

    def merge(self, dims: frozenset[str], depth: int, r: str) -> Val:
        """Parts of a tiled sum, each divided (or multiplied) by a whole sum."""
        rng = self.rng
        v = self.gen(dims | {r}, depth - 1)
        w = self.gen(dims | {r}, depth - 1)
        n = self.sizes[r]
        step = rng.randrange(1, n + 1)
        divide = w.bounds.positive and rng.random() < 0.7
        op = "/" if divide else "*"
        total, acc, j = self.fresh("total"), self.fresh("acc"), self.fresh("j")
        self.lines += [
            f"{total} = {w.code}.sum({r})",
            f"{acc} = None",
            f"for {j} in range(0, {n}, {step}):",
            f"    part = {v.code}.slice({r}, {j}, min({j} + {step}, {n})).sum({r}) {op} {total}",
            f"    {acc} = part if {acc} is None else {acc} + part",
        ]
        sv = Bounds(min(v.bounds.lo, n * v.bounds.lo), max(v.bounds.hi, n * v.bounds.hi))
        sw = Bounds(min(w.bounds.lo, n * w.bounds.lo), max(w.bounds.hi, n * w.bounds.hi))
        b = _interval_div(sv, sw) if divide else _interval_mul(sv, sw)
        self.features.add("merge")
        spec = f"(sum[{r}]({v.spec})) {op} (sum[{r}]({w.spec}))"
        self.factors.append((spec, f"sum[{r}]({v.spec})"))
        return Val(acc, spec, tuple(d for d in v.dims if d != r), b)

    def online_softmax(self, dims: frozenset[str], depth: int, r: str) -> Val:
        """A running max with rescaling over ragged tiles of r: the softmax normalizer, or
        the softmax-weighted sum of another value."""
        rng = self.rng
        v = self.gen(dims | {r}, depth - 1)
        if v.bounds.hi - v.bounds.lo > 200:
            return self.reduce(dims, depth, r)
        weighted = rng.random() < 0.5
        w = self.gen(dims | {r}, depth - 1) if weighted else None
        n = self.sizes[r]
        step = rng.randrange(1, n + 1)
        m, total, out, j = self.fresh("m"), self.fresh("l"), self.fresh("o"), self.fresh("j")
        rest = tuple(d for d in v.dims if d != r)
        self.lines += [
            f"{m} = -np.inf",
            f"{total} = 0",
            f"{out} = 0",
            f"for {j} in range(0, {n}, {step}):",
            f"    stop = min({j} + {step}, {n})",
            f"    part = {v.code}.slice({r}, {j}, stop)",
            f"    new_m = tnp.max({m}, part.max({r}))",
            f"    p = tnp.exp(part - new_m.repeat({r}[{j}:stop]))",
        ]
        self.online.append(len(self.lines))
        self.lines.append(f"    {total} = {total} * tnp.exp({m} - new_m) + p.sum({r})")
        if w is not None:
            self.online.append(len(self.lines))
            self.lines.append(
                f"    {out} = {out} * tnp.exp({m} - new_m)"
                f" + (p * {w.code}.slice({r}, {j}, stop)).sum({r})")
        self.lines.append(f"    {m} = new_m")
        self.features.add("online-softmax")
        if w is None:
            spec = (f"sum[{r}](exp(({v.spec}) - (max[{r}]({v.spec}) -> {' '.join(v.dims)})))")
            return Val(total, spec, rest, Bounds(1, n))
        name = self.fresh()
        self.lines.append(f"{name} = {out} / {total}")
        spec = f"sum[{r}](softmax[{r}]({v.spec}) * ({w.spec}))"
        return Val(name, spec, rest, w.bounds)


# -- whole kernels ----------------------------------------------------------------------


HEADER = '''\
from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult, einsum

{dims}
'''


def _indent(lines: list[str], by: str) -> list[str]:
    return [by + line for line in lines]


def _tile_loop(b: Builder, final: Val, size: int, step: int, skip: bool) -> list[str]:
    # Skipping: the loop stops before the last tile's start.
    stop = (size - 1) // step * step if skip else size
    return [
        f"for i in range(0, {stop}, {step}):",
        f"    hi = min(i + {step}, {size})",
        *_indent(b.lines, "    "),
        f"    c.assign({final.code})",
    ]


def _mutate_spec(rng: random.Random, spec: str, mutation: str, b: Builder) -> str:
    if mutation == "factor":  # a merged tiled sum's whole-sum factor left out of the spec
        found = [(right, wrong) for right, wrong in b.factors if right in spec]
        if found:
            right, wrong = rng.choice(found)
            return spec.replace(right, wrong, 1)
        return rng.choice((f"2 * ({spec})", f"({spec}) + 1", f"({spec}) * 0.5"))
    if mutation == "constant":
        return rng.choice((f"2 * ({spec})", f"({spec}) + 1", f"({spec}) * 0.5"))
    if mutation == "swap":
        return spec.replace("a:M N", "@").replace("x:M N", "a:M N").replace("@", "x:M N")
    return spec


def _groups(spec: str) -> list[str]:
    """The texts X of the groups "(X)" of `spec` that are one expression: no "," or "->" at
    their own top level (a contraction's or `max(a, b)`'s parentheses hold more than one)."""
    found: list[str] = []
    opened: list[int] = []
    for pos, char in enumerate(spec):
        if char == "(":
            opened.append(pos)
        elif char == ")" and opened:
            start = opened.pop()
            inner = spec[start + 1 : pos]
            depth, whole = 0, True
            for index, c in enumerate(inner):
                depth += (c in "([") - (c in ")]")
                if depth == 0 and (c == "," or inner.startswith("->", index)):
                    whole = False
                    break
            if whole:
                found.append(inner)
    return found


def _with_let(rng: random.Random, spec: str) -> str | None:
    """`spec` with one of its parenthesized subexpressions named by a `let`: "(X)" is "(t0)"
    wherever it occurs (a group's text is balanced, so each occurrence is that group), which
    is the same tree (`spec_let`); None if the spec has no such group."""
    groups = _groups(spec)
    if not groups:
        return None
    inner = rng.choice(groups)
    return f"let t0 = {inner} in " + spec.replace(f"({inner})", "(t0)")


def _mutate_body(rng: random.Random, b: Builder, mutation: str) -> str:
    """Apply a body mutation; the mutation actually applied ("none" if it could not be)."""
    if mutation == "rescale" and b.online:
        # `l = l * tnp.exp(m - new_m) + ...` becomes `l = l + ...`.
        index = rng.choice(b.online)
        b.lines[index] = re.sub(r" \* tnp\.exp\(m\d+ - new_m\)", "", b.lines[index], count=1)
        return mutation
    if mutation == "tile" and b.leaf_lines:
        index = rng.choice(b.leaf_lines)
        line = b.lines[index]
        b.lines[index] = line.replace(", i, hi)", ", 0, hi - i)").replace("[i:hi])", "[0:hi - i])")
        return mutation if b.lines[index] != line else "none"
    return "none" if mutation in ("rescale", "tile") else mutation


def generate(rng: random.Random, form: str | None = None) -> Case:
    """A random kernel (of `form` if given, one of FORMS) and its spec."""
    sizes = {d: rng.randrange(lo, hi) for d, (lo, hi) in
             zip(DIM_NAMES, ((4, 10), (3, 9), (2, 7)), strict=True)}
    chosen = rng.choice(FORMS)
    form = chosen if form is None else form
    mutation = rng.choice(MUTATIONS)
    features: set[str] = {form}
    tile = rng.choice(DIM_NAMES)
    step = rng.randrange(1, sizes[tile] + 1)
    if step < sizes[tile] and sizes[tile] % step:
        features.add("ragged")
    out_dims = frozenset({tile} | {d for d in DIM_NAMES if d != tile and rng.random() < 0.4})
    dims_line = ", ".join(DIM_NAMES) + " = " + ", ".join(
        f'FullDim("{d}", {sizes[d]})' for d in DIM_NAMES)
    case = Case(source="", sizes=sizes, form=form, features=features)
    arrays_used = [var for var, _ in PALETTE]
    shape = {var: [sizes[d] for d in dims] for var, dims in PALETTE}
    data_rng = random.Random(rng.random())
    for var in arrays_used + ["a2", "g"]:
        dims = dict(PALETTE).get(var, ("M", "N"))
        case.arrays[var] = _random_array(data_rng, [sizes[d] for d in dims])
    del shape
    case.arrays["ti"] = [float(data_rng.randrange(sizes[GATHERED]))
                         for _ in range(sizes[INDEX_DIMS[0]])]

    if form == "nested":
        return _nested(rng, case, sizes, tile, step, out_dims, mutation, dims_line)
    if form == "reused":
        inputs = [InputSpec(var, var, dims, var) for var, dims in PALETTE if var != "x"]
        inputs.append(InputSpec("a2", "a", ("M", "N"), "a2"))
    elif form == "global":
        inputs = [InputSpec(var, var, dims, var) for var, dims in PALETTE]
        inputs.append(InputSpec("g", "a", ("M", "N"), "g"))
    else:
        inputs = [InputSpec(var, var, dims, var) for var, dims in PALETTE]
    index = InputSpec("ti", "ti", INDEX_DIMS, "ti") if form in ("kernel", "script") else None
    b = Builder(rng, sizes, tile, inputs, features)
    if index is not None:
        b.index_input = index
        inputs.append(index)
    final = b.repeat_to(b.gen(out_dims, rng.randrange(1, 4)), out_dims)
    mutation = _mutate_body(rng, b, mutation)
    skip = mutation == "skip" and sizes[tile] > 1
    if mutation == "skip" and not skip:
        mutation = "none"
    spec = _mutate_spec(rng, final.spec, mutation, b)
    named = _with_let(rng, spec) if rng.random() < 0.2 else None
    if named is not None:
        features.add("let")
        spec = named
    case.mutation = mutation
    case.spec = spec
    loop = _tile_loop(b, final, sizes[tile], step, skip)
    header = HEADER.format(dims=dims_line)
    if form in ("script", "reused"):
        made = [f'{inp.var} = Typed(np.array(arrays["{inp.array_key}"]), '
                f'{", ".join(inp.dims)}, name="{inp.label}")' for inp in inputs]
        body = [*made, f'c = TypedResult("{spec}")', *loop, "return c"]
        case.source = header + "\n\ndef run(arrays):\n" + "\n".join(_indent(body, "    ")) + "\n"
    else:
        params = [inp for inp in inputs if inp.var != "g"]
        sig = ", ".join(f'{inp.var}: Typed[L["{" ".join(inp.dims)}"]]' for inp in params)
        glob = "g = None\n" if form == "global" else ""
        kernel = [
            "@tnp.kernel",
            f'def kern({sig}, c: TypedResult[L["{spec}"]]) -> None:',
            *_indent(loop, "    "),
        ]
        args = ", ".join(f'Typed(np.array(arrays["{inp.array_key}"]), {", ".join(inp.dims)})'
                         for inp in params)
        run = [
            "def run(arrays):",
            *(["    global g", '    g = Typed(np.array(arrays["g"]), M, N, name="a")']
              if form == "global" else []),
            f'    c = TypedResult("{spec}")',
            f"    kern({args}, c)",
            "    return c",
        ]
        case.source = header + glob + "\n\n" + "\n".join(kernel) + "\n\n\n" + "\n".join(run) + "\n"
    case.spec_inputs = [(inp.label, inp.dims, inp.array_key) for inp in inputs
                        if not (form == "global" and inp.var == "g")]
    return case


def _random_array(rng: random.Random, shape: list[int]) -> list[float] | list[list[float]]:
    if len(shape) == 1:
        return [rng.uniform(0.5, 2.0) for _ in range(shape[0])]
    return [[rng.uniform(0.5, 2.0) for _ in range(shape[1])] for _ in range(shape[0])]


# Arguments an outer kernel passes to an inner one: expressions of its inputs, whole arrays.
def _argument(rng: random.Random, var: str, dims: tuple[str, ...], same: list[str]) -> tuple[
        str, str]:
    leaf = f"{var}:{' '.join(dims)}"
    choice = rng.choice(("scale", "add", "exp", "neg", "plain", "div"))
    if choice == "scale":
        k = rng.choice(NUMBERS)
        return f"{var} * {k}", f"({leaf}) * {k}"
    if choice == "add" and same:
        other = rng.choice(same)
        return f"{var} + {other}", f"({leaf}) + ({other}:{' '.join(dims)})"
    if choice == "exp":
        return f"tnp.exp({var})", f"exp({leaf})"
    if choice == "neg":
        return f"-{var}", f"-({leaf})"
    if choice == "div":
        return f"1 / {var}", f"1 / ({leaf})"
    return var, leaf


def _nested(rng: random.Random, case: Case, sizes: dict[str, int], tile: str, step: int,
            out_dims: frozenset[str], mutation: str, dims_line: str) -> Case:
    """An outer kernel calls an inner kernel with expressions of its inputs as arguments."""
    # The inner kernel's parameters have their own names (its spec then differs from the
    # outer one's text), or the outer kernel's names (one spec text for both kernels, though
    # the arguments are expressions: the outer spec is then a different function).
    prefix = "p" if rng.random() < 0.5 else ""
    if not prefix:
        case.features.add("nested-same-spec")
    inner_inputs = [InputSpec(f"{prefix}{var}", f"{prefix}{var}", dims, var)
                    for var, dims in PALETTE]
    b = Builder(rng, sizes, tile, inner_inputs, case.features)
    final = b.repeat_to(b.gen(out_dims, rng.randrange(1, 3)), out_dims)
    mutation = _mutate_body(rng, b, mutation)
    skip = mutation == "skip" and sizes[tile] > 1
    if mutation == "skip" and not skip:
        mutation = "none"
    inner_spec = final.spec
    outer_spec = inner_spec
    args = []
    for var, dims in PALETTE:
        same = [v for v, d in PALETTE if d == dims and v != var]
        code, spec = _argument(rng, var, dims, same)
        args.append(code)
        if prefix:
            outer_spec = outer_spec.replace(f"p{var}:{' '.join(dims)}", f"({spec})")
    outer_spec = _mutate_spec(rng, outer_spec, mutation, b)
    if rng.random() < 0.15 and mutation == "none":
        # The inner kernel's spec is wrong about its own tiles.
        inner_spec = f"3 * ({inner_spec})"
        mutation = "inner"
    case.mutation = mutation
    case.spec = outer_spec
    loop = _tile_loop(b, final, sizes[tile], step, skip)
    inner_sig = ", ".join(f'{inp.var}: Typed[L["{" ".join(inp.dims)}"]]' for inp in inner_inputs)
    outer_sig = ", ".join(f'{var}: Typed[L["{" ".join(dims)}"]]' for var, dims in PALETTE)
    source = HEADER.format(dims=dims_line) + "\n\n" + "\n".join([
        "@tnp.kernel",
        f'def inner({inner_sig}, c: TypedResult[L["{inner_spec}"]]) -> None:',
        *_indent(loop, "    "),
        "",
        "",
        "@tnp.kernel",
        f'def kern({outer_sig}, c: TypedResult[L["{outer_spec}"]]) -> None:',
        f"    inner({', '.join(args)}, c)",
        "",
        "",
        "def run(arrays):",
        f'    c = TypedResult("{outer_spec}")',
        "    kern(" + ", ".join(f'Typed(np.array(arrays["{var}"]), {", ".join(dims)})'
                             for var, dims in PALETTE) + ", c)",
        "    return c",
    ]) + "\n"
    case.source = source
    case.spec_inputs = [(var, dims, var) for var, dims in PALETTE]
    return case
