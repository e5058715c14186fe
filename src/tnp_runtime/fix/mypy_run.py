"""The diagnostics `tnp fix` works from: mypy, with the project's configuration, on texts that
may differ from the files on disk (each is given to mypy with `--shadow-file`).

mypy runs in this process (`mypy.api`), from the current directory, so it reads the project's
configuration there as a plain `mypy` run would (with the tnp plugin if that enables it). It
runs without its incremental cache (`--no-incremental`, cache written to the null device): the
texts are new on every run, and the project's cache is neither read nor changed.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tnp_runtime.fix.findings import Finding, parse_mypy_output


class MypyMissing(Exception):
    """mypy is not installed in this environment."""


@dataclass(frozen=True, slots=True)
class MypyFailed(Exception):
    """mypy could not check the files (a bad configuration, a crash): its exit status and
    what it printed."""

    status: int
    output: str


def plugin_enabled() -> bool | None:
    """Whether the configuration mypy reads here names the tnp plugin (None: unknown)."""
    try:
        from mypy.config_parser import parse_config_file
        from mypy.options import Options

        options = Options()
        parse_config_file(options, lambda: None, None, io.StringIO(), io.StringIO())
    except Exception:  # mypy's own reading of a broken config: `check` reports it
        return None
    return any("tnp_mypy" in plugin for plugin in options.plugins)


def check(texts: Mapping[Path, str]) -> dict[Path, list[Finding]]:
    """mypy's findings for each of `texts` (absolute paths to the text to check there)."""
    try:
        from mypy import api
    except ImportError as err:
        raise MypyMissing(str(err)) from None
    with tempfile.TemporaryDirectory(prefix="tnp-fix-") as folder:
        args = [
            "--no-incremental", "--cache-dir", os.devnull, "--show-column-numbers",
            "--show-absolute-path", "--no-error-summary", "--no-pretty", "--no-color-output",
            "--soft-error-limit", "-1",
        ]
        for index, (path, text) in enumerate(texts.items()):
            shadow = Path(folder) / f"{index}_{path.name}"
            with shadow.open("w", encoding="utf-8", newline="") as out:
                out.write(text)
            args += ["--shadow-file", str(path), str(shadow)]
        args += [str(path) for path in texts]
        # mypy raises the recursion limit for its run and leaves it raised: put it back, so the
        # caller's code (an editor's server, a test session) runs as before.
        limit = sys.getrecursionlimit()
        try:
            stdout, stderr, status = api.run(args)
        finally:
            sys.setrecursionlimit(limit)
    if status not in (0, 1):
        raise MypyFailed(status, (stdout + stderr).strip())
    by_path = parse_mypy_output(stdout)
    found: dict[Path, list[Finding]] = {path: [] for path in texts}
    for printed, findings in by_path.items():
        path = Path(printed).resolve()
        if path in found:
            found[path].extend(findings)
    return found
