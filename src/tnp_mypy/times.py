"""The plugin's own time per analysed scope, for measuring it: `TNP_MYPY_TIMES=<path>`.

With the environment variable set to a file path, each analysis of a scope (a kernel, an
annotated function, a module: see `features.analysis`) appends one JSON line to that file:

    {"module": "flash_attention", "scope": "flash_attention.flash_attention", "kind": "kernel",
     "line": 25, "seconds": 0.0123, "statements": 152, "stopped": null}

`seconds` is the wall time of the analysis (interpretation, proofs, findings); `statements` the
statements the interpreter ran (the budget's count, `max_statements`); `stopped` null when the
scope was followed to its end, else why its static check stopped: "construct", "statements",
"seconds" or "integer" (`report.StopReason`), and then the scope was not fully checked. A scope
whose cached analysis is reused writes nothing (nothing was analysed); a module's scope is named
by the module. Lines are appended with one write each, so the processes of a parallel mypy run
may share the file. `benchmarks/mypy_time.py` reads it.

Unset or empty (the default), nothing is written: one environment lookup per analysed scope.
A file that cannot be written is reported once on stderr and otherwise ignored: measuring must
not stop mypy.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Final

from tnp_mypy.report import Finding
from tnp_runtime.core import tables

TIMES_VARIABLE: Final = "TNP_MYPY_TIMES"

# Paths already reported as unwritable (at most one per value the variable had).
_UNWRITABLE: set[str] = set()
tables.register("plugin.times_unwritable", _UNWRITABLE,
                "none: one entry per value TNP_MYPY_TIMES had", clear=False)


def record(module: str, scope: str, kind: str, line: int, seconds: float, statements: int,
           findings: list[Finding]) -> None:
    """Append one line for an analysis of `scope` to the file `TNP_MYPY_TIMES` names, if set."""
    path = os.environ.get(TIMES_VARIABLE)
    if not path:
        return
    stop = next((f.stop for f in findings if f.stop is not None), None)
    entry = {"module": module, "scope": scope, "kind": kind, "line": line, "seconds": seconds,
             "statements": statements, "stopped": None if stop is None else stop.name.lower()}
    try:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry) + "\n")
    except OSError as err:
        if path not in _UNWRITABLE:
            _UNWRITABLE.add(path)
            print(f"tnp_mypy: cannot write {TIMES_VARIABLE}={path}: {err}", file=sys.stderr)
