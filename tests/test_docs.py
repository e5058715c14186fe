"""The design document stays true to the repository and to the code.

- Every citation of the design (`docs/DESIGN.md §7`) in the repository names a file under
  `docs/` and a section that exists there, and nothing cites a file outside the repository.
- The spec grammar's keywords are the parser's.
- The list of error codes is `tnp_runtime.core.diagnostics.Code`, in the design and in the
  README.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tnp_runtime.core import ir, spec
from tnp_runtime.core.diagnostics import Code

REPO_DIR = Path(__file__).resolve().parent.parent
DOCS_DIR = REPO_DIR / "docs"
DESIGN = DOCS_DIR / "DESIGN.md"
README = REPO_DIR / "README.md"

# Where citations may stand: everything a user or an engineer of the project reads.
SCANNED_ROOTS = ("README.md", "pyproject.toml", "docs", "src", "tests", "benchmarks", "scripts",
                 "examples", ".ci")
SCANNED_SUFFIXES = frozenset({".md", ".py", ".pyi", ".toml", ".ini", ".sh", ".txt", ".cfg", ""})
SKIPPED_PARTS = frozenset({"__pycache__", ".venv", ".mypy_cache", ".pytest_cache"})

# `docs/NAME.md`, then optionally ` §4` or ` §4.1`.
CITATION = re.compile(r"docs/(?P<file>[\w./-]+?\.md)(?:\s+§(?P<section>\d+(?:\.\d+)*))?")
# A bare `§5.9` inside a document of docs/ refers to that document.
BARE_SECTION = re.compile(r"(?<![\w/.])§(?P<section>\d+(?:\.\d+)*)")
HEADING = re.compile(r"^#{2,6}\s+(?P<number>\d+(?:\.\d+)*)\.?\s", re.M)
# Words that cite the design without saying where it is, or a place outside the repository.
STRAY = re.compile(r"DESIGN|shared/")


def scanned_files() -> Iterator[Path]:
    for root in SCANNED_ROOTS:
        path = REPO_DIR / root
        candidates = [path] if path.is_file() else sorted(path.rglob("*")) if path.is_dir() else []
        for candidate in candidates:
            relative = candidate.relative_to(REPO_DIR)
            if not candidate.is_file() or candidate.suffix not in SCANNED_SUFFIXES:
                continue
            if SKIPPED_PARTS & set(relative.parts) or any(
                part.endswith(".egg-info") for part in relative.parts
            ):
                continue
            yield candidate


def sections(document: Path) -> set[str]:
    """The numbers of a document's numbered headings (`## 4. ...`, `### 4.1 ...`)."""
    return {m.group("number") for m in HEADING.finditer(document.read_text(encoding="utf-8"))}


def citation_problems(path: Path, text: str) -> list[str]:
    """Each citation in `text` that names no file of docs/ or no section of it, and each
    mention of the design (or of `shared/`) that is not such a citation."""
    problems: list[str] = []
    cited_spans: list[tuple[int, int]] = []
    for match in CITATION.finditer(text):
        cited_spans.append(match.span())
        target = DOCS_DIR / match.group("file")
        line = text.count("\n", 0, match.start()) + 1
        if not target.is_file():
            problems.append(f"{path}:{line}: cites {match.group(0)!r}, which does not exist")
            continue
        section = match.group("section")
        if section is not None and section not in sections(target):
            problems.append(f"{path}:{line}: cites {match.group(0)!r}: no such section")
    full = path if path.is_absolute() else REPO_DIR / path
    if full.parent == DOCS_DIR:
        own = sections(full)
        for match in BARE_SECTION.finditer(text):
            if match.group("section") not in own:
                line = text.count("\n", 0, match.start()) + 1
                section = match.group("section")
                problems.append(f"{path}:{line}: refers to §{section}: no such section")
    for match in STRAY.finditer(text):
        if any(start <= match.start() < end for start, end in cited_spans):
            continue
        line = text.count("\n", 0, match.start()) + 1
        problems.append(
            f"{path}:{line}: {match.group(0)!r} outside a citation of the form 'docs/DESIGN.md §N'"
        )
    return problems


