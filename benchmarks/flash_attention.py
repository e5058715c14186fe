"""Prover time for flash attention from 4 to 4096 key tiles (docs/DESIGN.md §8).

    PYTHONPATH=. python benchmarks/flash_attention.py [--quick] [--runs N]

The kernel is examples/flash_attention.py in kernel form (qctx 32, dhead 16, tile 32, so one
query tile and nctx / 32 key tiles), run through the runtime on random inputs. Each run measures,
with `time.perf_counter`:

- run: the kernel call up to the `assign` (building both types and computing the NumPy data,
  tile by tile), that is the call's wall time minus the time spent inside `assign`;
- proof: the `assign` call, which proves the tile against the spec and writes it;
- peak RSS: `resource.getrusage(RUSAGE_SELF).ru_maxrss` at the end of the process (it includes
  the interpreter, NumPy and the inputs, shown on their own as "RSS before the call").

The core memoizes normal forms per interned node for the life of the process, so a second
kernel call in one process would measure a cache hit. Every run of every size is therefore a
fresh Python process (this script started with `--worker`); the table shows the median over
`--runs` processes, of each column separately. A last process at the largest size runs the
kernel under `tracemalloc` and reports the peak of Python allocations during the call (traced
runs are slower, so their time is not reported).

A second table shows the cost of the check that evaluates both sides of a proved tile before
accepting it (`tnp_runtime/core/spot_check.py`): at each size, runs with the check and runs
without it (the worker replaces `prove.spot_check` by a function that finds nothing) alternate,
each in a fresh process, so both see the same machine load; a run with the check also times the
check alone (the time inside `spot_check`).

`--causal` prints a third table instead: the causal kernel of `benchmarks/_causal.py` (the
last query tile of 32 over 4 to 4096 key tiles: the tiles below the diagonal unmasked, the
diagonal tile masked with `qctx + offset >= nctx`), whose proof restricts the masked spec to
the tile first (`core/restrict.py`); target: under 5 s at 4096 key tiles.

The seed's numbers (a Rust e-graph, release build, Apple M3 Pro) are from its README and were
measured on another machine; they are shown for scale, not as a like-for-like comparison.
"""

from __future__ import annotations

import contextlib
import math
import time
import tracemalloc
from collections.abc import Callable
from typing import Any
from typing import Literal as L

import _causal
import _common
import numpy as np
from _timed import TimedResult

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult, einsum, exp, max
from tnp_runtime.core import prove

qctx, dhead, nctx = FullDim("qctx", 32), FullDim("dhead", 16), FullDim("nctx", 512)
TILE = 32
SPEC = (
    "(softmax[nctx]((qctx dhead, K:nctx dhead -> qctx nctx) / sqrt(16)),"
    " V:nctx dhead -> qctx dhead)"
)
TILE_COUNTS = (4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096)
# The seed's proof times in seconds by tile count (its README: Rust e-graph, Apple M3 Pro).
SEED_SECONDS = {4: 1.18, 8: 3.52, 16: 67.53}
# Proof-time targets of docs/DESIGN.md §8, in seconds, by tile count.
TARGET_SECONDS = {16: 0.05, 256: 0.5, 4096: 5.0}
TARGET_PEAK_MB = 1024
# The spot check's cost: sizes compared with and without it, and its target (docs/DESIGN.md §8).
CHECK_TILE_COUNTS = (16, 256, 1024, 4096)
CHECK_TARGET = 0.10  # of the proof time without the check, at 4096 tiles

Array = np.ndarray[Any, np.dtype[np.float64]]


