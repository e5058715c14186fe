"""The spec language (docs/DESIGN.md §4): its entry points, and resolution to the IR.

A spec such as `6 * (M N, N K -> M K)` states what a kernel's whole result is, as a pointwise
term over the kernel's inputs. Its text becomes

* a syntax tree (`parse_spec`): a closed union of small frozen nodes (`SpecNode`), each with
  `pos`, the offset in the text of the token that starts it, except `BinOp` whose `pos` is its
  operator (where a dim mismatch between its operands is reported);
* an `ir.Expr` and the result's DimType (`resolve_spec`), given the declared dims and the
  kernel's inputs.

`parse_dims` / `resolve_dims` do the same for the dims of an annotation (`Typed[L["M N"]]`).

Layout: keywords, `SpecError`, the syntax tree and the tokenizer are in `spec_syntax`, the
parser in `spec_parser`, the resolver here; everything public is imported from here.

Invariants:

* Every failure, whatever the text, is a `SpecError` (a `ValueError`, code `tnp-bad-spec`)
  whose diagnostic shows the spec line with a caret under the fault and says how to fix it.
* Parsing is linear in the length of the text. Nesting of parentheses and calls is capped at
  `MAX_NESTING` levels and every other repetition (operators, unary minus) is parsed and
  resolved with loops, so no text reaches Python's recursion limit.
* Resolution builds nodes only through the `ir` factories: a leaf is the very node the runtime
  builds for the same input, and results compare by identity.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, assert_never

from tnp_runtime.core import fixits, indexing, ir, operations, rules
from tnp_runtime.core.dims import DimType, FullDim, Sliced, dim_names
from tnp_runtime.core.elementwise import ELEMENTWISE
from tnp_runtime.core.opaque import Opaque
from tnp_runtime.core.rules import Abstract
from tnp_runtime.core.spec_let import check_bindings, parse_let, parse_spec
from tnp_runtime.core.spec_mask import resolve_mask
from tnp_runtime.core.spec_parser import parse_dims
from tnp_runtime.core.spec_syntax import (
    KEYWORDS,
    MAX_NESTING,
    ArithOp,
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
    OpaqueCall,
    Power,
    Reducer,
    Reduction,
    SpecDim,
    SpecError,
    SpecNode,
    Tensor,
    Where,
    _and_list,
    _show_dims,
    _start,
    _unknown_dim,
)

__all__ = [
    "KEYWORDS",
    "MAX_NESTING",
    "BinOp",
    "Contraction",
    "Func",
    "IndexLeaf",
    "InfLit",
    "MaskNode",
    "Max2",
    "Min2",
    "Neg",
    "Number",
    "Power",
    "Reduction",
    "ResolvedSpec",
    "SpecDim",
    "SpecError",
    "SpecInput",
    "SpecNode",
    "Tensor",
    "parse_dims",
    "parse_spec",
    "resolve_dims",
    "resolve_spec",
]

_BINARY_OPS: Final[dict[ArithOp, ir.BinaryOp]] = {
    "+": ir.BinaryOp.ADD,
    "-": ir.BinaryOp.SUB,
    "*": ir.BinaryOp.MUL,
    "/": ir.BinaryOp.DIV,
}
_REDUCE_OPS: Final[dict[Reducer, ir.ReduceOp]] = {
    "sum": ir.ReduceOp.SUM,
    "max": ir.ReduceOp.MAX,
}


# ---------------------------------------------------------------------------------------------
# Resolution


@dataclass(frozen=True, slots=True)
class SpecInput:
    """A kernel input as a spec sees it: the leaf a spec naming it resolves to (its identity,
    name and dims), and its full dims in the order of its axes.

    An anonymous leaf's name was generated (an unnamed array) and cannot be written in a spec.
    """

    leaf: ir.Input
    dims: DimType

    @property
    def name(self) -> str:
        return self.leaf.name

    @property
    def anonymous(self) -> bool:
        return self.leaf.anonymous


@dataclass(frozen=True, slots=True)
class ResolvedSpec:
    """What a spec computes: `expr` at every index of `dims`.

    `dims` are the result's dims in the order written in the spec's output, each a `Sliced`,
    full unless the spec slices it.
    """

    expr: ir.Expr
    dims: DimType


@dataclass(frozen=True, slots=True)
class _Value:
    expr: ir.Expr
    dims: DimType


@dataclass(frozen=True, slots=True)
class _Gathered:
    expr: ir.Gather
    dims: DimType


class _Resolver:
    """Resolves one parsed spec against the declared dims and the kernel's inputs."""

    def __init__(
        self,
        text: str,
        dims: Mapping[str, FullDim],
        inputs: Sequence[SpecInput],
        open_inputs: bool = False,
        functions: Mapping[str, Opaque] | None = None,
    ) -> None:
        self.text = text
        self.open_inputs = open_inputs
        self.functions: Mapping[str, Opaque] = functions or {}
        self.inputs = tuple(inputs)
        # A dim is known if declared or held by an input; broadcast dims come from here.
        self.known: dict[str, FullDim] = dict(dims)
        self.by_dim_set: dict[frozenset[str], list[SpecInput]] = {}
        self.by_name: dict[str, list[SpecInput]] = {}
        for inp in self.inputs:
            for sliced in inp.dims:
                self.known.setdefault(sliced.name, sliced.dim)
            self.by_dim_set.setdefault(frozenset(dim_names(inp.dims)), []).append(inp)
            if not inp.anonymous:
                self.by_name.setdefault(inp.name, []).append(inp)

    def error(self, pos: int, problem: str, fix: str) -> SpecError:
        return SpecError(self.text, pos, problem, fix)

    def resolve(self, node: SpecNode) -> _Value:
        match node:
            case Number():
                return _Value(ir.const(node.value), ())
            case InfLit():
                return _Value(ir.inf(False), ())
            case Tensor():
                return self.leaf(node)
            case Neg():
                return self.negation(node)
            case BinOp():
                return self.arithmetic(node)
            case Func():
                body = self.resolve(node.body)
                return _Value(ir.unary(ELEMENTWISE[node.name].op, body.expr), body.dims)
            case Reduction():
                return self.reduction(node)
            case Contraction():
                return self.contraction(node)
            case Max2():
                first, second = self.resolve(node.a), self.resolve(node.b)
                dims = self.pointwise_dims("max(a, b)", first, second, node.pos)
                return _Value(ir.binary(ir.BinaryOp.MAX, first.expr, second.expr), dims)
            case Min2():
                first, second = self.resolve(node.a), self.resolve(node.b)
                dims = self.pointwise_dims("min(a, b)", first, second, node.pos)
                return _Value(operations.min_expr(first.expr, second.expr), dims)
            case Power():
                base = self.resolve(node.base)
                return _Value(operations.power_expr(base.expr, node.exponent), base.dims)
            case Where():
                return self.where(node)
            case OpaqueCall():
                return self.opaque_call(node)
            case MaskNode():
                body = self.resolve(node.body)
                return _Value(resolve_mask(node, body.expr, body.dims, self.error), body.dims)
            case _:
                assert_never(node)

    def where(self, node: Where) -> _Value:
        values = [self.resolve(n) for n in (node.left, node.right, node.then, node.other)]
        dims = values[0].dims
        for value in values[1:]:
            dims = self.pointwise_dims("where(...)", _Value(values[0].expr, dims), value,
                                       node.pos)
        x, y, a, b = (v.expr for v in values)
        return _Value(operations.where_expr(node.relation, x, y, a, b), dims)

    def opaque_call(self, node: OpaqueCall) -> _Value:
        func = self.functions.get(node.name)
        if func is None:
            known = ", ".join(sorted(self.functions)) or "none"
            raise self.error(
                node.pos,
                f"no function named '{node.name}' (the opaque functions of the kernel's "
                f"module: {known})",
                f"declare it in the kernel's module: {node.name} = tnp.opaque("
                f"\"{node.name}\", lambda x: ...), or write a leaf's dims without '('",
            )
        if len(node.args) != func.arity:
            raise self.error(
                node.pos,
                f"{node.name} takes {func.arity} argument{'' if func.arity == 1 else 's'}, "
                f"got {len(node.args)}",
                f"call it as the kernel does: {node.name}("
                + ", ".join("x" for _ in range(func.arity)) + ")",
            )
        values = [self.resolve(n) for n in node.args]
        dims = values[0].dims
        for value in values[1:]:
            dims = self.pointwise_dims(f"{node.name}(...)", _Value(values[0].expr, dims), value,
                                       node.pos)
        return _Value(ir.apply(func, tuple(v.expr for v in values)), dims)

    # Chains of minus signs and of operators are walked with loops, not recursion: the parser
    # builds them with loops, so they can be as long as the text.

    def negation(self, node: Neg) -> _Value:
        count = 0
        inner: SpecNode = node
        while isinstance(inner, Neg):
            count += 1
            inner = inner.operand
        operand = self.resolve(inner)
        expr = operand.expr
        for _ in range(count):
            expr = ir.unary(ir.UnaryOp.NEG, expr)
        return _Value(expr, operand.dims)

    def arithmetic(self, node: BinOp) -> _Value:
        spine: list[BinOp] = []
        leftmost: SpecNode = node
        while isinstance(leftmost, BinOp):
            spine.append(leftmost)
            leftmost = leftmost.left
        acc = self.resolve(leftmost)
        for binop in reversed(spine):
            right = self.resolve(binop.right)
            dims = self.pointwise_dims(f"'{binop.op}'", acc, right, binop.pos)
            acc = _Value(ir.binary(_BINARY_OPS[binop.op], acc.expr, right.expr), dims)
        return acc

    def pointwise_dims(self, what: str, left: _Value, right: _Value, pos: int) -> DimType:
        """Dims of a pointwise op: same names and slices on both sides; a scalar broadcasts.

        The result keeps the left operand's order (the non-scalar one's if one is a scalar).
        """
        if not right.dims:
            return left.dims
        if not left.dims:
            return right.dims
        found = rules.pointwise_mismatch(left.dims, right.dims)
        if found is None:
            return left.dims
        kind, name = found
        if kind is rules.Mismatch.DIMS:
            left_names = {s.name for s in left.dims}
            right_names = {s.name for s in right.dims}
            wider = left if left_names > right_names else right
            if left_names > right_names or right_names > left_names:
                names = " ".join(s.name for s in wider.dims)
                fix = f"broadcast the narrower side to the same dims: (... -> {names})"
            else:
                fix = (
                    "give both sides the same dims: contract or reduce one side, "
                    "e.g. (... -> M K) or sum[N](...)"
                )
            raise self.error(
                pos,
                f"operands of {what} have different dims: left {_show_dims(left.dims)}, "
                f"right {_show_dims(right.dims)}",
                fix,
            )
        # A size or a slice of one dim: both are different slices of it.
        sliced = next(s for s in left.dims if s.name == name)
        other = next(s for s in right.dims if s.name == name)
        raise self.error(
            pos,
            f"operands of {what} take different slices of {name}: left {sliced}, "
            f"right {other}",
            f"slice {name} alike on both sides",
        )

    def unknown_dim(self, dim: SpecDim) -> SpecError:
        return _unknown_dim(self.text, dim, self.known)

    def describe_inputs(self) -> str:
        if not self.inputs:
            return "there are no inputs"
        shown = [
            f"{'an unnamed input' if inp.anonymous else inp.name} ({_show_dims(inp.dims)})"
            for inp in self.inputs
        ]
        return "the inputs are " + ", ".join(shown)

    def leaf(self, tensor: Tensor) -> _Value:
        for dim in tensor.dims:
            if dim.name not in self.known:
                raise self.unknown_dim(dim)
        written_names = frozenset(d.name for d in tensor.dims)
        written = " ".join(str(d) for d in tensor.dims)
        if tensor.name is not None:
            homonyms = self.by_name.get(tensor.name, [])
            if len(homonyms) > 1:
                raise self.homonyms(tensor, tensor.name, homonyms)
            named = homonyms[0] if homonyms else None
            if named is None and self.open_inputs:
                return self.unread_input(tensor, tensor.name, anonymous=False)
            if named is None:
                raise self.error(
                    tensor.pos,
                    f"no input named '{tensor.name}'",
                    f"use the name of a kernel parameter or of Typed(..., name=...); "
                    f"{self.describe_inputs()}",
                )
            if frozenset(dim_names(named.dims)) != written_names:
                own = " ".join(dim_names(named.dims))
                raise self.error(
                    tensor.pos,
                    f"input {named.name} has dims {own}, not {written}",
                    f"write {named.name}:{own}",
                )
            inp = named
        else:
            candidates = self.by_dim_set.get(written_names, [])
            if not candidates and self.open_inputs:
                return self.unread_input(tensor, " ".join(d.name for d in tensor.dims), True)
            if not candidates:
                raise self.error(
                    tensor.pos,
                    f"no input has dims `{written}`",
                    f"write the dims of an input, in any order ({self.describe_inputs()}), "
                    "or compute this value, e.g. with a contraction (... -> dims)",
                )
            if len(candidates) > 1:
                names = [inp.name for inp in candidates if not inp.anonymous]
                repeated = next((n for n in names if names.count(n) > 1), None)
                if repeated is not None:
                    raise self.homonyms(tensor, repeated, candidates)
                raise self.ambiguous(tensor, written, candidates)
            inp = candidates[0]
        own_by_name = {s.name: s for s in inp.dims}
        dims: list[Sliced] = []
        for dim in tensor.dims:
            sliced = own_by_name[dim.name]
            if dim.interval is not None:
                sliced = self.narrow(sliced, dim, f"input {inp.name}")
            if dim.position is None:
                dims.append(sliced)
        if any(dim.position is not None for dim in tensor.dims):
            return self.read(tensor, inp, dims)
        return _Value(inp.leaf, tuple(dims))

    def read(self, tensor: Tensor, inp: SpecInput, dims: list[Sliced]) -> _Value:
        """A leaf that reads dims at positions of other dims, `x:N[O + K]`: its dims are the
        others' and those the positions use (whole, unless the leaf has them too)."""
        index: dict[str, ir.Position] = {}
        for dim in tensor.dims:
            if isinstance(dim.position, IndexLeaf):
                gather = self.gather(dim.position, next(s for s in inp.dims if s.name == dim.name))
                for sliced in gather.dims:
                    if all(s.name != sliced.name for s in dims):
                        dims.append(sliced)
                index[dim.name] = gather.expr
                continue
            if dim.position is None:
                continue
            for name in sorted(dim.position.dims):
                if name not in self.known:
                    raise self.unknown_dim(SpecDim(name, None, dim.pos))
                if all(s.name != name for s in dims):
                    dims.append(self.known[name].full)
            index[dim.name] = dim.position
        slices = {s.name: s.interval for s in dims}
        for dim in tensor.dims:
            if not isinstance(dim.position, ir.Affine):
                continue  # a gather reads within its dim: the runtime checks the indices
            held = next(s for s in inp.dims if s.name == dim.name)
            reached = indexing.span(dim.position, slices)
            if not held.interval.contains(reached):
                raise self.error(
                    dim.pos,
                    f"{dim} reads {dim.name} at positions {reached}, outside {held} of "
                    f"input {inp.name}",
                    f"keep the positions within {held}: slice the dims they use, "
                    f"e.g. a smaller output dim",
                )
        return _Value(ir.read(inp.leaf, index), tuple(dims))

    def gather(self, leaf: IndexLeaf, indexed: Sliced) -> _Gathered:
        """The index input `t:B` of a gather over `indexed`, and its dims."""
        found = self.by_name.get(leaf.name, [])
        if not found:
            raise self.error(
                leaf.pos,
                f"bad slice of {indexed.name}: '{leaf.name}' is not a non-negative integer, nor "
                "an index input",
                f"write the slice with integer bounds, e.g. {indexed.name}[0:4], or gather by "
                f"an index input, e.g. x:B {indexed.name}[t:B]; {self.describe_inputs()}",
            )
        if len(found) != 1 or set(dim_names(found[0].dims)) != set(leaf.dims):
            raise self.error(
                leaf.pos,
                f"no index input {leaf} among the inputs",
                f"name an input and its dims, e.g. x:B {indexed.name}[t:B]; "
                f"{self.describe_inputs()}",
            )
        inp = found[0]
        return _Gathered(ir.Gather(inp.leaf, indexed.dim.size), inp.dims)

    def unread_input(self, tensor: Tensor, name: str, anonymous: bool) -> _Value:
        """A leaf for an input the kernel never read (script form only)."""
        dims: list[Sliced] = []
        for dim in tensor.dims:
            sliced = self.known[dim.name].full
            if dim.interval is not None:
                sliced = self.narrow(sliced, dim, f"input {name}")
            dims.append(sliced)
        expr = ir.new_input(name, tuple(d.name for d in tensor.dims), anonymous)
        return _Value(expr, tuple(dims))

    def homonyms(self, tensor: Tensor, name: str, inputs: Sequence[SpecInput]) -> SpecError:
        """Two different arrays share the name a leaf needs: no spelling can tell them apart."""
        same = [inp for inp in inputs if inp.name == name]
        shown = ", ".join(_show_dims(inp.dims) for inp in same)
        return self.error(
            tensor.pos,
            f"{len(same)} different inputs are named '{name}' ({shown}): the spec cannot tell "
            "which one it means",
            "give each array its own name (Typed(arr, ..., name=\"...\")) and write that name",
        )

    def ambiguous(self, tensor: Tensor, written: str, candidates: Sequence[SpecInput]) -> SpecError:
        who = ["an unnamed input" if inp.anonymous else inp.name for inp in candidates]
        plain = " ".join(d.name for d in tensor.dims)
        quantifier = "both" if len(candidates) == 2 else "all"
        named = [inp.name for inp in candidates if not inp.anonymous]
        spellings = [f"`{name}:{written}`" for name in named]
        if len(named) == len(candidates):
            fix = fixits.fixable(f"name it: {_and_list(spellings, 'or')}")
        else:
            give = 'give the unnamed inputs names with Typed(arr, ..., name="X") and write `X:'
            fix = f"{give}{written}`" + (
                f", or name one of the others: {_and_list(spellings, 'or')}" if named else ""
            )
        return self.error(
            tensor.pos,
            f"ambiguous leaf `{written}`: inputs {_and_list(who)} {quantifier} have dims {plain}",
            fix,
        )

    def narrow(self, sliced: Sliced, dim: SpecDim, holder: str) -> Sliced:
        """`sliced` narrowed to the slice written on `dim`, which must lie within it."""
        assert dim.interval is not None
        size = sliced.dim.size
        fault = rules.slice_fault(sliced, dim.interval)
        if fault is rules.SliceFault.OUTSIDE_DIM:
            raise self.error(
                dim.pos,
                f"slice {dim} lies outside {dim.name}, whose size is {size}",
                f"keep the bounds within {dim.name}[0:{size}]",
            )
        if fault is rules.SliceFault.OUTSIDE_HELD:
            raise self.error(
                dim.pos,
                f"slice {dim} lies outside the {sliced} that {holder} holds",
                f"keep the bounds within {sliced}",
            )
        return Sliced(sliced.dim, dim.interval)

    def reduction(self, node: Reduction) -> _Value:
        value = self.resolve(node.body)
        dim = node.dim
        found = next((s for s in value.dims if s.name == dim.name), None)
        if found is None:
            if dim.name not in self.known:
                raise self.unknown_dim(dim)
            raise self.error(
                dim.pos,
                f"{node.op}[{dim.name}] of a value without {dim.name}: "
                f"its dims are {_show_dims(value.dims)}",
                f"reduce over one of its dims ({_show_dims(value.dims)}), "
                f"or give the argument the dim {dim.name}",
            )
        if dim.interval is not None:
            found = self.narrow(found, dim, f"the argument of {node.op}[...]")
        dims = tuple(found if s.name == dim.name else s for s in value.dims)
        match node.op:
            case "softmax":
                exp = ir.unary(ir.UnaryOp.EXP, value.expr)
                total = ir.reduce(ir.ReduceOp.SUM, dim.name, found.interval, exp)
                return _Value(ir.binary(ir.BinaryOp.DIV, exp, total), dims)
            case "sum" | "max":
                reduced = rules.reduce(_REDUCE_OPS[node.op], Abstract(dims, value.expr), dim.name)
                return _Value(reduced.expr, reduced.dims)
            case "min" | "mean":
                derived = operations.reduce_min if node.op == "min" else operations.mean
                reduced = derived(Abstract(dims, value.expr), dim.name)
                return _Value(reduced.expr, reduced.dims)
            case _:
                assert_never(node.op)

    def contraction(self, node: Contraction) -> _Value:
        values = [self.resolve(operand) for operand in node.operands]
        # Every dim the operands share must be the same slice in each: they are multiplied
        # pointwise, as in einsum.
        shared = rules.shared_slices([value.dims for value in values])
        if isinstance(shared, rules.SliceClash):
            seen, sliced = shared.first, shared.other
            raise self.error(
                _start(node.operands[shared.operand]),
                f"operands of the contraction take different slices of {sliced.name}: "
                f"{seen} and {sliced}",
                f"slice {sliced.name} alike in every operand",
            )
        out: list[Sliced] = []
        for dim in node.out_dims:
            sliced_or_none = shared.get(dim.name)
            if sliced_or_none is not None:
                if dim.interval is not None and dim.interval != sliced_or_none.interval:
                    raise self.error(
                        dim.pos,
                        f"output {dim} differs from the operands' {sliced_or_none}",
                        f"slice the operand instead, or write {dim.name} in the output "
                        "without a slice",
                    )
                out.append(sliced_or_none)
                continue
            full = self.known.get(dim.name)
            if full is None:
                raise self.unknown_dim(dim)
            # Broadcast: a dim of the output that no operand has.
            out.append(full.full if dim.interval is None else self.narrow(full.full, dim, "it"))
        out_names = {d.name for d in node.out_dims}
        reducer = _REDUCE_OPS[node.reducer]
        expr = rules.contract([value.expr for value in values], shared, out_names, reducer)
        return _Value(expr, tuple(out))


