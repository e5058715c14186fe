"""The numbers behind a type cannot change behind it: `.arr` is read-only, and an in-place
write to it (an item, a slice, `+=`, a new array, through a name bound to it) is `tnp-write`
at that line. `Typed(...)` copies its array, so the caller's own array stays free to change;
a copy of `.arr` is a plain array."""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult

M, N = FullDim("M", 8), FullDim("N", 8)


def item_write() -> None:
    t = Typed(np.ones((8, 8)), M, N, name="T")
    y = t * 2
    y.arr[...] = 0  # E: in-place write to the data of the value `(T:M N * 2)` over M[0:8] N[0:8]: the array behind a typed value is read-only, so that its type always describes it  [tnp-write]
    # ^N: compute a new value instead (e.g. `x * 0`), or copy the data to change it as a plain array (`np.array(x.arr)`)
    c = TypedResult("2 * M N")
    c.assign(y)


def slice_write() -> None:
    t = Typed(np.ones((8, 8)), M, N, name="T")
    t.arr[0:4, 0] = 1.0  # E: in-place write to the data of the value `T:M N` over M[0:8] N[0:8]: the array behind a typed value is read-only, so that its type always describes it  [tnp-write]
    # ^N: compute a new value instead (e.g. `x * 0`), or copy the data to change it as a plain array (`np.array(x.arr)`)


def augmented() -> None:
    t = Typed(np.ones((8, 8)), M, N, name="T")
    t.arr += 1  # E: in-place write to the data of the value `T:M N` over M[0:8] N[0:8]: the array behind a typed value is read-only, so that its type always describes it  [tnp-write]
    # ^N: compute a new value instead (e.g. `x * 0`), or copy the data to change it as a plain array (`np.array(x.arr)`)
    # ^E: Property "arr" defined in "Typed" is read-only  [misc]


def augmented_item() -> None:
    t = Typed(np.ones((8, 8)), M, N, name="T")
    t.arr[0, 0] *= 3  # E: in-place write to the data of the value `T:M N` over M[0:8] N[0:8]: the array behind a typed value is read-only, so that its type always describes it  [tnp-write]
    # ^N: compute a new value instead (e.g. `x * 0`), or copy the data to change it as a plain array (`np.array(x.arr)`)


def replaced() -> None:
    t = Typed(np.ones((8, 8)), M, N, name="T")
    t.arr = np.zeros((8, 8))  # E: in-place write to the data of the value `T:M N` over M[0:8] N[0:8]: the array behind a typed value is read-only, so that its type always describes it  [tnp-write]
    # ^N: compute a new value instead (e.g. `x * 0`), or copy the data to change it as a plain array (`np.array(x.arr)`)
    # ^E: Property "arr" defined in "Typed" is read-only  [misc]


def through_a_name() -> None:
    t = Typed(np.ones((8, 8)), M, N, name="T")
    data = t.arr
    data[1, 1] = 7.0  # E: in-place write to the data of the value `T:M N` over M[0:8] N[0:8]: the array behind a typed value is read-only, so that its type always describes it  [tnp-write]
    # ^N: compute a new value instead (e.g. `x * 0`), or copy the data to change it as a plain array (`np.array(x.arr)`)


def through_a_view() -> None:
    t = Typed(np.ones((8, 8)), M, N, name="T")
    rows = t.arr[0:2, :]
    rows -= 1  # E: in-place write to the data of the value `T:M N` over M[0:8] N[0:8]: the array behind a typed value is read-only, so that its type always describes it  [tnp-write]
    # ^N: compute a new value instead (e.g. `x * 0`), or copy the data to change it as a plain array (`np.array(x.arr)`)


@tnp.kernel
def double(x: Typed[L["M N"]], c: TypedResult[L["2 * x:M N"]]) -> None:
    c.assign(x * 2)


def result_write() -> None:
    c = TypedResult("2 * x:M N")
    double(Typed(np.ones((8, 8)), M, N), c)
    c.arr[0, 0] = 5.0  # E: in-place write to the data of result `2 * x:M N`: the array behind a typed value is read-only, so that its type always describes it  [tnp-write]
    # ^N: compute a new value instead (e.g. `x * 0`), or copy the data to change it as a plain array (`np.array(x.arr)`)


def copies_are_free() -> None:
    raw = np.ones((8, 8))
    t = Typed(raw, M, N)
    raw[...] = 0.0  # the caller's own array: Typed copied it
    copy = t.arr.copy()
    copy[0, 0] = 9.0  # a copy is a plain array
    rebound = t.arr
    rebound = np.zeros((8, 8))  # rebinding a name writes nothing
    c = TypedResult("2 * x:M N")
    double(t, c)
    assert np.allclose(c.arr, 2.0) and rebound.sum() == 0.0 and copy[0, 0] == 9.0


copies_are_free()
item_write()
