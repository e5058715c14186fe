"""Saved inputs under the runtime: the data check at a call (a correct statistic accepted, a
perturbed one refused naming the parameter), its evaluation of definitions, and the attention
backward kernels against finite differences of the forward pass."""

from __future__ import annotations

import runpy
from collections.abc import Callable
from pathlib import Path
from typing import Any
from typing import Literal as L

import numpy as np
import pytest

import tnp_runtime as tnp
from tnp_runtime import FullDim, Saved, Typed, TypedResult, einsum, exp
from tnp_runtime.saved import ATOL, RTOL

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "attention_backward.py"


@pytest.fixture(scope="module")
def example() -> dict[str, Any]:
    return runpy.run_path(str(EXAMPLE))


def _inputs(example: dict[str, Any], seed: int = 0, scale: float = 1.0) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    qctx, nctx, dhead = example["qctx"], example["nctx"], example["dhead"]
    q = rng.standard_normal((qctx.size, dhead.size)) * scale
    k = rng.standard_normal((nctx.size, dhead.size)) * scale
    v = rng.standard_normal((nctx.size, dhead.size))
    do = rng.standard_normal((qctx.size, dhead.size))
    o, lse = example["forward"](q, k, v)
    return {"q": q, "k": k, "v": v, "do": do, "o": o, "lse": lse}


def _dv(example: dict[str, Any], x: dict[str, Any], lse: np.ndarray) -> TypedResult[Any]:
    qctx, nctx, dhead = example["qctx"], example["nctx"], example["dhead"]
    result = example["attention_dv"].result()
    example["attention_dv"](
        Typed(x["q"], qctx, dhead), Typed(x["k"], nctx, dhead), Typed(x["do"], qctx, dhead),
        Typed(lse, qctx), result,
    )
    return result


def test_a_correct_saved_value_is_accepted(example: dict[str, Any]) -> None:
    x = _inputs(example)
    assert np.allclose(_dv(example, x, x["lse"]).arr, example["reference"](
        x["q"], x["k"], x["v"], x["do"])[0])


def test_a_value_saved_in_float32_is_accepted(example: dict[str, Any]) -> None:
    x = _inputs(example)
    _dv(example, x, x["lse"].astype(np.float32).astype(np.float64))


def test_large_scores_do_not_overflow_the_check(example: dict[str, Any]) -> None:
    """Scores near 1000: exp overflows float64; the definitions of lse, O and D are evaluated
    shifted by the row max (a logsumexp, a softmax)."""
    x = _inputs(example, scale=18.0)
    assert np.abs(x["q"] @ x["k"].T / 4).max() > 710
    assert np.all(np.isfinite(x["o"]))
    _dv(example, x, x["lse"])
    qctx, nctx, dhead = example["qctx"], example["nctx"], example["dhead"]
    args = (Typed(x["q"], qctx, dhead), Typed(x["k"], nctx, dhead), Typed(x["v"], nctx, dhead),
            Typed(x["do"], qctx, dhead), Typed(x["lse"], qctx))
    example["attention_dq"](*args, Typed(x["o"], qctx, dhead), example["attention_dq"].result())
    example["attention_dk"](*args, Typed((x["do"] * x["o"]).sum(axis=1), qctx),
                            example["attention_dk"].result())


@pytest.mark.parametrize("change", [
    lambda lse: lse + 1e-2,                          # another statistic
    lambda lse: np.where(np.arange(lse.size) == 5, lse + 1e-3, lse),  # one row
    lambda lse: lse[::-1].copy(),                    # rows swapped
])
def test_a_perturbed_saved_value_is_refused(
    example: dict[str, Any], change: Callable[[np.ndarray], np.ndarray]
) -> None:
    x = _inputs(example)
    with pytest.raises(tnp.TypeCheckError) as raised:
        _dv(example, x, change(x["lse"]))
    assert raised.value.code == "tnp-spec"
    message = str(raised.value)
    assert "attention_dv: the argument for saved input lse is not its definition" in message
    assert "largest difference" in message
    assert raised.value.filename == __file__


