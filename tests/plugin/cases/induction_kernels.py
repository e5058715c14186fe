"""Kernels written as a kernel author would, with tile loops long enough for induction (20 to 40
iterations): helpers of the module called in the body, a running pair returned by a helper and
unpacked, running values that depend on each other, a first tile taken under `if j == 0`,
`j % (2 * T)` and `(j // T) % 2` in a condition, slices computed from the index (`2 * (j - T)`,
`j // T`), `enumerate(range(...))`, a `while` loop, a ragged last tile with two results, a
walk backwards with its invariant stated, a value kept from a middle iteration, query tiles
whose key loop ends at the diagonal, and a three-deep matmul. Each gets the verdicts of
unrolling (`induction = false`) and of the runtime."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult, einsum, exp, max

M, N, R = FullDim("M", 4), FullDim("N", 128), FullDim("R", 90)
K = FullDim("K", 4)
qctx, nctx, dhead = FullDim("qctx", 48), FullDim("nctx", 48), FullDim("dhead", 4)
T = 4


def scaled(tile: Typed) -> Typed:
    return tile * 2


def update(m: Typed | float, s: Typed | float, tile: Typed, j: int) -> tuple[Typed, Typed]:
    new_m = max(m, tile.max(N))
    new_s = s * exp(m - new_m) + exp(tile - new_m.repeat(N[j : j + T])).sum(N)
    # ^N: this line accumulates the sum over N, whose pieces cover N[0:100, 104:128]; the spec's sum needs N[100:104] too
    return new_m, new_s


@tnp.kernel
def helper_map(x: Typed[L["M N"]], out: TypedResult[L["2 * (M N)"]]) -> None:
    for j in range(0, N.size, T):
        out.assign(scaled(x.slice(N, j, j + T)))


@tnp.kernel
def softmax_pair(
    x: Typed[L["M N"]], out: TypedResult[L["sum[N](exp(x:M N - (max[N](x:M N) -> M N)))"]]
) -> None:
    m: Typed | float = -np.inf
    s: Typed | float = 0
    for j in range(0, N.size, T):
        m, s = update(m, s, x.slice(N, j, j + T), j)
        tnp.assert_spec(m, f"max[N[0:{j + T}]](x:M N)")
    assert isinstance(s, Typed)
    out.assign(s)


@tnp.kernel
def softmax_pair_max_only_late(
    x: Typed[L["M N"]], out: TypedResult[L["sum[N](exp(x:M N - (max[N](x:M N) -> M N)))"]]
) -> None:
    m: Typed | float = -np.inf
    s: Typed | float = 0
    for j in range(0, N.size, T):
        if j == 25 * T:
            m = max(m, x.slice(N, j, j + T).max(N))
        else:
            m, s = update(m, s, x.slice(N, j, j + T), j)
    assert isinstance(s, Typed)
    out.assign(s)  # E: partial reduction: missing sum over N[100:104]: kernel computes `sum[N[0:100]](exp(M N)) * exp(-max[N[0:100]](M N) + max[N[0:104]](M N) - max[N](M N)) + sum[N[104:128]](exp(M N)) * exp(-max[N](M N))` over M[0:4]; the spec requires `sum[N](exp(M N)) * exp(-max[N](M N))`  [tnp-reduce]
    # ^N: counterexample ...


@tnp.kernel
def first_tile_in_if(x: Typed[L["M N"]], out: TypedResult[L["sum[N](x:M N)"]]) -> None:
    acc: Typed | None = None
    for j in range(0, N.size, T):
        t = x.slice(N, j, j + T).sum(N)
        if j == 0:
            acc = t
        else:
            assert acc is not None
            acc = acc + t
    assert acc is not None
    out.assign(acc)


@tnp.kernel
def two_dependent(
    x: Typed[L["M N"]], out: TypedResult[L["2 * sum[N](x:M N)"]],
    out2: TypedResult[L["sum[N](x:M N)"]],
) -> None:
    a: Typed | float = 0
    b: Typed | float = 0
    for j in range(0, N.size, T):
        t = x.slice(N, j, j + T).sum(N)
        a = a + t
        b = a + b - (a - t) + t
    assert isinstance(a, Typed) and isinstance(b, Typed)
    out.assign(b)
    out2.assign(a)


@tnp.kernel
def ragged_two_results(
    x: Typed[L["M R"]], out: TypedResult[L["3 * (M R)"]], s: TypedResult[L["sum[R](x:M R)"]]
) -> None:
    acc: Typed | float = 0
    for j in range(0, R.size, T):
        tile = x.slice(R, j, min(j + T, R.size))
        out.assign(tile * 3)
        acc = acc + tile.sum(R)
    assert isinstance(acc, Typed)
    s.assign(acc)


@tnp.kernel
def two_tiles_per_turn(x: Typed[L["M N"]], out: TypedResult[L["2 * (M N)"]]) -> None:
    for j in range(T, N.size // 2 + T, T):
        lo = 2 * (j - T)
        out.assign(x.slice(N, lo, lo + T) * 2)
        out.assign(x.slice(N, lo + T, lo + 2 * T) + x.slice(N, lo + T, lo + 2 * T))


@tnp.kernel
def tile_number(x: Typed[L["M N"]], out: TypedResult[L["2 * (M N)"]]) -> None:
    for j in range(0, N.size, T):
        i = j // T
        out.assign(x.slice(N, i * T, (i + 1) * T) * 2)


@tnp.kernel
def enumerated(x: Typed[L["M N"]], out: TypedResult[L["2 * (M N)"]]) -> None:
    for i, j in enumerate(range(0, N.size, T)):
        out.assign(x.slice(N, j, j + T) * 2 if i != 30 else x.slice(N, j, j + T) * 3)  # E: kernel computes `3 * (M N)` over M[0:4] N[120:124]; the spec requires `2 * (M N)`  [tnp-spec]
        # ^N: differs in: kernel `3` where the spec has `2`
        # ^N: kernel - spec = `M N`
        # ^N: counterexample on random inputs ...
        # ^N: the constant 3 here: with 2 instead, the tile equals the spec


@tnp.kernel
def while_loop(x: Typed[L["M N"]], out: TypedResult[L["2 * (M N)"]]) -> None:
    j = 0
    while j < N.size:
        out.assign(x.slice(N, j, j + T) * 2)
        j += T


@tnp.kernel
def every_other(x: Typed[L["M N"]], out: TypedResult[L["2 * (M N)"]]) -> None:
    for j in range(0, N.size, T):
        t = x.slice(N, j, j + T)
        if j % (2 * T) == 0:
            out.assign(t + t)
        else:
            out.assign(t * 2)


@tnp.kernel
def every_other_wrong(x: Typed[L["M N"]], out: TypedResult[L["2 * (M N)"]]) -> None:
    for j in range(0, N.size, T):
        t = x.slice(N, j, j + T)
        if (j // T) % 2 == 0:
            out.assign(t + t)
        else:
            out.assign(t * 3)  # E: kernel computes `3 * (M N)` over M[0:4] N[4:8]; the spec requires `2 * (M N)`  [tnp-spec]
            # ^N: differs in: kernel `3` where the spec has `2`
            # ^N: kernel - spec = `M N`
            # ^N: counterexample on random inputs ...
            # ^N: when j = 4
            # ^N: when j = 12
            # ^N: when j = 20
            # ^N: the constant 3 here: with 2 instead, the tile equals the spec


@tnp.kernel
def walked_back(x: Typed[L["M N"]], out: TypedResult[L["sum[N](x:M N)"]]) -> None:
    acc: Typed | float = 0
    for j in range(N.size - T, -1, -T):
        acc = acc + x.slice(N, j, j + T).sum(N)
        tnp.assert_spec(acc, f"sum[N[{j}:{N.size}]](x:M N)")
    assert isinstance(acc, Typed)
    out.assign(acc)


@tnp.kernel
def walked_back_with_a_gap(x: Typed[L["M N"]], out: TypedResult[L["sum[N](x:M N)"]]) -> None:
    acc: Typed | float = 0
    for j in range(N.size - T, -1, -T):
        if j != 100:
            acc = acc + x.slice(N, j, j + T).sum(N)
    assert isinstance(acc, Typed)
    out.assign(acc)  # E: partial reduction: missing sum over N[100:104]: kernel computes `(M N[0:100, 104:128] -> M)` over M[0:4]; the spec requires `(M N -> M)`  [tnp-reduce]
    # ^N: counterexample ...


@tnp.kernel
def kept_from_the_middle(x: Typed[L["M N"]], out: TypedResult[L["2 * (M N)"]]) -> None:
    kept: Typed | None = None
    for j in range(0, N.size, T):
        t = x.slice(N, j, j + T)
        if j < 96 or j >= 100:
            out.assign(t * 2)
        if j < 100:
            kept = t
    assert kept is not None
    out.assign(kept * 2)


@tnp.kernel
def kept_one_too_late(x: Typed[L["M N"]], out: TypedResult[L["2 * (M N)"]]) -> None:
    kept: Typed | None = None
    for j in range(0, N.size, T):
        t = x.slice(N, j, j + T)
        if j < 96 or j >= 100:
            out.assign(t * 2)
        if j <= 100:
            kept = t
    assert kept is not None
    out.assign(kept * 2)  # E: result region M[0:4] N[100:104] written twice: it overlaps the earlier write of M[0:4] N[100:104]  [tnp-overlap]


@tnp.kernel
def causal_row_sums(
    q: Typed[L["qctx dhead"]], k: Typed[L["nctx dhead"]],
    out: TypedResult[L["sum[nctx](mask[qctx >= nctx, 0]((q:qctx dhead, k:nctx dhead -> qctx nctx)))"]],
) -> None:
    for iq in range(0, qctx.size, T):
        qt = q.slice(qctx, iq, iq + T)
        acc: Typed | None = None
        for jk in range(0, iq + T, T):
            s = einsum(qt, k.slice(nctx, jk, jk + T), "qctx dhead, nctx dhead -> qctx nctx")
            if jk == iq:
                s = s.mask(qctx >= nctx, fill=0)
            part = s.sum(nctx)
            acc = part if acc is None else acc + part
        assert acc is not None
        out.assign(acc)


@tnp.kernel
def matmul_three_deep(
    a: Typed[L["M N"]], b: Typed[L["N K"]], c: TypedResult[L["(M N, N K -> M K)"]]
) -> None:
    for im in range(0, M.size, 2):
        for ik in range(0, K.size, 2):
            acc: Typed | None = None
            for n in range(0, N.size, T):
                p = einsum(a.slice(M, im, im + 2).slice(N, n, n + T),
                           b.slice(N, n, n + T).slice(K, ik, ik + 2), "M N, N K -> M K")
                if n == 60 and ik == 2 and im == 2:
                    p = p * 2
                acc = p if acc is None else acc + p
            assert acc is not None
            c.assign(acc)  # E: kernel computes `(M N[0:60, 64:128], N[0:60, 64:128] K -> M K) + 2 * (M N[60:64], N[60:64] K -> M K)` over M[2:4] K[2:4]; the spec requires `(M N, N K -> M K)`  [tnp-spec]
            # ^N: counterexample ...
            # ^N: when im = 2, ik = 2


def main() -> None:
    rng = np.random.default_rng(0)
    x = Typed(rng.standard_normal((M.size, N.size)), M, N)
    xr = Typed(rng.standard_normal((M.size, R.size)), M, R)
    q = Typed(rng.standard_normal((qctx.size, dhead.size)), qctx, dhead)
    k = Typed(rng.standard_normal((nctx.size, dhead.size)), nctx, dhead)
    helper_map(x, helper_map.result())
    softmax_pair(x, softmax_pair.result())
    first_tile_in_if(x, first_tile_in_if.result())
    two_tiles_per_turn(x, two_tiles_per_turn.result())
    tile_number(x, tile_number.result())
    while_loop(x, while_loop.result())
    every_other(x, every_other.result())
    walked_back(x, walked_back.result())
    kept_from_the_middle(x, kept_from_the_middle.result())
    two_dependent(x, two_dependent.result("out"), two_dependent.result("out2"))
    ragged_two_results(xr, ragged_two_results.result("out"), ragged_two_results.result("s"))
    causal_row_sums(q, k, causal_row_sums.result())
    every_other_wrong(x, every_other_wrong.result())


if __name__ == "__main__":
    main()
