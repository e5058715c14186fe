"""The registry of process-global tables: what a long-lived process (dmypy, a language server, a
test session) keeps between checks, and how it is kept bounded.

Every module-level table of tnp registers itself here, where it is defined, with one call that
says what a reset means for it. Two kinds:

- `register(..., clear=...)`: a cache or interning table a `reset()` empties;
- `register(..., clear=None)`: a table that bounds itself (weak references, an LRU size), listed
  so `sizes()` shows everything the process holds.

Soundness. Interned objects (IR nodes, normal-form objects) are compared by identity, and the
prover decides equality by `is`. Two rules keep that true across resets:

1. The IR table is weak (`ir._TABLE`): a node stays in it exactly as long as something holds it,
   so a live node is always the one interned for its fields; nothing resets it, and a node made
   before a reset and one made after it are one object when their fields are equal. Inputs get
   their identity from `ir.new_input`'s serial counter, which is never reset, so two inputs never
   share an identity, whatever the resets.
2. The tables a reset clears hold only derived data (normal forms, memos, free dims, checked
   pairs): clearing them loses work, never identity, provided no normal-form object from before
   the reset is still in use. Normal forms live only inside one `prove` (or one `reveal`), so a
   reset is allowed whenever no proof is running: `reset()` refuses (raises) inside `checking()`.
   Constants interned at import (`normal.ZERO`, `ONE`, `UNIT`) are kept by the reset (`keep`),
   so a new zero is still `normal.ZERO`; uids count on across resets, so no uid is reused.

Who resets: the mypy plugin calls `reset()` before it analyses a scope (no value of an earlier
analysis survives it: the analysis cache keeps findings, which are text); the runtime calls
`bound()` at the start of each proof, which resets once the cleared tables hold more than
`LIMIT` entries (between proofs, so the sharing inside one proof is untouched).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

# Entries in the clearable tables above which `bound()` resets them (about 500 bytes each). One
# proof of flash attention at 4096 key tiles leaves about 220,000; a reset between two proofs
# costs the next one only the normal forms it would have shared with earlier ones.
LIMIT = 500_000


@dataclass(frozen=True, slots=True)
class Table:
    """One registered table: `table` is the object (a container, or an `lru_cache` function);
    `size()` counts its entries; `clear()` empties it (None: the table bounds itself and a
    reset leaves it alone); `on_reset` says what a reset means for it."""

    name: str
    table: object
    size: Callable[[], int]
    clear: Callable[[], None] | None
    on_reset: str


_REGISTRY: Final[dict[str, Table]] = {}
# How many `checking()` blocks are open (a reset inside one would split a proof's objects).
_active = [0]
_resets = [0]


def register(
    name: str,
    table: Collection[object],
    on_reset: str,
    *,
    clear: bool = True,
    keep: Mapping[Any, object] | None = None,
) -> None:
    """Register `table` (a dict, a set, any sized container with `clear`) under `name`.

    `clear=False` marks a table that bounds itself (a reset leaves it alone). `keep`, for a dict,
    is what a reset puts back after clearing it: the entries made at import (constants that
    other modules compare with `is`), given as a copy taken where the table registers."""
    clear_table: Callable[[], None] | None = None
    if clear:
        kept = dict(keep or {})
        emptied: Callable[[], None] = getattr(table, "clear")  # noqa: B009
        if kept:
            update: Callable[[Mapping[object, object]], None] = getattr(table, "update")  # noqa: B009

            def clear_table() -> None:
                emptied()
                update(kept)
        else:
            clear_table = emptied
    _REGISTRY[name] = Table(name, table, table.__len__, clear_table, on_reset)


def register_cache(name: str, function: Callable[..., object], on_reset: str) -> None:
    """Register a `functools.lru_cache`-wrapped function: bounded by its `maxsize`, left alone
    by a reset."""
    info = getattr(function, "cache_info")  # noqa: B009
    _REGISTRY[name] = Table(name, function, lambda: int(info().currsize), None, on_reset)


def tables() -> tuple[Table, ...]:
    """Every registered table, in order of registration."""
    return tuple(_REGISTRY.values())


def sizes() -> dict[str, int]:
    """Entries per registered table (what the process holds now)."""
    return {table.name: table.size() for table in _REGISTRY.values()}


def resets() -> int:
    """How many resets this process made (for tests and benchmarks)."""
    return _resets[0]


def idle() -> bool:
    """No check is running: a reset is allowed now."""
    return not _active[0]


def reset() -> None:
    """Empty every clearable table. Allowed only between checks (see the module docstring):
    raises RuntimeError inside `checking()`."""
    if _active[0]:
        raise RuntimeError("tables.reset() during a check: its interned objects are in use")
    for table in _REGISTRY.values():
        if table.clear is not None:
            table.clear()
    _resets[0] += 1


def held() -> int:
    """Entries in the clearable tables (what a reset would free)."""
    return sum(t.size() for t in _REGISTRY.values() if t.clear is not None)


def bound(limit: int | None = None) -> bool:
    """Reset if the clearable tables hold more than `limit` (default `LIMIT`) entries and no
    check is running; True if it reset."""
    if _active[0]:
        return False
    if held() <= (LIMIT if limit is None else limit):
        return False
    reset()
    return True


@contextlib.contextmanager
def checking() -> Iterator[None]:
    """A block during which objects of the tables are in use (one proof, one analysis): no
    reset happens inside it. Nests."""
    _active[0] += 1
    try:
        yield
    finally:
        _active[0] -= 1
