"""The three arrows of the layering (docs/DESIGN.md §2.2), checked against an allowlist.

    tnp_mypy  ->  tnp_runtime.core  <-  tnp_runtime

| package                    | may import (besides the standard library)      |
|----------------------------|------------------------------------------------|
| `tnp_runtime.core`         | `tnp_runtime.core`                             |
| `tnp_runtime` outside core | numpy, `tnp_runtime`                           |
| `tnp_runtime.fix`          | libcst, mypy, pylsp, `tnp_runtime`             |
| `tnp_mypy`                 | mypy, `tnp_runtime.core`, `tnp_mypy`           |

The standard library is `sys.stdlib_module_names`: anything else a module imports must be on its
layer's list, so a new dependency fails here until the layering says where it belongs.

`tnp_mypy` may not import `tnp_runtime` outside the core. That part is the NumPy-facing half:
loading it (and NumPy, and the runtime's process-wide input table) into mypy's process would
slow every mypy run and give the plugin a second place to take rules from, while everything the
plugin needs is in the core or is a name it knows as text (`tnp_mypy.names`). For the same
reason `tnp_runtime/__init__.py`, which Python runs whenever the plugin imports the core, imports
only the standard library and the core at import time (it loads the rest on first use).

Nothing is imported: every module is read with `ast`. Imports inside functions and under
`if TYPE_CHECKING:` count, relative imports are resolved against the module's package, and
`importlib.import_module(...)` / `__import__(...)` with a literal name count too. The modules are
found by walking each package's directory, so a module added later is checked without being
listed here.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC_DIR = Path(__file__).resolve().parent.parent / "src"
STDLIB = frozenset(sys.stdlib_module_names)


@dataclass(frozen=True, slots=True)
class Layer:
    """One arrow's source: the modules of `package` (minus the sub-packages in `excluded`, which
    are layers of their own) may import the standard library and the packages in `allowed`."""

    name: str
    package: str
    allowed: tuple[str, ...]
    excluded: tuple[str, ...] = ()

    @property
    def directory(self) -> Path:
        return SRC_DIR.joinpath(*self.package.split("."))


CORE = Layer("core", "tnp_runtime.core", allowed=("tnp_runtime.core",))
RUNTIME = Layer(
    "runtime", "tnp_runtime", allowed=("numpy", "tnp_runtime"),
    excluded=("tnp_runtime.core", "tnp_runtime.fix"),
)
# The fix-its: libcst to edit sources, mypy for the diagnostics (`tnp fix`), pylsp for the
# editor's quick fixes (loaded by the language server only).
FIX = Layer("fix", "tnp_runtime.fix", allowed=("libcst", "mypy", "pylsp", "tnp_runtime"))
PLUGIN = Layer("plugin", "tnp_mypy", allowed=("mypy", "tnp_runtime.core", "tnp_mypy"))
# The pytest plugin runs kernels: it may use the runtime, NumPy and pytest (never mypy in its
# process: it runs mypy as a subprocess).
PYTEST = Layer("pytest", "tnp_pytest", allowed=("pytest", "numpy", "tnp_runtime", "tnp_pytest"))
LAYERS = (CORE, RUNTIME, FIX, PLUGIN, PYTEST)


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def is_allowed(module: str, layer: Layer) -> bool:
    """True if a module of `layer` may import `module` (a full dotted name)."""
    if module.split(".", 1)[0] in STDLIB:
        return True
    return any(_within(module, allowed) for allowed in layer.allowed)


def _resolve_relative(package: str, level: int, module: str | None) -> str | None:
    """The absolute name of `from <level dots><module> import ...` inside `package`; None if it
    climbs above the top-level package."""
    parts = package.split(".")
    if level > len(parts):
        return None
    base = ".".join(parts[: len(parts) - level + 1])
    return f"{base}.{module}" if module else base


def _literal_argument(call: ast.Call) -> str | None:
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


def _is_dynamic_import(func: ast.expr) -> bool:
    """`__import__(...)`, `import_module(...)` or `importlib.import_module(...)`."""
    if isinstance(func, ast.Name):
        return func.id in {"__import__", "import_module"}
    return isinstance(func, ast.Attribute) and func.attr == "import_module"


@dataclass(frozen=True, slots=True)
class Imported:
    """One import: the module named (None: a relative import above the top package), the
    names taken from it (`from m import a, b`), its line, and the text it was written as."""

    module: str | None
    names: tuple[str, ...]
    line: int
    shown: str


def imports_of(tree: ast.AST, package: str) -> Iterator[Imported]:
    """Every import under `tree`, wherever it stands (functions, `if TYPE_CHECKING:`)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Imported(alias.name, (), node.lineno, alias.name)
        elif isinstance(node, ast.ImportFrom):
            shown = "." * node.level + (node.module or "")
            if node.level:
                module = _resolve_relative(package, node.level, node.module)
            else:
                module = node.module
            names = tuple(alias.name for alias in node.names)
            yield Imported(module, names, node.lineno, shown)
        elif isinstance(node, ast.Call) and _is_dynamic_import(node.func):
            name = _literal_argument(node)
            if name is None:
                continue
            level = len(name) - len(name.lstrip("."))
            module = _resolve_relative(package, level, name[level:] or None) if level else name
            yield Imported(module, (), node.lineno, name)


