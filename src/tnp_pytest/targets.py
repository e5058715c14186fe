"""What `--tnp-kernels` names: packages, modules, files and directories, and the kernels in them.

An entry is a dotted module name (`pkg`, `pkg.kernels`: a package is walked, submodules
included), or a path (`examples/matmul.py`, `examples/`: a directory is walked for `*.py`
files), optionally followed by `:NAME` to keep one kernel (`pkg.mod:matmul`). A path is
imported as pytest imports a test file by default ("prepend"): its module name is found by
walking up the directories that hold an `__init__.py`, and the directory above them is put
first on `sys.path`. A name that is not importable but is an existing path is taken as a path.

Invariant: a module is imported by its own name at most once per session, and the kernels of a
module are the `@tnp.kernel` functions it defines (not those it imports), in source order.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import pkgutil
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any


@dataclass(frozen=True, slots=True)
class Target:
    """One entry of `--tnp-kernels`: what it names and, after `:`, the one kernel it keeps."""

    text: str
    kernel: str | None = None


@dataclass(frozen=True, slots=True)
class ModuleRef:
    """A module to import: its dotted name, and for a path the directory put on `sys.path`
    and the file it must come from. `only` keeps one kernel of it (None: all)."""

    name: str
    root: Path | None = None
    file: Path | None = None
    only: str | None = None


def parse_targets(values: list[str]) -> list[Target]:
    """`--tnp-kernels` values (each comma-separated) as targets, in order, without repeats."""
    found: dict[Target, None] = {}
    for value in values:
        for entry in value.split(","):
            entry = entry.strip()
            if not entry:
                continue
            text, kernel = entry, None
            head, sep, tail = entry.rpartition(":")
            if sep and tail.isidentifier() and head:
                text, kernel = head, tail
            found[Target(text, kernel)] = None
    return list(found)


def _is_dotted(text: str) -> bool:
    return all(part.isidentifier() for part in text.split("."))


def module_refs(target: Target, base: Path) -> list[ModuleRef]:
    """The modules `target` names (`base`: where relative paths start). Packages are imported
    to walk them; an error importing one is raised (a module that fails is left for its own
    import, so each failure is reported once, at that module)."""
    if _is_dotted(target.text) and not target.text.endswith(".py"):
        try:
            found = importlib.util.find_spec(target.text)
        except (ImportError, ValueError):
            found = None
        if found is not None:
            return _package_refs(target, found.submodule_search_locations is not None)
        # Not importable as it stands: the module's file under `base` (pytest's rootdir is not
        # on `sys.path` unless configured so), or a directory named like a module.
        dotted = base.joinpath(*target.text.split("."))
        path = next((p for p in (dotted.with_suffix(".py"), dotted, base / target.text)
                     if p.exists()), base / target.text)
        if not path.exists():
            raise LookupError(
                f"--tnp-kernels: no module or path {target.text!r} (a module must be "
                f"importable, or a file under {base}; a path is relative to it)"
            )
        return _path_refs(target, path)
    path = Path(target.text)
    path = path if path.is_absolute() else base / path
    if not path.exists():
        raise LookupError(f"--tnp-kernels: no such file or directory: {target.text}")
    return _path_refs(target, path)


def _package_refs(target: Target, is_package: bool) -> list[ModuleRef]:
    refs = [ModuleRef(target.text, only=target.kernel)]
    if not is_package:
        return refs
    package = importlib.import_module(target.text)
    failed: list[str] = []
    for info in pkgutil.walk_packages(
        package.__path__, prefix=target.text + ".", onerror=failed.append
    ):
        refs.append(ModuleRef(info.name, only=target.kernel))
    refs.extend(ModuleRef(name, only=target.kernel) for name in failed)
    return refs


def _path_refs(target: Target, path: Path) -> list[ModuleRef]:
    if path.is_dir():
        files = sorted(
            p for p in path.rglob("*.py")
            if not any(part.startswith(".") or part == "__pycache__" for part in p.parts)
        )
    else:
        files = [path]
    return [_file_ref(file.resolve(), target.kernel) for file in files]


def _file_ref(file: Path, only: str | None) -> ModuleRef:
    """`file`'s module name and the directory above its outermost package."""
    parts = [] if file.name == "__init__.py" else [file.stem]
    directory = file.parent
    while (directory / "__init__.py").exists() and directory.parent != directory:
        parts.insert(0, directory.name)
        directory = directory.parent
    return ModuleRef(".".join(parts), root=directory, file=file, only=only)


def import_ref(ref: ModuleRef) -> ModuleType:
    """Import the module (a path: from its file, its root first on `sys.path`); an import
    error is the module's own exception. A path whose name is already a module from another
    file is an `ImportError` saying so."""
    if ref.root is not None and str(ref.root) not in sys.path:
        sys.path.insert(0, str(ref.root))
    module = importlib.import_module(ref.name)
    if ref.file is not None:
        loaded = getattr(module, "__file__", None)
        if loaded is None or Path(loaded).resolve() != ref.file:
            raise ImportError(
                f"--tnp-kernels: {ref.file} is module {ref.name}, but {ref.name} is already "
                f"imported from {loaded}: rename one of them, or name the package instead"
            )
    return module


def kernels_of(module: ModuleType, only: str | None) -> list[tuple[str, Any]]:
    """The `@tnp.kernel` functions `module` defines, by name, in source order."""
    from tnp_runtime.kernel_form import signature_of

    found: dict[int, tuple[int, str, Any]] = {}
    for name, value in vars(module).items():
        if signature_of(value) is None or getattr(value, "__module__", None) != module.__name__:
            continue
        if only is not None and name != only:
            continue
        code = getattr(inspect.unwrap(value), "__code__", None)
        line = code.co_firstlineno if code is not None else 0
        found.setdefault(id(value), (line, name, value))
    if only is not None and not found:
        raise LookupError(f"--tnp-kernels: {module.__name__} defines no kernel {only!r}")
    return [(name, value) for _, name, value in sorted(found.values(), key=lambda t: t[:2])]


def display_path(path: str | os.PathLike[str], base: Path) -> str:
    """`path` relative to `base` when it lies under it (as mypy shows paths), else as is."""
    try:
        return str(Path(path).resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)
