"""The plugin's settings: `[tool.tnp_mypy]` in pyproject.toml or `[tnp_mypy]` in mypy.ini.

Keys: `max_statements` (statements the interpreter may execute per analysed scope; a positive
int), `max_seconds` (wall time per scope; a positive number), `unsupported` (`"error"`, the
default, or `"note"`: how a scope that writes a result is reported when its static check stops
before its end, at a construct the plugin cannot follow or at the budget) and `induction`
(true, the default, or false: prove tile loops once by induction, or unroll every iteration;
see `interpreter.induction`). An unknown key or a bad value is warned about on stderr and the
default used: a typo must not silently turn the budget or the error off, nor stop mypy.
"""

from __future__ import annotations

import configparser
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Final

DEFAULT_MAX_STATEMENTS: Final = 200_000
DEFAULT_MAX_SECONDS: Final = 30.0
# How a stopped check of a scope that writes a result is shown: its accepted values.
UNSUPPORTED_SEVERITIES: Final = ("error", "note")
DEFAULT_UNSUPPORTED: Final = "error"
SECTION_TOML: Final = "tnp_mypy"
SECTION_INI: Final = "tnp_mypy"


@dataclass(frozen=True, slots=True)
class Config:
    """Validated settings. Invariants: both limits are positive; `unsupported` is one of
    `UNSUPPORTED_SEVERITIES`."""

    max_statements: int = DEFAULT_MAX_STATEMENTS
    max_seconds: float = DEFAULT_MAX_SECONDS
    unsupported: str = DEFAULT_UNSUPPORTED
    induction: bool = True

    @property
    def stop_is_error(self) -> bool:
        """A stopped check of a scope that writes a result is an error (else a note)."""
        return self.unsupported == "error"

    def data(self) -> dict[str, Any]:
        """What `report_config_data` returns: a change invalidates mypy's cache."""
        return asdict(self)


def _warn(source: str, message: str) -> None:
    print(f"tnp_mypy: {source}: {message}; using the default", file=sys.stderr)


def _positive_int(raw: object) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, str):
        try:
            raw = int(raw.strip())
        except ValueError:
            return None
    return raw if isinstance(raw, int) and raw > 0 else None


def _positive_float(raw: object) -> float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, str):
        try:
            raw = float(raw.strip())
        except ValueError:
            return None
    if isinstance(raw, (int, float)) and raw > 0 and raw == raw and raw != float("inf"):
        return float(raw)
    return None


def from_mapping(values: Mapping[str, object], source: str) -> Config:
    """A `Config` from raw key/values, warning about each unknown key and bad value."""
    max_statements = DEFAULT_MAX_STATEMENTS
    max_seconds = DEFAULT_MAX_SECONDS
    unsupported = DEFAULT_UNSUPPORTED
    induction = True
    for key, raw in values.items():
        if key == "max_statements":
            parsed_int = _positive_int(raw)
            if parsed_int is None:
                _warn(source, f"max_statements must be a positive integer, got {raw!r}")
            else:
                max_statements = parsed_int
        elif key == "max_seconds":
            parsed_float = _positive_float(raw)
            if parsed_float is None:
                _warn(source, f"max_seconds must be a positive number, got {raw!r}")
            else:
                max_seconds = parsed_float
        elif key == "unsupported":
            severity = raw.strip().strip('"').strip("'") if isinstance(raw, str) else raw
            if severity not in UNSUPPORTED_SEVERITIES:
                _warn(source, f'unsupported must be "error" or "note", got {raw!r}')
            else:
                assert isinstance(severity, str)
                unsupported = severity
        elif key == "induction":
            parsed_bool = _boolean(raw)
            if parsed_bool is None:
                _warn(source, f"induction must be true or false, got {raw!r}")
            else:
                induction = parsed_bool
        else:
            print(f"tnp_mypy: {source}: unknown key {key!r} ignored "
                  "(known: max_statements, max_seconds, unsupported, induction)", file=sys.stderr)
    return Config(max_statements, max_seconds, unsupported, induction)


def _boolean(raw: object) -> bool | None:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        return {"true": True, "false": False}.get(raw.strip().strip('"').strip("'").lower())
    return None


def load(config_file: str | None) -> Config:
    """Settings from mypy's config file (None: defaults)."""
    if config_file is None:
        return Config()
    try:
        if config_file.endswith(".toml"):
            with open(config_file, "rb") as handle:
                tool = tomllib.load(handle).get("tool", {})
            section = tool.get(SECTION_TOML, {})
            if not isinstance(section, dict):
                _warn(config_file, f"[tool.{SECTION_TOML}] must be a table")
                return Config()
            return from_mapping(section, f"{config_file} [tool.{SECTION_TOML}]")
        parser = configparser.ConfigParser()
        parser.read(config_file, encoding="utf-8")
        if not parser.has_section(SECTION_INI):
            return Config()
        return from_mapping(dict(parser.items(SECTION_INI)), f"{config_file} [{SECTION_INI}]")
    except (OSError, tomllib.TOMLDecodeError, configparser.Error) as err:
        _warn(config_file, f"cannot read the settings ({err})")
        return Config()
