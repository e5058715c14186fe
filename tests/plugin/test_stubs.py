"""The stubs give user code a clean `mypy --strict` (with the plugin): `a * 3`, `2 / b`,
`-np.inf - x`, `acc + t if acc is not None else t`, bare `Typed | None` all type-check, and
the file runs. Note: `np.sqrt(16)` is `Any` in NumPy's stubs, so strict code uses
`math.sqrt` or `np.float64` for plain numbers."""

from __future__ import annotations

import ast
import runpy

from tests.support.mypy_run import PLUGIN_DIR, REPO_DIR, run_mypy

STRICT = PLUGIN_DIR / "strict" / "api_surface.py"


def test_api_surface_is_clean_under_strict() -> None:
    assert run_mypy(STRICT, extra=("--strict",)) == ""


def test_api_surface_runs() -> None:
    runpy.run_path(str(STRICT), run_name="__main__")


def _public(tree: ast.Module) -> dict[str, set[str]]:
    """Names in `__all__`, and the public methods of each class, of a module's source."""
    found: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "__all__":
            assert isinstance(node.value, ast.List)
            found["__all__"] = {e.value for e in node.value.elts if isinstance(e, ast.Constant)}
        if isinstance(node, ast.ClassDef):
            found[node.name] = {
                item.name
                for item in node.body
                if isinstance(item, ast.FunctionDef) and not item.name.startswith("_")
            }
    return found


def test_stubs_cover_the_runtime_api() -> None:
    """Every name the runtime exports, and every public method of Typed and TypedResult, is in
    the stubs: a new API function must be added to both."""
    runtime_dir = REPO_DIR / "src" / "tnp_runtime"
    stubs_file = REPO_DIR / "src" / "tnp_runtime-stubs" / "__init__.pyi"
    stubs = _public(ast.parse(stubs_file.read_text()))
    exported = _public(ast.parse((runtime_dir / "__init__.py").read_text()))["__all__"]
    assert exported == stubs["__all__"]
    for module, name in (("typed.py", "Typed"), ("result.py", "TypedResult")):
        methods = _public(ast.parse((runtime_dir / module).read_text()))[name]
        assert methods - {"bind", "unary"} <= stubs[name], (name, methods - stubs[name])
