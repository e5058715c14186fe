"""`FullDim("M", 10)` (and `tnp.dim("M", 10)`) is a `FullDim[Literal["M"], Literal[10]]`.

Carrying the dim in the type is what lets another module import it: mypy frees that module's
syntax tree after checking it, but keeps (and caches) the types of its names.
"""

from __future__ import annotations

from mypy.checker import TypeChecker
from mypy.nodes import Expression
from mypy.plugin import FunctionContext
from mypy.types import Instance, LiteralType, Type, get_proper_type

from tnp_mypy.config import Config
from tnp_mypy.interpreter import symbols
from tnp_mypy.interpreter.evaluator import Interpreter
from tnp_runtime.core.dims import FullDim


def _argument(ctx: FunctionContext, config: Config, index: int) -> object | None:
    if index >= len(ctx.args) or len(ctx.args[index]) != 1:
        return None
    value = symbols.literal(ctx.arg_types[index][0])
    if value is not None:
        return value
    return _constant(ctx, config, ctx.args[index][0])


def _constant(ctx: FunctionContext, config: Config, expr: Expression) -> object | None:
    if not isinstance(ctx.api, TypeChecker):
        return None
    value = Interpreter(ctx.api.tree, config).constant(expr)
    return value if isinstance(value, (str, int)) else None


def infer(config: Config, ctx: FunctionContext) -> Type:
    """The literal dim type, or mypy's own inference when the name or size is not known."""
    default = get_proper_type(ctx.default_return_type)
    if not isinstance(default, Instance) or len(default.args) != 2:
        return ctx.default_return_type
    name = _argument(ctx, config, 0)
    size = _argument(ctx, config, 1)
    if not isinstance(name, str) or not isinstance(size, int) or isinstance(size, bool):
        return ctx.default_return_type
    try:
        FullDim(name, size)
    except ValueError:
        return ctx.default_return_type
    str_type = ctx.api.named_generic_type("builtins.str", [])
    int_type = ctx.api.named_generic_type("builtins.int", [])
    return default.copy_modified(
        args=[LiteralType(name, fallback=str_type), LiteralType(size, fallback=int_type)]
    )
