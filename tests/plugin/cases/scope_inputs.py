"""Script form: a spec resolves against every input in scope where the result is made, not only
those the first tile reads: with K and V both `nctx dhead`, the leaf is ambiguous."""

import numpy as np

from tnp_runtime import FullDim, Typed, TypedResult, einsum

qctx, nctx, dhead = FullDim("qctx", 4), FullDim("nctx", 4), FullDim("dhead", 2)


def swapped() -> None:
    q = Typed(np.ones((4, 2)), qctx, dhead, name="Q")
    k = Typed(np.ones((4, 2)), nctx, dhead, name="K")
    v = Typed(np.ones((4, 2)), nctx, dhead, name="V")
    out = TypedResult("((qctx dhead, nctx dhead -> qctx nctx), nctx dhead -> qctx dhead)")
    scores = einsum(q, v, "qctx dhead, nctx dhead -> qctx nctx")
    out.assign(einsum(scores, v, "qctx nctx, nctx dhead -> qctx dhead"))  # E: bad spec: ambiguous leaf `nctx dhead`: inputs K and V both have dims nctx dhead  [tnp-bad-spec]
    # ^N:     ((qctx dhead, nctx dhead -> qctx nctx), nctx dhead -> qctx dhead)
    # ^N:                   ^
    # ^N: fix: name it: `K:nctx dhead` or `V:nctx dhead` (fix: `tnp fix`)
    print(k)


swapped()
