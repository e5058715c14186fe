"""tnp errors inline in an editor: a real language server (python-lsp-server with pylsp-mypy)
over stdio JSON-RPC publishes the `tnp-*` diagnostic of a buggy kernel at its line, and, once the
document is edited to fix it, publishes diagnostics without it.

The fix keeps the file's size (`2 * (...)` -> `4 * (...)`) and comes within the same second as
the first check: that is the edit mypy's incremental cache (and dmypy's file watcher) can miss,
since both compare sizes and whole-second mtimes. The configurations tested here are the ones
the README's "Editor set-up" recommends: mypy run with `--no-incremental`, on the unsaved buffer
(`live_mode`) or on save.

Each awaited message is the result of exactly one mypy check, and the test sends nothing while
that check runs; each wait allows `TIMEOUT` for it (a check takes about 4 s on an idle 2-core
machine, 35 to 45 s under a load average of 11). An earlier version gave the check of the fix
30 s, then sent the text again as version 3 and waited for that check alone: under load the
check of version 2 came a few seconds after the 30 s and was ignored, and the check of version 3
ran beside it, so the test waited for two slow checks and timed out after 159 s.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.mypy_run import REPO_DIR

pytestmark = pytest.mark.editor

KERNEL = REPO_DIR / "examples" / "buggy" / "matmul_wrong_constant.py"
BUGGY_SPEC = 'TypedResult("2 * (M N, N K -> M K)")'
FIXED_SPEC = 'TypedResult("4 * (M N, N K -> M K)")'
# The installed package carries its stubs (`tnp_runtime-stubs`): the config only names the plugin.
MYPY_INI = "[mypy]\nplugins = tnp_mypy\n"
TIMEOUT = 120.0

# The settings the README recommends (pylsp's `pylsp.plugins.pylsp_mypy`).
LIVE = {"enabled": True, "live_mode": True, "overrides": [True, "--no-incremental"]}
ON_SAVE = {"enabled": True, "live_mode": False, "overrides": [True, "--no-incremental"]}
# Other linters off: only mypy's diagnostics are published.
QUIET = {
    name: {"enabled": False}
    for name in ("pycodestyle", "pyflakes", "mccabe", "pylint", "flake8", "autopep8", "yapf",
                 "pydocstyle", "rope_autoimport", "rope_completion", "jedi_completion")
}


class LspClient:
    """A minimal LSP client over a subprocess' stdio: Content-Length framing, requests with ids,
    notifications, and a queue of what the server sends (its own requests answered with null)."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self._stderr = (cwd / "pylsp.log").open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pylsp"], cwd=cwd, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
        )
        self._inbox: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._next_id = 0
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        stream = self.proc.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                header = stream.readline()
                if not header:
                    self._inbox.put(None)
                    return
                header = header.strip()
                if not header:
                    break
                name, _, value = header.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            assert length is not None, "a message without Content-Length"
            message = json.loads(stream.read(length).decode("utf-8"))
            if "method" in message and "id" in message:  # a request from the server
                self._send({"jsonrpc": "2.0", "id": message["id"], "result": None})
            self._inbox.put(message)

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message).encode("utf-8")
        with self._lock:
            stdin = self.proc.stdin
            assert stdin is not None
            stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            stdin.flush()

    def notify(self, method: str, params: dict[str, Any] | None) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: dict[str, Any] | None) -> Any:
        self._next_id += 1
        ident = self._next_id
        self._send({"jsonrpc": "2.0", "id": ident, "method": method, "params": params})
        message = self.wait(lambda m: m.get("id") == ident and "method" not in m)
        assert "error" not in message, message
        return message.get("result")

    def wait(self, accept: Any, timeout: float = TIMEOUT) -> dict[str, Any]:
        """The next message `accept` takes; fails after `timeout` seconds or if the server
        exits."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no awaited message in {timeout} s; {self.log_tail()}")
            try:
                message = self._inbox.get(timeout=left)
            except queue.Empty:
                continue
            if message is None:
                raise AssertionError(f"the server exited; {self.log_tail()}")
            if accept(message):
                return message

    def diagnostics(self, uri: str, version: int) -> list[dict[str, Any]]:
        """The mypy diagnostics of the next publishDiagnostics for `uri` at `version`."""
        message = self.wait(
            lambda m: m.get("method") == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == uri
            and m["params"].get("version") == version
        )
        return [d for d in message["params"]["diagnostics"] if d.get("source") == "mypy"]

    def log_tail(self) -> str:
        self._stderr.flush()
        text = Path(self._stderr.name).read_text(encoding="utf-8", errors="replace")
        return "pylsp's log ends:\n" + "\n".join(text.splitlines()[-30:])

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                self.request("shutdown", None)
                self.notify("exit", None)
                self.proc.wait(timeout=30)
        except (AssertionError, OSError, subprocess.TimeoutExpired):
            pass
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(timeout=30)
            self._stderr.close()


def _documented_line(text: str) -> int:
    """The 1-based line of the kernel's `# error: tnp-spec` comment."""
    lines = [n for n, s in enumerate(text.splitlines(), start=1) if "# error: tnp-spec" in s]
    assert len(lines) == 1
    return lines[0]