def test_scan_finds_the_places_that_cite() -> None:
    scanned = {path.relative_to(REPO_DIR).as_posix() for path in scanned_files()}
    assert {"README.md", "docs/DESIGN.md", "src/tnp_runtime/core/spec.py"} <= scanned


def test_every_citation_points_at_an_existing_section() -> None:
    problems = [
        problem
        for path in scanned_files()
        if path != Path(__file__).resolve()
        for problem in citation_problems(
            path.relative_to(REPO_DIR), path.read_text(encoding="utf-8", errors="replace")
        )
    ]
    assert not problems, "\n".join(problems)


def test_design_is_cited_from_the_code_and_the_readme() -> None:
    """The citations above are not vacuous: the README and the code do cite the design."""
    assert CITATION.search(README.read_text(encoding="utf-8"))
    sources = (REPO_DIR / "src").rglob("*.py")
    assert any(CITATION.search(path.read_text(encoding="utf-8")) for path in sources)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see docs/DESIGN.md §4.1", []),
        ("see docs/DESIGN.md", []),
        ("see docs/DESIGN.md §42", ["x.py:1: cites 'docs/DESIGN.md §42': no such section"]),
        ("see docs/NOPE.md §1", ["x.py:1: cites 'docs/NOPE.md §1', which does not exist"]),
        ("see DESIGN.md section 7", [
            "x.py:1: 'DESIGN' outside a citation of the form 'docs/DESIGN.md §N'"
        ]),
        ("\nsee ../shared/seed/README.md", [
            "x.py:2: 'shared/' outside a citation of the form 'docs/DESIGN.md §N'"
        ]),
    ],
)
def test_citation_checker(text: str, expected: list[str]) -> None:
    assert citation_problems(Path("x.py"), text) == expected


def test_bare_sections_are_checked_inside_docs() -> None:
    assert citation_problems(DESIGN, "as in §4.1") == []
    assert citation_problems(DESIGN, "as in §99") == [f"{DESIGN}:1: refers to §99: no such section"]


# The grammar ------------------------------------------------------------------------------


def grammar() -> str:
    """The EBNF block of the design's spec-language section."""
    text = DESIGN.read_text(encoding="utf-8")
    blocks = re.findall(r"```ebnf\n(.*?)```", text, re.S)
    assert len(blocks) == 1, "docs/DESIGN.md has one ```ebnf block: the spec grammar"
    return str(blocks[0])


def rule(name: str) -> set[str]:
    """The words a token rule such as `FUNC = "exp" | "log" ;` stands for, references expanded."""
    match = re.search(rf"^{name}\s*=(?P<body>[^;]*);", grammar(), re.M)
    assert match is not None, f"no rule {name} in the grammar"
    words: set[str] = set()
    for part in match.group("body").split("|"):
        part = part.strip()
        literal = re.fullmatch(r'"(\w+)"', part)
        words |= {literal.group(1)} if literal else rule(part)
    return words


def test_grammar_keywords_are_the_parsers() -> None:
    assert rule("KEYWORD") == set(spec.KEYWORDS)


def test_grammar_functions_are_the_irs_elementwise_functions() -> None:
    assert rule("FUNC") == {op.value for op in ir.UnaryOp if op is not ir.UnaryOp.NEG}
    assert rule("CONTRACT") == {op.value for op in ir.ReduceOp}


@pytest.mark.parametrize("word", sorted(spec.KEYWORDS))
def test_each_keyword_parses_as_the_grammar_says(word: str) -> None:
    """A word of FUNC is a function call, of RED a reduction, of CONTRACT a contraction; any
    other keyword is none of these."""
    forms = {
        "FUNC": (f"{word}(M)", spec.Func),
        "RED": (f"{word}[M](M)", spec.Reduction),
        "CONTRACT": (f"{word}(M, M -> M)", spec.Contraction),
    }
    for name, (text, node) in forms.items():
        try:
            parsed: object = spec.parse_spec(text)
        except spec.SpecError:
            parsed = None
        assert isinstance(parsed, node) == (word in rule(name)), (name, text, parsed)


