"""`tnp fix` on before/after files (tests/fix/cases): each `<name>.before.py` fixed is
`<name>.after.py`; `<name>.<choice>.after.py` is the before file with the alternative `choice`
applied (an ambiguous leaf, which the command lists and does not apply). Then: a second run
changes nothing, `--diff` writes nothing, a file that does not parse is left untouched, and the
exit statuses.

The fixes from diagnostics run mypy (in this process, as the command does) with a config that
enables the plugin: one run of the command over all the cases, so mypy starts once per round.
"""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tnp_runtime.fix import cli, engine, mypy_run
from tnp_runtime.fix.proposal import Plan
from tnp_runtime.fix.source import Source

CASES_DIR = Path(__file__).parent / "cases"
NAMES = sorted(p.name.removesuffix(".before.py") for p in CASES_DIR.glob("*.before.py"))
CHOICES = sorted(CASES_DIR.glob("*.*.after.py"))
MYPY_INI = "[mypy]\nplugins = tnp_mypy\n"


@dataclass(frozen=True)
class Run:
    status: int
    out: str
    err: str


def fix(paths: list[Path], diff: bool = False) -> Run:
    out, err = io.StringIO(), io.StringIO()
    status = cli.run([str(p) for p in paths], diff=diff, use_mypy=True, out=out, err=err)
    return Run(status, out.getvalue(), err.getvalue())


def _project(folder: Path, names: list[str]) -> list[Path]:
    (folder / "mypy.ini").write_text(MYPY_INI, encoding="utf-8")
    paths = []
    for name in names:
        path = folder / f"{name}.py"
        shutil.copyfile(CASES_DIR / f"{name}.before.py", path)
        paths.append(path)
    return paths


@dataclass(frozen=True)
class Fixed:
    folder: Path
    first: Run
    second: Run
    texts_after_first: dict[str, str]


@pytest.fixture(scope="module")
def fixed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fixed]:
    folder = tmp_path_factory.mktemp("fix_cases")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        _project(folder, NAMES)
        first = fix([Path(".")])
        texts = {n: (folder / f"{n}.py").read_text(encoding="utf-8") for n in NAMES}
        second = fix([Path(".")])
        yield Fixed(folder, first, second, texts)


@pytest.mark.parametrize("name", NAMES)
def test_fixed_as_the_after_file(fixed: Fixed, name: str) -> None:
    expected = (CASES_DIR / f"{name}.after.py").read_text(encoding="utf-8")
    assert fixed.texts_after_first[name] == expected, fixed.first


@pytest.mark.parametrize("name", NAMES)
def test_a_second_run_changes_nothing(fixed: Fixed, name: str) -> None:
    assert (fixed.folder / f"{name}.py").read_text(encoding="utf-8") == (
        fixed.texts_after_first[name])
    assert f"{name}.py" not in "".join(
        line for line in fixed.second.out.splitlines() if ": fixed: " in line)


def test_the_report_and_the_status(fixed: Fixed) -> None:
    """Each applied fix is reported with its file and line; the ambiguous leaf is listed with
    its spellings, not applied, and makes the status 1 (something is left for the author), in
    both runs."""
    lines = fixed.first.out.splitlines()
    assert any(line.startswith("seed_api.py:5: fixed: import tnp_runtime") for line in lines)
    assert any(line.startswith("running_kernel.py:28: fixed: annotate `row_sum: Typed | float`")
               for line in lines), lines
    choose = [line for line in lines if "choose one" in line]
    assert choose == [
        "ambiguous_leaf.py:20: not fixed, choose one: `K:nctx dhead` or `V:nctx dhead` (tnp fix "
        "does not choose which input a spec means; the editor offers each)"
    ]
    assert fixed.first.status == fixed.second.status == 1
    assert [line for line in fixed.second.out.splitlines() if ": fixed: " in line] == []
    assert fixed.first.err == ""


@pytest.mark.parametrize("after", CHOICES, ids=lambda p: p.name)
def test_each_alternative_applies_its_spelling(after: Path) -> None:
    """The editor's quick fixes for an ambiguous leaf: one per spelling, each naming the leaf
    where the caret of the message points, in the part of the literal that holds it."""
    name, choice = after.name.removesuffix(".after.py").split(".")
    source, plan = _planned(name)
    (alternatives,) = plan.choices().values()
    (chosen,) = [p for p in alternatives if f"`{choice}:" in p.title]
    assert engine.rewrite(source, [chosen]) == after.read_text(encoding="utf-8")


