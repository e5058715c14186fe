"""Messages of refuted tiles on realistic kernels (the runtime's text, which the plugin shares):
constants as written, the smallest differing subterm, shared subterms named, and a
counterexample that says its relative error and whether float64 rounding explains it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tnp_runtime.core.term_text import (
    atom,
    call,
    div,
    mul,
    show,
    smallest_differences,
    with_names,
)

BUGGY = Path(__file__).resolve().parents[2] / "examples" / "buggy"


def _message(example: str) -> str:
    """The runtime's error text for a buggy example (its last lines: message and notes)."""
    run = subprocess.run(
        [sys.executable, str(BUGGY / example)], capture_output=True, text=True, timeout=300
    )
    assert run.returncode != 0
    return run.stderr.split("TypeCheckError: ", 1)[1]


def test_gelu_constant_is_shown_as_written_and_named_as_the_difference() -> None:
    text = _message("gelu_wrong_constant.py")
    assert "0.7978845608028654 * ((M N) + 0.44715 * (M N) ** 3)" in text
    assert "0.7978845608028654 * ((M N) + 0.044715 * (M N) ** 3)" in text
    assert "/1270958770000" not in text  # no 15-digit quotient
    assert "note: differs in: kernel `0.44715` where the spec has `0.044715`" in text


def test_counterexample_judges_itself() -> None:
    text = _message("gelu_wrong_constant.py")
    found = re.search(
        r"counterexample on random inputs \(drawn uniformly from \[\S+, \S+\)\) at M=\d+, N=\d+: "
        r"kernel (\S+), spec (\S+); relative error (\S+), beyond what float64 rounding "
        r"explains \(at most (\S+) relative here\)",
        text,
    )
    assert found is not None, text
    kernel, spec, relative, bound = (float(g) for g in found.groups())
    assert relative == pytest.approx(abs(kernel - spec) / abs(spec), rel=0.05)
    assert bound < 1e-9 < relative


def test_swapped_inputs_name_both_places_and_the_shared_scores() -> None:
    text = _message("flash_attention_kv_swapped.py")
    assert "where e = exp((V:nctx dhead, qctx dhead -> qctx nctx) / 4)" in text
    assert (
        "differs in: kernel `(K:nctx dhead)` where the spec has `(V:nctx dhead)`; "
        "kernel `(V:nctx dhead, qctx dhead -> qctx nctx)` where the spec has "
        "`(K:nctx dhead, qctx dhead -> qctx nctx)`"
    ) in text


def test_a_missing_scale_is_shown_as_the_factor_alone() -> None:
    text = _message("attention_dk_missing_scale.py")
    assert "differs in: kernel `…` where the spec has `… / 4`" in text


def test_smallest_difference_descends_through_shared_structure() -> None:
    x = atom("(M N)")
    kernel = mul([atom("2"), call("exp", div(x, atom("4")))])
    spec = mul([atom("2"), call("exp", div(x, atom("8")))])
    assert smallest_differences(kernel, spec) == [(atom("4"), atom("8"))]
    assert smallest_differences(kernel, kernel) == []


def test_long_texts_name_repeated_subterms_once() -> None:
    scores = atom("(K:nctx dhead, qctx dhead -> qctx nctx)")
    e = call("exp", div(scores, atom("4")))
    term = div(call("sum[nctx]", mul([atom("(V:nctx dhead)"), e])), call("sum[nctx]", e))
    text = with_names(term, taken={"nctx", "dhead", "qctx"})
    assert text == (
        "sum[nctx]((V:nctx dhead) * e) / sum[nctx](e) "
        "where e = exp((K:nctx dhead, qctx dhead -> qctx nctx) / 4)"
    )
    assert show(term).count("->") == 2  # short of naming, the text repeats it


def test_online_softmax_without_rescale_names_the_stale_max() -> None:
    """Shown as written: the running max folded into `max[N[0:64]](M N)`, the spec lined up
    with the kernel's tiles and shifted by the kernel's max, so what differs is the max each
    block's sum was taken against."""
    text = _message("online_softmax_missing_rescale.py")
    assert "where e = exp((M N) - max[N](M N))" in text
    assert "differs in: kernel `max[N[0:64]](M N)` where the spec has `max[N](M N)`" in text
    assert "…" not in text.splitlines()[0]


def test_numbers_keep_the_text_they_were_written_with() -> None:
    from fractions import Fraction

    from tnp_runtime.core.constants import float_constant
    from tnp_runtime.core.render import number

    assert number(float_constant(0.7978845608028654)) == "0.7978845608028654"
    assert number(float_constant(0.044715)) == "0.044715"
    assert number(Fraction(1, 3)) == "(1/3)"  # a simple quotient stays one
    assert number(Fraction(2, 3) * float_constant(0.7978845608028654)).startswith("(")


def test_a_long_sum_shows_its_ends_and_how_many_terms_it_hides() -> None:
    from tnp_runtime.core.term_text import add

    text = show(add(atom(f"x{i}") for i in range(20)))
    assert text == "x0 + x1 + x2 + x3 + … 14 more terms … + x18 + x19"


def test_a_difference_within_rounding_says_so() -> None:
    from tnp_runtime.core.counterexample import Counterexample

    close = Counterexample((("M", 0),), 1.0 + 1e-15, 1.0, (), 1e-13, "inputs drawn from x")
    assert "within what float64 rounding explains" in close.describe()
    assert close.describe().startswith("evaluated on random inputs (drawn from x)")
    far = Counterexample((("M", 0),), 1.5, 1.0, (), 1e-13, "inputs drawn from x")
    assert "relative error 0.5, beyond what float64 rounding explains" in far.describe()
