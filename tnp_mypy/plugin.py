"""The plugin class: dispatch tables from full names to feature handlers, nothing else."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mypy.options import Options
from mypy.plugin import FunctionContext, MethodContext, Plugin, ReportConfigContext
from mypy.types import Type

from tnp_mypy import config as config_module
from tnp_mypy import names
from tnp_mypy.config import Config
from tnp_mypy.features import analysis, constructors, dims_literal
from tnp_mypy.guard import guarded


def _then_analyze(
    infer: Callable[[Config, FunctionContext], Type],
) -> Callable[[Config, FunctionContext], Type]:
    def hook(config: Config, ctx: FunctionContext) -> Type:
        inferred = infer(config, ctx)
        analysis.analyze(config, ctx)
        return inferred

    return hook


def _analyze_method(config: Config, ctx: MethodContext) -> Type:
    analysis.analyze(config, ctx)
    return ctx.default_return_type


def _analyze_function(config: Config, ctx: FunctionContext) -> Type:
    analysis.analyze(config, ctx)
    return ctx.default_return_type


_FUNCTION_HOOKS: dict[str, Callable[[Config, FunctionContext], Type]] = {
    **{name: dims_literal.infer for name in names.FULL_DIM | names.DIM_FUNCTION},
    **{name: _then_analyze(constructors.infer_typed) for name in names.TYPED | names.RANDN},
    **{name: _then_analyze(constructors.infer_result) for name in names.TYPED_RESULT},
    **{name: _analyze_function for name in names.EINSUM | names.REVEAL},
    **{name: analysis.analyze_kernel for name in names.KERNEL},
}

_METHOD_HOOKS: dict[str, Callable[[Config, MethodContext], Type]] = {
    name: _analyze_method for name in names.ASSIGN
}


class TnpPlugin(Plugin):
    def __init__(self, options: Options) -> None:
        super().__init__(options)
        self.tnp_config = config_module.load(options.config_file)

    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        handler = _FUNCTION_HOOKS.get(fullname)
        return None if handler is None else guarded(handler, self.tnp_config)

    def get_method_hook(self, fullname: str) -> Callable[[MethodContext], Type] | None:
        handler = _METHOD_HOOKS.get(fullname)
        return None if handler is None else guarded(handler, self.tnp_config)

    def report_config_data(self, ctx: ReportConfigContext) -> Any:
        return self.tnp_config.data()
