"""Blame: a note at the line where the kernel went wrong (`core/blame.py`, `core/blame_spec.py`),
for each kind of mistake a proved repair explains, and none where no repair proves (a missing
term). `blame_silenced.py`: none where the error is silenced."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult, einsum, exp, max

M, N, K = FullDim("M", 8), FullDim("N", 16), FullDim("K", 8)
H, W, KH, KW = FullDim("H", 10), FullDim("W", 10), FullDim("KH", 3), FullDim("KW", 3)
OH, OW = FullDim("OH", 8), FullDim("OW", 8)
rng = np.random.default_rng(0)


def a() -> Typed[L["M N"]]:
    return Typed(rng.standard_normal((8, 16)), M, N, name="a")


@tnp.kernel
def missing_rescale(x: Typed[L["M N"]], c: TypedResult[L["softmax[N](M N)"]]) -> None:
    running_max: Typed | float = -np.inf
    running_sum: Typed | float = 0
    for jn in range(0, N.size, 4):
        block = x.slice(N, jn, jn + 4)
        new_max = max(running_max, block.max(N))
        block_sum = exp(block - new_max.repeat(N[jn : jn + 4])).sum(N)
        running_sum = running_sum + block_sum  # N: this line adds to a running value without rescaling it: with the running value multiplied by exp(old max - new max) first, the tile equals the spec
        running_max = new_max
    assert isinstance(running_max, Typed) and isinstance(running_sum, Typed)
    for jn in range(0, N.size, 4):
        block = x.slice(N, jn, jn + 4)
        c.assign(exp(block - running_max.repeat(N[jn : jn + 4])) / running_sum.repeat(N[jn : jn + 4]))  # E: kernel computes `e / (sum[N[0:4]](exp((M N) - max[N[0:4]](M N))) + sum[N[4:8]](exp((M N) - max[N[0:8]](M N))) + sum[N[8:12]](exp((M N) - max[N[0:12]](M N))) + sum[N[12:16]](e)) where e = exp((M N) - max[N](M N))` over M[0:8] N[0:4]; the spec requires `exp((M N) - max[N](M N)) / sum[N](exp((M N) - max[N](M N)))`  [tnp-spec]
        # ^N: differs in: kernel `max[N[0:4]](M N)` where the spec has `max[N](M N)`; kernel `max[N[0:8]](M N)` where the spec has `max[N](M N)`; kernel `max[N[0:12]](M N)` where the spec has `max[N](M N)`
        # ^N: counterexample on random inputs ...
        # ^N: when jn = 0
        # ^N: when jn = 4
        # ^N: when jn = 8


@tnp.kernel
def missing_factor(
    x: Typed[L["M N"]], y: Typed[L["N K"]], c: TypedResult[L["(M N, N K -> M K) / 4"]]
) -> None:
    for im in range(0, M.size, 4):
        rows = x.slice(M, im, im + 4)
        acc: Typed | None = None
        for jn in range(0, N.size, 8):
            part = einsum(rows.slice(N, jn, jn + 8), y.slice(N, jn, jn + 8), "M N, N K -> M K")  # N: the tile equals the spec if the value computed here is multiplied by 0.25: a factor the kernel leaves out
            acc = part if acc is None else acc + part
        assert acc is not None
        c.assign(acc)  # E: kernel computes `(M N, N K -> M K)` over M[0:4] K[0:8]; the spec requires `(M N, N K -> M K) / 4`  [tnp-spec]
        # ^N: kernel - spec = `0.75 * (M N, N K -> M K)`
        # ^N: counterexample on random inputs ...
        # ^N: when im = 0
        # ^N: when im = 4


@tnp.kernel
def inputs_swapped(
    x: Typed[L["M N"]], z: Typed[L["M N"]], c: TypedResult[L["x:M N - 2 * z:M N"]]
) -> None:
    for im in range(0, M.size, 4):
        first = z.slice(M, im, im + 4)
        second = x.slice(M, im, im + 4)
        c.assign(first - 2 * second)  # E: kernel computes `-2 * (x:M N) + (z:M N)` over M[0:4] N[0:16]; the spec requires `(x:M N) - 2 * (z:M N)`  [tnp-spec]
        # ^N: differs in: kernel `-2 * (x:M N)` where the spec has `(x:M N)`; kernel `(z:M N)` where the spec has `-2 * (z:M N)`
        # ^N: kernel - spec = `-3 * (x:M N) + 3 * (z:M N)`
        # ^N: counterexample on random inputs ...
        # ^N: when im = 0
        # ^N: when im = 4
        # ^N: reads x or z: with the two swapped, the tile equals the spec


def taps_swapped() -> None:
    x = Typed(rng.standard_normal((10, 10)), H, W, name="x")
    w = Typed(rng.standard_normal((3, 3)), KH, KW, name="w")
    out = TypedResult("(w:KH KW, x:H[OH + KH] W[OW + KW] -> OH OW)")
    seen = x.window(H, OH, KW).window(W, OW, KH)  # N: the positions read here use KH where KW belongs and KW where KH does: swapped, the tile equals the spec
    out.assign((seen * w.repeat(OH).repeat(OW)).sum(KH).sum(KW).rearrange(OH, OW))  # E: kernel computes `sum[KH](sum[KW]((KH KW) * (x:H[KW + OH] W[KH + OW])))` over OH[0:8] OW[0:8]; the spec requires `sum[KH](sum[KW]((KH KW) * (x:H[KH + OH] W[KW + OW])))`  [tnp-spec]
    # ^N: differs in: kernel `(x:H[KW + OH] W[KH + OW])` where the spec has `(x:H[KH + OH] W[KW + OW])`
    # ^N: counterexample on random inputs ...


def missing_term() -> None:
    x, y = a(), Typed(rng.standard_normal((8, 16)), M, N, name="b")
    c = TypedResult("a:M N * (b:M N - 1)")
    c.assign(x * y)  # E: kernel computes `(b:M N) * (a:M N)` over M[0:8] N[0:16]; the spec requires `-(a:M N) + (b:M N) * (a:M N)`  [tnp-spec]
    # ^N: kernel - spec = `a:M N`
    # ^N: counterexample on random inputs ...


def max_over_the_wrong_dim() -> None:
    rows = a().slice(M, 0, 4)
    row_max = rows.max(M)  # N: the value repeated along N keeps N: the max over M[0:4] here reduced M, not N
    rows - row_max.repeat(N)  # E: cannot repeat along N: the value already has it; it is `max[M[0:4]](a:M N)` over N[0:16]  [tnp-dim]


def slices_from_two_lines() -> None:
    x, y = a(), Typed(rng.standard_normal((16, 8)), N, K)
    left = x.slice(N, 0, 8)  # N: einsum operand 1 got its N[0:8] here
    right = y.slice(N, 8, 16)  # N: einsum operand 2 got its N[8:16] here
    einsum(left, right, "M N, N K -> M K")  # E: einsum operands disagree on N: N[0:8] vs N[8:16]; operand 2 is `N K` over N[8:16] K[0:8]  [tnp-dim]
    # ^N: slice every operand to the same tile of a shared dim


def summed_twice() -> None:
    x = a()
    total = x.sum(N)
    total.sum(M) + total  # E: operands of `+` have different dims: only the right has M; left is `sum[M[0:8]](sum[N[0:16]](a:M N))` over (no dims); right is `sum[N[0:16]](a:M N)` over M[0:8]  [tnp-dim]
    # ^N: reduce a dim away (.sum, .max) or broadcast one (.repeat) so both sides match
    # ^N: the left operand of `+` has no M: the sum over M[0:8] here took it away


missing_rescale(a(), TypedResult("softmax[N](M N)"))
missing_factor(a(), Typed(rng.standard_normal((16, 8)), N, K), TypedResult("(M N, N K -> M K) / 4"))
inputs_swapped(a(), Typed(rng.standard_normal((8, 16)), M, N), TypedResult("x:M N - 2 * z:M N"))
taps_swapped()
missing_term()
max_over_the_wrong_dim()
slices_from_two_lines()
summed_twice()