@functools.cache
def _planned(name: str) -> tuple[Source, Plan]:
    """The engine's plan for a before file, from mypy's findings on it (one mypy run)."""
    before = (CASES_DIR / f"{name}.before.py").resolve()
    text = before.read_text(encoding="utf-8")
    found = mypy_run.check({before: text})
    source = Source(text)
    return source, engine.plan(source, found[before])


def test_nothing_to_fix_exits_0(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (path,) = _project(tmp_path, ["nothing_to_fix"])
    run = fix([path])
    assert (run.status, run.out, run.err) == (0, "", "")
    assert path.read_text(encoding="utf-8") == (
        CASES_DIR / "nothing_to_fix.before.py").read_text(encoding="utf-8")


def test_diff_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (path,) = _project(tmp_path, ["running_script"])
    before = path.read_text(encoding="utf-8")
    run = fix([path], diff=True)
    assert path.read_text(encoding="utf-8") == before
    assert run.status == 0
    assert run.out.startswith(f"--- a/{path}\n+++ b/{path}\n@@ ")
    assert "-total = 0\n+total: Typed | float = 0\n" in run.out
    assert "+assert isinstance(total, Typed)\n" in run.out
    # The report goes to stderr, so the diff alone can be piped to `patch`.
    assert run.err.startswith(f"{path}:15: fixed: annotate `total: Typed | float`")


def test_a_file_that_does_not_parse_is_left_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    broken = tmp_path / "broken.py"
    text = "from typed_numpy import Typed\n\ndef f(:\n    pass\n"
    broken.write_text(text, encoding="utf-8")
    run = fix([broken])
    assert run.status == 2
    assert broken.read_text(encoding="utf-8") == text
    assert run.err.startswith(f"{broken}:3:")
    assert "cannot parse" in run.err and "left unchanged" in run.err
    assert run.out == ""


def test_a_missing_path_is_status_2(tmp_path: Path) -> None:
    run = fix([tmp_path / "nowhere.py"])
    assert run.status == 2
    assert "no such file or directory" in run.err


def test_the_tnp_command_runs_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    """`tnp fix` (the console script's function) is `python -m tnp_runtime.fix`."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "seed.py"
    path.write_text("from typed_numpy import FullDim\n\nM = FullDim('M', 4)\n", encoding="utf-8")
    assert cli.tnp_main(["fix", "--no-mypy", str(path)]) == 0
    assert path.read_text(encoding="utf-8") == (
        "from tnp_runtime import FullDim\n\nM = FullDim('M', 4)\n")
    assert capsys.readouterr().out == (
        f"{path}:1: fixed: import from tnp_runtime instead of typed_numpy\n")


def test_a_config_without_the_plugin_is_said(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the plugin mypy prints none of tnp's messages: the command says so, and its
    status is 1, not the 0 of a file with nothing to fix."""
    monkeypatch.chdir(tmp_path)
    (path,) = _project(tmp_path, ["nothing_to_fix"])
    (tmp_path / "mypy.ini").write_text("[mypy]\n", encoding="utf-8")
    run = fix([path])
    assert run.status == 1
    assert "does not enable the tnp plugin" in run.err


def test_python_dash_m(tmp_path: Path) -> None:
    """`python -m tnp_runtime.fix` is the command (here without mypy: the seed's imports)."""
    path = tmp_path / "seed.py"
    path.write_text("import typed_numpy\n\nM = typed_numpy.FullDim('M', 4)\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "tnp_runtime.fix", "--no-mypy", str(path)],
        capture_output=True, text=True, cwd=tmp_path, check=False, timeout=120,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"{path}:1: fixed: import tnp_runtime instead of typed_numpy\n"
    assert path.read_text(encoding="utf-8") == (
        "import tnp_runtime as tnp\n\nM = tnp.FullDim('M', 4)\n")


@pytest.mark.slow  # four mypy runs more than the others: each file alone, in two rounds
def test_files_mypy_cannot_check_together_are_checked_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two files of one module name: mypy refuses them together ("Duplicate module named"),
    so each is checked alone, and both are fixed."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mypy.ini").write_text(MYPY_INI, encoding="utf-8")
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        shutil.copyfile(CASES_DIR / "running_script.before.py", tmp_path / folder / "mod.py")
    run = fix([tmp_path / "a" / "mod.py", tmp_path / "b" / "mod.py"])
    assert (run.status, run.err) == (0, "")
    for folder in ("a", "b"):
        assert (tmp_path / folder / "mod.py").read_text(encoding="utf-8") == (
            CASES_DIR / "running_script.after.py").read_text(encoding="utf-8")
