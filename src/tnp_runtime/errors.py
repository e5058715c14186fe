"""The runtime's exceptions, built from core diagnostics, located in the user's code.

`TypeCheckError` is raised for a rule violation (the data is wrong), `SpecError` for a spec or an
annotation that cannot be parsed or resolved (the annotation is wrong). Both carry the `tnp-*`
code and the file and line of the user's code that triggered them: the same line the mypy
plugin reports.
"""

from __future__ import annotations

import os
import sys
from types import CodeType, FrameType
from typing import Final, NoReturn

from tnp_runtime.core import tables
from tnp_runtime.core.diagnostics import Diagnostic, Violation
from tnp_runtime.core.origins import Location
from tnp_runtime.core.spec import SpecError

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


class TypeCheckError(TypeError):
    """A tnp rule violation: `.code` is the `tnp-*` code, the message is the plugin's."""

    def __init__(
        self, diagnostic: Diagnostic, filename: str | None = None, lineno: int | None = None
    ) -> None:
        super().__init__(diagnostic.render(filename))
        self.diagnostic = diagnostic
        self.code = diagnostic.code.value
        self.filename = filename
        self.lineno = lineno


def user_frame() -> FrameType | None:
    """The innermost frame outside this package: where the user's code is."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = os.path.abspath(frame.f_code.co_filename)
        if not filename.startswith(_PACKAGE_DIR + os.sep):
            return frame
        frame = frame.f_back  # type: ignore[assignment]
    return None


# Whether a code object's file lies in this package, by code object: the frame walk of
# `user_line`, run at every operation of a kernel, tests each file once.
_INSIDE: Final[dict[CodeType, bool]] = {}
tables.register("errors.inside", _INSIDE, "cleared: recomputed per code object")


def user_line() -> Location | None:
    """Where the user's code called into tnp, as `core.origins` records it (cheap: no path
    is normalised twice)."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        inside = _INSIDE.get(code)
        if inside is None:
            filename = os.path.abspath(code.co_filename)
            inside = _INSIDE[code] = filename.startswith(_PACKAGE_DIR + os.sep)
        if not inside:
            return Location(code.co_filename, frame.f_lineno)
        frame = frame.f_back
    return None


def user_location() -> tuple[str | None, int | None]:
    """File and line of the user's code that called into tnp."""
    frame = user_frame()
    if frame is None:
        return None, None
    return frame.f_code.co_filename, frame.f_lineno


def fail(diagnostic: Diagnostic) -> NoReturn:
    filename, lineno = user_location()
    raise TypeCheckError(diagnostic, filename, lineno)


def reraise(err: Violation) -> NoReturn:
    """Turn a core violation into the runtime's exception, located at the user's line."""
    filename, lineno = user_location()
    raise TypeCheckError(err.diagnostic, filename, lineno) from None


__all__ = ["SpecError", "TypeCheckError", "fail", "reraise", "user_location"]
