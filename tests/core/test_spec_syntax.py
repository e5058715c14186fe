"""The spec language's syntax module (`spec_syntax`): keywords from the elementwise registry,
tokens with their offsets, the caret excerpt of an error, and the words of messages."""

from __future__ import annotations

import pytest

from tnp_runtime.core.dims import FullDim
from tnp_runtime.core.elementwise import ELEMENTWISE
from tnp_runtime.core.spec_syntax import (
    _KEYWORD_LIST,
    KEYWORDS,
    SpecDim,
    SpecError,
    _and_list,
    _excerpt,
    _tokenize,
    _unknown_dim,
)


def test_keywords_are_the_registry_and_the_reductions() -> None:
    assert KEYWORDS == {
        *ELEMENTWISE, "sum", "max", "softmax", "min", "mean", "where", "inf", "mask", "and"
    }
    # Messages list them in this order: the registry's, then the reductions and inf.
    assert _KEYWORD_LIST == ", ".join(
        [*ELEMENTWISE, "sum", "max", "softmax", "min", "mean", "where", "inf", "mask", "and"]
    )
    assert _KEYWORD_LIST.startswith("exp, log, sqrt, sin, cos, ")


def test_tokens_carry_their_kind_and_offset() -> None:
    tokens = _tokenize("2 * A:M N[0:4] -> M")
    assert [(t.kind, t.text, t.pos) for t in tokens] == [
        ("number", "2", 0), ("op", "*", 2), ("name", "A", 4), ("op", ":", 5),
        ("name", "M", 6), ("name", "N", 8), ("op", "[", 9), ("number", "0", 10),
        ("op", ":", 11), ("number", "4", 12), ("op", "]", 13), ("op", "->", 15),
        ("name", "M", 18), ("end", "", 19),
    ]


@pytest.mark.parametrize(("text", "pos"), [("M = N", 2), ("M N; K", 3), ("2x", 0)])
def test_a_character_or_number_outside_the_language_is_a_spec_error_at_it(
    text: str, pos: int
) -> None:
    with pytest.raises(SpecError) as info:
        _tokenize(text)
    assert info.value.position == pos


def test_excerpt_puts_the_caret_under_the_fault() -> None:
    line, caret = _excerpt("a + b", 2)
    assert line.index("+") == caret.index("^")
    assert _excerpt("a + b", None) == ("    a + b",)


def test_and_list() -> None:
    assert _and_list([]) == ""
    assert _and_list(["A"]) == "A"
    assert _and_list(["A", "B", "C"], "or") == "A, B or C"


def test_unknown_dim_suggests_a_close_known_dim_only() -> None:
    known = {"NCTX": FullDim("NCTX", 4)}
    close = _unknown_dim("NCTZ", SpecDim("NCTZ", None, 0), known)
    assert "did you mean NCTX?" in close.fix
    far = _unknown_dim("K", SpecDim("K", None, 0), known)
    assert "did you mean" not in far.fix
    assert "no dims are known yet" in _unknown_dim("K", SpecDim("K", None, 0), {}).fix