def test_the_tolerance_is_the_documented_one(example: dict[str, Any]) -> None:
    x = _inputs(example)
    just_inside = x["lse"] + 0.5 * (ATOL + RTOL * np.abs(x["lse"]))
    _dv(example, x, just_inside)
    with pytest.raises(tnp.TypeCheckError):
        _dv(example, x, x["lse"] + 2 * (ATOL + RTOL * np.abs(x["lse"])))


def test_saved_output_of_dq_is_checked(example: dict[str, Any]) -> None:
    x = _inputs(example)
    qctx, nctx, dhead = example["qctx"], example["nctx"], example["dhead"]
    args = (Typed(x["q"], qctx, dhead), Typed(x["k"], nctx, dhead), Typed(x["v"], nctx, dhead),
            Typed(x["do"], qctx, dhead), Typed(x["lse"], qctx))
    with pytest.raises(tnp.TypeCheckError, match="saved input Out is not its definition"):
        example["attention_dq"](*args, Typed(x["o"] * 1.01, qctx, dhead),
                                example["attention_dq"].result())


def _finite_difference(f: Callable[[np.ndarray], float], x: np.ndarray) -> np.ndarray:
    grad = np.zeros_like(x)
    h = 1e-6
    for index in np.ndindex(*x.shape):
        step = np.zeros_like(x)
        step[index] = h
        grad[index] = (f(x + step) - f(x - step)) / (2 * h)
    return grad


def test_the_kernels_are_the_gradients(example: dict[str, Any]) -> None:
    """The specs are the gradient formulas: checked against finite differences of
    sum(O * dO), so a wrong formula in a spec (not only in a kernel) shows here."""
    x = _inputs(example)
    qctx, nctx, dhead = example["qctx"], example["nctx"], example["dhead"]
    Q, K, V, dO = (Typed(x["q"], qctx, dhead), Typed(x["k"], nctx, dhead),
                   Typed(x["v"], nctx, dhead), Typed(x["do"], qctx, dhead))
    lse = Typed(x["lse"], qctx)
    dv, dk, dq = (example[f"attention_{n}"].result() for n in ("dv", "dk", "dq"))
    example["attention_dv"](Q, K, dO, lse, dv)
    example["attention_dk"](Q, K, V, dO, lse, Typed((x["do"] * x["o"]).sum(axis=1), qctx), dk)
    example["attention_dq"](Q, K, V, dO, lse, Typed(x["o"], qctx, dhead), dq)

    def loss(q: np.ndarray, k: np.ndarray, v: np.ndarray) -> float:
        return float((example["forward"](q, k, v)[0] * x["do"]).sum())

    q, k, v = x["q"], x["k"], x["v"]
    assert np.allclose(dv.arr, _finite_difference(lambda t: loss(q, k, t), v), atol=1e-5)
    assert np.allclose(dk.arr, _finite_difference(lambda t: loss(q, t, v), k), atol=1e-5)
    assert np.allclose(dq.arr, _finite_difference(lambda t: loss(t, k, v), q), atol=1e-5)


M, N = FullDim("M", 4), FullDim("N", 6)


@tnp.kernel
def _shifted(
    x: Typed[L["M N"]],
    m: Saved[L["N M"], L["(max[N](x:M N) -> M N) * 2 + (sum[M](x:M N) -> M N) - 3"]],
    c: TypedResult[L["x:M N - (max[N](x:M N) -> M N)"]],
) -> None:
    c.assign(x - m.rearrange(M, N) / 2 + (x.sum(M).repeat(M) - 3) / 2)


