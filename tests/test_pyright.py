"""pyright in strict mode (what VS Code's Pylance runs) with tnp's stubs, as the README says:

- the correct examples, the README's usage example, the README's idioms no example shows
  (tests/pyright/idioms.py) and the stubs' mypy --strict surface (tests/plugin/strict/) give
  no error and no warning under `pyright --strict` (tests/pyright/pyrightconfig.json);
- the types pyright infers are those tests/pyright/reveal.py names (a literal dim name is a
  literal, annotated values have their literal dims);
- pyright does not check tnp's rules: each buggy example (a wrong spec, a skipped tile, ...)
  passes it, while the runtime and mypy with the plugin stop at its documented `tnp-*` error
  (tests/test_examples.py, tests/plugin/test_examples_mypy.py);
- `x / np.sqrt(16)` (Any in NumPy's stubs) makes what follows Unknown, as the README warns.

All of it is one pyright run (pyright starts once, and parses NumPy's stubs once: about 8 s of
CPU time), and one mypy run and one run of the idioms file: the `slow` tier (`.ci/run` runs
`pytest -m slow`). Skipped, with the reason, where pyright cannot run: the `pyright` package of
the test extra runs the npm release with the machine's Node, which it downloads when there is
none.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import runtime_run
from tests.support.mypy_run import EXAMPLES_DIR, REPO_DIR, run_mypy
from tests.test_readme import usage_example

PYRIGHT_DIR = REPO_DIR / "tests" / "pyright"
CONFIG = PYRIGHT_DIR / "pyrightconfig.json"
IDIOMS = PYRIGHT_DIR / "idioms.py"
REVEAL = PYRIGHT_DIR / "reveal.py"
API_SURFACE = REPO_DIR / "tests" / "plugin" / "strict" / "api_surface.py"
# The pyright of the test extra (in this interpreter's scripts directory, as
# tests/test_install.py finds it).
PYRIGHT = shutil.which("pyright", path=str(Path(sys.executable).parent))

CORRECT = [*runtime_run.run_all().correct_examples(), EXAMPLES_DIR / "run_all.py"]
BUGGY = runtime_run.run_all().buggy_examples()
# A buggy example that divides by `np.sqrt(16)` has pyright's Unknowns too (the README's
# warning, checked below on a correct example); the others show what pyright does not check.
BUGGY_PLAIN = [p for p in BUGGY if "np.sqrt(16)" not in p.read_text(encoding="utf-8")]
_REVEALED = re.compile(r'^Type of "(?P<expr>.*)" is "(?P<type>.*)"$')
_REVEAL_LINE = re.compile(r"reveal_type\(.*\)\s*#\s*(?P<type>.+)$")

pytestmark = pytest.mark.slow


def _unavailable() -> str | None:
    """Why pyright cannot run here, or None."""
    if PYRIGHT is None:
        return "pyright is not installed: the test extra brings it (pip install -e '.[test]')"
    try:
        probe = subprocess.run(
            [PYRIGHT, "--version"], capture_output=True, text=True, timeout=300, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"pyright cannot start (it needs Node, or the network to fetch it): {err}"
    if probe.returncode != 0:
        return f"pyright cannot start (it needs Node, or the network to fetch it): {probe.stderr}"
    return None


def _diagnostics(workdir: Path) -> dict[Path, list[dict[str, object]]]:
    """pyright's diagnostics (JSON) by file, for every file this module checks, in one run."""
    readme = workdir / "readme_usage.py"
    readme.write_text(usage_example(), encoding="utf-8")
    flash = (EXAMPLES_DIR / "flash_attention.py").read_text(encoding="utf-8")
    with_np_sqrt = flash.replace("/ math.sqrt(16)", "/ np.sqrt(16)").replace("import math\n", "")
    assert with_np_sqrt != flash, "flash_attention.py no longer divides by math.sqrt(16)"
    (workdir / "flash_np_sqrt.py").write_text(with_np_sqrt, encoding="utf-8")
    files = [*CORRECT, IDIOMS, API_SURFACE, REVEAL, *BUGGY_PLAIN, readme,
             workdir / "flash_np_sqrt.py"]
    assert PYRIGHT is not None
    proc = subprocess.run(
        [PYRIGHT, "--outputjson", "-p", str(CONFIG), "--pythonpath", sys.executable,
         *map(str, files)],
        capture_output=True, text=True, timeout=600, check=False, cwd=workdir,
    )
    report = json.loads(proc.stdout)
    assert report["summary"]["filesAnalyzed"] == len(files), report["summary"]
    found: dict[Path, list[dict[str, object]]] = {Path(f).resolve(): [] for f in files}
    for diagnostic in report["generalDiagnostics"]:
        found[Path(diagnostic["file"]).resolve()].append(diagnostic)
    return found


