"""`sum(tiles)` over tiles is a `Typed`: typeshed's `sum` without a start says
`Typed | Literal[0]` (an empty iterable sums to 0), which `c.assign` rejects. A sum of tiles in a
kernel is over a loop the plugin unrolls; were it empty, the value is 0 and the interpreter (and
the runtime) reject the `assign` of it. Only that case is refined: an iterable of `Typed` and no
`start`.
"""

from __future__ import annotations

from mypy.checker import TypeChecker
from mypy.maptype import map_instance_to_supertype
from mypy.plugin import FunctionContext
from mypy.types import Instance, Type, get_proper_type

from tnp_mypy import names
from tnp_mypy.config import Config


def infer(config: Config, ctx: FunctionContext) -> Type:
    if not isinstance(ctx.api, TypeChecker) or len(ctx.arg_types) < 1:
        return ctx.default_return_type
    if len(ctx.arg_types[0]) != 1 or any(ctx.arg_types[1:]):
        return ctx.default_return_type
    iterable = get_proper_type(ctx.arg_types[0][0])
    if not isinstance(iterable, Instance):
        return ctx.default_return_type
    base = ctx.api.lookup_typeinfo("typing.Iterable")
    if not iterable.type.has_base(base.fullname):
        return ctx.default_return_type
    element = get_proper_type(map_instance_to_supertype(iterable, base).args[0])
    if isinstance(element, Instance) and element.type.fullname in names.TYPED:
        return element
    return ctx.default_return_type
