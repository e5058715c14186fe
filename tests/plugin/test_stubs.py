"""The stubs give user code a clean `mypy --strict` (with the plugin): `a * 3`, `2 / b`,
`-np.inf - x`, `acc + t if acc is not None else t`, bare `Typed | None` all type-check, and
the file runs. Note: `np.sqrt(16)` is `Any` in NumPy's stubs, so strict code uses
`math.sqrt` or `np.float64` for plain numbers."""

from __future__ import annotations

import ast
import runpy

import tnp_runtime
from tests.plugin.harness import PLUGIN_DIR, REPO_DIR, run_mypy
from tnp_runtime.core.elementwise import ELEMENTWISE

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
    assert set(tnp_runtime.__all__) == stubs["__all__"]
    for module, name in (("typed.py", "Typed"), ("result.py", "TypedResult")):
        methods = _public(ast.parse((runtime_dir / module).read_text()))[name]
        assert methods - {"bind", "unary"} <= stubs[name], (name, methods - stubs[name])


def _elementwise_declarations(tree: ast.Module) -> set[str]:
    """Functions the stubs declare with exactly the two overloads of an elementwise function:
    `(x: Typed[Any]) -> Typed[Any]` and `(x: _Number) -> float`."""
    overloads: dict[str, list[tuple[str, str]]] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and any(
            ast.unparse(d) == "overload" for d in node.decorator_list
        ):
            params = node.args.args
            if len(params) == 1 and params[0].annotation and node.returns:
                signature = (ast.unparse(params[0].annotation), ast.unparse(node.returns))
            else:
                signature = ("", "")
            overloads.setdefault(node.name, []).append(signature)
    wanted = [("Typed[Any]", "Typed[Any]"), ("_Number", "float")]
    return {name for name, found in overloads.items() if found == wanted}


def test_stubs_declare_exactly_the_elementwise_registry() -> None:
    """mypy reads declarations, not the registry: each elementwise function of
    `core.elementwise.ELEMENTWISE` has its two overloads in the stubs, and nothing else has
    that shape (a function dropped from the registry must leave the stubs too)."""
    stubs_file = REPO_DIR / "src" / "tnp_runtime-stubs" / "__init__.pyi"
    tree = ast.parse(stubs_file.read_text())
    assert _elementwise_declarations(tree) == set(ELEMENTWISE)
    assert set(ELEMENTWISE) <= _public(tree)["__all__"]


def test_the_stub_check_sees_a_missing_declaration() -> None:
    """The check above can fail: stubs without `sqrt`'s overloads do not pass it."""
    stubs_file = REPO_DIR / "src" / "tnp_runtime-stubs" / "__init__.pyi"
    text = stubs_file.read_text().replace("def sqrt(x: _Number) -> float: ...", "")
    assert _elementwise_declarations(ast.parse(text)) == set(ELEMENTWISE) - {"sqrt"}
