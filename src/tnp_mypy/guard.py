"""Every hook runs guarded: a bug in the plugin becomes a `tnp-internal` error at the hooked
call, never a mypy INTERNAL ERROR. `TNP_MYPY_RERAISE=1` re-raises instead, for debugging."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Final, TypeVar

from mypy.plugin import FunctionContext, MethodContext
from mypy.types import Type

from tnp_mypy.config import Config
from tnp_mypy.report import internal_error

RERAISE_VARIABLE: Final = "TNP_MYPY_RERAISE"

Ctx = TypeVar("Ctx", FunctionContext, MethodContext)


def reraise() -> bool:
    return os.environ.get(RERAISE_VARIABLE, "") not in ("", "0")


def guarded(
    handler: Callable[[Config, Ctx], Type], config: Config
) -> Callable[[Ctx], Type]:
    """`handler` bound to `config`; an exception it raises is reported, and mypy gets the
    type it would have inferred without the plugin."""

    def hook(ctx: Ctx) -> Type:
        try:
            return handler(config, ctx)
        except Exception as err:
            if reraise():
                raise
            try:
                internal_error(ctx.api, ctx.context, err)
            except Exception:
                if reraise():
                    raise
            return ctx.default_return_type

    return hook