def flash_attention(
    Q: Typed[L["qctx dhead"]],
    K: Typed[L["nctx dhead"]],
    V: Typed[L["nctx dhead"]],
    out: TypedResult[
        L[
            "(softmax[nctx]((qctx dhead, K:nctx dhead -> qctx nctx) / sqrt(16)),"
            " V:nctx dhead -> qctx dhead)"
        ]
    ],
) -> None:
    """examples/flash_attention.py's kernel, line for line; `@tnp.kernel` is applied by
    `measure` once the module's `nctx` has the size being measured."""
    for iq in range(0, qctx.size, TILE):
        q = Q.slice(qctx, iq, iq + TILE)
        # Running values start as plain numbers and become tiles: for mypy they are
        # `Typed | float` until the loop is done.
        row_max: Typed | float = -np.inf
        row_sum: Typed | float = 0
        acc: Typed | float = 0
        for jk in range(0, nctx.size, TILE):
            k = K.slice(nctx, jk, jk + TILE)
            v = V.slice(nctx, jk, jk + TILE)
            scores = einsum(q, k, "qctx dhead, nctx dhead -> qctx nctx") / math.sqrt(16)
            new_max = max(row_max, scores.max(nctx))
            p = exp(scores - new_max.repeat(nctx[jk : jk + TILE]))
            rescale = exp(row_max - new_max)
            row_sum = row_sum * rescale + p.sum(nctx)
            acc = acc * rescale.repeat(dhead) + einsum(p, v, "qctx nctx, nctx dhead -> qctx dhead")
            row_max = new_max
        assert isinstance(acc, Typed) and isinstance(row_sum, Typed)
        out.assign(acc / row_sum.repeat(dhead))


def reference(q: Array, k: Array, v: Array) -> Array:
    """Softmax attention in plain NumPy, to check the kernel's result (not timed)."""
    scores = q @ k.T / np.sqrt(dhead.size)
    p = np.exp(scores - scores.max(axis=1, keepdims=True))
    result: Array = (p / p.sum(axis=1, keepdims=True)) @ v
    return result


def _install_check(mode: str) -> list[float]:
    """`mode` "off": proofs skip the spot check; "on": it runs, timed into the list returned."""
    spent = [0.0]
    original: Callable[..., object] = prove.spot_check
    if mode == "off":
        prove.spot_check = lambda *args, **kwargs: None  # type: ignore[assignment]
    else:

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - start

        prove.spot_check = timed  # type: ignore[assignment]
    return spent


def _leave_collector_on() -> None:
    """Proofs run with the garbage collector as the caller has it (on), not paused."""
    prove.collector_paused = contextlib.nullcontext  # type: ignore[assignment]


def measure(tiles: int, trace_memory: bool, check: str = "on") -> dict[str, float]:
    """One kernel call at `tiles` key tiles, in this (fresh) process."""
    global nctx
    spent = _install_check(check)
    nctx = FullDim("nctx", tiles * TILE)
    kernel = tnp.kernel(flash_attention)
    rng = np.random.default_rng(0)
    q: Typed[Any] = Typed(rng.standard_normal((qctx.size, dhead.size)), qctx, dhead)
    k: Typed[Any] = Typed(rng.standard_normal((nctx.size, dhead.size)), nctx, dhead)
    v: Typed[Any] = Typed(rng.standard_normal((nctx.size, dhead.size)), nctx, dhead)
    out = TimedResult(SPEC)
    rss_before = _common.peak_rss_mb()
    if trace_memory:
        tracemalloc.start()
    start = time.perf_counter()
    kernel(q, k, v, out)
    call_seconds = time.perf_counter() - start
    traced_peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace_memory else 0.0
    tracemalloc.stop()
    assert np.allclose(out.arr, reference(q.arr, k.arr, v.arr))
    return {
        "run": call_seconds - out.proof_seconds,
        "proof": out.proof_seconds,
        "rss_before_mb": rss_before,
        "peak_rss_mb": _common.peak_rss_mb(),
        "traced_peak_mb": traced_peak,
        "check": spent[0],
    }


def row(tiles: int, runs: list[dict[str, float]]) -> list[str]:
    run = _common.median([r["run"] for r in runs])
    proof = _common.median([r["proof"] for r in runs])
    seed = SEED_SECONDS.get(tiles)
    return [
        str(tiles),
        str(tiles * TILE),
        _common.ms(run),
        _common.ms(proof),
        _common.us(run / tiles),
        _common.us(proof / tiles),
        f"{_common.median([r['peak_rss_mb'] for r in runs]):.0f}",
        "—" if seed is None else f"{seed:.2f} s",
    ]


