"""The oracle evaluates the spec leaves that read at positions (`x:N[P + K]`, `w:K[1]`,
`logits:B V[t:B]`) with NumPy indexing, independently of the core: the convolution and the
gather it computes are NumPy's."""

from __future__ import annotations

import numpy as np

from tests.differential.oracle import OracleInput, evaluate_spec


def test_conv1d_spec_is_numpy_correlate() -> None:
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal(10), rng.standard_normal(3)
    inputs = [OracleInput("x", ("N",), x), OracleInput("w", ("K",), w)]
    sizes = {"N": 10, "P": 8, "K": 3}
    out, dims = evaluate_spec("(w:K, x:N[P + K] -> P)", sizes, inputs)
    assert dims == ("P",)
    assert np.allclose(out, np.correlate(x, w, mode="valid"))
    tap, _ = evaluate_spec("w:K[1] * x:N[P + 1]", sizes, inputs)
    assert np.allclose(tap, w[1] * x[1:9])


def test_gather_spec_is_numpy_indexing() -> None:
    rng = np.random.default_rng(2)
    logits, t = rng.standard_normal((4, 6)), rng.integers(0, 6, 4).astype(np.float64)
    inputs = [OracleInput("logits", ("B", "V"), logits), OracleInput("t", ("B",), t)]
    out, dims = evaluate_spec("logits:B V[t:B]", {"B": 4, "V": 6}, inputs)
    assert dims == ("B",)
    assert np.array_equal(out, logits[np.arange(4), t.astype(int)])
