"""`Typed(arr, M, N)` is a `Typed[Literal["M N"]]`, `TypedResult("spec")` a
`TypedResult[Literal["spec"]]`: so passing the wrong dims or another spec to a kernel is an
ordinary mypy argument error."""

from __future__ import annotations

from mypy.plugin import FunctionContext
from mypy.types import Instance, LiteralType, Type, get_proper_type

from tnp_mypy.config import Config
from tnp_mypy.features import analysis
from tnp_mypy.interpreter import symbols


def _with_literal(ctx: FunctionContext, text: str) -> Type:
    default = get_proper_type(ctx.default_return_type)
    if not isinstance(default, Instance) or len(default.args) != 1:
        return ctx.default_return_type
    str_type = ctx.api.named_generic_type("builtins.str", [])
    return default.copy_modified(args=[LiteralType(text, fallback=str_type)])


def infer_typed(config: Config, ctx: FunctionContext) -> Type:
    """`Typed(arr, *dims, name=...)` and `randn(*dims, ...)`: the dims' names, in order."""
    if "dims" not in ctx.callee_arg_names:
        return ctx.default_return_type
    dims_group = ctx.callee_arg_names.index("dims")
    if dims_group >= len(ctx.arg_types):
        return ctx.default_return_type
    found = [symbols.dim_from_type(t) for t in ctx.arg_types[dims_group]]
    if not found or any(d is None for d in found):
        return ctx.default_return_type
    return _with_literal(ctx, " ".join(d.name for d in found if d is not None))


def infer_result(config: Config, ctx: FunctionContext) -> Type:
    """`TypedResult("spec")`: the spec text as a literal."""
    if not ctx.arg_types or len(ctx.arg_types[0]) != 1:
        return ctx.default_return_type
    spec = symbols.literal(ctx.arg_types[0][0])
    if not isinstance(spec, str):
        return ctx.default_return_type
    return _with_literal(ctx, spec)



def infer_typed_then_analyze(config: Config, ctx: FunctionContext) -> Type:
    inferred = infer_typed(config, ctx)
    analysis.analyze(config, ctx)
    return inferred


def infer_result_then_analyze(config: Config, ctx: FunctionContext) -> Type:
    inferred = infer_result(config, ctx)
    analysis.analyze(config, ctx)
    return inferred
