"""Messages a kernel author can act on, the same from both halves.

For each error code, a small kernel runs under the runtime and under mypy with the plugin. The
message is checked part by part: it names both sides (expected and actual dims, the two slices,
the two expressions, the kernel's and the spec's texts), the place (the tile, the missing or
doubly written regions) and, for `tnp-spec`, a numeric counterexample. The runtime's message and
notes must be the plugin's, at the same line; the plugin adds only the loop indices ("when ...").
"""

from __future__ import annotations

import re
import runpy
from dataclasses import dataclass
from pathlib import Path

import pytest

import tnp_runtime as tnp
from tests.support.expectations import Line, actual
from tests.support.mypy_run import run_mypy
from tests.support.runtime_run import reported_line
from tnp_runtime.core.diagnostics import LocatedNote

HEADER = '''\
from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult, einsum

M, N, K = FullDim("M", 8), FullDim("N", 4), FullDim("K", 6)
rng = np.random.default_rng(0)


def mn() -> Typed[L["M N"]]:
    return Typed(rng.standard_normal((8, 4)), M, N)


def nk() -> Typed[L["N K"]]:
    return Typed(rng.standard_normal((4, 6)), N, K)


'''
HERE = "# <- here"
NUMBER = r"(-?[0-9.]+(?:e[-+]?[0-9]+)?|-?inf|nan)"
# How a judged counterexample's inputs were drawn, and its verdict on rounding (core.prove).
DRAWN = r"\(drawn uniformly from \[[-0-9.]+, [-0-9.]+\)(?:, constant on random blocks of [^)]*)?\)"
JUDGED = (
    rf"; relative error {NUMBER}, beyond what float64 rounding explains "
    rf"\(at most {NUMBER} relative here\)$"
)


@dataclass(frozen=True)
class Case:
    code: str
    source: str  # the kernel and its call; the error's line is marked with HERE
    message: tuple[str, ...]  # regexes, each searched in the one-line message
    notes: tuple[str, ...] = ()  # regexes, each matching one of the runtime's notes

    def text(self) -> str:
        return HEADER + self.source

    def line(self) -> int:
        lines = [n for n, s in enumerate(self.text().splitlines(), start=1) if HERE in s]
        assert len(lines) == 1
        return lines[0]


