"""What identifies the code that judged a file: part of the plugin's cache key.

mypy keeps a module's errors in its incremental cache and re-checks the module only when the
module, its dependencies or the plugins' `report_config_data` change. tnp's verdicts come from
the plugin and the core, so a cached verdict must not outlive the code that reached it. The
released version is not enough: an editable install (`pip install -e .`) or a checkout on
`sys.path` runs changed code under the same version, and a stale "Success" would be reported
for a kernel the current code refuses. The fingerprint is computed from the sources' names,
sizes and modification times (no file is read), once per process.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from pathlib import Path

import tnp_mypy
import tnp_runtime.core
from tnp_runtime.core import tables


def source_fingerprint(roots: Iterable[Path]) -> str:
    """A digest of every `.py` file under `roots`: its path relative to its root, its size and
    its modification time in nanoseconds. Any edit, added or removed file changes it."""
    digest = hashlib.sha256()
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            stat = path.stat()
            digest.update(
                f"{root.name}/{path.relative_to(root)}\0{stat.st_size}\0{stat.st_mtime_ns}\n"
                .encode()
            )
    return digest.hexdigest()[:16]


@functools.cache
def tnp_sources() -> str:
    """The fingerprint of the plugin's and the core's sources as imported in this process."""
    roots = (Path(tnp_mypy.__file__).parent, Path(tnp_runtime.core.__file__).parent)
    return source_fingerprint(roots)


tables.register_cache(
    "plugin.source_fingerprint", tnp_sources, "none: one entry, the code of this process"
)
