"""Gather by an integer index input (`logits.gather(V, t)`, the spec leaf `logits:B V[t:B]`):
cross-entropy with integer targets, and the gathers tnp refuses."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult, exp, log

B, V = FullDim("B", 4), FullDim("V", 6)
SPEC = "log(sum[V](exp(logits:B V))) - logits:B V[t:B]"


@tnp.kernel
def cross_entropy(logits: Typed[L["B V"]], t: Typed[L["B"]], loss: TypedResult[L["log(sum[V](exp(logits:B V))) - logits:B V[t:B]"]]) -> None:
    for b in range(0, 4, 2):
        rows = logits.slice(B, b, b + 2)
        loss.assign(log(exp(rows).sum(V)) - rows.gather(V, t.slice(B, b, b + 2)))


@tnp.kernel
def tile_of_v(logits: Typed[L["B V"]], t: Typed[L["B"]], out: TypedResult[L["logits:B V[t:B]"]]) -> None:
    out.assign(logits.slice(V, 0, 3).gather(V, t))  # E: cannot gather(V, `t:B` over B[0:4]): a gather may read any position of V, but the value holds only V[0:3]; it is `logits:B V` over B[0:4] V[0:3]  [tnp-dim]
    # ^N: gather from a value that holds all of V


@tnp.kernel
def computed_index(logits: Typed[L["B V"]], t: Typed[L["B"]], out: TypedResult[L["logits:B V[t:B]"]]) -> None:
    out.assign(logits.gather(V, t + 1))  # E: cannot gather(V, `(t:B + 1)` over B[0:4]): the index of a gather must be an input (a kernel parameter or a Typed(...)), not a computed value  [tnp-dim]


@tnp.kernel
def wrong_rows(logits: Typed[L["B V"]], t: Typed[L["B"]], out: TypedResult[L["logits:B V[t:B]"]]) -> None:
    out.assign(logits.slice(B, 0, 2).gather(V, t.slice(B, 2, 4)))  # E: cannot gather(V, `t:B` over B[2:4]): the index must have the value's other dims and slices, B[0:2]; it has B[2:4]  [tnp-dim]


@tnp.kernel
def wrong_input(logits: Typed[L["B V"]], other: Typed[L["B V"]], t: Typed[L["B"]], loss: TypedResult[L["log(sum[V](exp(logits:B V))) - logits:B V[t:B]"]]) -> None:
    loss.assign(log(exp(logits).sum(V)) - other.gather(V, t))  # E: kernel computes `-(other:B V[t:B]) + log(sum[V](exp(logits:B V)))` over B[0:4]; the spec requires `-(logits:B V[t:B]) + log(sum[V](exp(logits:B V)))`  [tnp-spec]
    # ^N: differs in: kernel `(other:B V[t:B])` where the spec has `(logits:B V[t:B])`
    # ^N: kernel - spec = `(logits:B V[t:B]) - (other:B V[t:B])`
    # ^N: counterexample on random inputs ...
    # ^N: reads other: with logits in its place, the tile equals the spec


rng = np.random.default_rng(0)
cross_entropy(Typed(rng.standard_normal((4, 6)), B, V), Typed(np.array([5, 0, 3, 3]), B), TypedResult(SPEC))
wrong_input(Typed(rng.standard_normal((4, 6)), B, V), Typed(rng.standard_normal((4, 6)), B, V), Typed(np.array([1, 2, 3, 4]), B), TypedResult(SPEC))