def _env(with_mypy_on_path: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MYPY", "PYTHON"))}
    env["PYTHONPATH"] = str(REPO_DIR)
    bindir = str(Path(sys.executable).parent)
    path = [p for p in env.get("PATH", "").split(os.pathsep) if p and p != bindir]
    if with_mypy_on_path:
        path.insert(0, bindir)  # pylsp-mypy runs `mypy` from PATH as a command
    else:
        # No `mypy` command: pylsp-mypy calls mypy.api.run inside the server's own process.
        path = [p for p in path if shutil.which("mypy", path=p) is None]
    env["PATH"] = os.pathsep.join(path)
    return env


def _tnp(diagnostics: list[dict[str, Any]]) -> set[tuple[int, str]]:
    """(0-based line, code) of the tnp errors among `diagnostics`."""
    return {
        (d["range"]["start"]["line"], d["code"])
        for d in diagnostics
        if d.get("severity") == 1 and str(d.get("code", "")).startswith("tnp-")
    }


def _others(diagnostics: list[dict[str, Any]]) -> list[tuple[int, str]]:
    return sorted(
        (d["range"]["start"]["line"], d["message"])
        for d in diagnostics
        if d.get("severity") == 1 and not str(d.get("code", "")).startswith("tnp-")
    )


def _start(folder: Path, settings: dict[str, Any], backend: str) -> LspClient:
    """A pylsp in `folder` with pylsp-mypy's `settings`, initialized."""
    (folder / "mypy.ini").write_text(MYPY_INI)
    client = LspClient(folder, _env(with_mypy_on_path=backend == "command"))
    try:
        # The settings go in one place only: pylsp merges a list given in two places (here
        # `overrides`, in `initializationOptions` and in the configuration) as a set, in an
        # order that changes with each process's string hashing. Half the time `--no-incremental`
        # then came before pylsp-mypy's own `--incremental` and lost: mypy kept its cache and,
        # in pylsp's own process, showed the error of the text before the edit.
        pylsp = {"plugins": {**QUIET, "pylsp_mypy": settings}}
        result = client.request("initialize", {
            "processId": os.getpid(), "rootUri": folder.as_uri(), "capabilities": {},
        })
        assert "capabilities" in result
        client.notify("initialized", {})
        client.notify("workspace/didChangeConfiguration", {"settings": {"pylsp": pylsp}})
    except BaseException:
        client.close()
        raise
    return client


@pytest.mark.parametrize(
    ("settings", "backend"),
    [(LIVE, "command"), (ON_SAVE, "command"), (LIVE, "api")],
    ids=["live-no-incremental", "on-save-no-incremental", "live-in-process"],
)
def test_tnp_error_inline_then_fixed(tmp_path: Path, settings: dict[str, Any],
                                     backend: str) -> None:
    text = KERNEL.read_text(encoding="utf-8")
    assert text.count(BUGGY_SPEC) == 1 and len(BUGGY_SPEC) == len(FIXED_SPEC)
    line = _documented_line(text) - 1
    kernel = tmp_path / "kernel.py"
    kernel.write_text(text, encoding="utf-8")
    uri = kernel.as_uri()

    client = _start(tmp_path, settings, backend)
    try:
        client.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": text}})
        found = client.diagnostics(uri, 1)
        assert _tnp(found) == {(line, "tnp-spec")}, found
        others = _others(found)
        (error,) = [d for d in found if d.get("code") == "tnp-spec"]
        assert error["message"].startswith("kernel computes `4 * (M N, N K -> M K)`"), error
        assert "the spec requires `2 * (M N, N K -> M K)`" in error["message"], error

        fixed = text.replace(BUGGY_SPEC, FIXED_SPEC)
        client.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]})
        if not settings.get("live_mode", True):
            # pylsp-mypy repeats the last result until a save.
            assert _tnp(client.diagnostics(uri, 2)) == {(line, "tnp-spec")}
            kernel.write_text(fixed, encoding="utf-8")
            client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
        # The check of the fixed text is the next publication for version 2: pylsp runs one lint
        # per change (after a 0.5 s debounce) and publishes it with the document's version when
        # it started. It must not show the error (a stale result, the cache problem this set-up
        # avoids, fails here at once). Nothing is sent while it runs: another edit would start a
        # second mypy run beside it (in pylsp's own process, for the in-process backend).
        found = client.diagnostics(uri, 2)
        assert not _tnp(found), found
        # mypy's own findings are unchanged: a fresh check of the same file.
        assert _others(found) == others, found
    finally:
        client.close()


REVEAL = """\
import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, einsum

M, N, K = FullDim("M", 8), FullDim("N", 8), FullDim("K", 8)


def show() -> None:
    a = Typed(np.ones((8, 8)), M, N, name="A")
    b = Typed(np.ones((8, 8)), N, K, name="B")
    tnp.reveal(einsum(a.slice(M, 0, 4) * 3, b * 2, "M N, N K -> M K"))


show()
"""


def test_reveal_inline(tmp_path: Path) -> None:
    """`tnp.reveal(x)` is an information diagnostic at its line, with the text the runtime
    prints."""
    kernel = tmp_path / "reveal.py"
    kernel.write_text(REVEAL, encoding="utf-8")
    line = next(n for n, s in enumerate(REVEAL.splitlines()) if "tnp.reveal(" in s)
    printed = subprocess.run(
        [sys.executable, str(kernel)], capture_output=True, text=True, timeout=TIMEOUT,
        env=_env(with_mypy_on_path=True), check=True,
    ).stdout.strip()
    assert printed == "tnp.reveal: dims M[0:4] K[0:8]; expr `6 * (M N, N K -> M K)`"
    client = _start(tmp_path, LIVE, "command")
    try:
        uri = kernel.as_uri()
        client.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": REVEAL}})
        found = client.diagnostics(uri, 1)
        shown = [(d["range"]["start"]["line"], d["severity"], d["message"]) for d in found]
        assert shown == [(line, 3, printed)], found
    finally:
        client.close()
