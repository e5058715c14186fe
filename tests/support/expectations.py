"""Inline expectations of the plugin case files, and mypy's output in the same shape.

A case line may end with `# E: message  [tnp-code]` (an error) or `# N: note` (a note). More
expectations for the same line go on comment lines right below it: `# ^E: ...` / `# ^N: ...`.
An expectation ending in `...` matches any message with that prefix (for notes that quote
numbers from random evaluation).

Where mypy's own wording differs between the supported mypy versions (not tnp's), an expectation
may hold for some versions only: `# ^N[mypy<2.0]: ...` / `# ^N[mypy>=2.0]: ...` (a bound is a
major.minor release; the other versions skip that expectation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from mypy.version import __version__ as mypy_version

_KIND = r"(E|N)(?:\[mypy(>=|<)(\d+)\.(\d+)\])?:\s?(.*)$"
_INLINE = re.compile(r"#\s*" + _KIND)
_CONTINUED = re.compile(r"^\s*#\s*\^" + _KIND)
_OUTPUT = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): (?P<kind>error|note): (?P<text>.*)$")
_MYPY = tuple(int(part) for part in re.findall(r"\d+", mypy_version)[:2])


def _applies(match: re.Match[str]) -> bool:
    """Whether the expectation `match` holds for the mypy running the tests."""
    operator, major, minor = match.group(2, 3, 4)
    if operator is None:
        return True
    bound = (int(major), int(minor))
    return _MYPY >= bound if operator == ">=" else _MYPY < bound


@dataclass(frozen=True, slots=True)
class Line:
    line: int
    kind: str  # "E" or "N"
    text: str

    def matches(self, other: Line) -> bool:
        if (self.line, self.kind) != (other.line, other.kind):
            return False
        if self.text.endswith("..."):
            return other.text.startswith(self.text[:-3])
        return self.text == other.text

    def __str__(self) -> str:
        return f"{self.line}: {self.kind}: {self.text}"


def expected(path: Path) -> list[Line]:
    found: list[Line] = []
    code_line = 0
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        continued = _CONTINUED.match(text)
        if continued:
            if _applies(continued):
                found.append(Line(code_line, continued.group(1), continued.group(5).rstrip()))
            continue
        code_line = number
        inline = _INLINE.search(text)
        if inline and not text.lstrip().startswith("#") and _applies(inline):
            found.append(Line(number, inline.group(1), inline.group(5).rstrip()))
    return found


def actual(stdout: str, path: Path) -> list[Line]:
    found: list[Line] = []
    for text in stdout.splitlines():
        match = _OUTPUT.match(text)
        if match is None or Path(match.group("path")).name != path.name:
            continue
        kind = "E" if match.group("kind") == "error" else "N"
        found.append(Line(int(match.group("line")), kind, match.group("text").rstrip()))
    return found


def compare(want: list[Line], got: list[Line]) -> list[str]:
    """Differences, as lines to print: empty when every expectation matches in order."""
    problems: list[str] = []
    by_line_want: dict[int, list[Line]] = {}
    by_line_got: dict[int, list[Line]] = {}
    for item in want:
        by_line_want.setdefault(item.line, []).append(item)
    for item in got:
        by_line_got.setdefault(item.line, []).append(item)
    for line in sorted(set(by_line_want) | set(by_line_got)):
        wanted, gotten = by_line_want.get(line, []), by_line_got.get(line, [])
        if len(wanted) != len(gotten) or not all(
            w.matches(g) for w, g in zip(wanted, gotten, strict=True)
        ):
            problems.append(f"line {line}:")
            problems.extend(f"  expected {w}" for w in wanted)
            problems.extend(f"  got      {g}" for g in gotten)
    return problems