CASES: dict[str, Case] = {
    "dim-slices-differ": Case(
        "tnp-dim",
        '''\
@tnp.kernel
def add(a: Typed[L["M N"]], b: Typed[L["M N"]], c: TypedResult[L["a:M N + b:M N"]]) -> None:
    for i in range(0, 8, 4):
        c.assign(a.slice(M, i, i + 4) + b.slice(M, 0, 4))  # <- here


add(mn(), mn(), TypedResult("a:M N + b:M N"))
''',
        (r"^operands of `\+`: ", r"slices of M differ \(M\[4:8\] vs M\[0:4\]\)",
         r"left is `a:M N` over M\[4:8\] N\[0:4\]", r"right is `b:M N` over M\[0:4\] N\[0:4\]$"),
        (r"^slice both operands to the same tile of each dim$",),
    ),
    "dim-dims-differ": Case(
        "tnp-dim",
        '''\
@tnp.kernel
def add(a: Typed[L["M N"]], b: Typed[L["N K"]], c: TypedResult[L["a:M N"]]) -> None:
    c.assign(a * b)  # <- here


add(mn(), nk(), TypedResult("a:M N"))
''',
        (r"^operands of `\*` have different dims: ", r"only the left has M",
         r"only the right has K",
         r"left is `a:M N` over M\[0:8\] N\[0:4\]", r"right is `b:N K` over N\[0:4\] K\[0:6\]$"),
    ),
    "dim-slice-outside": Case(
        "tnp-dim",
        '''\
@tnp.kernel
def rows(a: Typed[L["M N"]], c: TypedResult[L["a:M N"]]) -> None:
    for i in range(0, 8, 6):
        c.assign(a.slice(M, i, i + 6))  # <- here


rows(mn(), TypedResult("a:M N"))
''',
        (r"^slice M\[6:12\] is outside dim M of size 8",
         r"the value is `a:M N` over M\[0:8\] N\[0:4\]$"),
    ),
    "dim-reduce-missing": Case(
        "tnp-dim",
        '''\
@tnp.kernel
def total(a: Typed[L["M N"]], c: TypedResult[L["sum[N](a:M N)"]]) -> None:
    c.assign(a.sum(K))  # <- here


total(mn(), TypedResult("sum[N](a:M N)"))
''',
        (r"^cannot sum over K: the value has no dim K", r"it is `a:M N` over M\[0:8\] N\[0:4\]$"),
    ),
    "dim-einsum-subscripts": Case(
        "tnp-dim",
        '''\
@tnp.kernel
def mm(a: Typed[L["M N"]], b: Typed[L["N K"]], c: TypedResult[L["(M N, N K -> M K)"]]) -> None:
    c.assign(einsum(a, b, "M K, N K -> M K"))  # <- here


mm(mn(), nk(), TypedResult("(M N, N K -> M K)"))
''',
        (r"^einsum operand 1 has dims M N but the subscripts 'M K, N K -> M K' say M K",
         r"operand 1 is `a:M N` over M\[0:8\] N\[0:4\]$"),
    ),
    "reduce": Case(
        "tnp-reduce",
        '''\
@tnp.kernel
def mm(a: Typed[L["M N"]], b: Typed[L["N K"]], c: TypedResult[L["(M N, N K -> M K)"]]) -> None:
    c.assign(einsum(a.slice(N, 0, 2), b.slice(N, 0, 2), "M N, N K -> M K"))  # <- here


mm(mn(), nk(), TypedResult("(M N, N K -> M K)"))
''',
        (r"^partial reduction: missing sum over N\[2:4\]: ",
         r"kernel computes `\(M N\[0:2\], N\[0:2\] K -> M K\)` over M\[0:8\] K\[0:6\]; ",
         r"the spec requires `\(M N, N K -> M K\)`$"),
        (rf"^counterexample on random inputs {DRAWN} at M=\d+, K=\d+: "
         rf"kernel {NUMBER}, spec {NUMBER}{JUDGED}",),
    ),
    "spec": Case(
        "tnp-spec",
        '''\
@tnp.kernel
def triple(a: Typed[L["M N"]], c: TypedResult[L["2 * a:M N"]]) -> None:
    for i in range(0, 8, 4):
        c.assign(a.slice(M, i, i + 4) * 3)  # <- here


triple(mn(), TypedResult("2 * a:M N"))
''',
        (r"^kernel computes `3 \* \(M N\)` over M\[0:4\] N\[0:4\]; ",
         r"the spec requires `2 \* \(M N\)`$"),
        (r"^differs in: kernel `3` where the spec has `2`$",
         r"^kernel - spec = `M N`$",
         rf"^counterexample on random inputs {DRAWN} at M=\d+, N=\d+: "
         rf"kernel {NUMBER}, spec {NUMBER}{JUDGED}"),
    ),
    "unproven": Case(
        "tnp-unproven",
        '''\
@tnp.kernel
def plus(a: Typed[L["M N"]], b: Typed[L["M N"]], c: TypedResult[L["a:M N + b:M N"]]) -> None:
    c.assign((a * a - b * b) / (a - b))  # <- here


plus(mn(), mn(), TypedResult("a:M N + b:M N"))
''',
        (r"^cannot prove that the kernel's `.+` over M\[0:8\] N\[0:4\] equals ",
         r"the spec's `a:M N \+ b:M N`$|the spec's `.*M N.*`$"),
        (r".", r"^they agree numerically at sampled indices on random inputs$"),
    ),
    "overlap": Case(
        "tnp-overlap",
        '''\
@tnp.kernel
def rows(a: Typed[L["M N"]], c: TypedResult[L["a:M N"]]) -> None:
    for i in range(0, 8, 2):
        c.assign(a.slice(M, i, min(i + 4, 8)))  # <- here


rows(mn(), TypedResult("a:M N"))
''',
        (r"^result region M\[2:4\] N\[0:4\] written twice: ",
         r"it overlaps the earlier write of M\[0:4\] N\[0:4\]$"),
    ),
    "coverage": Case(
        "tnp-coverage",
        '''\
@tnp.kernel
def half(a: Typed[L["M N"]], c: TypedResult[L["a:M N"]]) -> None:  # <- here
    c.assign(a.slice(M, 0, 4))


half(mn(), TypedResult("a:M N"))
''',
        (r"^result `a:M N` incomplete when the kernel returns: ",
         r"1 region never written: M\[4:8\] N\[0:4\]$"),
        (r"^16 of 32 elements never written \(50%\)$",),
    ),
    "coverage-read": Case(
        "tnp-coverage",
        '''\
def script() -> None:
    a = Typed(rng.standard_normal((8, 4)), M, N, name="A")
    c = TypedResult("2 * A:M N")  # <- here
    for i in range(0, 8, 4):
        if i != 4:
            c.assign(a.slice(M, i, i + 4) * 2)
    print(c.arr)


script()
''',
        (r"^result `2 \* A:M N` incomplete when `\.arr` is read: ",
         r"1 region never written: M\[4:8\] N\[0:4\]$"),
        (r"^16 of 32 elements never written \(50%\)$",),
    ),
    "bad-spec-ambiguous": Case(
        "tnp-bad-spec",
        '''\
@tnp.kernel
def add(
    a: Typed[L["M N"]],
    b: Typed[L["M N"]],
    c: TypedResult[L["M N + b:M N"]],  # <- here
) -> None:
    c.assign(a + b)


add(mn(), mn(), TypedResult("M N + b:M N"))
''',
        (r"^bad spec: ambiguous leaf `M N`: inputs a and b both have dims M N$",),
        (
            r"^    M N \+ b:M N$",
            r"^    \^$",
            r"^fix: name it: `a:M N` or `b:M N` \(fix: `tnp fix`\)$",
        ),
    ),
    "bad-spec": Case(
        "tnp-bad-spec",
        '''\
@tnp.kernel
def scale(
    a: Typed[L["M N"]],
    c: TypedResult[L["2 * a:M Q"]],  # <- here
) -> None:
    c.assign(a * 2)


scale(mn(), TypedResult("2 * a:M N"))
''',
        (r"^bad spec: unknown dim 'Q'$",),
        (r"^    2 \* a:M Q$", r"^            \^$",
         r"^fix: declare Q = FullDim\(\"Q\", size\) in the kernel.s module, "
         r"or use one of the known dims: K, M, N$"),
    ),
    "spec-rebound": Case(
        "tnp-spec",
        '''\
@tnp.kernel
def inner(x: Typed[L["M N"]], c: TypedResult[L["2 * x:M N"]]) -> None:
    c.assign(x * 2)


@tnp.kernel
def outer(a: Typed[L["M N"]], c: TypedResult[L["2 * a:M N"]]) -> None:
    inner(a * 3, c)  # <- here


outer(mn(), TypedResult("2 * a:M N"))
''',
        (r"^inner: result c is bound to `2 \* a:M N`, but the kernel declares `2 \* x:M N`, ",
         r"which with these arguments is `6 \* \(M N\)`, not `2 \* \(M N\)`"),
    ),
    "spec-not-a-parameter": Case(
        "tnp-spec",
        '''\
A = Typed(rng.standard_normal((8, 4)), M, N, name="a")


@tnp.kernel
def scale(a: Typed[L["M N"]], c: TypedResult[L["2 * a:M N"]]) -> None:
    c.assign(A * 2)  # <- here


scale(mn(), TypedResult("2 * a:M N"))
''',
        (r"^the tile reads `a` \(M N\), which the kernel did not receive as a parameter: ",
         r"pass it to the kernel as a parameter$"),
        (r"^kernel computes `2 \* \(a:M N\)` over M\[0:8\] N\[0:4\]; "
         r"the spec requires `2 \* \(a#2:M N\)`$", rf"^counterexample .* kernel {NUMBER}"),
    ),
    "write": Case(
        "tnp-write",
        '''\
def script() -> None:
    y = mn() * 2
    y.arr[0:4, :] = 0  # <- here
    c = TypedResult("2 * M N")
    c.assign(y)


script()
''',
        (r"^in-place write to the data of the value `\(M N \* 2\)` over M\[0:8\] N\[0:4\]: ",
         r"read-only"),
        (r"^compute a new value instead",),
    ),
}


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("messages")
    paths = {}
    for name, case in CASES.items():
        path = folder / (name.replace("-", "_") + ".py")
        path.write_text(case.text(), encoding="utf-8")
        paths[name] = path
    return paths