def _check(imported: Imported, layer: Layer) -> str | None:
    """Why `imported` breaks `layer`'s rule, or None."""
    if imported.module is None:
        return f"line {imported.line}: {imported.shown} (relative import beyond the top package)"
    if is_allowed(imported.module, layer):
        return None
    # `from tnp_runtime import core` imports the submodule tnp_runtime.core, which may be
    # allowed where tnp_runtime is not; every name taken must then be an allowed submodule.
    if imported.names and all(
        is_allowed(f"{imported.module}.{name}", layer) for name in imported.names
    ):
        return None
    if imported.names and imported.module in {"tnp_runtime", "tnp_mypy"}:
        bad = [n for n in imported.names if not is_allowed(f"{imported.module}.{n}", layer)]
        return f"line {imported.line}: {', '.join(f'{imported.module}.{n}' for n in bad)}"
    return f"line {imported.line}: {imported.module}"


def layering_violations(source: str, layer: Layer, package: str | None = None) -> list[str]:
    """Each import in `source` that `layer` may not make, as "line N: <module>".

    `package` is the package the module lives in (for `pkg/x.py` and `pkg/__init__.py` alike,
    `pkg`; default: the layer's package); relative imports are resolved against it.
    """
    tree = ast.parse(source)
    found = (_check(imported, layer) for imported in imports_of(tree, package or layer.package))
    return [problem for problem in found if problem is not None]