def test_definitions_with_max_broadcast_and_other_axis_orders() -> None:
    """The data check evaluates a max, a broadcast, a sum over another dim, a constant and an
    argument whose axes come in another order than the definition's."""
    x = np.random.default_rng(3).standard_normal((4, 6))
    m = (x.max(axis=1, keepdims=True) * 2 + x.sum(axis=0, keepdims=True) - 3).T
    c = TypedResult("x:M N - (max[N](x:M N) -> M N)")
    _shifted(Typed(x, M, N), Typed(m, N, M), c)
    assert np.allclose(c.arr, x - x.max(axis=1, keepdims=True))
    with pytest.raises(tnp.TypeCheckError, match="saved input m"):
        _shifted(Typed(x, M, N), Typed(m + 1, N, M), TypedResult("x:M N - (max[N](x:M N) -> M N)"))


QCTX, NCTX, DHEAD = FullDim("qctx", 64), FullDim("nctx", 64), FullDim("dhead", 8)
P_SPEC = "softmax[nctx]((Q:qctx dhead, K:nctx dhead -> qctx nctx) / 4)"


@tnp.kernel
def _probabilities(
    Q: Typed[L["qctx dhead"]],
    K: Typed[L["nctx dhead"]],
    lse: Saved[L["qctx"], L["log(sum[nctx](exp((Q:qctx dhead, K:nctx dhead -> qctx nctx) / 4)))"]],
    p: TypedResult[L["softmax[nctx]((Q:qctx dhead, K:nctx dhead -> qctx nctx) / 4)"]],
    shift: int = 0,
) -> None:
    """P tile by tile from the saved statistic; `shift` reads the statistic of other rows."""
    for iq in range(0, 64, 32):
        rows = lse.slice(QCTX, (iq + shift) % 64, (iq + shift) % 64 + 32)
        for jk in range(0, 64, 32):
            s = einsum(Q.slice(QCTX, iq, iq + 32), K.slice(NCTX, jk, jk + 32),
                       "qctx dhead, nctx dhead -> qctx nctx") / 4
            p.assign(exp(s - rows.repeat(NCTX[jk:jk + 32])))


def test_the_statistic_of_the_right_rows_is_proved() -> None:
    rng = np.random.default_rng(5)
    q, k = rng.standard_normal((64, 8)), rng.standard_normal((64, 8))
    s = q @ k.T / 4
    lse = np.log(np.exp(s).sum(axis=1))
    p = TypedResult(P_SPEC)
    _probabilities(Typed(q, QCTX, DHEAD), Typed(k, NCTX, DHEAD), Typed(lse, QCTX), p)
    assert np.allclose(p.arr, np.exp(s - lse[:, None]))


def test_a_tile_reading_the_statistic_of_other_rows_is_refused() -> None:
    """The statistic of rows 32..64 against the scores of rows 0..32: the slices differ, so the
    subtraction is a `tnp-dim` error (a saved input keeps its positions like any input)."""
    rng = np.random.default_rng(5)
    q, k = rng.standard_normal((64, 8)), rng.standard_normal((64, 8))
    lse = np.log(np.exp(q @ k.T / 4).sum(axis=1))
    with pytest.raises(tnp.TypeCheckError) as raised:
        _probabilities(Typed(q, QCTX, DHEAD), Typed(k, NCTX, DHEAD), Typed(lse, QCTX),
                       TypedResult(P_SPEC), shift=32)
    assert raised.value.code == "tnp-dim"


SIGNAL, P, K, B, V = (FullDim("S", 12), FullDim("P", 8), FullDim("K", 5), FullDim("B", 6),
                      FullDim("V", 7))


@tnp.kernel
def _conv(
    x: Typed[L["S"]],
    w: Typed[L["K"]],
    y: Saved[L["P"], L["(w:K, x:S[P + K] -> P)"]],
    c: TypedResult[L["2 * (w:K, x:S[P + K] -> P)"]],
) -> None:
    c.assign(y * 2)


@tnp.kernel
def _picked(
    logits: Typed[L["B V"]],
    t: Typed[L["B"]],
    picked: Saved[L["B"], L["logits:B V[t:B]"]],
    c: TypedResult[L["logits:B V[t:B] + 1"]],
) -> None:
    c.assign(picked + 1)


