"""A kernel called from another kernel that owns the result proves its tiles with its
parameters replaced by the caller's arguments, against the result's own spec: `inner` computes
`2 * x`, so with `x = a * 3` it writes `6 * a`. A result keeps the spec it was first bound to;
a kernel whose spec, with its arguments, is another one is a `tnp-spec` at the call.

The result types differ textually (`6 * a:M N` is not `2 * x:M N`), so mypy's own check of
the argument needs an ignore: what tnp checks is that the two specs are the same."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 8), FullDim("N", 8)


@tnp.kernel
def inner(x: Typed[L["M N"]], c: TypedResult[L["2 * x:M N"]]) -> None:
    c.assign(x * 2)


@tnp.kernel
def outer(a: Typed[L["M N"]], c: TypedResult[L["6 * M N"]]) -> None:
    inner(a * 3, c)  # type: ignore[arg-type]


@tnp.kernel
def outer_wrong_spec(a: Typed[L["M N"]], c: TypedResult[L["2 * M N"]]) -> None:
    inner(a * 3, c)  # type: ignore[arg-type]  # E: inner: result c is bound to `2 * M N`, but the kernel declares `2 * x:M N`, which with these arguments is `6 * (M N)`, not `2 * (M N)`: a result keeps the spec it was first bound to  [tnp-spec]
    # ^N[mypy>=2.0]: Error code "tnp-spec" not covered by "type: ignore[arg-type]" comment
    # ^N[mypy<2.0]: Error code "tnp-spec" not covered by "type: ignore" comment


@tnp.kernel
def twice(a: Typed[L["M N"]], c: TypedResult[L["2 * a:M N"]]) -> None:
    # The same result handed to a kernel whose spec, with these arguments, is another one.
    inner(a * 1.5, c)  # type: ignore[arg-type]  # E: inner: result c is bound to `2 * a:M N`, but the kernel declares `2 * x:M N`, which with these arguments is `3 * (M N)`, not `2 * (M N)`: a result keeps the spec it was first bound to  [tnp-spec]
    # ^N[mypy>=2.0]: Error code "tnp-spec" not covered by "type: ignore[arg-type]" comment
    # ^N[mypy<2.0]: Error code "tnp-spec" not covered by "type: ignore" comment


def script_then_kernel() -> None:
    # Bound in script form by its first tile, then handed to a kernel with another spec.
    t = Typed(np.ones((8, 8)), M, N, name="T")
    c = TypedResult("2 * T:M N")
    c.assign(t.slice(M, 0, 4) * 2)
    inner(t * 3, c)  # type: ignore[arg-type]  # E: inner: result c is bound to `2 * T:M N`, but the kernel declares `2 * x:M N`, which with these arguments is `6 * (M N)`, not `2 * (M N)`: a result keeps the spec it was first bound to  [tnp-spec]
    # ^N[mypy>=2.0]: Error code "tnp-spec" not covered by "type: ignore[arg-type]" comment
    # ^N[mypy<2.0]: Error code "tnp-spec" not covered by "type: ignore" comment


def main() -> None:
    rng = np.random.default_rng(0)
    data = rng.standard_normal((8, 8))
    c = TypedResult("6 * M N")
    outer(Typed(data, M, N), c)
    assert np.allclose(c.arr, 6 * data)
    outer_wrong_spec(Typed(data, M, N), TypedResult("2 * M N"))


main()
