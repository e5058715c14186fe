"""The text of `tnp.reveal(x)`: a value's DimType and ExprType, as both halves show it."""

from __future__ import annotations

from collections.abc import Mapping

from tnp_runtime.core import normal, tables
from tnp_runtime.core.dims import render_dims
from tnp_runtime.core.ir import inputs_of
from tnp_runtime.core.normalize import normalize
from tnp_runtime.core.render import Renderer
from tnp_runtime.core.rules import Abstract


def reveal_text(value: Abstract, sizes: Mapping[str, int] | None = None) -> str:
    """`dims M[0:5] K[0:5]; expr `6 * (M N, N K -> M K)``: the expression in normal form
    (what the prover compares), or as built if it has none. `sizes` (dim name to size) lets
    reductions over a whole dim omit their interval."""
    sizes = {**(sizes or {}), **{s.name: s.dim.size for s in value.dims}}
    order = tuple(s.name for s in value.dims)
    renderer = Renderer.for_inputs(sizes, inputs_of(value.expr), order)
    try:
        with tables.checking():  # the normal form is in use until it is rendered
            expr_text = renderer.value(normalize(value.expr))
    except normal.NotNormalizable:
        expr_text = renderer.expr(value.expr)
    return f"dims {render_dims(value.dims)}; expr `{expr_text}`"
