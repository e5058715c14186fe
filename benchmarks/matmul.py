"""Prover time for tiled matmul `6 * (M N, N K -> M K)`, up to 64 x 64 x 64 tiles of 32.

    PYTHONPATH=. python benchmarks/matmul.py [--quick] [--runs N]

The kernel is examples/matmul.py in kernel form, with M = N = K = tiles * 32: tiles**2 output
tiles, each accumulating `tiles` einsums (tiles**3 einsums in all, 262144 at 64), each tile of
`a` scaled by 3 and of `b` by 2 before its einsum. It runs through the runtime, which is what
users pay; each run measures, with `time.perf_counter`:

- wall: the whole kernel call (slicing, scaling, einsums and accumulation through the runtime,
  every `assign`, the coverage check on return);
- proof: the time spent inside `assign` (prove, then write the tile), in total, per output tile,
  for the first output tile, and on average for the others.

An output tile's expression is a pointwise term: where the tile sits lives in its dim type,
not in the expression, so every output tile has the same interned expression and spec. The
first `assign` normalizes both (its cost grows with the tiles over N); the others find the
normal forms memoized and pay for the dim checks, the coverage record and the write.

The memo lives as long as the process, so every run is a fresh Python process (this script
started with `--worker`); the table shows the median over `--runs` processes of each column.
"""

from __future__ import annotations

import time
from typing import Any
from typing import Literal as L

import _common
import numpy as np
from _timed import TimedResult

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult, einsum

M, N, K = FullDim("M", 128), FullDim("N", 256), FullDim("K", 64)
TILE = 32
SPEC = "6 * (M N, N K -> M K)"
TILES_PER_DIM = (1, 2, 4, 8, 16, 32, 64)


def matmul(
    a: Typed[L["M N"]], b: Typed[L["N K"]], c: TypedResult[L["6 * (M N, N K -> M K)"]]
) -> None:
    """examples/matmul.py's kernel, line for line; `@tnp.kernel` is applied by `measure` once
    the module's M, N and K have the sizes being measured."""
    for im in range(0, M.size, TILE):
        for ik in range(0, K.size, TILE):
            c_accum: Typed | None = None
            for in_ in range(0, N.size, TILE):
                tile_a = a.slice(M, im, im + TILE).slice(N, in_, in_ + TILE)
                tile_b = b.slice(N, in_, in_ + TILE).slice(K, ik, ik + TILE)
                tile_c = einsum(tile_a * 3, tile_b * 2, "M N, N K -> M K")
                c_accum = c_accum + tile_c if c_accum is not None else tile_c
            assert c_accum is not None
            c.assign(c_accum)


def measure(tiles: int) -> dict[str, float]:
    """One kernel call with `tiles` tiles along each of M, N and K, in this (fresh) process."""
    global M, N, K
    size = tiles * TILE
    M, N, K = FullDim("M", size), FullDim("N", size), FullDim("K", size)
    kernel = tnp.kernel(matmul)
    rng = np.random.default_rng(0)
    a: Typed[Any] = Typed(rng.standard_normal((size, size)), M, N)
    b: Typed[Any] = Typed(rng.standard_normal((size, size)), N, K)
    c = TimedResult(SPEC)
    start = time.perf_counter()
    kernel(a, b, c)
    wall = time.perf_counter() - start
    assert np.allclose(c.arr, 6 * a.arr @ b.arr)
    proofs = c.assign_seconds
    later = proofs[1:]
    return {
        "wall": wall,
        "proof": sum(proofs),
        "first": proofs[0],
        "later_mean": sum(later) / len(later) if later else float("nan"),
        "peak_rss_mb": _common.peak_rss_mb(),
    }


def row(tiles: int, runs: list[dict[str, float]]) -> list[str]:
    def med(key: str) -> float:
        return _common.median([r[key] for r in runs])

    outputs = tiles * tiles
    later = med("later_mean")
    return [
        f"{tiles}x{tiles}x{tiles}",
        str(tiles * TILE),
        str(tiles**3),
        str(outputs),
        f"{med('wall'):.3f}",
        _common.ms(med("proof")),
        f"{med('proof') / med('wall') * 100:.1f}",
        _common.us(med("proof") / outputs),
        _common.ms(med("first")),
        "—" if later != later else _common.us(later),
        f"{med('peak_rss_mb'):.0f}",
    ]


def main() -> None:
    args = _common.base_parser(__doc__, default_runs=3).parse_args()
    if args.worker:
        _common.emit(measure(int(args.worker[0])))
        return
    counts = TILES_PER_DIM[:1] if args.quick else TILES_PER_DIM
    runs = 1 if args.quick else args.runs
    _common.print_header(
        "Tiled matmul 6 * (M N, N K -> M K): runtime wall time and proof time (tile 32)",
        [f"median of {runs} runs per size, each in a fresh process"],
    )
    headers = [
        "tiles (M x K x N)",
        "M = N = K",
        "einsums",
        "output tiles",
        "wall (s)",
        "proof (ms)",
        "proof / wall (%)",
        "proof per output tile (µs)",
        "first tile proof (ms)",
        "later tiles, mean (µs)",
        "peak RSS (MB)",
    ]
    rows = []
    for tiles in counts:
        rows.append(row(tiles, [_common.run_worker(__file__, [str(tiles)]) for _ in range(runs)]))
    _common.print_table(headers, rows)
    _common.print_footer()


if __name__ == "__main__":
    main()
