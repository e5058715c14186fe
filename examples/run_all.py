"""Run every example, each in its own Python process, and print what each one did.

    python examples/run_all.py

A correct example (`examples/*.py`) must exit 0 and prints a one-line summary. A buggy one
(`examples/buggy/*.py`) must stop with the tnp error its `# error: tnp-CODE` comment names, at
that comment's line; this script shows the code, the line and tnp's message. It exits 1 if any
example did something else.
"""

from __future__ import annotations

import json
import os
import re
import runpy
import subprocess
import sys
import textwrap
import traceback
from dataclasses import dataclass
from pathlib import Path

EXAMPLES_DIR = Path(__file__).resolve().parent
REPO_DIR = EXAMPLES_DIR.parent
EXPECTED_ERROR = re.compile(r"#\s*error:\s*(tnp-[a-z-]+)")
RESULT_MARKER = "tnp-example-result: "
TIMEOUT_SECONDS = 600


def correct_examples() -> list[Path]:
    return sorted(p for p in EXAMPLES_DIR.glob("*.py") if p.name != Path(__file__).name)


def buggy_examples() -> list[Path]:
    return sorted((EXAMPLES_DIR / "buggy").glob("*.py"))


def documented_error(path: Path) -> tuple[str, int]:
    """The (code, line) of the one `# error: tnp-CODE` comment in `path`; lines count from 1."""
    found = [
        (match.group(1), number)
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if (match := EXPECTED_ERROR.search(text))
    ]
    if len(found) != 1:
        raise ValueError(f"{path}: expected one '# error: tnp-CODE' comment, found {len(found)}")
    return found[0]


def reported_line(exc: BaseException, path: Path) -> int | None:
    """The line of `path` at which tnp reports `exc`.

    That is the error's own location when it carries one for this file (`filename` and
    `lineno` attributes), else the innermost traceback frame that runs code of `path`.
    """
    filename, lineno = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    if isinstance(filename, str) and isinstance(lineno, int) and _same_file(filename, path):
        return lineno
    line = None
    for frame, frame_line in traceback.walk_tb(exc.__traceback__):
        if _same_file(frame.f_code.co_filename, path):
            line = frame_line
    return line


def _same_file(filename: str, path: Path) -> bool:
    try:
        return Path(filename).resolve() == path.resolve()
    except OSError:
        return False


def _run_child(path: Path) -> int:
    """In the child process: run one example; report a tnp error as one JSON line on stdout."""
    import tnp_runtime as tnp

    try:
        runpy.run_path(str(path), run_name="__main__")
    except (tnp.TypeCheckError, tnp.SpecError) as exc:
        record = {
            "type": type(exc).__name__,
            "code": str(exc.code),
            "line": reported_line(exc, path),
            "message": str(exc),
        }
        sys.stdout.flush()
        print(RESULT_MARKER + json.dumps(record), flush=True)
        return 1
    return 0


@dataclass(frozen=True)
class Outcome:
    """What one example did: its exit status, its output, and the tnp error it stopped at."""

    returncode: int
    stdout: str
    stderr: str
    error: dict[str, object] | None


def example_env() -> dict[str, str]:
    """The environment to run an example in: this checkout first on the import path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_DIR), env.get("PYTHONPATH")]))
    return env


def run_example(path: Path) -> Outcome:
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", str(path)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        cwd=REPO_DIR,
        env=example_env(),
    )
    error = None
    lines: list[str] = []
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_MARKER):
            error = json.loads(line[len(RESULT_MARKER) :])
        else:
            lines.append(line)
    return Outcome(proc.returncode, "\n".join(lines), proc.stderr, error)


def _shown(path: Path) -> str:
    return str(path.relative_to(REPO_DIR))


def _indent(text: str) -> str:
    return textwrap.indent(text.rstrip(), "    ")


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


def check_correct(path: Path) -> bool:
    outcome = run_example(path)
    if outcome.returncode == 0 and outcome.error is None:
        summary = outcome.stdout.strip().splitlines()[-1:] or [""]
        print(f"OK            {_shown(path)}: {summary[0]}")
        return True
    print(f"FAILED        {_shown(path)}: exit {outcome.returncode}")
    if outcome.error is not None:
        error = outcome.error
        print(_indent(f"line {error['line']}: [{error['code']}] {error['message']}"))
    else:
        print(_indent(_tail(outcome.stderr)))
    return False


def check_buggy(path: Path) -> bool:
    code, line = documented_error(path)
    outcome = run_example(path)
    error = outcome.error
    if error is None:
        print(
            f"UNEXPECTED    {_shown(path)}: expected {code} at line {line}, got exit "
            f"{outcome.returncode}"
        )
        print(_indent(_tail(outcome.stderr or outcome.stdout)))
        return False
    as_documented = error["code"] == code and error["line"] == line
    label = f"{error['code']:<14}" if as_documented else "UNEXPECTED    "
    first, *rest = str(error["message"]).splitlines() or [""]
    print(f"{label}{_shown(path)}:{error['line']}: {first}")
    if rest:
        print(textwrap.indent("\n".join(rest), " " * 14))
    if not as_documented:
        print(_indent(f"expected {code} at line {line}"))
    return as_documented


def main() -> int:
    results = [check_correct(p) for p in correct_examples()]
    results += [check_buggy(p) for p in buggy_examples()]
    failed = results.count(False)
    print(f"\n{len(results)} examples: {len(results) - failed} as documented, {failed} not")
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        sys.exit(_run_child(Path(sys.argv[2]).resolve()))
    sys.exit(main())
