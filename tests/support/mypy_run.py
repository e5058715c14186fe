"""mypy with the tnp plugin, as the tests run it: one call per set of files, memoized, and the
shared runs every plugin case file and every example is checked in.

A mypy start-up (NumPy's stubs parsed again: no incremental cache) costs seconds; a file more
in a run costs little. So the case files are checked together, one run per config (the
default, the tiny budget, the note config), the examples in one more, and each test reads its
file's lines from those runs (`checked`). A file's lines are the same in a shared run as alone:
mypy reports each file's errors at its own lines, and the plugin's analysis and budget are per
scope.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from pathlib import Path

import mypy.api
from mypy.nodes import MypyFile

REPO_DIR = Path(__file__).resolve().parent.parent.parent
PLUGIN_DIR = REPO_DIR / "tests" / "plugin"
CASES_DIR = PLUGIN_DIR / "cases"
EXAMPLES_DIR = REPO_DIR / "examples"
CONFIG = PLUGIN_DIR / "mypy.ini"
BUDGET_CONFIG = PLUGIN_DIR / "budget.ini"
NOTE_CONFIG = PLUGIN_DIR / "note.ini"
# Set (to a directory), mypy keeps its cache there instead of running `--no-incremental`: the
# version matrix (scripts/mypy_matrix.sh) and CI's oldest-mypy run use it for speed. The output
# is the same: mypy always re-checks a module that had an error, and prints nothing for the
# others.
CACHE_DIR_VARIABLE = "TNP_TEST_MYPY_CACHE_DIR"

CASES = tuple(sorted(CASES_DIR.glob("*.py")))
# Every example, `run_all.py` included (a file mypy must pass like the others). Not in the
# cases' run: `examples/script_form.py` and `cases/script_form.py` are one module name to mypy.
EXAMPLES = tuple(sorted([*EXAMPLES_DIR.glob("*.py"), *(EXAMPLES_DIR / "buggy").glob("*.py")]))

_OUTPUT_PATH = re.compile(r"^(?P<path>[^:\n]+):\d+: ")


@functools.cache
def run_mypy(*paths: Path, config: Path = CONFIG, extra: tuple[str, ...] = ()) -> str:
    """mypy's stdout on `paths`, without cache and summary (memoized)."""
    cache_dir = os.environ.get(CACHE_DIR_VARIABLE)
    incremental = ("--cache-dir", cache_dir) if cache_dir else ("--no-incremental",)
    # mypy raises the recursion limit for its run and leaves it raised: put it back, so later
    # tests run as users' code does (and Hypothesis does not warn that it changed).
    limit = sys.getrecursionlimit()
    try:
        stdout, stderr, _status = mypy.api.run(
            [
                "--config-file", str(config), *incremental, "--no-error-summary",
                "--hide-error-context", "--no-pretty", "--show-traceback", *extra,
                *map(str, paths),
            ]
        )
    finally:
        sys.setrecursionlimit(limit)
    assert "INTERNAL ERROR" not in stdout + stderr, stdout + stderr
    return stdout


def config_for(path: Path) -> Path:
    """A case file's config, by its name: `budget*` (a tiny budget), `note_*` (a tiny budget
    and `unsupported = "note"`), else the default."""
    if path.stem.startswith("budget"):
        return BUDGET_CONFIG
    if path.stem.startswith("note_"):
        return NOTE_CONFIG
    return CONFIG


@functools.cache
def _shared_run(config: Path, examples: bool) -> dict[Path, str]:
    """The output lines of one run over the examples, or over the case files of `config`, by
    the resolved path of the file they are about."""
    paths = EXAMPLES if examples else tuple(p for p in CASES if config_for(p) == config)
    stdout = run_mypy(*paths, config=config)
    by_path: dict[Path, list[str]] = {path.resolve(): [] for path in paths}
    for line in stdout.splitlines():
        match = _OUTPUT_PATH.match(line)
        if match is None:
            continue
        path = Path(match.group("path"))
        path = (path if path.is_absolute() else Path.cwd() / path).resolve()
        by_path.setdefault(path, []).append(line)
    return {path: "".join(line + "\n" for line in lines) for path, lines in by_path.items()}


def checked(path: Path) -> str:
    """mypy's output about `path`, a plugin case file or an example, from the run shared by all
    of them (with the case's config)."""
    resolved = path.resolve()
    examples = resolved.is_relative_to(EXAMPLES_DIR)
    assert examples or resolved.parent == CASES_DIR, f"{path} is neither a case nor an example"
    return _shared_run(CONFIG if examples else config_for(path), examples)[resolved]


def analysed_tree(directory: Path, source: str) -> MypyFile:
    """`source` as module `subject`, analysed by mypy without the plugin (types and all, as the
    plugin sees a module): what the interpreter's unit tests run on."""
    from mypy import build
    from mypy.modulefinder import BuildSource
    from mypy.options import Options

    path = directory / "subject.py"
    path.write_text(source)
    options = Options()
    options.incremental = False
    options.preserve_asts = True
    options.export_types = True
    result = build.build([BuildSource(str(path), "subject", None)], options)
    assert not [e for e in result.errors if "error:" in e], result.errors
    return result.files["subject"]