def _under_type_checking(node: ast.stmt) -> bool:
    return isinstance(node, ast.If) and (
        (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
        or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")
    )


def import_time_violations(source: str, layer: Layer, package: str) -> list[str]:
    """As `layering_violations`, for the imports that run when the module is imported: its
    top-level statements, minus `if TYPE_CHECKING:` blocks, function and class bodies."""
    problems: list[str] = []
    pending: list[ast.stmt] = list(ast.parse(source).body)
    while pending:
        node = pending.pop()
        if _under_type_checking(node):
            pending.extend(node.orelse)
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            module = ast.Module(body=[node], type_ignores=[])
            for imported in imports_of(module, package):
                problem = _check(imported, layer)
                if problem is not None:
                    problems.append(problem)
            continue
        for field in ("body", "orelse", "finalbody", "handlers"):
            children = getattr(node, field, None)
            if isinstance(children, list):
                pending.extend(child for child in children if isinstance(child, ast.stmt))
        if isinstance(node, ast.Try):
            for handler in node.handlers:
                pending.extend(handler.body)
    return sorted(problems)


def package_of(path: Path) -> str:
    """The package a source file lives in: `src/a/b/c.py` and `src/a/b/__init__.py` -> `a.b`."""
    return ".".join(path.relative_to(SRC_DIR).parent.parts)


def modules_of(layer: Layer) -> list[Path]:
    """Every module of the layer, found by walking its directory."""
    paths = []
    for path in sorted(layer.directory.rglob("*.py")):
        if any(_within(package_of(path), excluded) for excluded in layer.excluded):
            continue
        paths.append(path)
    return paths


def _cases() -> list[tuple[Layer, Path]]:
    return [(layer, path) for layer in LAYERS for path in modules_of(layer)]


@pytest.mark.parametrize("layer", LAYERS, ids=lambda layer: layer.name)
def test_layer_has_modules(layer: Layer) -> None:
    assert len(modules_of(layer)) >= 2, f"no modules found under {layer.directory}"


def test_layers_cover_every_module() -> None:
    """Every module of the two packages is checked by exactly one layer."""
    checked = [path for _, path in _cases()]
    assert len(checked) == len(set(checked))
    every = sorted({
        *(SRC_DIR / "tnp_runtime").rglob("*.py"), *(SRC_DIR / "tnp_mypy").rglob("*.py"),
        *(SRC_DIR / "tnp_pytest").rglob("*.py"),
    })
    assert sorted(checked) == every


@pytest.mark.parametrize(
    ("layer", "path"),
    _cases(),
    ids=lambda value: value.name if isinstance(value, Layer) else str(value.relative_to(SRC_DIR)),
)
def test_module_imports_only_what_its_layer_allows(layer: Layer, path: Path) -> None:
    violations = layering_violations(path.read_text(encoding="utf-8"), layer, package_of(path))
    allowed = ", ".join(("the standard library", *layer.allowed))
    assert not violations, (
        f"{path.relative_to(SRC_DIR)} breaks the layering ({layer.package} may import only "
        f"{allowed}; docs/DESIGN.md §2.2):\n  " + "\n  ".join(violations)
    )


def test_runtime_package_loads_only_the_core_at_import_time() -> None:
    """The plugin imports `tnp_runtime.core`, which runs `tnp_runtime/__init__.py` first: at
    import time that file may load nothing the plugin may not (no NumPy in mypy's process)."""
    init = SRC_DIR / "tnp_runtime" / "__init__.py"
    violations = import_time_violations(init.read_text(encoding="utf-8"), CORE, "tnp_runtime")
    assert not violations, (
        "tnp_runtime/__init__.py imports more than the standard library and the core when it "
        "loads, so mypy with the plugin would load it too:\n  " + "\n  ".join(violations)
    )


def test_pytest_plugin_loads_only_pytest_at_import_time() -> None:
    """pytest loads `tnp_pytest` (its `pytest11` entry point) in every session of an environment
    tnp is installed in: at import time it may load only the standard library and pytest (the
    runtime and NumPy load when a session asks for kernels, or a tnp error is reported)."""
    init = SRC_DIR / "tnp_pytest" / "__init__.py"
    entry = Layer("pytest entry point", "tnp_pytest", allowed=("pytest",))
    violations = import_time_violations(init.read_text(encoding="utf-8"), entry, "tnp_pytest")
    assert not violations, (
        "tnp_pytest/__init__.py imports more than the standard library and pytest when it "
        "loads, so every pytest session would load it:\n  " + "\n  ".join(violations)
    )


# The checker itself, on sources that break each arrow and on sources that keep to it. Each
# arrow's checker is the same function the tests above run on the real modules.

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
        ("importlib.import_module('..typed', __package__)", ["line 1: tnp_runtime.typed"]),
        # An allowlist: any package that is not the standard library needs a place.
        ("import typing_extensions", ["line 1: typing_extensions"]),
        ("import numpyish", ["line 1: numpyish"]),
        ("from hypothesis import given", ["line 1: hypothesis"]),
    ],
)
def test_core_checker_reports(source: str, expected: list[str]) -> None:
    assert layering_violations(source, CORE) == expected


