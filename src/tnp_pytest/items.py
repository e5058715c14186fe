"""The pytest nodes of `--tnp-kernels`: `tnp-kernels` > one collector per module > one item
per kernel, with node ids such as `tnp-kernels::pkg.mod::matmul`.

An item draws its inputs from a seed of its own, a hash of the session's seed (`--tnp-seed`)
and its kernel's module and name: the same kernel gets the same inputs whatever else runs, in
whatever order, and a failure shows the session's seed and the command that reruns that kernel
alone. A kernel whose inputs cannot be built is skipped with the reason (`inputs.Unbuildable`).
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import pytest

from tnp_pytest import failures
from tnp_pytest.targets import ModuleRef

ROOT_NAME: Final = "tnp-kernels"
PROPERTY: Final = "tnp_kernel"


def kernel_seed(seed: int, module: str, name: str) -> int:
    """The seed of one kernel's inputs: fixed by the session's seed, the module and the name."""
    digest = hashlib.blake2b(f"{seed}|{module}|{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


class KernelsRoot(pytest.Collector):
    """All the modules `--tnp-kernels` names, one child per module (in the order named)."""

    def __init__(self, *, refs: list[ModuleRef], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.refs = refs

    def collect(self) -> Iterator[KernelModule]:
        seen: set[str] = set()
        for ref in self.refs:
            if ref.name in seen:
                continue
            seen.add(ref.name)
            path = ref.file if ref.file is not None else self.path
            yield KernelModule.from_parent(self, name=ref.name, ref=ref, path=path)


class KernelModule(pytest.Collector):
    """One module: importing it, and one item per kernel it defines."""

    def __init__(self, *, ref: ModuleRef, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ref = ref

    def collect(self) -> Iterator[KernelItem]:
        from tnp_pytest.targets import import_ref, kernels_of

        module = import_ref(self.ref)
        file = getattr(module, "__file__", None)
        if file is not None:
            self.path = Path(file)
        for name, kernel in kernels_of(module, self.ref.only):
            yield KernelItem.from_parent(self, name=name, kernel=kernel)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> Any:
        error = failures.tnp_exception(excinfo.value)
        base = self.config.invocation_params.dir
        if error is not None:
            lines, crash = failures.message_lines(error, excinfo.tb, base)
            return failures.TnpFailure(
                (f"importing {self.name} failed a tnp check:", *lines), crash)
        if isinstance(excinfo.value, LookupError | ImportError):
            return str(excinfo.value)
        return super().repr_failure(excinfo)


class KernelItem(pytest.Item):
    """One kernel, run on random inputs of its declared dims and compared with its spec."""

    def __init__(self, *, kernel: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        from tnp_pytest.inputs import Unbuildable, plan
        from tnp_runtime.kernel_form import def_line, signature_of

        self.kernel = kernel
        signature = signature_of(kernel)
        assert signature is not None, "collected from kernels_of"
        self.signature = signature
        function = inspect.unwrap(kernel)  # the kernel's own function, under any wrapper
        self.path = Path(function.__code__.co_filename)
        _, self.def_line = def_line(function)
        try:
            lines, first = inspect.getsourcelines(function)
        except (OSError, TypeError):
            lines, first = [""], self.def_line
        self.first_line, self.last_line = first, first + len(lines) - 1
        self.plan = plan(function, signature)
        self.seed = int(self.config.getoption("tnp_seed"))
        self.own_seed = kernel_seed(self.seed, kernel.__module__, self.name)
        self.module_name: str = kernel.__module__
        self.user_properties.append((PROPERTY, {
            "module": self.module_name, "name": self.name, "file": str(self.path),
            "first": self.first_line, "last": self.last_line,
        }))
        self.add_marker("tnp_kernel")
        if isinstance(self.plan, Unbuildable):
            # Skipped at setup, at the kernel's line, with the reason: never run, never passed.
            self.add_marker(pytest.mark.skip(reason=f"{self.name}: {self.plan.reason}"))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.def_line - 1, f"tnp kernel {self.module_name}::{self.name}"

    def runtest(self) -> None:
        from tnp_pytest.check import run
        from tnp_pytest.inputs import NoInputs, Unbuildable, build

        assert not isinstance(self.plan, Unbuildable), "skipped at setup (the skip marker)"
        try:
            arguments = build(self.kernel, self.plan, self.signature, self.own_seed)
        except NoInputs as err:
            pytest.skip(f"{self.name}: {err}")
        mismatches = run(self.kernel, self.signature, arguments)
        if mismatches:
            raise ResultMismatch(mismatches)

    def _inputs_lines(self) -> list[str]:
        from tnp_pytest.inputs import Plan

        ref = self.parent.ref if isinstance(self.parent, KernelModule) else None
        target = self.module_name
        if ref is not None and ref.file is not None:  # named by its path: rerun it so
            target = failures.shown_path(str(ref.file), self.config.invocation_params.dir)
        rerun = f"pytest --tnp-kernels={target}:{self.name} --tnp-seed={self.seed} -k {ROOT_NAME}"
        lines = [f"inputs (seed {self.seed}, --tnp-seed={self.seed}):"]
        if isinstance(self.plan, Plan):
            lines += [f"  {line}" for line in self.plan.describe(self.name)]
        return [*lines, f"rerun this kernel alone: {rerun}"]

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> Any:
        base = self.config.invocation_params.dir
        header = f"{self.module_name}::{self.name} failed on random inputs"
        error = failures.tnp_exception(excinfo.value)
        if isinstance(excinfo.value, ResultMismatch):
            path = failures.shown_path(str(self.path), base)
            lines = [header]
            for mismatch in excinfo.value.mismatches:
                lines.append(f"{path}:{self.def_line}: error: {mismatch.message}")
                lines += [f"{path}:{self.def_line}: note: {note}" for note in mismatch.notes]
            crash = failures.Crash(path, self.def_line,
                                   "error: a result is not its spec evaluated on its inputs")
            return failures.TnpFailure(tuple(lines), crash, tuple(self._inputs_lines()))
        if error is not None and not self.config.getoption("tnp_traceback"):
            lines, crash = failures.message_lines(error, excinfo.tb, base,
                                                  (str(self.path), self.def_line))
            return failures.TnpFailure((header, *lines), crash, tuple(self._inputs_lines()))
        shown = super().repr_failure(excinfo)
        return f"{shown}\n" + "\n".join(self._inputs_lines())


class ResultMismatch(Exception):
    """A kernel's result differs from its spec evaluated on the same inputs."""

    def __init__(self, mismatches: list[Any]) -> None:
        super().__init__("; ".join(m.message for m in mismatches))
        self.mismatches = mismatches
