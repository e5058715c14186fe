"""A call of a kernel (`Kernel.__call__`): its name in mypy's messages, and its result arguments.

A result passed to a kernel whose spec text is the same spec as the parameter's, written
otherwise (whitespace, redundant parentheses, `let`), is no `arg-type` error.

The stubs give each result the type of its text (`TypedResult[Literal["6*M N"]]`), so mypy's
own check would need the texts to match byte for byte. Hooked on `Kernel.__call__`: where an
argument's spec text is known (a name whose type is a `TypedResult[Literal[...]]`, or a
`TypedResult("...")` written in the call) and `spec_let.same_spec_text` says it is the
parameter's, the parameter takes the argument's type. Other texts keep mypy's error; tnp
checks the spec itself in any case (`calls.enter_kernel`: provably the same, or `tnp-spec`).
"""

from __future__ import annotations

from mypy.nodes import CallExpr, Expression, NameExpr, RefExpr, StrExpr, Var
from mypy.plugin import MethodSigContext
from mypy.types import AnyType, CallableType, Instance, Type, TypeOfAny, get_proper_type

from tnp_mypy import names
from tnp_mypy.config import Config
from tnp_mypy.interpreter import symbols
from tnp_runtime.core.spec_let import same_spec_text


def _spec_of(typ: Type | None) -> str | None:
    proper = get_proper_type(typ) if typ is not None else None
    if (
        isinstance(proper, Instance)
        and proper.type.fullname in names.TYPED_RESULT
        and len(proper.args) == 1
    ):
        text = symbols.literal(proper.args[0])
        return text if isinstance(text, str) else None
    return None


def _argument(expr: Expression) -> tuple[Type, str] | None:
    """The type and spec text of a result argument, where they are known without checking it."""
    if isinstance(expr, RefExpr) and isinstance(expr.node, Var) and expr.node.type is not None:
        text = _spec_of(expr.node.type)
        return None if text is None else (expr.node.type, text)
    return None


def _written(expr: Expression) -> str | None:
    """The text of `TypedResult("...")` written in the call."""
    if (
        isinstance(expr, CallExpr)
        and isinstance(expr.callee, RefExpr)
        and expr.callee.fullname in names.TYPED_RESULT
        and len(expr.args) == 1
        and isinstance(expr.args[0], StrExpr)
    ):
        return expr.args[0].value
    return None


def signature(config: Config, ctx: MethodSigContext) -> CallableType:
    """The signature of a call of a kernel: mypy's, named after the kernel (mypy's messages
    then say `Argument 2 to "add"`, as for a plain function, rather than `"__call__" of
    "Kernel"`), with the result parameters whose spec the argument's text is."""
    sig = ctx.default_signature
    callee = ctx.context.callee if isinstance(ctx.context, CallExpr) else None
    if isinstance(callee, NameExpr):
        sig = sig.copy_modified(name=callee.name)
    arg_types = list(sig.arg_types)
    changed = False
    for index, actuals in enumerate(ctx.args):
        if index >= len(arg_types) or len(actuals) != 1:
            continue
        declared = _spec_of(arg_types[index])
        if declared is None:
            continue
        known = _argument(actuals[0])
        if known is not None and known[1] != declared and same_spec_text(known[1], declared):
            arg_types[index] = known[0]
            changed = True
            continue
        written = _written(actuals[0])
        if written is not None and written != declared and same_spec_text(written, declared):
            # Its type is inferred later, from this text: accept any result here.
            proper = get_proper_type(arg_types[index])
            assert isinstance(proper, Instance)
            arg_types[index] = proper.copy_modified(args=[AnyType(TypeOfAny.special_form)])
            changed = True
    return sig.copy_modified(arg_types=arg_types) if changed else sig
