"""The dim rule of `x.mask(pred, fill)`, shared by both halves.

`x.mask(qctx >= nctx)` keeps `x` where the index predicate holds and puts -inf elsewhere (the
fill of scores before a softmax: exp(-inf) = 0, and -inf is the identity of max);
`x.mask(pred, fill=0)` puts 0 there (for probabilities). The predicate's dims must be dims of
`x` (`tnp-dim` otherwise). The expression is simplified where it is built, on the box of the
value's slices: a predicate true everywhere there leaves the value as it is, one false
everywhere makes it the fill constant; otherwise it is a `Mask` node of the comparisons that
are not true everywhere there.
"""

from __future__ import annotations

import math
from fractions import Fraction

from tnp_runtime.core import ir
from tnp_runtime.core.diagnostics import Code, Diagnostic, Violation
from tnp_runtime.core.index_pred import IndexPred, Truth
from tnp_runtime.core.ir import Expr
from tnp_runtime.core.rules import Abstract, scalar_expr

Fill = int | float | Fraction


def fill_expr(fill: Fill) -> Expr:
    """-inf, or a finite number as an exact constant; NaN and +inf are refused."""
    if isinstance(fill, float) and (math.isnan(fill) or fill == math.inf):
        raise Violation(
            Diagnostic(Code.DIM, f"a mask's fill is -inf or a finite number, got {fill!r}")
        )
    return scalar_expr(fill)


def mask(value: Abstract, pred: IndexPred, fill: Fill = -math.inf) -> Abstract:
    """`value` masked by `pred` (see the module's docstring)."""
    held = {s.name for s in value.dims}
    missing = sorted(pred.dims - held)
    if missing:
        raise Violation(
            Diagnostic(
                Code.DIM,
                f"cannot mask by `{pred}`: the value has no dim {', '.join(missing)}; "
                f"it is {value.label()}",
            )
        )
    filled = fill_expr(fill)
    ranges = {s.name: (s.start, s.stop - 1) for s in value.dims}
    match pred.truth(ranges):
        case Truth.TRUE:
            return value
        case Truth.FALSE:
            return Abstract(value.dims, filled)
        case Truth.BAND:
            return Abstract(value.dims, ir.mask(pred.on(ranges), filled, value.expr))