@pytest.fixture(scope="module")
def diagnostics(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, list[dict[str, object]]]:
    reason = _unavailable()
    if reason is not None:
        pytest.skip(reason)
    return _diagnostics(tmp_path_factory.mktemp("pyright"))


def _shown(diagnostic: dict[str, object]) -> str:
    start = diagnostic["range"]["start"]  # type: ignore[index]
    return f"{start['line'] + 1}: {diagnostic['message']} ({diagnostic.get('rule')})"


def _problems(found: list[dict[str, object]]) -> list[str]:
    return [_shown(d) for d in found if d["severity"] in ("error", "warning")]


def _by_name(path: Path, diagnostics: dict[Path, list[dict[str, object]]]) -> list[str]:
    return _problems(diagnostics[path.resolve()])


def test_pyright_checks_what_the_examples_cover() -> None:
    assert CORRECT and BUGGY_PLAIN


@pytest.mark.parametrize(
    "path", [*CORRECT, IDIOMS, API_SURFACE], ids=lambda p: str(p.relative_to(REPO_DIR))
)
def test_strict_pyright_accepts(
    path: Path, diagnostics: dict[Path, list[dict[str, object]]]
) -> None:
    assert _by_name(path, diagnostics) == []


def test_strict_pyright_accepts_the_readme_usage_example(
    diagnostics: dict[Path, list[dict[str, object]]],
) -> None:
    (readme,) = [p for p in diagnostics if p.name == "readme_usage.py"]
    assert _by_name(readme, diagnostics) == []


def test_pyright_infers_the_types_reveal_py_names(
    diagnostics: dict[Path, list[dict[str, object]]],
) -> None:
    lines = REVEAL.read_text(encoding="utf-8").splitlines()
    wanted = {
        number: match.group("type").strip()
        for number, text in enumerate(lines, start=1)
        if (match := _REVEAL_LINE.search(text))
    }
    got: dict[int, str] = {}
    for diagnostic in diagnostics[REVEAL.resolve()]:
        match = _REVEALED.match(str(diagnostic["message"]))
        if diagnostic["severity"] == "information" and match:
            got[diagnostic["range"]["start"]["line"] + 1] = match.group("type")  # type: ignore[index]
    assert len(wanted) >= 10
    assert got == wanted
    assert _by_name(REVEAL, diagnostics) == []


@pytest.mark.parametrize("path", BUGGY_PLAIN, ids=lambda p: p.name)
def test_pyright_does_not_check_tnp_rules(
    path: Path, diagnostics: dict[Path, list[dict[str, object]]]
) -> None:
    """A kernel with a documented tnp error passes strict pyright: only mypy with the plugin
    (and the runtime) report `tnp-*` codes."""
    code, _line = runtime_run.run_all().documented_error(path)
    assert code.startswith("tnp-")
    assert _by_name(path, diagnostics) == []


def test_np_sqrt_of_a_number_makes_what_follows_unknown(
    diagnostics: dict[Path, list[dict[str, object]]],
) -> None:
    """The README's warning: the same kernel with `/ np.sqrt(16)` (Any in NumPy's stubs) gets
    strict mode's unknown-type errors, and only those."""
    (flash,) = [p for p in diagnostics if p.name == "flash_np_sqrt.py"]
    rules = {d.get("rule") for d in diagnostics[flash] if d["severity"] == "error"}
    assert "reportUnknownVariableType" in rules
    assert rules <= {"reportUnknownVariableType", "reportUnknownArgumentType",
                     "reportUnknownMemberType"}


def test_idioms_are_correct_tnp_code() -> None:
    """The idioms file is kernel code that runs and that mypy with the plugin accepts."""
    proc = subprocess.run(
        [sys.executable, str(IDIOMS)], capture_output=True, text=True, timeout=600,
        cwd=REPO_DIR, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "idioms: OK" in proc.stdout
    assert run_mypy(IDIOMS) == ""
