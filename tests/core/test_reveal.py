"""`core/reveal.py`, the text of `tnp.reveal(x)` both halves show: the value's dims with their
slices, and its term in normal form as a spec (resolved again, the same normal form); a whole
dim's interval is left out when its size is known; a term without a normal form is shown as
built."""

from __future__ import annotations

import re

from tnp_runtime.core import ir, rules
from tnp_runtime.core.dims import FullDim
from tnp_runtime.core.ir import BinaryOp
from tnp_runtime.core.normalize import normalize
from tnp_runtime.core.reveal import reveal_text
from tnp_runtime.core.rules import Abstract
from tnp_runtime.core.spec import SpecInput, resolve_spec

M, N, K = FullDim("M", 8), FullDim("N", 8), FullDim("K", 4)
A = Abstract((M.full, N.full), ir.input_leaf("A", ("M", "N")))
B = Abstract((N.full, K.full), ir.input_leaf("B", ("N", "K")))
INPUTS = [SpecInput(A.expr, A.dims), SpecInput(B.expr, B.dims)]  # type: ignore[arg-type]
SHOWN = re.compile(r"^dims (?P<dims>.*); expr `(?P<expr>.*)`$")


def shown(value: Abstract, sizes: dict[str, int] | None = None) -> tuple[str, str]:
    match = SHOWN.match(reveal_text(value, sizes))
    assert match is not None, reveal_text(value, sizes)
    return match.group("dims"), match.group("expr")


def test_reveal_shows_the_dims_and_the_normal_form_as_a_spec() -> None:
    tile = rules.einsum(
        [rules.slice_dim(A, "M", 0, 4).value, rules.binary(BinaryOp.MUL, B, 2)], "M N, N K -> M K"
    ).value
    dims, expr = shown(tile)
    assert dims == "M[0:4] K[0:4]"
    resolved = resolve_spec(expr, {"M": M, "N": N, "K": K}, INPUTS)
    assert normalize(resolved.expr) == normalize(tile.expr)


def test_a_whole_dim_omits_its_interval_once_its_size_is_known() -> None:
    total = rules.reduce(ir.ReduceOp.SUM, A, "N")
    _, without_sizes = shown(total)
    _, with_sizes = shown(total, {"N": 8})
    assert "N[0:8]" in without_sizes and "N[0:8]" not in with_sizes
    # A partial reduction keeps its interval whatever the sizes.
    part = rules.reduce(ir.ReduceOp.SUM, rules.slice_dim(A, "N", 0, 4).value, "N")
    assert "N[0:4]" in shown(part, {"N": 8})[1]


def test_a_term_without_a_normal_form_is_shown_as_built() -> None:
    undefined = Abstract(A.dims, ir.binary(BinaryOp.SUB, ir.inf(False), ir.inf(False)))
    dims, expr = shown(undefined)
    assert dims == "M[0:8] N[0:8]"
    assert expr.count("inf") == 2 and "-" in expr
