"""`tnp fix PATH...` (and `python -m tnp_runtime.fix PATH...`): apply the fixes tnp's messages
propose, in place or as a diff.

Exit status: 0 when nothing is left to fix (every fix applied, or none needed); 1 when
something is left for the author (a spec leaf to name, one of several spellings; a fix that
cannot be made safely; mypy not installed, so only the seed's imports were looked at; a mypy
configuration that does not enable the tnp plugin, so tnp's messages were not seen); 2 when a
path is missing, or a file cannot be read or parsed, or mypy cannot check it (such a file is
left untouched; the others are fixed).
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from tnp_runtime.fix import engine, mypy_run
from tnp_runtime.fix.findings import Finding
from tnp_runtime.fix.proposal import Plan
from tnp_runtime.fix.source import Source, Unparsable

# Rounds of mypy: a fix can reveal the next finding (mypy reports a second running value only
# once the first is annotated). Each round that changes nothing ends the loop sooner.
MAX_ROUNDS = 4


@dataclass(slots=True)
class _File:
    path: Path
    shown: str
    original: str
    text: str = ""
    applied: list[str] = field(default_factory=list)
    left: Plan = field(default_factory=Plan)
    failed: bool = False


def _files(paths: Sequence[str], err: TextIO) -> tuple[list[Path], bool]:
    found: list[Path] = []
    ok = True
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(
                p for p in path.rglob("*.py")
                if not any(part.startswith(".") or part == "__pycache__"
                           for part in p.relative_to(path).parts)
            ))
        elif path.is_file():
            found.append(path)
        else:
            print(f"{raw}: no such file or directory", file=err)
            ok = False
    return found, ok


def _read(path: Path, err: TextIO) -> str | None:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as error:
        print(f"{path}: cannot read: {error}; left unchanged", file=err)
        return None
    try:
        Source(text)
    except Unparsable as error:
        print(f"{path}:{error.line}:{error.column + 1}: cannot parse: {error.message}; "
              "left unchanged", file=err)
        return None
    return text


def _apply(file: _File, findings: list[Finding], syntactic: bool) -> bool:
    """Apply the automatic proposals for `file`'s text; True if the text changed."""
    source = Source(file.text)
    plan = engine.plan(source, findings, syntactic=syntactic)
    automatic = plan.automatic()
    file.left = Plan(tuple(p for p in plan.proposals if p not in automatic), plan.unfixed)
    if not automatic:
        return False
    new = engine.rewrite(source, automatic)
    file.applied.extend(f"{file.shown}:{p.line}: fixed: {p.title}" for p in automatic)
    changed = new != file.text
    file.text = new
    return changed


def _diagnose(files: list[_File], err: TextIO) -> dict[Path, list[Finding]]:
    """mypy's findings for `files`, checked together; if mypy cannot check them together (a
    module name twice, an import of a file that does not parse), each alone. A file mypy cannot
    check is reported, marked failed and left out of the answer: it will be left untouched."""
    try:
        return mypy_run.check({f.path: f.text for f in files})
    except mypy_run.MypyFailed as failed:
        if len(files) > 1:
            found: dict[Path, list[Finding]] = {}
            for file in files:
                found.update(_diagnose([file], err))
            return found
        (file,) = files
        print(f"{file.shown}: mypy could not check it (exit status {failed.status}); left "
              f"unchanged:\n{failed.output}", file=err)
        file.failed = True
        return {}


def run(paths: Sequence[str], diff: bool, use_mypy: bool, out: TextIO, err: TextIO) -> int:
    found, status_ok = _files(paths, err)
    status = 0 if status_ok else 2
    files: list[_File] = []
    for path in found:
        text = _read(path, err)
        if text is None:
            status = 2
            continue
        files.append(_File(path.resolve(), str(path), text, text))
    for file in files:
        _apply(file, [], syntactic=True)
    incomplete = False
    if use_mypy and files:
        try:
            if mypy_run.plugin_enabled() is False:
                print("tnp fix: the mypy configuration here does not enable the tnp plugin "
                      "(plugins = [\"tnp_mypy\"] in [tool.mypy], or plugins = tnp_mypy in "
                      "mypy.ini), so tnp's own messages were not seen; only mypy's were",
                      file=err)
                incomplete = True
            checked_files = list(files)
            for _ in range(MAX_ROUNDS):
                checked = _diagnose(checked_files, err)
                if len(checked) < len(checked_files):
                    status = 2
                    checked_files = [f for f in checked_files if f.path in checked]
                changed = [_apply(f, checked[f.path], syntactic=False) for f in checked_files]
                if not any(changed):
                    break
        except mypy_run.MypyMissing:
            print("tnp fix: mypy is not installed here, so only the seed's imports were "
                  "rewritten; `pip install 'tnp[mypy]'` for the fixes of mypy's and tnp's "
                  "messages", file=err)
            incomplete = True
        files = [f for f in files if not f.failed]
    report = err if diff else out
    for file in files:
        for line in file.applied:
            print(line, file=report)
        for alternatives in file.left.choices().values():
            shown = " or ".join(f"`{p.choice or p.title}`" for p in alternatives)
            print(f"{file.shown}:{alternatives[0].line}: not fixed, choose one: {shown} (tnp "
                  "fix does not choose which input a spec means; the editor offers each)",
                  file=report)
            incomplete = True
        for unfixed in file.left.unfixed:
            print(f"{file.shown}:{unfixed.line}: not fixed: {unfixed.reason}", file=report)
            incomplete = True
        if file.text == file.original:
            continue
        if diff:
            out.writelines(difflib.unified_diff(
                file.original.splitlines(keepends=True), file.text.splitlines(keepends=True),
                f"a/{file.shown}", f"b/{file.shown}",
            ))
        else:
            with file.path.open("w", encoding="utf-8", newline="") as handle:
                handle.write(file.text)
    if status == 0 and incomplete:
        status = 1
    return status


def main(argv: Sequence[str] | None = None, prog: str = "tnp fix") -> int:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Apply the fixes tnp's messages propose (those marked "
                    "\"(fix: `tnp fix`)\", running values that start as numbers, the seed's "
                    "imports), keeping the files' formatting and comments.",
        epilog="exit status: 0 nothing left to fix; 1 something left for you (listed); "
               "2 a missing path, or a file that cannot be read or parsed, or that mypy cannot "
               "check (left untouched; the others are fixed)",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or directories")
    parser.add_argument("--diff", action="store_true",
                        help="print a unified diff of the fixes instead of writing them")
    parser.add_argument("--no-mypy", action="store_true",
                        help="only the fixes that need no diagnostics (the seed's imports)")
    args = parser.parse_args(argv)
    return run(args.paths, args.diff, not args.no_mypy, sys.stdout, sys.stderr)


def tnp_main(argv: Sequence[str] | None = None) -> int:
    """The `tnp` command: its subcommands (`fix`)."""
    parser = argparse.ArgumentParser(prog="tnp", description="tnp's command-line tools")
    parser.add_argument("command", choices=["fix"], help="fix: apply the fixes tnp proposes")
    parser.add_argument("rest", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    return main(args.rest, prog=f"tnp {args.command}")


def console() -> None:
    """Entry point of the `tnp` console script."""
    sys.exit(tnp_main())