def design_section(number: str) -> str:
    text = DESIGN.read_text(encoding="utf-8")
    start = re.search(rf"^#+\s+{re.escape(number)}\.?\s.*$", text, re.M)
    assert start is not None, f"no section {number}"
    end = re.compile(r"^#{1,3}\s", re.M).search(text, start.end())
    return text[start.end() : end.start() if end else len(text)]


def test_every_form_in_the_meaning_table_parses() -> None:
    """The forms the design explains (§4.2) are spelled as the parser reads them."""
    table = [line for line in design_section("4.2").splitlines() if line.startswith("| `")]
    forms = [form for line in table for form in re.findall(r"`([^`]+)`", line.split("|")[1])]
    assert len(forms) >= 10
    for form in forms:
        if form == "NUMBER":
            continue
        spec.parse_spec(form)


def test_examples_of_the_design_parse() -> None:
    text = DESIGN.read_text(encoding="utf-8")
    flash = re.search(r"^\(softmax\[nctx\].*$", text, re.M)
    assert flash is not None
    spec.parse_spec(flash.group(0))


# The error codes --------------------------------------------------------------------------


def codes_in_table(text: str) -> list[str]:
    """The codes in the first column of a markdown table's rows."""
    return re.findall(r"^\| `(tnp-[a-z-]+)` \|", text, re.M)


def test_design_lists_every_code_once() -> None:
    listed = codes_in_table(design_section("5.10"))
    assert sorted(listed) == sorted(code.value for code in Code)


def test_readme_lists_every_code_once() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index("## Error codes")
    section = text[start : text.index("\n## ", start + 1)]
    assert sorted(codes_in_table(section)) == sorted(code.value for code in Code)


def test_code_table_reader_sees_a_missing_code() -> None:
    """The two tests above can fail: a table without one code does not match."""
    table = "\n".join(f"| `{code.value}` | x |" for code in list(Code)[1:])
    assert sorted(codes_in_table(table)) != sorted(code.value for code in Code)


def test_design_contents_links_resolve() -> None:
    """Each `(#anchor)` link of the design matches a heading (GitHub's anchor rules)."""
    text = DESIGN.read_text(encoding="utf-8")
    anchors = set()
    for heading in re.findall(r"^#{1,6}\s+(.*)$", text, re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        anchors.add(slug)
    links = re.findall(r"\]\(#([^)]+)\)", text)
    assert links
    assert set(links) <= anchors, set(links) - anchors


# The layering -----------------------------------------------------------------------------


def test_layering_table_is_what_the_layering_test_checks() -> None:
    """§2.2's table of what each package may import is the allowlist of tests/test_layering.py
    (besides the standard library, which both state in words)."""
    from tests.test_layering import LAYERS

    rows = [line for line in design_section("2.2").splitlines() if line.startswith("| `")]
    table: dict[str, set[str]] = {}
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        (package,) = re.findall(r"`([\w.]+)`", cells[0])
        table[package] = {name for name in re.findall(r"`([\w.]+)`", cells[1])} | {
            word for word in ("numpy", "mypy") if re.search(rf"\b{word}\b", cells[1])
        }
    assert table == {layer.package: set(layer.allowed) for layer in LAYERS}


# Paths ------------------------------------------------------------------------------------

REPO_PATH = re.compile(r"`((?:src|tests|benchmarks|scripts|examples|docs|core)/[\w./-]*[\w/])`")
# `core/ir.py` is short for the core's module.
CORE_PREFIX = "src/tnp_runtime/"


def test_paths_the_design_names_exist() -> None:
    """A file or folder the design names in backticks (`tests/test_layering.py`) exists, so a
    moved module or test is not left cited at its old place."""
    text = DESIGN.read_text(encoding="utf-8")
    named = {
        (CORE_PREFIX if match.group(1).startswith("core/") else "") + match.group(1)
        for match in REPO_PATH.finditer(text)
    }
    assert len(named) >= 5
    missing = sorted(path for path in named if not (REPO_DIR / path).exists())
    assert not missing, f"docs/DESIGN.md names paths that do not exist: {missing}"
