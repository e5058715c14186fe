"""The error codes (`diagnostics.Code`) are the one list of codes: each carries its
description and whether it may be shown as a note, the plugin's mypy error codes are made from
it, and the README's table of codes lists exactly its members."""

from __future__ import annotations

import re
from pathlib import Path

from tnp_mypy.report import ERROR_CODES
from tnp_runtime.core.diagnostics import Code

README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_codes(text: str) -> list[str]:
    """The codes in the first column of the table under "## Error codes"."""
    section = text.split("\n## Error codes\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `(tnp-[a-z-]+)` \|", section, flags=re.MULTILINE)


def test_readme_table_lists_exactly_the_codes() -> None:
    listed = _readme_codes(README.read_text())
    assert len(listed) == len(set(listed))
    assert set(listed) == {code.value for code in Code}


def test_readme_check_sees_a_missing_or_an_extra_row() -> None:
    text = README.read_text()
    without = "\n".join(line for line in text.splitlines() if not line.startswith("| `tnp-write`"))
    assert set(_readme_codes(without)) == {code.value for code in Code} - {"tnp-write"}
    extra = text.replace("| `tnp-dim` |", "| `tnp-made-up` | x | y |\n| `tnp-dim` |", 1)
    assert "tnp-made-up" in _readme_codes(extra)


def test_every_code_carries_a_one_line_description() -> None:
    for code in Code:
        assert code.value.startswith("tnp-")
        assert code.description and "\n" not in code.description
        assert Code(code.value) is code


def test_only_unsupported_may_be_a_note() -> None:
    assert {code for code in Code if code.may_be_note} == {Code.UNSUPPORTED}


def test_mypy_error_codes_are_made_from_the_codes() -> None:
    assert set(ERROR_CODES) == {code.value for code in Code}
    for code in Code:
        made = ERROR_CODES[code.value]
        assert (made.code, made.description, made.category) == (
            code.value,
            code.description,
            "tnp",
        )