def test_definitions_with_shifted_reads_and_gathers_are_evaluated() -> None:
    """The data check reads at computed positions as the spec does: a convolution (x at
    S = p + k) and a gather (logits at V = t[b])."""
    rng = np.random.default_rng(7)
    x, w = rng.standard_normal(12), rng.standard_normal(5)
    y = np.array([w @ x[p:p + 5] for p in range(8)])
    c = TypedResult("2 * (w:K, x:S[P + K] -> P)")
    _conv(Typed(x, SIGNAL), Typed(w, K), Typed(y, P), c)
    assert np.allclose(c.arr, 2 * y)
    with pytest.raises(tnp.TypeCheckError, match="saved input y"):
        # the true convolution (taps flipped), not the cross-correlation the definition states
        flipped = np.array([w[::-1] @ x[p:p + 5] for p in range(8)])
        _conv(Typed(x, SIGNAL), Typed(w, K), Typed(flipped, P),
              TypedResult("2 * (w:K, x:S[P + K] -> P)"))

    logits, t = rng.standard_normal((6, 7)), np.array([0, 6, 3, 3, 1, 5], dtype=np.float64)
    picked = logits[np.arange(6), t.astype(int)]
    c = TypedResult("logits:B V[t:B] + 1")
    _picked(Typed(logits, B, V), Typed(t, B), Typed(picked, B), c)
    assert np.allclose(c.arr, picked + 1)
    with pytest.raises(tnp.TypeCheckError, match="saved input picked"):
        _picked(Typed(logits, B, V), Typed(t, B), Typed(logits[:, 0], B),
                TypedResult("logits:B V[t:B] + 1"))


@tnp.kernel
def _causal_probabilities(
    Q: Typed[L["qctx dhead"]],
    K: Typed[L["nctx dhead"]],
    lse: Saved[
        L["qctx"],
        L["log(sum[nctx](exp(mask[qctx >= nctx]((Q:qctx dhead, K:nctx dhead -> qctx nctx) / 4))))"],
    ],
    p: TypedResult[
        L["softmax[nctx](mask[qctx >= nctx]((Q:qctx dhead, K:nctx dhead -> qctx nctx) / 4))"]
    ],
) -> None:
    for iq in range(0, 64, 32):
        rows = lse.slice(QCTX, iq, iq + 32)
        for jk in range(0, 64, 32):
            s = einsum(Q.slice(QCTX, iq, iq + 32), K.slice(NCTX, jk, jk + 32),
                       "qctx dhead, nctx dhead -> qctx nctx") / 4
            p.assign(exp(s.mask(QCTX >= NCTX) - rows.repeat(NCTX[jk:jk + 32])))


def test_a_masked_definition_is_evaluated_with_its_mask() -> None:
    """A causal statistic: the data check applies the mask (the unmasked logsumexp of the same
    scores is refused, the causal one accepted)."""
    rng = np.random.default_rng(6)
    q, k = rng.standard_normal((64, 8)), rng.standard_normal((64, 8))
    s = np.where(np.tril(np.ones((64, 64), dtype=bool)), q @ k.T / 4, -np.inf)
    causal = np.log(np.exp(s).sum(axis=1))
    p = _causal_probabilities.result()
    _causal_probabilities(Typed(q, QCTX, DHEAD), Typed(k, NCTX, DHEAD), Typed(causal, QCTX), p)
    assert np.allclose(p.arr, np.exp(s - causal[:, None]))
    full = np.log(np.exp(q @ k.T / 4).sum(axis=1))
    with pytest.raises(tnp.TypeCheckError, match="saved input lse"):
        _causal_probabilities(
            Typed(q, QCTX, DHEAD), Typed(k, NCTX, DHEAD), Typed(full, QCTX),
            _causal_probabilities.result(),
        )
