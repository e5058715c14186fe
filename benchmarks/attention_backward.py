"""Proof time of the attention backward kernels (dV, dK, dQ) by size.

    PYTHONPATH=. python benchmarks/attention_backward.py [--quick] [--runs N]

The kernels are examples/attention_backward.py's, run through the runtime on random inputs with
qctx and nctx set to the sizes of each row (dhead 16, tiles of 32 along both). The example's
source is executed with only its line of dims changed, so its kernels are measured as written.
Each run is a fresh process (the core memoizes normal forms); per kernel it measures, with
`time.perf_counter`:

- call: the kernel call's wall time (checks, NumPy data, proofs);
- proof: the time inside its `assign` calls (prove, then write);
- data check: the time inside the check of the saved inputs' numbers (`tnp_runtime/saved.py`),
  which evaluates each definition with NumPy on the call's arguments.
"""

from __future__ import annotations

import re
import time
from typing import Any

import _common
import numpy as np
from _timed import TimedResult

import tnp_runtime.kernel_form as kernel_form
from tnp_runtime import Typed

EXAMPLE = _common.REPO_DIR / "examples" / "attention_backward.py"
SIZES = ((64, 128), (128, 512), (256, 2048), (512, 4096))
DIMS_LINE = re.compile(r'FullDim\("qctx", \d+\), FullDim\("dhead", 16\), FullDim\("nctx", \d+\)')


def load(qctx: int, nctx: int) -> dict[str, Any]:
    """The example's namespace with qctx and nctx of these sizes (its line numbers unchanged)."""
    source = EXAMPLE.read_text(encoding="utf-8")
    source, found = DIMS_LINE.subn(
        f'FullDim("qctx", {qctx}), FullDim("dhead", 16), FullDim("nctx", {nctx})', source
    )
    assert found == 1, "the example's dims line changed: update DIMS_LINE"
    namespace: dict[str, Any] = {"__name__": "attention_backward_measured"}
    exec(compile(source, str(EXAMPLE), "exec"), namespace)
    return namespace


def measure(qctx: int, nctx: int) -> dict[str, float]:
    ex = load(qctx, nctx)
    checking = [0.0]
    check_data = kernel_form.check_data

    def timed_check(*args: Any) -> None:
        start = time.perf_counter()
        check_data(*args)
        checking[0] += time.perf_counter() - start

    kernel_form.check_data = timed_check  # the wrapper looks it up at each call
    rng = np.random.default_rng(0)
    q, k, v, do = (rng.standard_normal((n, 16)) for n in (qctx, nctx, nctx, qctx))
    o, lse = ex["forward"](q, k, v)
    Q, K, V, dO = (Typed(q, ex["qctx"], ex["dhead"]), Typed(k, ex["nctx"], ex["dhead"]),
                   Typed(v, ex["nctx"], ex["dhead"]), Typed(do, ex["qctx"], ex["dhead"]))
    saved_lse = Typed(lse, ex["qctx"])
    calls = {
        "dv": ("attention_dv", (Q, K, dO, saved_lse)),
        "dk": ("attention_dk", (Q, K, V, dO, saved_lse, Typed((do * o).sum(axis=1), ex["qctx"]))),
        "dq": ("attention_dq", (Q, K, V, dO, saved_lse, Typed(o, ex["qctx"], ex["dhead"]))),
    }
    found: dict[str, float] = {}
    results = {}
    for key, (kernel, args) in calls.items():
        result = TimedResult(ex[kernel].result().spec)
        checking[0] = 0.0
        start = time.perf_counter()
        ex[kernel](*args, result)
        found[f"{key}_call"] = time.perf_counter() - start
        found[f"{key}_proof"] = result.proof_seconds
        found[f"{key}_check"] = checking[0]
        results[key] = result.arr
    expected = ex["reference"](q, k, v, do)
    assert all(np.allclose(results[key], value)
               for key, value in zip(("dv", "dk", "dq"), expected, strict=True))
    return found


def main() -> None:
    args = _common.base_parser(__doc__, default_runs=3).parse_args()
    if args.worker:
        _common.emit(measure(int(args.worker[0]), int(args.worker[1])))
        return
    sizes = SIZES[:1] if args.quick else SIZES
    runs = 1 if args.quick else args.runs
    _common.print_header(
        "Attention backward (dV, dK, dQ): runtime call, proof and data-check time by size "
        "(dhead 16, tile 32)",
        [f"median of {runs} runs per size, each in a fresh process"],
    )
    headers = ["kernel", "qctx", "nctx", "tile pairs", "call (ms)", "proof (ms)",
               "proof per tile pair (µs)", "data check (ms)"]
    rows = []
    for qctx, nctx in sizes:
        measured = [_common.run_worker(__file__, [str(qctx), str(nctx)]) for _ in range(runs)]
        tiles = (qctx // 32) * (nctx // 32)
        for key, name in (("dv", "dV"), ("dk", "dK"), ("dq", "dQ")):
            call, proof, check = (
                _common.median([m[f"{key}_{column}"] for m in measured])
                for column in ("call", "proof", "check")
            )
            rows.append([name, str(qctx), str(nctx), str(tiles), _common.ms(call),
                         _common.ms(proof), _common.us(proof / tiles), _common.ms(check)])
    _common.print_table(headers, rows)
    _common.print_footer()


if __name__ == "__main__":
    main()