@pytest.mark.parametrize(
    "source",
    [
        "import dataclasses\nfrom fractions import Fraction\nfrom __future__ import annotations",
        "import importlib.metadata",
        "from . import ir",
        "from .dims import FullDim",
        "from .. import core",
        "from ..core.ir import Node",
        "from tnp_runtime.core import dims",
        "import tnp_runtime.core.prove",
        "from tnp_runtime import core",
        "importlib.import_module('.ir', __package__)",
    ],
)
def test_core_checker_accepts(source: str) -> None:
    assert layering_violations(source, CORE) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import mypy", ["line 1: mypy"]),
        ("from mypy.nodes import CallExpr", ["line 1: mypy.nodes"]),
        ("import tnp_mypy", ["line 1: tnp_mypy"]),
        ("from tnp_mypy.report import emit", ["line 1: tnp_mypy.report"]),
        ("def f():\n    from tnp_mypy import plugin\n", ["line 2: tnp_mypy.plugin"]),
        ("import scipy.linalg", ["line 1: scipy.linalg"]),
        ("from ... import tnp_mypy", ["line 1: ... (relative import beyond the top package)"]),
    ],
)
def test_runtime_checker_reports(source: str, expected: list[str]) -> None:
    assert layering_violations(source, RUNTIME) == expected


@pytest.mark.parametrize(
    "source",
    [
        "import numpy as np\nimport numpy.typing as npt",
        "from tnp_runtime.typed import Typed",
        "from . import errors",
        "from .core import rules",
        "import tnp_runtime.core.spec",
        "import inspect, functools",
    ],
)
def test_runtime_checker_accepts(source: str) -> None:
    assert layering_violations(source, RUNTIME) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import numpy", ["line 1: numpy"]),
        ("import tnp_runtime", ["line 1: tnp_runtime"]),
        ("from tnp_runtime import Typed", ["line 1: tnp_runtime.Typed"]),
        ("from tnp_runtime.typed import Typed", ["line 1: tnp_runtime.typed"]),
        ("from tnp_runtime import core, typed", ["line 1: tnp_runtime.typed"]),
        ("import tnp_runtime.kernel_form", ["line 1: tnp_runtime.kernel_form"]),
        (
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n"
            "    from tnp_runtime import errors\n",
            ["line 3: tnp_runtime.errors"],
        ),
        ("def f():\n    import tnp_runtime.result\n", ["line 2: tnp_runtime.result"]),
        ("importlib.import_module('tnp_runtime.functions')", ["line 1: tnp_runtime.functions"]),
        ("import pylsp", ["line 1: pylsp"]),
    ],
)
def test_plugin_checker_reports(source: str, expected: list[str]) -> None:
    assert layering_violations(source, PLUGIN, "tnp_mypy.interpreter") == expected


@pytest.mark.parametrize(
    "source",
    [
        "from mypy.nodes import CallExpr\nimport mypy.checker",
        "from tnp_runtime.core.spec import SpecError",
        "from tnp_runtime import core",
        "import tnp_runtime.core.rules",
        "from tnp_mypy import names",
        "from . import values",
        "from ..report import Finding",
        "import tomllib, configparser",
    ],
)
def test_plugin_checker_accepts(source: str) -> None:
    assert layering_violations(source, PLUGIN, "tnp_mypy.interpreter") == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import numpy", ["line 1: numpy"]),
        ("from tnp_runtime.typed import Typed", ["line 1: tnp_runtime.typed"]),
        ("from . import typed", ["line 1: tnp_runtime.typed"]),
        ("try:\n    import numpy\nexcept ImportError:\n    pass\n", ["line 2: numpy"]),
    ],
)
def test_import_time_checker_reports(source: str, expected: list[str]) -> None:
    assert import_time_violations(source, CORE, "tnp_runtime") == expected


@pytest.mark.parametrize(
    "source",
    [
        "from tnp_runtime.core.dims import FullDim",
        "import importlib",
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from tnp_runtime.typed import Typed\n",
        "def __getattr__(name):\n    import numpy\n    return numpy\n",
    ],
)
def test_import_time_checker_accepts(source: str) -> None:
    assert import_time_violations(source, CORE, "tnp_runtime") == []


def test_a_bad_module_on_disk_fails_its_layer(tmp_path: Path) -> None:
    """The real modules' check, run on a file with a bad import for each arrow."""
    bad = {CORE: "import numpy\n", RUNTIME: "import mypy.nodes\n", PLUGIN: "import numpy\n"}
    for layer, source in bad.items():
        path = tmp_path / f"{layer.name}.py"
        path.write_text(source, encoding="utf-8")
        assert layering_violations(path.read_text(encoding="utf-8"), layer), layer.name
