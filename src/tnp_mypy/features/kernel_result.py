"""`f.result()` of a `@tnp.kernel` `f` is a `TypedResult[Literal["<the spec f declares>"]]`.

The stubs cannot say it (`Kernel.result` returns `TypedResult[Any]`): the spec is the literal in
the annotation of one of `f`'s parameters. `@tnp.kernel` is `Kernel[P, R]`, whose `P` holds
those annotations, so the hook reads the literal from the receiver's type, and `mypy --strict`
then sees the same type as the parameter's when the result is passed to `f`.
"""

from __future__ import annotations

from mypy.errorcodes import CALL_ARG
from mypy.nodes import CallExpr, MemberExpr, NameExpr
from mypy.plugin import MethodContext
from mypy.types import Instance, Parameters, Type, get_proper_type

from tnp_mypy import names
from tnp_mypy.config import Config
from tnp_mypy.features import analysis
from tnp_mypy.interpreter import symbols
from tnp_runtime.core.calls import declared_result


def _declared(receiver: Type) -> dict[str, tuple[Type, str]] | None:
    """Each result parameter of the kernel `receiver` is: name -> (its `TypedResult[...]`
    type, its spec text); None if `receiver` is not a kernel's type mypy knows."""
    proper = get_proper_type(receiver)
    if not isinstance(proper, Instance) or not proper.args:
        return None
    parameters = get_proper_type(proper.args[0])
    if not isinstance(parameters, Parameters):
        return None
    found: dict[str, tuple[Type, str]] = {}
    for name, arg_type in zip(parameters.arg_names, parameters.arg_types, strict=False):
        annotated = get_proper_type(arg_type)
        if (
            name is not None
            and isinstance(annotated, Instance)
            and annotated.type.fullname in names.TYPED_RESULT
            and len(annotated.args) == 1
        ):
            text = symbols.literal(annotated.args[0])
            if isinstance(text, str):
                found[name] = (arg_type, text)
    return found


def infer(config: Config, ctx: MethodContext) -> Type:
    """The type of the result parameter `f.result(name)` names (see the module docstring)."""
    declared = _declared(ctx.type)
    if declared is None:
        return ctx.default_return_type
    name: str | None = None
    if ctx.arg_types and ctx.arg_types[0]:
        given = symbols.literal(ctx.arg_types[0][0])
        if not isinstance(given, str):
            return ctx.default_return_type  # a name not known statically
        name = given
    callee = ctx.context.callee if isinstance(ctx.context, CallExpr) else ctx.context
    kernel = callee.expr if isinstance(callee, MemberExpr) else None
    kernel_name = kernel.name if isinstance(kernel, NameExpr) else "the kernel"
    try:
        declared_result(kernel_name, {key: text for key, (_, text) in declared.items()}, name)
    except ValueError as err:
        ctx.api.fail(str(err), ctx.context, code=CALL_ARG)
        return ctx.default_return_type
    return declared[name if name is not None else next(iter(declared))][0]


def infer_then_analyze(config: Config, ctx: MethodContext) -> Type:
    inferred = infer(config, ctx)
    analysis.analyze(config, ctx)
    return inferred
