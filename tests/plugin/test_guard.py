"""A bug in the plugin is a `tnp-internal` error, never a mypy INTERNAL ERROR; with
`TNP_MYPY_RERAISE=1` it propagates. The version check and the config are validated."""

from __future__ import annotations

from pathlib import Path

import mypy.api
import pytest

import tnp_mypy
from tests.support.mypy_run import CASES_DIR, CONFIG
from tnp_mypy import config
from tnp_mypy.features import analysis
from tnp_mypy.interpreter.evaluator import Interpreter


def _boom(*args: object, **kwargs: object) -> None:
    raise ZeroDivisionError("planted bug")


def test_bug_becomes_tnp_internal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Interpreter, "run_function", _boom)
    monkeypatch.setattr(analysis, "_CACHE", {})
    stdout, stderr, _ = mypy.api.run(
        ["--config-file", str(CONFIG), "--no-incremental", str(CASES_DIR / "coverage.py")]
    )
    assert "INTERNAL ERROR" not in stdout + stderr
    assert "tnp plugin bug: ZeroDivisionError: planted bug" in stdout
    assert "[tnp-internal]" in stdout


def test_hook_bug_becomes_tnp_internal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analysis, "scope_findings", _boom)
    stdout, stderr, _ = mypy.api.run(
        ["--config-file", str(CONFIG), "--no-incremental", str(CASES_DIR / "coverage.py")]
    )
    assert "INTERNAL ERROR" not in stdout + stderr
    assert "[tnp-internal]" in stdout


def test_reraise_for_debugging(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(analysis, "scope_findings", _boom)
    monkeypatch.setenv("TNP_MYPY_RERAISE", "1")
    stdout, stderr, _ = mypy.api.run(
        ["--config-file", str(CONFIG), "--no-incremental", "--show-traceback",
         str(CASES_DIR / "coverage.py")]
    )
    # mypy shows the plugin's exception as its own crash, with the traceback.
    captured = capsys.readouterr()
    shown = stdout + stderr + captured.out + captured.err
    assert "INTERNAL ERROR" in shown
    assert "ZeroDivisionError: planted bug" in shown


def test_unsupported_mypy_version() -> None:
    with pytest.raises(RuntimeError, match="supports mypy"):
        tnp_mypy.plugin("0.990")
    assert tnp_mypy.plugin("2.4.1") is not None


def test_config_validation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    toml = tmp_path / "pyproject.toml"
    toml.write_text(
        "[tool.tnp_mypy]\nmax_statements = -3\nmax_seconds = 2.5\nmax_statments = 9\n"
    )
    loaded = config.load(str(toml))
    assert loaded == config.Config(config.DEFAULT_MAX_STATEMENTS, 2.5)
    err = capsys.readouterr().err
    assert "max_statements must be a positive integer" in err
    assert "unknown key 'max_statments'" in err
    ini = tmp_path / "mypy.ini"
    ini.write_text("[mypy]\n[tnp_mypy]\nmax_statements = 12\nmax_seconds = soon\n")
    loaded = config.load(str(ini))
    assert loaded == config.Config(12, config.DEFAULT_MAX_SECONDS)
    assert "max_seconds must be a positive number" in capsys.readouterr().err


def test_unsupported_severity_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`unsupported` is "error" (the default) or "note", in pyproject.toml and mypy.ini alike;
    any other value is rejected with a message naming both, and the default (error) kept."""
    assert config.Config().unsupported == "error" and config.Config().stop_is_error
    toml = tmp_path / "pyproject.toml"
    toml.write_text('[tool.tnp_mypy]\nunsupported = "note"\n')
    assert config.load(str(toml)) == config.Config(unsupported="note")
    assert not config.load(str(toml)).stop_is_error
    ini = tmp_path / "mypy.ini"
    ini.write_text("[mypy]\n[tnp_mypy]\nunsupported = note\n")
    assert config.load(str(ini)) == config.Config(unsupported="note")
    assert capsys.readouterr().err == ""
    for bad in ('"warning"', "false", '"Note"', "1"):
        toml.write_text(f"[tool.tnp_mypy]\nunsupported = {bad}\n")
        assert config.load(str(toml)) == config.Config()
        err = capsys.readouterr().err
        assert 'unsupported must be "error" or "note"' in err and "using the default" in err
    ini.write_text("[mypy]\n[tnp_mypy]\nunsupported = off\n")
    assert config.load(str(ini)) == config.Config()
    assert 'unsupported must be "error" or "note", got \'off\'' in capsys.readouterr().err
