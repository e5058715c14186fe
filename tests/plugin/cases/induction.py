"""Tile loops of many iterations, proved once by induction (the plugin) or tile by tile (the
runtime): the verdicts are the same. A mistake at one late iteration, a pattern that changes
after the first iterations, gaps and a tile written twice late in the loop are each found where
unrolling finds them, with the loop index where they happen."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult, einsum, exp, max

M, N = FullDim("M", 16), FullDim("N", 256)
R = FullDim("R", 62)
LONG = FullDim("LONG", 4096 * 4)
T = 4


@tnp.kernel
def online_softmax(
    x: Typed[L["M N"]], out: TypedResult[L["sum[N](exp(x:M N - (max[N](x:M N) -> M N)))"]]
) -> None:
    row_max: Typed | float = -np.inf
    row_sum: Typed | float = 0
    for j in range(0, N.size, T):
        tile = x.slice(N, j, j + T)
        new_max = max(row_max, tile.max(N))
        row_sum = row_sum * exp(row_max - new_max) + exp(tile - new_max.repeat(N[j : j + T])).sum(N)
        row_max = new_max
    assert isinstance(row_sum, Typed)
    out.assign(row_sum)


@tnp.kernel
def rows_by_tile(x: Typed[L["M N"]], out: TypedResult[L["2 * (M N)"]]) -> None:
    for j in range(0, N.size, T):
        out.assign(x.slice(N, j, j + T) * 2)


@tnp.kernel
def ragged_last_tile(x: Typed[L["M R"]], out: TypedResult[L["sum[R](x:M R)"]]) -> None:
    total: Typed | float = 0
    for j in range(0, R.size, T):
        total = total + x.slice(R, j, min(j + T, R.size)).sum(R)
    assert isinstance(total, Typed)
    out.assign(total)


@tnp.kernel
def counter_carried(x: Typed[L["M N"]], out: TypedResult[L["3 * (M N)"]]) -> None:
    start = 0
    for _ in range(N.size // T):
        out.assign(x.slice(N, start, start + T) * 3)
        start = start + T


@tnp.kernel
def matmul_tiles(
    a: Typed[L["M N"]], b: Typed[L["N R"]], c: TypedResult[L["(M N, N R -> M R)"]]
) -> None:
    for k in range(0, R.size, 2):
        acc: Typed | None = None
        for n in range(0, N.size, 16):
            part = einsum(a.slice(N, n, n + 16), b.slice(N, n, n + 16).slice(R, k, k + 2),
                          "M N, N R -> M R")
            acc = part if acc is None else acc + part
        assert acc is not None
        c.assign(acc)


@tnp.kernel
def backwards(x: Typed[L["M N"]], out: TypedResult[L["2 * (M N)"]]) -> None:
    for j in range(N.size - T, -1, -T):
        out.assign(x.slice(N, j, j + T) * 2)


@tnp.kernel
def two_halves_per_tile(x: Typed[L["M N"]], out: TypedResult[L["2 * (M N)"]]) -> None:
    for j in range(0, N.size, T):
        out.assign(x.slice(N, j + 2, j + T) * 2)
        out.assign(x.slice(N, j, j + 2) * 2)


@tnp.kernel
def halves_that_overlap(x: Typed[L["M N"]], out: TypedResult[L["2 * (M N)"]]) -> None:
    for j in range(0, N.size, T):
        out.assign(x.slice(N, j, j + 3) * 2)
        out.assign(x.slice(N, j + 2, j + T) * 2)  # E: result region M[0:16] N[2:3] written twice: it overlaps the earlier write of M[0:16] N[0:3]  [tnp-overlap]
        # ^N: when j = 0
        # ^N: when j = 4
        # ^N: when j = 8


@tnp.kernel
def skips_the_second_half(
    x: Typed[L["M N"]], out: TypedResult[L["sum[N[0:64]](x:M N)"]]
) -> None:
    total: Typed | float = 0
    for j in range(0, N.size, T):
        if j >= 64:
            continue
        tile = x.slice(N, j, j + T)
        total = total + tile.sum(N)
    assert isinstance(total, Typed)
    out.assign(total)


@tnp.kernel
def skips_one_tile(x: Typed[L["M N"]], out: TypedResult[L["sum[N](x:M N)"]]) -> None:
    total: Typed | float = 0
    for j in range(0, N.size, T):
        tile = x.slice(N, j, j + T)
        if j == 80:
            continue
        total = total + tile.sum(N)
    assert isinstance(total, Typed)
    out.assign(total)  # E: partial reduction: missing sum over N[80:84]: kernel computes `(M N[0:80, 84:256] -> M)` over M[0:16]; the spec requires `(M N -> M)`  [tnp-reduce]
    # ^N: counterexample ...


@tnp.kernel
def stops_early(x: Typed[L["M N"]], out: TypedResult[L["sum[N](x:M N)"]]) -> None:
    total: Typed | float = 0
    for j in range(0, N.size, T):
        if j == 100:
            break
        total = total + x.slice(N, j, j + T).sum(N)
    assert isinstance(total, Typed)
    out.assign(total)  # E: partial reduction: missing sum over N[100:256]: kernel computes `(M N[0:100] -> M)` over M[0:16]; the spec requires `(M N -> M)`  [tnp-reduce]
    # ^N: counterexample ...


@tnp.kernel
def wrong_at_iteration_37(x: Typed[L["M N"]], out: TypedResult[L["2 * (M N)"]]) -> None:
    for j in range(0, N.size, T):
        if j == 37 * T:
            out.assign(x.slice(N, j, j + T) * 3)  # E: kernel computes `3 * (M N)` over M[0:16] N[148:152]; the spec requires `2 * (M N)`  [tnp-spec]
            # ^N: differs in: kernel `3` where the spec has `2`
            # ^N: kernel - spec = `M N`
            # ^N: counterexample on random inputs ...
            # ^N: when j = 148
            # ^N: the constant 3 here: with 2 instead, the tile equals the spec
        else:
            out.assign(x.slice(N, j, j + T) * 2)


@tnp.kernel
def wrong_at_iteration_37_of_4096(
    x: Typed[L["LONG"]], out: TypedResult[L["2 * LONG"]]
) -> None:
    for j in range(0, LONG.size, T):
        tile = x.slice(LONG, j, j + T)
        out.assign(tile * 3 if j == 37 * T else tile * 2)  # E: kernel computes `3 * (LONG)` over LONG[148:152]; the spec requires `2 * (LONG)`  [tnp-spec]
        # ^N: differs in: kernel `3` where the spec has `2`
        # ^N: kernel - spec = `LONG`
        # ^N: counterexample on random inputs ...
        # ^N: when j = 148
        # ^N: the constant 3 here: with 2 instead, the tile equals the spec


@tnp.kernel
def pattern_changes_late(x: Typed[L["M N"]], out: TypedResult[L["sum[N](x:M N)"]]) -> None:
    total: Typed | float = 0
    for j in range(0, N.size, T):
        tile = x.slice(N, j, j + T).sum(N)
        total = total + (tile * 2 if j >= 200 else tile)
    assert isinstance(total, Typed)
    out.assign(total)  # E: kernel computes `(M N[0:200] -> M) + 2 * (M N[200:256] -> M)` over M[0:16]; the spec requires `(M N -> M)`  [tnp-spec]
    # ^N: counterexample ...


@tnp.kernel
def gaps(x: Typed[L["M N"]], out: TypedResult[L["2 * (M N)"]]) -> None:  # E: result `2 * (M N)` incomplete when the kernel returns: 32 regions never written: M[0:16] N[4:8], M[0:16] N[12:16], M[0:16] N[20:24], M[0:16] N[28:32] and 28 more  [tnp-coverage]
    # ^N: 2048 of 4096 elements never written (50%)
    for j in range(0, N.size, 2 * T):
        out.assign(x.slice(N, j, j + T) * 2)


@tnp.kernel
def written_twice_late(x: Typed[L["M N"]], out: TypedResult[L["2 * (M N)"]]) -> None:
    for j in range(0, N.size, T):
        out.assign(x.slice(N, j, j + T) * 2)
        if j == 40 * T:
            out.assign(x.slice(N, j, j + T) * 2)  # E: result region M[0:16] N[160:164] written twice: it overlaps the earlier write of M[0:16] N[160:164]  [tnp-overlap]
            # ^N: when j = 160


@tnp.kernel
def stated_invariant(x: Typed[L["M N"]], out: TypedResult[L["sum[N](x:M N)"]]) -> None:
    total = x.slice(N, 0, T).sum(N)
    for j in range(T, N.size, T):
        total = total + x.slice(N, j, j + T).sum(N)
        tnp.assert_spec(total, f"sum[N[0:{j + T}]](x:M N)")
    out.assign(total)


@tnp.kernel
def stated_invariant_broken_late(
    x: Typed[L["M N"]], out: TypedResult[L["sum[N](x:M N)"]]
) -> None:
    total = x.slice(N, 0, T).sum(N)
    for j in range(T, N.size, T):
        if j != 40 * T:
            total = total + x.slice(N, j, j + T).sum(N)
        tnp.assert_spec(total, f"sum[N[0:{j + T}]](x:M N)")  # E: partial reduction: missing sum over N[160:164]: kernel computes `(M N[0:160] -> M)` over M[0:16]; the spec requires `(M N[0:164] -> M)`  [tnp-reduce]
        # ^N: counterexample on random inputs ...
        # ^N: when j = 160
    out.assign(total)
