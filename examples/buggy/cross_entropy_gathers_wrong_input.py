"""Bug: the target logit is gathered from the teacher's logits instead of the student's.

A distillation kernel receives both models' logits; the cross-entropy of the student with the
integer targets must subtract `student[b, t[b]]`. The kernel gathers from `teacher`: the dims are
all right, so only the proof catches it. tnp reports `tnp-spec` at the first `loss.assign`: the
kernel computes `-(teacher:B V[t:B]) + log(sum[V](exp(student:B V)))`, the spec requires
`-(student:B V[t:B]) + log(sum[V](exp(student:B V)))`.
"""

from typing import Literal as L

import numpy as np

import tnp_runtime as tnp
from tnp_runtime import FullDim, Typed, TypedResult, exp, log

B, V = FullDim("B", 32), FullDim("V", 256)
TILE_B = 16


@tnp.kernel
def student_cross_entropy(
    student: Typed[L["B V"]],
    teacher: Typed[L["B V"]],
    t: Typed[L["B"]],
    loss: TypedResult[L["log(sum[V](exp(student:B V))) - student:B V[t:B]"]],
) -> None:
    for b in range(0, B.size, TILE_B):
        rows = student.slice(B, b, b + TILE_B)
        top = rows.max(V)
        lse = log(exp(rows - top.repeat(V)).sum(V)) + top
        target = teacher.slice(B, b, b + TILE_B).gather(V, t.slice(B, b, b + TILE_B))
        loss.assign(lse - target)  # error: tnp-spec


rng = np.random.default_rng(0)
student_cross_entropy(
    Typed(rng.standard_normal((B.size, V.size)), B, V),
    Typed(rng.standard_normal((B.size, V.size)), B, V),
    Typed(rng.integers(0, V.size, B.size), B),
    TypedResult("log(sum[V](exp(student:B V))) - student:B V[t:B]"),
)
print("unreachable: tnp accepted the teacher's target logit in the student's loss")