def target_lines(proofs: dict[int, float], peak_mb: float, largest: int) -> list[str]:
    lines = []
    for tiles, limit in TARGET_SECONDS.items():
        if tiles in proofs:
            verdict = "met" if proofs[tiles] < limit else "MISSED"
            lines.append(
                f"target: proof < {limit:g} s at {tiles} tiles: "
                f"{proofs[tiles]:.3f} s, {verdict}"
            )
    verdict = "met" if peak_mb < TARGET_PEAK_MB else "MISSED"
    lines.append(
        f"target: peak RSS < {TARGET_PEAK_MB} MB at {largest} tiles: {peak_mb:.0f} MB, {verdict}"
    )
    return lines


def report(results: dict[int, list[dict[str, float]]], traced: dict[str, float]) -> None:
    headers = [
        "tiles",
        "nctx",
        "run: types + NumPy (ms)",
        "proof: assign (ms)",
        "run per tile (µs)",
        "proof per tile (µs)",
        "peak RSS (MB)",
        "seed proof (Rust e-graph, M3 Pro)",
    ]
    _common.print_table(headers, [row(t, runs) for t, runs in results.items()])
    proofs = {t: _common.median([r["proof"] for r in runs]) for t, runs in results.items()}
    largest = list(results)[-1]  # sizes ascend; `max` here is tnp.max
    largest_runs = results[largest]
    rss_before = _common.median([r["rss_before_mb"] for r in largest_runs])
    peak = _common.median([r["peak_rss_mb"] for r in largest_runs])
    for line in target_lines(proofs, peak, largest):
        print(line)
    if 16 in proofs and largest > 16:
        flat = (proofs[largest] / largest) / (proofs[16] / 16)
        print(f"proof per tile at {largest} tiles / at 16 tiles: {flat:.2f}")
    print(
        f"at {largest} tiles: RSS before the call {rss_before:.0f} MB, peak {peak:.0f} MB; "
        f"tracemalloc peak during the call (separate run) {traced['traced_peak_mb']:.1f} MB"
    )


def check_report(results: dict[int, dict[str, list[dict[str, float]]]]) -> None:
    headers = [
        "tiles",
        "proof without check (ms)",
        "proof with check (ms)",
        "with / without",
        "check alone (ms)",
        "check / proof without (%)",
    ]
    rows = []
    ratios: dict[int, float] = {}
    for tiles, runs in results.items():
        off = _common.median([r["proof"] for r in runs["off"]])
        on = _common.median([r["proof"] for r in runs["on"]])
        alone = _common.median([r["check"] for r in runs["on"]])
        ratios[tiles] = alone / off
        rows.append([
            str(tiles), _common.ms(off), _common.ms(on), f"{on / off:.2f}", _common.ms(alone),
            f"{100 * alone / off:.1f}",
        ])
    _common.print_table(headers, rows)
    largest = list(results)[-1]
    verdict = "met" if ratios[largest] < CHECK_TARGET else "MISSED"
    print(
        f"target: spot check < {CHECK_TARGET:.0%} of the proof at {largest} tiles: "
        f"{ratios[largest]:.1%}, {verdict}"
    )


def compare_check(counts: tuple[int, ...], runs: int) -> None:
    """Proof time with and without the spot check, alternating fresh processes."""
    print("## The spot check's cost (with and without, alternating)")
    print()
    results: dict[int, dict[str, list[dict[str, float]]]] = {}
    for tiles in counts:
        results[tiles] = {"on": [], "off": []}
        for _ in range(runs):
            for mode in ("off", "on"):
                results[tiles][mode].append(_common.run_worker(__file__, [str(tiles), mode]))
    check_report(results)


