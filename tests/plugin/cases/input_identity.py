"""Inputs are arrays, not names: two arrays named `x` are two inputs. A spec naming `x` with
both in scope cannot tell which one it means (`tnp-bad-spec`); a kernel that reads a `Typed` it
did not receive as a parameter is refused, even one named like a parameter (`tnp-spec`)."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 8), FullDim("N", 8)

# A module-level array named like `double`'s parameter: not that parameter.
x = Typed(np.full((8, 8), 5.0), M, N, name="x")


@tnp.kernel
def double(x: Typed[L["M N"]], c: TypedResult[L["2 * x:M N"]]) -> None:
    c.assign(x * 2)


@tnp.kernel
def double_global(a: Typed[L["M N"]], c: TypedResult[L["2 * a:M N"]]) -> None:
    c.assign(x * 2)  # E: the tile reads `x` (M N), which the kernel did not receive as a parameter: a kernel's result is proved from its parameters only; pass it to the kernel as a parameter  [tnp-spec]
    # ^N: kernel computes `2 * (x:M N)` over M[0:8] N[0:8]; the spec requires `2 * (a:M N)`
    # ^N: differs in: kernel `(x:M N)` where the spec has `(a:M N)`
    # ^N: counterexample on random inputs ...


def two_named_x() -> None:
    first = Typed(np.ones((8, 8)), M, N, name="x")
    second = Typed(np.zeros((8, 8)), M, N, name="x")
    c = TypedResult("2 * x:M N")
    c.assign(second * 2)  # E: bad spec: 3 different inputs are named 'x' (M N, M N, M N): the spec cannot tell which one it means  [tnp-bad-spec]
    # ^N:     2 * x:M N
    # ^N:         ^
    # ^N: fix: give each array its own name (Typed(arr, ..., name="...")) and write that name
    print(first)


def two_named_x_by_dims() -> None:
    first = Typed(np.ones((8, 8)), M, N, name="x")
    second = Typed(np.zeros((8, 8)), M, N, name="x")
    c = TypedResult("2 * M N")
    c.assign(first * 2)  # E: bad spec: 3 different inputs are named 'x' (M N, M N, M N): the spec cannot tell which one it means  [tnp-bad-spec]
    # ^N:     2 * M N
    # ^N:         ^
    # ^N: fix: give each array its own name (Typed(arr, ..., name="...")) and write that name
    print(second)


def module_array_in_scope() -> None:
    # The module's `x` is in scope here, as at run time: `M N` could be either array.
    mine = Typed(np.ones((8, 8)), M, N, name="mine")
    c = TypedResult("2 * M N")
    c.assign(mine * 2)  # E: bad spec: ambiguous leaf `M N`: inputs x and mine both have dims M N  [tnp-bad-spec]
    # ^N:     2 * M N
    # ^N:         ^
    # ^N: fix: name it: `x:M N` or `mine:M N` (fix: `tnp fix`)


def main() -> None:
    ones = Typed(np.ones((8, 8)), M, N)
    c = TypedResult("2 * x:M N")
    double(ones, c)
    assert np.allclose(c.arr, 2.0)
    # The parameter is the argument (ones), not the module's `x` (fives).
    double(x, TypedResult("2 * x:M N"))
    double_global(ones, TypedResult("2 * a:M N"))


main()
