"""The plugin class: dispatch tables from full names to feature handlers, nothing else.

Handlers are named here and imported on first use: a warm mypy run that re-checks nothing
fires no hook, and then never pays for importing the interpreter and tnp's core.
"""

from __future__ import annotations

import importlib
import importlib.metadata
from collections.abc import Callable
from typing import Any

from mypy.options import Options
from mypy.plugin import FunctionContext, MethodContext, Plugin, ReportConfigContext
from mypy.types import Type

from tnp_mypy import config as config_module
from tnp_mypy import names
from tnp_mypy.compat import cache_safe
from tnp_mypy.config import Config
from tnp_mypy.guard import guarded

try:
    _TNP_VERSION = importlib.metadata.version("tnp")
except importlib.metadata.PackageNotFoundError:  # a checkout on sys.path, not installed
    _TNP_VERSION = "unknown"

# Full name -> "module:function" under tnp_mypy.features.
_FUNCTION_HOOKS: dict[str, str] = {
    **{name: "dims_literal:infer" for name in names.FULL_DIM | names.DIM_FUNCTION},
    **{name: "constructors:infer_typed_then_analyze" for name in names.TYPED | names.RANDN},
    **{name: "constructors:infer_result_then_analyze" for name in names.TYPED_RESULT},
    **{
        name: "analysis:analyze_call"
        for name in names.EINSUM | names.REVEAL | names.TNP_FUNCTIONS
    },
    **{name: "analysis:analyze_kernel" for name in names.KERNEL},
    "builtins.sum": "sum_type:infer",
}

_METHOD_HOOKS: dict[str, str] = {
    name: "analysis:analyze_method" for name in names.ASSIGN | names.TYPED_METHODS
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

    def report_config_data(self, ctx: ReportConfigContext) -> Any:
        # tnp's version too: another release may judge a cached file differently.
        return cache_safe({**self.tnp_config.data(), "tnp": _TNP_VERSION})
