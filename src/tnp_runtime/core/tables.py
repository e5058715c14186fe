"""The registry of process-global tables: what a long-lived process (dmypy, a language server, a
test session) keeps between checks, and how it is kept bounded.

Every module-level table of tnp registers itself here, where it is defined, with one call that
says what a reset means for it (`tests/core/test_tables.py` finds every module-level table in
the source and fails on one that is not registered). Two kinds:

- `register(name, table, on_reset)`: a cache or an interning table that a reset empties (with
  `keep`: and then refills with the entries made at import);
- `register(..., clear=False)` and `register_cache`: a table that bounds itself (weak
  references, an LRU size), listed so that `sizes()` shows everything the process holds.

Soundness. Interned objects (IR nodes, normal-form objects) are compared by identity: the prover
decides equality with `is`. A reset must never let two different inputs share an identity, nor
let an object made before it meet one made after it in a proof. Two rules ensure both:

1. The IR table is weak (`ir._TABLE`): a node stays in it exactly as long as something holds it,
   so a live node is always the one interned for its fields; nothing resets it, and a node made
   before a reset and one made after it with equal fields are one object. Inputs get their
   identity from `ir.new_input`'s serial counter, which is never reset, so no two inputs share
   one, whatever the resets. No table keys on `id()` of a node it does not hold (the spot
   check's set of checked pairs holds the nodes), so a reused id cannot match a stale entry.
2. The tables a reset empties hold only derived data (normal forms, memos, free dims, checked
   pairs, content keys): emptying them loses work, never identity, provided no normal-form
   object made before the reset is still in use. Normal forms live only inside a `checking()`
   block (one proof, one `reveal`, one plugin analysis), and no reset happens while one is open
   (`reset()` raises, `reset_if_idle()` and `bound()` do nothing; a lock makes the test and the
   reset one step). Constants interned at import (`normal.UNIT`, `ZERO`, `ONE`) are put back by
   the reset (`keep`), so a new zero is still `normal.ZERO`; normal-form uids count on across
   resets, so none is reused.

Who resets: the mypy plugin calls `reset_if_idle()` before it analyses a scope (no value of an
earlier analysis survives it: the analysis cache keeps findings, which are text); the runtime
calls `bound()` at the start of each proof, which resets once the emptied tables hold more than
`LIMIT` entries (between proofs, so the sharing inside one proof is untouched). The verdict does
not depend on the resets: normal forms are recomputed from the same nodes.
"""

from __future__ import annotations

import contextlib
import threading
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
# Guards `_active` and every reset, so a reset and the start of a check in another thread cannot
# interleave (a language server may check in one thread while the runtime proves in another).
_LOCK: Final = threading.Lock()
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
    """No check is running now."""
    return not _active[0]


def reset() -> None:
    """Empty every clearable table. Allowed only between checks (see the module docstring):
    raises RuntimeError inside `checking()`."""
    if not reset_if_idle():
        raise RuntimeError("tables.reset() during a check: its interned objects are in use")


def reset_if_idle() -> bool:
    """Empty every clearable table unless a check is running; True if it did."""
    return bound(-1)


def held() -> int:
    """Entries in the clearable tables (what a reset would free)."""
    return sum(t.size() for t in _REGISTRY.values() if t.clear is not None)


def bound(limit: int | None = None) -> bool:
    """Reset if the clearable tables hold more than `limit` (default `LIMIT`) entries and no
    check is running; True if it reset."""
    with _LOCK:
        if _active[0] or held() <= (LIMIT if limit is None else limit):
            return False
        for table in _REGISTRY.values():
            if table.clear is not None:
                table.clear()
        _resets[0] += 1
        return True


@contextlib.contextmanager
def checking() -> Iterator[None]:
    """A block during which objects of the tables are in use (one proof, one analysis): no
    reset happens inside it. Nests."""
    with _LOCK:
        _active[0] += 1
    try:
        yield
    finally:
        with _LOCK:
            _active[0] -= 1
