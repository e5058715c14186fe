"""The runtime shim against the same tiled loop over raw NumPy, proof included.

    PYTHONPATH=. python benchmarks/runtime_overhead.py [--quick] [--runs N]

Two kernels, each at tile sizes 32, 64, 128 and 256, each written twice with the same loop,
slicing, einsums, elementwise operations, accumulation and writes of the result:

- matmul, 512 x 512 x 512: `6 * (M N, N K -> M K)`, tiles of `a` scaled by 3 and of `b` by 2
  before each tile einsum (examples/matmul.py);
- flash attention, qctx 512, nctx 2048, dhead 64: one pass over the key tiles per query tile,
  tiles of `tile` along both qctx and nctx (examples/flash_attention.py, scaled by 1/sqrt(64)).

"raw" is plain `np.ndarray` slicing, `np.einsum` (the function the runtime calls) and NumPy
operators, writing into a preallocated array. "tnp" is the kernel under `@tnp.kernel`: typed
values, the rules at every operation, and a proof at every `assign`. Each is timed with
`time.perf_counter` around the whole loop (for tnp, the kernel call), after the inputs are
built and after a small untimed NumPy warm-up. The reference results (NumPy's `@`, which may
start BLAS threads) are computed after the timing, only to check both loops. The core memoizes
normal forms for the life of the process, so every measurement is a fresh Python process (this
script started with `--worker`) and tnp pays its proofs cold; the table shows medians over
`--runs` processes.
Target (docs/DESIGN.md §8): tnp within 3x of raw NumPy at tiles of 64 and above.

NumPy's speed depends on its BLAS build and environment. On some processors the environment
sets OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, which slow NumPy down; to measure without them,
unset both for this command only (never in tests), and say so next to the numbers:

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=. python benchmarks/runtime_overhead.py
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from typing import Literal as L

import _common
import numpy as np
from _timed import TimedResult

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult, einsum, exp, max

TILE_SIZES = (32, 64, 128, 256)
TARGET_RATIO = 3.0
TARGET_MIN_TILE = 64
MATMUL_SIZE = 512
QCTX_SIZE, NCTX_SIZE, DHEAD_SIZE = 512, 2048, 64

# The kernels' dims; `measure` sets the tile size before it applies `@tnp.kernel`.
M, N, K = FullDim("M", MATMUL_SIZE), FullDim("N", MATMUL_SIZE), FullDim("K", MATMUL_SIZE)
qctx, nctx, dhead = FullDim("qctx", QCTX_SIZE), FullDim("nctx", NCTX_SIZE), FullDim("dhead", 64)
TILE = 32
MATMUL_SPEC = "6 * (M N, N K -> M K)"
ATTENTION_SPEC = (
    "(softmax[nctx]((qctx dhead, K:nctx dhead -> qctx nctx) / sqrt(64)),"
    " V:nctx dhead -> qctx dhead)"
)

Array = np.ndarray[Any, np.dtype[np.float64]]


def matmul_tnp(
    a: Typed[L["M N"]], b: Typed[L["N K"]], c: TypedResult[L["6 * (M N, N K -> M K)"]]
) -> None:
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


def matmul_raw(a: Array, b: Array, c: Array) -> None:
    for im in range(0, M.size, TILE):
        for ik in range(0, K.size, TILE):
            c_accum: Array | None = None
            for in_ in range(0, N.size, TILE):
                tile_a = a[im : im + TILE, in_ : in_ + TILE]
                tile_b = b[in_ : in_ + TILE, ik : ik + TILE]
                tile_c = np.einsum("ij,jk->ik", tile_a * 3, tile_b * 2)
                c_accum = c_accum + tile_c if c_accum is not None else tile_c
            assert c_accum is not None
            c[im : im + TILE, ik : ik + TILE] = c_accum


def attention_tnp(
    Q: Typed[L["qctx dhead"]],
    K: Typed[L["nctx dhead"]],
    V: Typed[L["nctx dhead"]],
    out: TypedResult[
        L[
            "(softmax[nctx]((qctx dhead, K:nctx dhead -> qctx nctx) / sqrt(64)),"
            " V:nctx dhead -> qctx dhead)"
        ]
    ],
) -> None:
    for iq in range(0, qctx.size, TILE):
        q = Q.slice(qctx, iq, iq + TILE)
        row_max = -np.inf
        row_sum = 0
        acc = 0
        for jk in range(0, nctx.size, TILE):
            k = K.slice(nctx, jk, jk + TILE)
            v = V.slice(nctx, jk, jk + TILE)
            scores = einsum(q, k, "qctx dhead, nctx dhead -> qctx nctx") / np.sqrt(64)
            new_max = max(row_max, scores.max(nctx))
            p = exp(scores - new_max.repeat(nctx[jk : jk + TILE]))
            rescale = exp(row_max - new_max)
            row_sum = row_sum * rescale + p.sum(nctx)
            acc = acc * rescale.repeat(dhead) + einsum(p, v, "qctx nctx, nctx dhead -> qctx dhead")
            row_max = new_max
        out.assign(acc / row_sum.repeat(dhead))


def attention_raw(q_all: Array, k_all: Array, v_all: Array, out: Array) -> None:
    for iq in range(0, qctx.size, TILE):
        q = q_all[iq : iq + TILE]
        row_max: Any = -np.inf
        row_sum: Any = 0
        acc: Any = 0
        for jk in range(0, nctx.size, TILE):
            k = k_all[jk : jk + TILE]
            v = v_all[jk : jk + TILE]
            scores = np.einsum("qd,nd->qn", q, k) / np.sqrt(64)
            new_max = np.maximum(row_max, scores.max(axis=1))
            p = np.exp(scores - new_max[:, np.newaxis])
            rescale = np.exp(row_max - new_max)
            row_sum = row_sum * rescale + p.sum(axis=1)
            acc = acc * rescale[:, np.newaxis] + np.einsum("qn,nd->qd", p, v)
            row_max = new_max
        out[iq : iq + TILE] = acc / row_sum[:, np.newaxis]


def warm_up_numpy() -> None:
    """Touch the NumPy functions both loops use, so neither pays their first-call cost."""
    x = np.ones((8, 8))
    np.exp(np.maximum(x, np.einsum("ij,jk->ik", x, x)).max(axis=1))


def time_matmul(impl: str) -> tuple[float, float]:
    """(seconds for the whole loop, seconds of it inside `assign`)."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((M.size, N.size))
    b = rng.standard_normal((N.size, K.size))
    warm_up_numpy()
    if impl == "raw":
        c = np.zeros((M.size, K.size))
        seconds = timed(lambda: matmul_raw(a, b, c))
        assert np.allclose(c, 6 * a @ b)
        return seconds, 0.0
    kernel = tnp.kernel(matmul_tnp)
    result = TimedResult(MATMUL_SPEC)
    seconds = timed(lambda: kernel(Typed(a, M, N), Typed(b, N, K), result))
    assert np.allclose(result.arr, 6 * a @ b)
    return seconds, result.proof_seconds


