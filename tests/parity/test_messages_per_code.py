"""One realistic message per code, part by part, under mypy and at run time; and the README's
table of codes shows messages that are mypy's today.

`tests/parity/test_messages.py` checks each code's message on small kernels, and
`tests/parity/test_blame.py` the line every buggy example's notes name. Here each buggy example
of a code is checked for the parts a kernel author acts on: the error's line, the kernel's and
the spec's text as written (constants as written), the "differs in" note naming the smallest
differing subterms, the rounding verdict of the counterexample, and the note of blame at the
line to fix. The runtime's message and notes are mypy's, at the same lines.
"""

from __future__ import annotations

import re
import runpy
from dataclasses import dataclass
from pathlib import Path

import pytest

import tnp_runtime as tnp
from tests.support.expectations import Line, actual
from tests.support.mypy_run import CASES_DIR, EXAMPLES_DIR, checked

BUGGY = EXAMPLES_DIR / "buggy"
_BEYOND = "beyond what float64 rounding explains"


@dataclass(frozen=True)
class Parts:
    """What one buggy example's message must carry: texts in its message, texts in its notes at
    the error's line, and (line, start of text) of its notes of blame."""

    code: str
    message: tuple[str, ...]
    notes: tuple[str, ...] = ()
    blame: tuple[tuple[int, str], ...] = ()


PARTS: dict[str, Parts] = {
    # A constant typed wrong: shown as written, named as the difference, blamed at its line.
    "gelu_wrong_constant.py": Parts(
        "tnp-spec",
        ("0.44715 * (M N) ** 3", "0.044715 * (M N) ** 3", "0.7978845608028654"),
        ("differs in: kernel `0.44715` where the spec has `0.044715`", _BEYOND),
        ((28, "the constant 0.44715 here: with 0.044715 instead, the tile equals the spec"),),
    ),
    "matmul_wrong_constant.py": Parts(
        "tnp-spec",
        ("kernel computes `4 * (M N, N K -> M K)`", "the spec requires `2 * (M N, N K -> M K)`"),
        ("differs in: kernel `4` where the spec has `2`", "kernel - spec = `2 * (M N, N K -> M K)`",
         _BEYOND),
        ((28, "the tile equals the spec without the `* 2` applied here"),),
    ),
    # A missing factor: `tnp-spec`, the factor alone as the difference.
    "attention_dk_missing_scale.py": Parts(
        "tnp-spec",
        ("where e = exp((K:nctx dhead, Q:qctx dhead -> nctx qctx) / 4)",),
        ("differs in: kernel `…` where the spec has `… / 4`", _BEYOND),
        ((55, "the tile equals the spec if the value computed here is multiplied by 0.25"),),
    ),
    # Inputs swapped: both places named, the shared scores named once.
    "flash_attention_kv_swapped.py": Parts(
        "tnp-spec",
        ("where e = exp((V:nctx dhead, qctx dhead -> qctx nctx) / 4)",),
        ("differs in: kernel `(K:nctx dhead)` where the spec has `(V:nctx dhead)`",
         "constant on random blocks of nctx", _BEYOND),
        ((46, "reads K or V: with the two swapped"), (51, "reads K or V: with the two swapped")),
    ),
    # A running sum never rescaled: the stale maxima named, the line that skips the rescale.
    "online_softmax_missing_rescale.py": Parts(
        "tnp-spec",
        ("max[N[0:64]](M N)", "the spec requires `exp((M N) - max[N](M N)) / sum[N]("),
        ("differs in: kernel `max[N[0:64]](M N)` where the spec has `max[N](M N)`", _BEYOND),
        ((32, "this line adds to a running value without rescaling it"),),
    ),
    # A part of the reduction no line covers: `tnp-reduce`, the missing interval named.
    "matmul_partial_reduction.py": Parts(
        "tnp-reduce",
        ("partial reduction: missing sum over N[64:256]", "6 * (M N[0:64], N[0:64] K -> M K)"),
        ("differs in: kernel `(M N[0:64], N[0:64] K -> M K)` where the spec has "
         "`(M N, N K -> M K)`", _BEYOND),
        ((30, "this line accumulates the sum over N, whose pieces cover N[0:64]; the spec's sum "
              "needs N[64:256] too"),),
    ),
    "causal_attention_skipped_tile.py": Parts(
        "tnp-reduce",
        ("partial reduction: missing sum over nctx[16:32]", "mask[qctx >= nctx, 0](1)"),
        ("differs in: kernel `sum[nctx[0:16, 32:49]]((V:nctx dhead) * e)`", _BEYOND),
        ((54, "this line accumulates the sum over nctx"), (55, "this line accumulates the sum")),
    ),
    # A dim error: the operation that made the wrong dims, at its own line.
    "logsumexp_max_wrong_dim.py": Parts(
        "tnp-dim",
        ("operands of `+` have different dims: only the left has N; only the right has M",),
        ("reduce a dim away (.sum, .max) or broadcast one (.repeat) so both sides match",),
        ((24, "the left operand of `+` has no M: the max over M[0:16] here took it away"),
         (25, "the right operand of `+` has no N: the sum over N[0:256] here took it away")),
    ),
    "matmul_mismatched_slices.py": Parts(
        "tnp-dim",
        ("einsum operands disagree on N: N[32:64] vs N[0:32]",),
        (),
        ((27, "einsum operand 1 got its N[32:64] here"),
         (28, "einsum operand 2 got its N[0:32] here")),
    ),
    # The result, not a value: the regions named, no blame.
    "matmul_tile_written_twice.py": Parts(
        "tnp-overlap",
        ("result region M[0:32] K[16:32] written twice: it overlaps the earlier write of M[0:32] "
         "K[0:32]",),
    ),
    "matmul_skipped_tile.py": Parts(
        "tnp-coverage",
        ("incomplete when the kernel returns: 1 region never written: M[96:128] K[0:64]",),
        ("2048 of 8192 elements never written (25%)",),
    ),
}


