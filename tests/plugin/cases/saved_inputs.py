"""Saved inputs: a parameter declared `Saved[L[dims], L[definition]]` is its definition inside
the kernel (so `exp(s - lse)` is the softmax); at a call an argument whose expression is known
is proved equal to the definition over the call's arguments (`tnp-spec` if not), and one that
is data is checked by the runtime on its numbers."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Saved, Typed, TypedResult, einsum, exp, log

qctx, nctx, dhead = FullDim("qctx", 8), FullDim("nctx", 8), FullDim("dhead", 4)


@tnp.kernel
def probabilities(
    Q: Typed[L["qctx dhead"]],
    K: Typed[L["nctx dhead"]],
    lse: Saved[L["qctx"], L["log(sum[nctx](exp((Q:qctx dhead, K:nctx dhead -> qctx nctx) / 2)))"]],
    p: TypedResult[L["softmax[nctx]((Q:qctx dhead, K:nctx dhead -> qctx nctx) / 2)"]],
) -> None:
    s = einsum(Q, K, "qctx dhead, nctx dhead -> qctx nctx") / 2
    p.assign(exp(s - lse.repeat(nctx)))


@tnp.kernel
def unnormalized(
    Q: Typed[L["qctx dhead"]],
    K: Typed[L["nctx dhead"]],
    lse: Saved[L["qctx"], L["log(sum[nctx](exp((Q:qctx dhead, K:nctx dhead -> qctx nctx) / 2)))"]],
    p: TypedResult[L["softmax[nctx]((Q:qctx dhead, K:nctx dhead -> qctx nctx) / 2)"]],
) -> None:
    s = einsum(Q, K, "qctx dhead, nctx dhead -> qctx nctx") / 2
    p.assign(exp(s + lse.repeat(nctx)))  # E: kernel computes `sum[nctx](exp((nctx dhead, qctx dhead -> qctx nctx) / 2)) * exp((nctx dhead, qctx dhead -> qctx nctx) / 2)` over qctx[0:8] nctx[0:8]; the spec requires `exp((nctx dhead, qctx dhead -> qctx nctx) / 2) / sum[nctx](exp((nctx dhead, qctx dhead -> qctx nctx) / 2))`  [tnp-spec]
    # ^N: counterexample on random inputs ...


@tnp.kernel
def passes_it_on(
    Q: Typed[L["qctx dhead"]],
    K: Typed[L["nctx dhead"]],
    lse: Saved[L["qctx"], L["log(sum[nctx](exp((Q:qctx dhead, K:nctx dhead -> qctx nctx) / 2)))"]],
    p: TypedResult[L["softmax[nctx]((Q:qctx dhead, K:nctx dhead -> qctx nctx) / 2)"]],
) -> None:
    # A saved input passed on is its definition: proved at the inner call.
    probabilities(Q, K, lse, p)


def lse_of(q: np.ndarray, k: np.ndarray) -> np.ndarray:
    s = q @ k.T / 2
    m = s.max(axis=1, keepdims=True)
    out: np.ndarray = (m + np.log(np.exp(s - m).sum(axis=1, keepdims=True)))[:, 0]
    return out


def data() -> None:
    # Saved values as arrays: mypy cannot see their numbers; the runtime checks them.
    rng = np.random.default_rng(0)
    q, k = rng.standard_normal((8, 4)), rng.standard_normal((8, 4))
    p = TypedResult("softmax[nctx]((Q:qctx dhead, K:nctx dhead -> qctx nctx) / 2)")
    probabilities(Typed(q, qctx, dhead), Typed(k, nctx, dhead), Typed(lse_of(q, k), qctx), p)
    print(p.arr)


def nested() -> None:
    rng = np.random.default_rng(1)
    q, k = rng.standard_normal((8, 4)), rng.standard_normal((8, 4))
    p = TypedResult("softmax[nctx]((Q:qctx dhead, K:nctx dhead -> qctx nctx) / 2)")
    passes_it_on(Typed(q, qctx, dhead), Typed(k, nctx, dhead), Typed(lse_of(q, k), qctx), p)
    print(p.arr)


def computed() -> None:
    # Computed by the caller from the same inputs: proved at the call.
    Q = Typed(np.ones((8, 4)), qctx, dhead, name="Q")
    K = Typed(np.ones((8, 4)), nctx, dhead, name="K")
    lse = log(exp(einsum(Q, K, "qctx dhead, nctx dhead -> qctx nctx") / 2).sum(nctx))
    p = TypedResult("softmax[nctx]((Q:qctx dhead, K:nctx dhead -> qctx nctx) / 2)")
    probabilities(Q, K, lse, p)
    print(p.arr)


def computed_wrong() -> None:
    # The scores not scaled: not the definition.
    Q = Typed(np.ones((8, 4)), qctx, dhead, name="Q")
    K = Typed(np.ones((8, 4)), nctx, dhead, name="K")
    lse = log(exp(einsum(Q, K, "qctx dhead, nctx dhead -> qctx nctx")).sum(nctx))
    p = TypedResult("softmax[nctx]((Q:qctx dhead, K:nctx dhead -> qctx nctx) / 2)")
    probabilities(Q, K, lse, p)  # E: probabilities: the argument for saved input lse is not its definition `log(sum[nctx](exp((Q:qctx dhead, K:nctx dhead -> qctx nctx) / 2)))`: the argument is `log(sum[nctx](exp((nctx dhead, qctx dhead -> qctx nctx))))`, the definition with these arguments is `log(sum[nctx](exp((nctx dhead, qctx dhead -> qctx nctx) / 2)))`  [tnp-spec]
    # ^N: differs in: kernel `…` where the spec has `… / 2`
    # ^N: counterexample on random inputs ...
    print(p.arr)


data()
nested()
computed()
computed_wrong()
