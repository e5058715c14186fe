"""A scope is interpreted once per mypy run, however many hooks fire in it (every `assign`,
`Typed(...)`, `einsum`, each overload attempt); a kernel unrolled many times costs one pass."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import mypy.api
import pytest

from tests.support.mypy_run import CASES_DIR, CONFIG
from tnp_mypy.features import analysis
from tnp_mypy.interpreter.evaluator import Interpreter


def test_each_scope_is_interpreted_once(monkeypatch: pytest.MonkeyPatch) -> None:
    runs: Counter[str] = Counter()

    def counting(method: Callable[..., Any]) -> Callable[..., Any]:
        def run(self: Interpreter, fn: Any) -> Any:
            runs[fn.name] += 1
            return method(self, fn)

        return run

    monkeypatch.setattr(Interpreter, "run_kernel", counting(Interpreter.run_kernel))
    monkeypatch.setattr(Interpreter, "run_function", counting(Interpreter.run_function))
    monkeypatch.setattr(analysis, "_CACHE", {})
    stdout, _, _ = mypy.api.run(
        ["--config-file", str(CONFIG), "--no-incremental", str(CASES_DIR / "kernel_form.py")]
    )
    assert "[tnp-spec]" in stdout
    assert runs == Counter({"matmul": 1, "wrong_constant": 1, "skips_a_tile": 1, "main": 1})