def _error_line(path: Path) -> int:
    (line,) = [n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
               if "# error: tnp-" in text]
    return line


def _runtime(path: Path) -> tnp.TypeCheckError:
    try:
        runpy.run_path(str(path), run_name="__main__")
    except tnp.TypeCheckError as err:
        return err
    raise AssertionError(f"{path.name}: no tnp error")


@pytest.mark.parametrize("name", sorted(PARTS))
def test_runtime_message_has_every_part(name: str) -> None:
    parts, path = PARTS[name], BUGGY / name
    err = _runtime(path)
    assert err.diagnostic.code.value == parts.code
    assert err.lineno == _error_line(path) or parts.code == "tnp-coverage"
    for text in parts.message:
        assert text in err.diagnostic.message, (text, err.diagnostic.message)
    for text in parts.notes:
        assert any(text in note for note in err.diagnostic.notes), (text, err.diagnostic.notes)
    located = [(note.line, note.text) for note in err.diagnostic.located]
    assert len(located) == len(parts.blame), located
    for (line, text), (want_line, want_text) in zip(located, parts.blame, strict=True):
        assert line == want_line and text.startswith(want_text), (line, text)


@pytest.mark.parametrize("name", sorted(PARTS))
def test_mypy_message_has_every_part_at_the_same_lines(name: str) -> None:
    parts, path = PARTS[name], BUGGY / name
    shown = actual(checked(path), path)
    line = _error_line(path)
    (error,) = [item for item in shown if item.kind == "E" and item.line == line]
    assert error.text.endswith(f"[{parts.code}]"), error.text
    for text in parts.message:
        assert text in error.text, (text, error.text)
    notes = [item.text for item in shown if item.kind == "N" and item.line == line]
    for text in parts.notes:
        assert any(text in note for note in notes), (text, notes)
    for want_line, want_text in parts.blame:
        assert any(item.kind == "N" and item.line == want_line and item.text.startswith(want_text)
                   for item in shown), (want_line, want_text)
    # The runtime's message is mypy's, word for word.
    err = _runtime(path)
    assert error.text == f"{err.diagnostic.message}  [{parts.code}]"


def test_every_value_code_has_a_realistic_example() -> None:
    codes = {parts.code for parts in PARTS.values()}
    assert codes == {"tnp-spec", "tnp-reduce", "tnp-dim", "tnp-overlap", "tnp-coverage"}


# --- the README's table of codes -----------------------------------------------------------

_SHOWN = re.compile(
    r"^(?P<path>\S+\.py):(?P<line>\d+): error: (?P<text>.*)  \[(?P<code>tnp-[a-z-]+)\]$"
)


def _readme_messages() -> list[re.Match[str]]:
    readme = (EXAMPLES_DIR.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Error codes\n", 1)[1].split("\n### ", 1)[0]
    block = section.split("One real message per code", 1)[1].split("```text\n", 1)[1]
    block = block.split("\n```", 1)[0]
    found = [_SHOWN.match(line) for line in block.splitlines()]
    assert all(found), block
    return [m for m in found if m is not None]


def test_the_readme_shows_one_message_per_code() -> None:
    """Every code of the table but `tnp-internal` (a bug of tnp, produced by no file on purpose;
    the README says how it reads) has one message under it, in the table's order."""
    readme = (EXAMPLES_DIR.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Error codes\n", 1)[1]
    table = re.findall(r"^\| `(tnp-[a-z-]+)` \|", section, re.MULTILINE)
    shown = [m.group("code") for m in _readme_messages()]
    assert shown == [code for code in table if code != "tnp-internal"]
    assert "tnp-internal" in table and "this is a bug in tnp" in section


@pytest.mark.parametrize("index", range(9))
def test_the_readme_messages_are_what_mypy_prints(index: int) -> None:
    shown = _readme_messages()[index]
    path = EXAMPLES_DIR.parent / shown.group("path")
    assert path.resolve().is_relative_to(EXAMPLES_DIR) or path.resolve().parent == CASES_DIR
    found = actual(checked(path), path)
    want = Line(int(shown.group("line")), "E", f"{shown.group('text')}  [{shown.group('code')}]")
    assert any(item == want for item in found), (want, [str(item) for item in found])
