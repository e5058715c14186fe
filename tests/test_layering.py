"""Dependencies point one way: `tnp_mypy -> tnp_runtime.core <- tnp_runtime`.

`tnp_runtime.core` is the type system both halves share, so it may use the standard library
only: no numpy, no mypy, and nothing else of `tnp_runtime` (nor of `tnp_mypy`). This test reads
every module under `tnp_runtime/core/` with `ast` (nothing is imported) and lists each import
that breaks the rule, relative imports resolved against the module's package.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE_DIR = Path(__file__).resolve().parent.parent / "src" / "tnp_runtime" / "core"
CORE_PACKAGE = "tnp_runtime.core"
FORBIDDEN_TOP_LEVEL = frozenset({"numpy", "mypy", "tnp_mypy"})


def _is_forbidden(module: str) -> bool:
    """True if core may not import `module` (a full dotted name)."""
    top = module.split(".", 1)[0]
    if top in FORBIDDEN_TOP_LEVEL:
        return True
    if top == "tnp_runtime":
        return not (module == CORE_PACKAGE or module.startswith(CORE_PACKAGE + "."))
    return False


def _resolve_relative(package: str, level: int, module: str | None) -> str | None:
    """The absolute name of `from <level dots><module> import ...` inside `package`."""
    parts = package.split(".")
    if level > len(parts):
        return None  # climbs above the top-level package: an error in itself
    base = ".".join(parts[: len(parts) - level + 1])
    return f"{base}.{module}" if module else base


def _string_argument(call: ast.Call) -> str | None:
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


def _is_dynamic_import(func: ast.expr) -> bool:
    """`__import__(...)`, `import_module(...)` or `importlib.import_module(...)`."""
    if isinstance(func, ast.Name):
        return func.id in {"__import__", "import_module"}
    return isinstance(func, ast.Attribute) and func.attr == "import_module"


def layering_violations(source: str, package: str = CORE_PACKAGE) -> list[str]:
    """Each forbidden import in `source`, as "line N: <module>".

    `package` is the package the module lives in (for `core/x.py` and `core/__init__.py` alike,
    `tnp_runtime.core`); relative imports are resolved against it. Dynamic imports with a
    literal name (`importlib.import_module("numpy")`) count too.
    """
    violations: list[str] = []

    def check(module: str | None, line: int, shown: str) -> None:
        if module is None:
            violations.append(f"line {line}: {shown} (relative import beyond the top package)")
        elif _is_forbidden(module):
            violations.append(f"line {line}: {module}")

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                check(alias.name, node.lineno, alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _resolve_relative(package, node.level, node.module)
            else:
                base = node.module
            shown = "." * node.level + (node.module or "")
            if base == "tnp_runtime":
                # `from tnp_runtime import core` is fine, `from .. import typed` is not.
                for alias in node.names:
                    check(f"{base}.{alias.name}", node.lineno, shown)
            else:
                check(base, node.lineno, shown)
        elif isinstance(node, ast.Call) and _is_dynamic_import(node.func):
            name = _string_argument(node)
            if name is not None and not name.startswith("."):
                check(name, node.lineno, name)
    return violations


CORE_MODULES = sorted(CORE_DIR.rglob("*.py"))


def _package_of(path: Path) -> str:
    relative = path.relative_to(CORE_DIR).parent.parts
    return ".".join((CORE_PACKAGE, *relative))


def test_core_has_modules() -> None:
    assert CORE_MODULES, f"no modules found under {CORE_DIR}"


@pytest.mark.parametrize("path", CORE_MODULES, ids=lambda p: str(p.relative_to(CORE_DIR)))
def test_core_module_imports_only_stdlib_and_core(path: Path) -> None:
    violations = layering_violations(path.read_text(encoding="utf-8"), _package_of(path))
    assert not violations, (
        f"{path.relative_to(CORE_DIR.parent.parent)} breaks the layering "
        "(core may import only the standard library and tnp_runtime.core):\n  "
        + "\n  ".join(violations)
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import numpy as np", ["line 1: numpy"]),
        ("import numpy.linalg", ["line 1: numpy.linalg"]),
        ("from mypy.nodes import CallExpr", ["line 1: mypy.nodes"]),
        ("import tnp_mypy.plugin", ["line 1: tnp_mypy.plugin"]),
        ("import tnp_runtime", ["line 1: tnp_runtime"]),
        ("from tnp_runtime import Typed", ["line 1: tnp_runtime.Typed"]),
        ("from tnp_runtime.typed import Typed", ["line 1: tnp_runtime.typed"]),
        ("from .. import errors", ["line 1: tnp_runtime.errors"]),
        ("from ..typed import Typed", ["line 1: tnp_runtime.typed"]),
        ("from ...x import y", ["line 1: ...x (relative import beyond the top package)"]),
        ("import os\n\ndef f():\n    import numpy\n", ["line 4: numpy"]),
        (
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n"
            "    from mypy.types import Type\n",
            ["line 3: mypy.types"],
        ),
        ("import importlib\nimportlib.import_module('numpy')", ["line 2: numpy"]),
        ("__import__('mypy')", ["line 1: mypy"]),
    ],
)
def test_checker_reports_violation(source: str, expected: list[str]) -> None:
    assert layering_violations(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        "import dataclasses\nfrom fractions import Fraction",
        "from . import ir",
        "from .dims import FullDim",
        "from .. import core",
        "from ..core.ir import Node",
        "from tnp_runtime.core import dims",
        "import tnp_runtime.core.prove",
        "from tnp_runtime import core",
        "import numpyish  # a name that merely starts like numpy",
        "importlib.import_module('.ir', __package__)",
    ],
)
def test_checker_accepts_stdlib_and_core(source: str) -> None:
    assert layering_violations(source) == []