def resolve_spec(
    text: str,
    dims: Mapping[str, FullDim],
    inputs: Sequence[SpecInput],
    open_inputs: bool = False,
    functions: Mapping[str, Opaque] | None = None,
) -> ResolvedSpec:
    """Parse `text` and resolve it to the IR term it denotes and the result's dims.

    `dims` maps names to the declared dims (the kernel module's `FullDim`s); `inputs` are the
    kernel's inputs. Raises `SpecError` on any fault, syntax or resolution.

    `open_inputs` is for script form, where the inputs are only those the first tile reads: a
    leaf that matches none of them is an input the kernel never read, not a fault of the spec,
    so it resolves to a leaf of its own and the proof then reports the difference.

    `functions` are the opaque functions the spec may call by name (the kernel module's
    `tnp.opaque` declarations), as `dims` are its dims.
    """
    parsed = parse_let(text)
    resolver = _Resolver(text, dims, inputs, open_inputs, functions)
    check_bindings(text, parsed, resolver.known, frozenset(resolver.by_name))
    value = resolver.resolve(parsed.body)
    return ResolvedSpec(value.expr, value.dims)


def resolve_dims(text: str, dims: Mapping[str, FullDim]) -> DimType:
    """The DimType an annotation such as "M N" denotes: full dims unless sliced ("N[0:4]")."""
    result: list[Sliced] = []
    for dim in parse_dims(text):
        full = dims.get(dim.name)
        if full is None:
            raise _unknown_dim(text, dim, dims)
        if dim.interval is None:
            result.append(full.full)
        elif rules.slice_fault(full.full, dim.interval) is not None:
            raise SpecError(
                text,
                dim.pos,
                f"slice {dim} lies outside {dim.name}, whose size is {full.size}",
                f"keep the bounds within {dim.name}[0:{full.size}]",
            )
        else:
            result.append(Sliced(full, dim.interval))
    return tuple(result)