@pytest.fixture(scope="module")
def static(written: dict[str, Path]) -> dict[str, list[Line]]:
    """mypy's errors and notes per case, from one run over all the case files."""
    stdout = run_mypy(*written.values())
    return {name: actual(stdout, path) for name, path in written.items()}


def runtime(path: Path) -> tuple[str, int, str, tuple[str, ...], str]:
    """(code, line, message, notes, str(err)) of the tnp error running `path` raises."""
    try:
        runpy.run_path(str(path), run_name="__main__")
    except (tnp.TypeCheckError, tnp.SpecError) as err:
        line = reported_line(err, path)
        diagnostic = err.diagnostic
        return str(err.code), line, diagnostic.message, diagnostic.notes, str(err)
    raise AssertionError(f"{path.name}: the runtime raised no tnp error")


def runtime_located(path: Path) -> tuple[LocatedNote, ...]:
    """The notes about other lines (blame) of the tnp error running `path` raises."""
    try:
        runpy.run_path(str(path), run_name="__main__")
    except (tnp.TypeCheckError, tnp.SpecError) as err:
        return err.diagnostic.located if isinstance(err, tnp.TypeCheckError) else ()
    raise AssertionError(f"{path.name}: the runtime raised no tnp error")


def _check_parts(what: str, text: str, patterns: tuple[str, ...]) -> None:
    for pattern in patterns:
        assert re.search(pattern, text), f"{what} {text!r} lacks {pattern!r}"


