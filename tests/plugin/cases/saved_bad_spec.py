"""A saved input's definition must resolve against the kernel's plain `Typed` parameters and
have the parameter's dims: otherwise `tnp-bad-spec` at the annotation."""

from typing import Literal as L

import tnp_runtime as tnp
from tnp_runtime import FullDim, Saved, Typed, TypedResult

qctx, nctx = FullDim("qctx", 8), FullDim("nctx", 8)


@tnp.kernel
def wrong_dims(
    S: Typed[L["qctx nctx"]],
    m: Saved[L["qctx"], L["exp(S:qctx nctx)"]],  # E: bad spec: the saved input m has dims qctx[0:8], but its definition computes qctx[0:8] nctx[0:8]  [tnp-bad-spec]
    # ^N:     exp(S:qctx nctx)
    # ^N: fix: write a definition over exactly qctx[0:8] (reduce or broadcast the others: sum[N](...), (... -> qctx))
    c: TypedResult[L["max[nctx](S:qctx nctx)"]],
) -> None:
    c.assign(m)


@tnp.kernel
def unknown_input(
    S: Typed[L["qctx nctx"]],
    m: Saved[L["qctx"], L["max[nctx](T:qctx nctx)"]],  # E: bad spec: no input named 'T'  [tnp-bad-spec]
    # ^N:     max[nctx](T:qctx nctx)
    # ^N:               ^
    # ^N: fix: use the name of a kernel parameter or of Typed(..., name=...); the inputs are S (qctx nctx)
    c: TypedResult[L["max[nctx](S:qctx nctx)"]],
) -> None:
    c.assign(m)
