"""`tnp-dim`: mismatched slices, a slice outside a dim, a reduce over a missing dim, an einsum
whose subscripts do not match."""

import numpy as np

from tnp_runtime import FullDim, Typed, einsum

M, N, K = FullDim("M", 10), FullDim("N", 10), FullDim("K", 10)


def mismatched() -> None:
    a = Typed(np.ones((10, 10)), M, N, name="A")
    b = Typed(np.ones((10, 10)), M, N, name="B")
    for i in range(0, 10, 5):
        print(a.slice(M, i, i + 5) + b.slice(M, 0, 5))  # E: operands of `+`: slices of M differ (M[5:10] vs M[0:5]); left is `A:M N` over M[5:10] N[0:10]; right is `B:M N` over M[0:5] N[0:10]  [tnp-dim]
        # ^N: slice both operands to the same tile of each dim
        # ^N: when i = 5
        # ^N: the left operand of `+` got its M[5:10] here
        # ^N: the right operand of `+` got its M[0:5] here


def outside() -> None:
    a = Typed(np.ones((10, 10)), M, N, name="A")
    print(a.slice(M, 5, 15))  # E: slice M[5:15] is outside dim M of size 10; the value is `A:M N` over M[0:10] N[0:10]  [tnp-dim]


def missing_dim() -> None:
    a = Typed(np.ones((10, 10)), M, N, name="A")
    print(a.sum(K))  # E: cannot sum over K: the value has no dim K; it is `A:M N` over M[0:10] N[0:10]  [tnp-dim]


def bad_einsum() -> None:
    a = Typed(np.ones((10, 10)), M, N, name="A")
    b = Typed(np.ones((10, 10)), N, K, name="B")
    print(einsum(a, b, "M K, N K -> M N"))  # E: einsum operand 1 has dims M N but the subscripts 'M K, N K -> M N' say M K; operand 1 is `A:M N` over M[0:10] N[0:10]  [tnp-dim]
    t = a + b.rearrange(N, K)  # E: operands of `+` have different dims: only the left has M; only the right has K; left is `A:M N` over M[0:10] N[0:10]; right is `B:N K` over N[0:10] K[0:10]  [tnp-dim]
    # ^N: reduce a dim away (.sum, .max) or broadcast one (.repeat) so both sides match
    print(t * 2)


mismatched()