@pytest.mark.parametrize("name", list(CASES))
def test_runtime_message_names_both_sides_and_the_place(
    name: str, written: dict[str, Path]
) -> None:
    case = CASES[name]
    code, line, message, notes, shown = runtime(written[name])
    assert (code, line) == (case.code, case.line())
    assert "\n" not in message
    _check_parts("message", message, case.message)
    for pattern in case.notes:
        assert any(re.search(pattern, note) for note in notes), f"no note {pattern!r} in {notes}"
    assert shown.splitlines()[0] == message
    for note in notes:
        assert note in shown


@pytest.mark.parametrize("name", list(CASES))
def test_plugin_message_is_the_runtimes(
    name: str, written: dict[str, Path], static: dict[str, list[Line]]
) -> None:
    case = CASES[name]
    code, line, message, notes, _ = runtime(written[name])
    here = [item for item in static[name] if item.line == case.line()]
    errors = [item.text for item in here if item.kind == "E" and f"[{case.code}]" in item.text]
    assert errors == [f"{message}  [{code}]"], [str(item) for item in static[name]]
    _check_parts("plugin message", errors[0].removesuffix(f"  [{code}]"), case.message)
    plugin_notes = tuple(
        item.text for item in here if item.kind == "N" and not item.text.startswith("when ")
    )
    # The notes of blame (`core/blame.py`) are the runtime's too, each at its line.
    located = runtime_located(written[name])
    assert plugin_notes == notes + tuple(n.text for n in located if n.line == line)
    for note in located:
        assert Line(note.line, "N", note.text) in static[name], (note, static[name])
    # Nothing else from tnp anywhere in the file.
    others = [item for item in static[name] if "[tnp-" in item.text and item.line != line]
    assert others == []


def test_loop_indices_are_named_statically(static: dict[str, list[Line]]) -> None:
    """Where a loop made the error, the plugin says at which indices (the runtime's traceback
    does the same job)."""
    for name, index in (("dim-slices-differ", "when i = 4"), ("spec", "when i = 0"),
                        ("overlap", "when i = 2")):
        notes = [item.text for item in static[name] if item.kind == "N"]
        assert index in notes, (name, notes)


def test_spec_counterexample_is_a_real_difference(written: dict[str, Path]) -> None:
    """The counterexample's two values are the kernel's (3x) and the spec's (2x) at that index."""
    _, _, _, notes, _ = runtime(written["spec"])
    (found,) = [n for n in notes if n.startswith("counterexample")]
    match = re.search(rf"kernel {NUMBER}, spec {NUMBER}{JUDGED}", found)
    assert match is not None
    kernel, spec = float(match.group(1)), float(match.group(2))
    assert kernel != spec
    assert kernel == pytest.approx(1.5 * spec, rel=1e-4)
