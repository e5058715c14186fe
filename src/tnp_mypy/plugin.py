"""The plugin class: dispatch tables from full names to feature handlers, nothing else.

Handlers are named here and imported on first use: a warm mypy run that re-checks nothing
fires no hook, and then never pays for importing the interpreter and tnp's core.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, Final

from mypy.options import Options
from mypy.plugin import (
    FunctionContext,
    MethodContext,
    MethodSigContext,
    Plugin,
    ReportConfigContext,
)
from mypy.types import FunctionLike, Type

from tnp_mypy import config as config_module
from tnp_mypy import names
from tnp_mypy.compat import cache_safe
from tnp_mypy.config import Config
from tnp_mypy.fingerprint import tnp_sources
from tnp_mypy.guard import guarded, reraise
from tnp_mypy.report import internal_error
from tnp_runtime.core.version import VERSION

_TNP_VERSION: Final = VERSION  # not `importlib.metadata`: see `core/version.py`

# API member (as `names.API` names it) -> "module:function" under tnp_mypy.features; the hook
# tables below hold every full name of those members, from the same `names.API` the
# interpreter's `tnp_api` table is built from.
_FUNCTION_FEATURES: dict[str, str] = {
    "FullDim": "dims_literal:infer",
    "dim": "dims_literal:infer",
    "Typed": "constructors:infer_typed_then_analyze",
    "randn": "constructors:infer_typed_then_analyze",
    "TypedResult": "constructors:infer_result_then_analyze",
    **{
        name: "analysis:analyze_call"
        for name in ("einsum", "reveal", "max", "assert_spec", *names.TNP_UNARY)
    },
    "kernel": "analysis:analyze_kernel",
}
_METHOD_FEATURES: dict[str, str] = {
    **{
        member: "analysis:analyze_method"
        for member in (
            "TypedResult.assign",
            *(
                f"Typed.{m}"
                for m in ("slice", "sum", "max", "repeat", "rearrange", "maximum", "mask")
            ),
        )
    },
    "Kernel.result": "kernel_result:infer_then_analyze",
}

# Full name -> "module:function".
_FUNCTION_HOOKS: dict[str, str] = {
    **{full: _FUNCTION_FEATURES[m] for full, m in names.API.items() if m in _FUNCTION_FEATURES},
    "builtins.sum": "sum_type:infer",
}
_METHOD_HOOKS: dict[str, str] = {
    full: _METHOD_FEATURES[m] for full, m in names.API.items() if m in _METHOD_FEATURES
}


def _lazy(target: str) -> Callable[[Config, Any], Type]:
    module_name, function_name = target.split(":")

    def handler(config: Config, ctx: Any) -> Type:
        module = importlib.import_module(f"tnp_mypy.features.{module_name}")
        function: Callable[[Config, Any], Type] = getattr(module, function_name)
        return function(config, ctx)

    return handler


class TnpPlugin(Plugin):
    def __init__(self, options: Options) -> None:
        super().__init__(options)
        self.tnp_config = config_module.load(options.config_file)

    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        target = _FUNCTION_HOOKS.get(fullname)
        return None if target is None else guarded(_lazy(target), self.tnp_config)

    def get_method_hook(self, fullname: str) -> Callable[[MethodContext], Type] | None:
        target = _METHOD_HOOKS.get(fullname)
        return None if target is None else guarded(_lazy(target), self.tnp_config)

    def get_method_signature_hook(
        self, fullname: str
    ) -> Callable[[MethodSigContext], FunctionLike] | None:
        if fullname not in names.KERNEL_CALL:
            return None
        config = self.tnp_config

        def hook(ctx: MethodSigContext) -> FunctionLike:
            from tnp_mypy.features import result_argument

            try:
                return result_argument.signature(config, ctx)
            except Exception as err:  # as `guard.guarded`: reported, never raised into mypy
                if reraise():
                    raise
                internal_error(ctx.api, ctx.context, err)
                return ctx.default_signature

        return hook

    def report_config_data(self, ctx: ReportConfigContext) -> Any:
        # tnp's version too: another release may judge a cached file differently.
        # And the sources' fingerprint: an editable install changes code, not its version.
        return cache_safe(
            {**self.tnp_config.data(), "tnp": _TNP_VERSION, "sources": tnp_sources()}
        )
