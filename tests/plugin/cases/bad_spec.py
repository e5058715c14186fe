"""`tnp-bad-spec`: a kernel annotation naming an unknown dim (at the annotation), a spec that
does not parse (at `TypedResult(...)`), an ambiguous leaf (at the first `assign`)."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 8), FullDim("N", 8)


@tnp.kernel
def unknown_dim(
    a: Typed[L["M Q"]],  # E: bad spec: unknown dim 'Q'  [tnp-bad-spec]
    # ^N:     M Q
    # ^N:       ^
    # ^N: fix: declare Q = FullDim("Q", size) in the kernel's module, or use one of the known dims: M, N
    c: TypedResult[L["a:M Q"]],
) -> None:
    c.assign(a)


def syntax() -> None:
    c = TypedResult("(M N")  # E: bad spec: unclosed '('  [tnp-bad-spec]
    # ^N:     (M N
    # ^N:     ^
    # ^N: fix: add ')' to close it where its contents end
    print(c)


def ambiguous() -> None:
    x = Typed(np.ones((8, 8)), M, N, name="X")
    y = Typed(np.ones((8, 8)), M, N, name="Y")
    c = TypedResult("M N + M N")
    c.assign(x + y)  # E: bad spec: ambiguous leaf `M N`: inputs X and Y both have dims M N  [tnp-bad-spec]
    # ^N:     M N + M N
    # ^N:     ^
    # ^N: fix: name it: `X:M N` or `Y:M N` (fix: `tnp fix`)
