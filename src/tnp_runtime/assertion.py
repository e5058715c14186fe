"""`tnp.assert_spec(value, "spec")`: an intermediate assertion, checked at once.

The check is the core's (`core.assertion`), the one the mypy plugin runs at the same line.
Inside a kernel the spec names the kernel's parameters: `@tnp.kernel` makes the call's
`KernelScope` current (`in_kernel`) while the body runs. Outside a kernel (script form) it
resolves against the inputs bound to names where the assertion is made, and those the value
reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from tnp_runtime.core.assertion import KernelScope, check_assertion
from tnp_runtime.core.calls import script_binding
from tnp_runtime.core.diagnostics import Violation
from tnp_runtime.errors import reraise
from tnp_runtime.result import _inputs_in_scope
from tnp_runtime.typed import Typed, spec_input

T = TypeVar("T", bound=Typed[Any])

# The innermost kernel call running in this context (None: script form).
_SCOPE: ContextVar[KernelScope | None] = ContextVar("tnp_kernel_scope", default=None)


@contextmanager
def in_kernel(scope: KernelScope) -> Iterator[None]:
    """Make `scope` the current kernel call while its body runs."""
    token = _SCOPE.set(scope)
    try:
        yield
    finally:
        _SCOPE.reset(token)


def assert_spec(value: T, spec: str) -> T:
    """Check that `value` is `spec` (restricted to the value's region) and return it.

    Raises `TypeCheckError` (`tnp-dim`, `tnp-spec`, `tnp-reduce`, `tnp-unproven`, as an
    `assign` would) or `SpecError` (`tnp-bad-spec`), located at the caller's line.
    """
    if not isinstance(value, Typed):
        raise TypeError(f"assert_spec takes a Typed value, got {type(value).__name__}")
    if not isinstance(spec, str):
        raise TypeError(f"assert_spec takes a spec string, got {type(spec).__name__}")
    abstract = value.abstract
    try:
        check_assertion(
            abstract,
            spec,
            _SCOPE.get(),
            lambda: script_binding(abstract.dims, abstract.expr, spec_input, _inputs_in_scope()),
        )
    except Violation as err:
        reraise(err)
    return value


__all__ = ["assert_spec", "in_kernel"]