def compare_collector(counts: tuple[int, ...], runs: int) -> None:
    """Proof time with the collector paused during proofs (as tnp does) and left on,
    alternating fresh processes."""
    print("## The collector paused during a proof, against left on (alternating)")
    print()
    headers = ["tiles", "proof, paused (ms)", "proof, left on (ms)", "left on / paused"]
    rows = []
    for tiles in counts:
        paused: list[float] = []
        left_on: list[float] = []
        for _ in range(runs):
            paused.append(_common.run_worker(__file__, [str(tiles)])["proof"])
            left_on.append(_common.run_worker(__file__, [str(tiles), "gc-on"])["proof"])
        p, o = _common.median(paused), _common.median(left_on)
        rows.append([str(tiles), _common.ms(p), _common.ms(o), f"{o / p:.2f}"])
    _common.print_table(headers, rows)


CAUSAL_TILE_COUNTS = (4, 16, 256, 1024, 4096)
CAUSAL_TARGET_SECONDS = 5.0


def causal_report(counts: tuple[int, ...], runs: int) -> None:
    """The causal kernel's table: each size in fresh processes, medians."""
    headers = ["key tiles", "nctx", "run: types + NumPy (ms)", "proof: assign (ms)"]
    rows, proofs = [], {}
    for tiles in counts:
        results = [_common.run_worker(__file__, [str(tiles), "causal"]) for _ in range(runs)]
        proofs[tiles] = _common.median([r["proof"] for r in results])
        run = _common.median([r["run"] for r in results])
        rows.append([str(tiles), str(tiles * TILE), _common.ms(run), _common.ms(proofs[tiles])])
    _common.print_table(headers, rows)
    largest = counts[-1]
    if largest == 4096:
        met = "met" if proofs[largest] < CAUSAL_TARGET_SECONDS else "NOT met"
        print(f"\ntarget: causal proof < {CAUSAL_TARGET_SECONDS:g} s at 4096 key tiles: "
              f"{proofs[largest]:.3f} s, {met}")


def main() -> None:
    parser = _common.base_parser(__doc__, default_runs=5)
    parser.add_argument(
        "--causal",
        action="store_true",
        help="only the causal kernel (masked diagonal tile, tiles above it skipped)",
    )
    parser.add_argument(
        "--collector",
        action="store_true",
        help="only compare proofs with the garbage collector paused and left on",
    )
    args = parser.parse_args()
    if args.worker:
        tiles, rest = int(args.worker[0]), args.worker[1:]
        if "causal" in rest:
            _common.emit(_causal.measure(tiles))
            return
        check = "off" if "off" in rest else "on"
        if "gc-on" in rest:
            _leave_collector_on()
        _common.emit(measure(tiles, "trace" in rest, check))
        return
    if args.causal:
        runs = 1 if args.quick else args.runs
        _common.print_header(
            "Causal flash attention: prover time by key tiles (last query tile of 32)",
            [f"median of {runs} runs per size, each in a fresh process"],
        )
        causal_report(CAUSAL_TILE_COUNTS[:1] if args.quick else CAUSAL_TILE_COUNTS, runs)
        _common.print_footer()
        return
    if args.collector:
        runs = 1 if args.quick else args.runs
        _common.print_header(
            "Flash attention: proof time with the collector paused and left on",
            [f"median of {runs} runs per size, each in a fresh process"],
        )
        compare_collector(TILE_COUNTS[:1] if args.quick else CHECK_TILE_COUNTS, runs)
        _common.print_footer()
        return
    counts = TILE_COUNTS[:1] if args.quick else TILE_COUNTS
    runs = 1 if args.quick else args.runs
    _common.print_header(
        "Flash attention: prover time by key tiles (qctx 32, dhead 16, tile 32)",
        [f"median of {runs} runs per size, each in a fresh process"],
    )
    results: dict[int, list[dict[str, float]]] = {}
    for tiles in counts:
        results[tiles] = [_common.run_worker(__file__, [str(tiles)]) for _ in range(runs)]
    traced = _common.run_worker(__file__, [str(counts[-1]), "trace"])
    report(results, traced)
    check_counts = TILE_COUNTS[:1] if args.quick else CHECK_TILE_COUNTS
    compare_check(check_counts, runs)
    _common.print_footer()


if __name__ == "__main__":
    main()
