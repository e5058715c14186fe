"""A small project edited in steps (bug, fix, undo), for the tests that check an editor's mypy
(the daemon, the incremental cache) always shows the verdict of the code as it is now.

Files: `sizes.py` declares the dims; `script.py` holds script-form code at module level and in a
function; `kernels.py` a kernel and a function calling it with its own result. Every edit gives
the file an mtime of its own whole second (mypy compares sizes and whole-second mtimes: see
`touch`), unless a test asks for the same mtime on purpose.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

SIZES = 'from tnp_runtime import FullDim\n\nM, N = FullDim("{name}", {m}), FullDim("N", 8)\n'

# Script form: a result filled at module level, and one in a function. `{module}` and
# `{function}` are the factors the tiles are scaled by; the specs say 2.
SCRIPT = '''\
import numpy as np

from sizes import M, N
from tnp_runtime import Typed, TypedResult

x = Typed(np.ones((8, 8)), M, N, name="X")
c = TypedResult("2 * X:M N")
for im in range(0, 8, 4):
    c.assign(x.slice(M, im, im + 4) * {module})


def main() -> None:
    y = Typed(np.ones((8, 8)), M, N, name="Y")
    d = TypedResult("2 * Y:M N")
    for im in range(0, 8, 4):
        d.assign(y.slice(M, im, im + 4) * {function})
'''
SCRIPT_MODULE_LINE = 9
SCRIPT_FUNCTION_LINE = 16

# Kernel form: `{factor}` scales each tile, `{stop}` ends the tile loop (8 covers all rows).
KERNELS = '''\
from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from sizes import M, N
from tnp_runtime import Typed, TypedResult


@tnp.kernel
def double(x: Typed[L["M N"]], c: TypedResult[L["2 * x:M N"]]) -> None:
    for im in range(0, {stop}, 4):
        c.assign(x.slice(M, im, im + 4) * {factor})


def main() -> None:
    c = TypedResult("2 * x:M N")
    double(Typed(np.ones((M.size, 8)), M, N, name="X"), c)
'''
KERNEL_DEF_LINE = 11
KERNEL_ASSIGN_LINE = 13

MYPY_INI = "[mypy]\nplugins = tnp_mypy\ncache_dir = {cache}\n"

_ERROR = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): error: .*\[(?P<code>[a-z0-9-]+)\]$")

Verdict = frozenset[tuple[str, int, str]]


def verdict(stdout: str) -> Verdict:
    """The (file name, line, code) of every error mypy printed."""
    found = set()
    for text in stdout.splitlines():
        match = _ERROR.match(text)
        if match:
            found.add((Path(match.group("file")).name, int(match.group("line")),
                       match.group("code")))
    return frozenset(found)


@dataclass
class Project:
    """The project's directory; `clock` is the whole second the next edit is stamped with."""

    root: Path
    clock: int

    FILES = ("sizes.py", "script.py", "kernels.py")

    @classmethod
    def create(cls, root: Path) -> Project:
        project = cls(root, clock=int(Path(root).stat().st_mtime) - 10_000)
        (root / "mypy.ini").write_text(MYPY_INI.format(cache=root / ".mypy_cache"))
        project.write("sizes.py", SIZES.format(name="M", m=8))
        project.write("script.py", SCRIPT.format(module=2, function=2))
        project.write("kernels.py", KERNELS.format(factor=2, stop=8))
        return project

    def write(self, name: str, text: str, *, same_mtime: bool = False) -> None:
        """Write `name`; its mtime is the next whole second, or (`same_mtime`) the one it had."""
        path = self.root / name
        before = path.stat().st_mtime_ns if path.exists() else None
        path.write_text(text)
        if same_mtime:
            assert before is not None
            os.utime(path, ns=(before, before))
        else:
            self.touch(name)

    def touch(self, name: str) -> None:
        """Give `name` an mtime in a whole second no earlier edit had."""
        self.clock += 2
        os.utime(self.root / name, (self.clock, self.clock))

    def script(self, module: int, function: int, *, same_mtime: bool = False) -> None:
        self.write("script.py", SCRIPT.format(module=module, function=function),
                   same_mtime=same_mtime)

    def kernels(self, factor: str, stop: int = 8, *, same_mtime: bool = False) -> None:
        self.write("kernels.py", KERNELS.format(factor=factor, stop=stop), same_mtime=same_mtime)

    def sizes(self, m: int, name: str = "M") -> None:
        """The dims module, with the dim bound to `M` named `name` and of size `m`."""
        self.write("sizes.py", SIZES.format(name=name, m=m))


CLEAN: Verdict = frozenset()
SCRIPT_MODULE_BUG: Verdict = frozenset({("script.py", SCRIPT_MODULE_LINE, "tnp-spec")})
SCRIPT_FUNCTION_BUG: Verdict = frozenset({("script.py", SCRIPT_FUNCTION_LINE, "tnp-spec")})
KERNEL_SPEC_BUG: Verdict = frozenset({("kernels.py", KERNEL_ASSIGN_LINE, "tnp-spec")})
KERNEL_COVERAGE_BUG: Verdict = frozenset({("kernels.py", KERNEL_DEF_LINE, "tnp-coverage")})
KERNEL_BAD_SPEC: Verdict = frozenset({("kernels.py", KERNEL_DEF_LINE, "tnp-bad-spec")})
