"""A construct the interpreter cannot follow ends the static check of its scope: an error where
the scope writes a result (its remaining tiles went unchecked), a note where it writes nothing;
nothing after it is reported. `unsupported_note.py` is the same with `unsupported = "note"`."""

import numpy as np

from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 8), FullDim("N", 8)


def data_dependent() -> None:
    x = Typed(np.ones((8, 8)), M, N, name="X")
    c = TypedResult("X:M N")
    stop = int(np.random.default_rng(0).integers(1, 3))
    for im in range(0, 8, 4 * stop):  # E: tnp cannot follow a `range` whose bounds it does not know; the static check of this scope stops here (the runtime still checks it)  [tnp-unsupported]
        # ^N: this scope writes a result and mypy did not check all of it; `unsupported = "note"` in [tool.tnp_mypy] shows this as a note instead
        c.assign(x.slice(M, im, im + 4) * 2)


def try_block() -> None:
    x = Typed(np.ones((8, 8)), M, N, name="X")
    c = TypedResult("X:M N")
    try:  # E: tnp cannot follow a `TryStmt` statement; the static check of this scope stops here (the runtime still checks it)  [tnp-unsupported]
        # ^N: this scope writes a result and mypy did not check all of it; `unsupported = "note"` in [tool.tnp_mypy] shows this as a note instead
        c.assign(x * 2)
    except ValueError:
        print("done")


def double(x: Typed) -> None:
    c = TypedResult("2 * X:M N")
    c.assign(x * 2)


def writes_through_a_helper() -> None:
    """The result is made and written in a function it calls: it writes one all the same."""
    x = Typed(np.ones((8, 8)), M, N, name="X")
    try:  # E: tnp cannot follow a `TryStmt` statement; the static check of this scope stops here (the runtime still checks it)  [tnp-unsupported]
        # ^N: this scope writes a result and mypy did not check all of it; `unsupported = "note"` in [tool.tnp_mypy] shows this as a note instead
        double(x)
    except ValueError:
        print("done")


def reads_only() -> None:
    """Writes no result: nothing mypy could report was skipped, so a note."""
    x = Typed(np.ones((8, 8)), M, N, name="X")
    try:  # N: tnp cannot follow a `TryStmt` statement; the static check of this scope stops here (the runtime still checks it)
        print(x.sum(M))
    except ValueError:
        print("done")


def complete() -> None:
    x = Typed(np.ones((8, 8)), M, N, name="X")
    c = TypedResult("2 * X:M N")
    c.assign(x * 2)


# The module's own code writes no result: `complete` is checked as a scope of its own.
z = Typed(np.ones((8, 8)), M, N, name="Z")
try:  # N: tnp cannot follow a `TryStmt` statement; the static check of this scope stops here (the runtime still checks it)
    complete()
except ValueError:
    pass
