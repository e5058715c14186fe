"""Cross-entropy with integer targets, tiled over the vocabulary with an online logsumexp:
loss[b] = log(sum[V](exp(logits[b, v]))) - logits[b, t[b]].

`t` holds one class index per row (whole numbers in [0, V)). The spec reads the target logit with
a gather, `logits:B V[t:B]`: logits at V = t[b]. The kernel keeps a running max and a running
sum of exponentials over tiles of V (rescaling the sum when the max grows, as flash attention
does), and subtracts the target logit, `logits.gather(V, t)`, at the end. The gather reads a
value that holds all of V (a row block of logits); the runtime checks that every target is a
whole number in [0, V).
"""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult, exp, log, max

B, V = FullDim("B", 64), FullDim("V", 512)
TILE_B, TILE_V = 16, 128

SPEC = "log(sum[V](exp(logits:B V))) - logits:B V[t:B]"


@tnp.kernel
def cross_entropy(
    logits: Typed[L["B V"]],
    t: Typed[L["B"]],
    loss: TypedResult[L["log(sum[V](exp(logits:B V))) - logits:B V[t:B]"]],
) -> None:
    for b in range(0, B.size, TILE_B):
        rows = logits.slice(B, b, b + TILE_B)
        row_max: Typed | float = -np.inf
        row_sum: Typed | float = 0
        for v in range(0, V.size, TILE_V):
            tile = rows.slice(V, v, v + TILE_V)
            new_max = max(row_max, tile.max(V))
            shifted = tile - new_max.repeat(V[v : v + TILE_V])
            row_sum = row_sum * exp(row_max - new_max) + exp(shifted).sum(V)
            row_max = new_max
        assert isinstance(row_sum, Typed) and isinstance(row_max, Typed)
        target = rows.gather(V, t.slice(B, b, b + TILE_B))  # logits[b, t[b]]
        loss.assign(log(row_sum) + row_max - target)


def reference(logits: np.ndarray, targets: np.ndarray) -> np.ndarray:
    top = logits.max(axis=1, keepdims=True)
    lse = np.log(np.exp(logits - top).sum(axis=1)) + top[:, 0]
    result: np.ndarray = lse - logits[np.arange(len(targets)), targets]
    return result


def main() -> None:
    rng = np.random.default_rng(0)
    logits = Typed(30 * rng.standard_normal((B.size, V.size)), B, V)
    targets = rng.integers(0, V.size, B.size)
    t = Typed(targets, B)
    loss = TypedResult(SPEC)
    cross_entropy(logits, t, loss)
    assert np.allclose(loss.arr, reference(logits.arr, targets))
    print(f"cross_entropy: OK ({B.size} rows, {V.size} classes, "
          f"{(B.size // TILE_B) * (V.size // TILE_V)} tiles, online logsumexp)")


if __name__ == "__main__":
    main()