def time_attention(impl: str) -> tuple[float, float]:
    """(seconds for the whole loop, seconds of it inside `assign`)."""
    rng = np.random.default_rng(0)
    q, k, v = (rng.standard_normal((n, dhead.size)) for n in (qctx.size, nctx.size, nctx.size))
    warm_up_numpy()
    if impl == "raw":
        out = np.zeros((qctx.size, dhead.size))
        seconds = timed(lambda: attention_raw(q, k, v, out))
        assert np.allclose(out, attention_reference(q, k, v))
        return seconds, 0.0
    kernel = tnp.kernel(attention_tnp)
    result = TimedResult(ATTENTION_SPEC)
    q_in: Typed[Any] = Typed(q, qctx, dhead)
    k_in: Typed[Any] = Typed(k, nctx, dhead)
    v_in: Typed[Any] = Typed(v, nctx, dhead)
    seconds = timed(lambda: kernel(q_in, k_in, v_in, result))
    assert np.allclose(result.arr, attention_reference(q, k, v))
    return seconds, result.proof_seconds


def attention_reference(q: Array, k: Array, v: Array) -> Array:
    scores = q @ k.T / np.sqrt(dhead.size)
    weights = np.exp(scores - scores.max(axis=1, keepdims=True))
    result: Array = (weights / weights.sum(axis=1, keepdims=True)) @ v
    return result


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


KERNELS: dict[str, Callable[[str], tuple[float, float]]] = {
    "matmul 512x512x512": time_matmul,
    "flash attention 512x2048, dhead 64": time_attention,
}


def measure(kernel: str, tile: int, impl: str) -> dict[str, float]:
    """One timed loop in this (fresh) process."""
    global TILE
    TILE = tile
    seconds, proof = KERNELS[kernel](impl)
    return {"seconds": seconds, "proof": proof}


def loop_steps(kernel: str, tile: int) -> int:
    if kernel.startswith("matmul"):
        return (MATMUL_SIZE // tile) ** 3
    return (QCTX_SIZE // tile) * (NCTX_SIZE // tile)


def row(kernel: str, tile: int, raw: list[dict[str, float]], typed: list[dict[str, float]]
        ) -> list[str]:
    raw_s = _common.median([r["seconds"] for r in raw])
    tnp_s = _common.median([r["seconds"] for r in typed])
    proof_s = _common.median([r["proof"] for r in typed])
    ratio = tnp_s / raw_s
    if tile < TARGET_MIN_TILE:
        verdict = "— (no target)"
    else:
        verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
    return [
        kernel,
        f"{tile}x{tile}",
        str(loop_steps(kernel, tile)),
        _common.ms(raw_s),
        _common.ms(tnp_s),
        _common.ms(proof_s),
        f"{ratio:.2f}",
        verdict,
    ]


def main() -> None:
    args = _common.base_parser(__doc__, default_runs=7).parse_args()
    if args.worker:
        kernel, tile, impl = args.worker
        _common.emit(measure(kernel, int(tile), impl))
        return
    tiles = TILE_SIZES[:1] if args.quick else TILE_SIZES
    runs = 1 if args.quick else args.runs
    _common.print_header(
        "Runtime shim vs the same tiled loop over raw NumPy (proof included)",
        [f"median of {runs} runs per cell, each in a fresh process; raw and tnp alternate"],
    )
    headers = [
        "kernel",
        "tile",
        "inner steps",
        "raw NumPy (ms)",
        "tnp (ms)",
        "of which proof (ms)",
        "tnp / raw",
        f"target ≤ {TARGET_RATIO:g}x at tiles ≥ {TARGET_MIN_TILE}",
    ]
    rows = []
    for kernel in KERNELS:
        for tile in tiles:
            raw, typed = [], []
            for _ in range(runs):
                raw.append(_common.run_worker(__file__, [kernel, str(tile), "raw"]))
                typed.append(_common.run_worker(__file__, [kernel, str(tile), "tnp"]))
            rows.append(row(kernel, tile, raw, typed))
    _common.print_table(headers, rows)
    _common.print_footer()


if __name__ == "__main__":
    main()
