"""The spec language's masks: `mask[pred](e)`, `mask[pred, fill](e)`, parsed and resolved.

Grammar (docs/DESIGN.md §4.1):

    mask      = "mask" "[" predicate { "and" predicate } [ "," fill ] "]" "(" body ")"
    predicate = linear ( ">=" | ">" | "<=" | "<" ) linear
    linear    = [ "-" ] lterm { ( "+" | "-" ) lterm }
    lterm     = integer [ "*" dim ] | dim
    fill      = [ "-" ] number | "-" "inf"

Without a fill, masked positions are -inf (scores before a softmax); `mask[p, 0](e)` puts 0
there. The predicate's dims must be dims of `e` (a `tnp-bad-spec` error otherwise).
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import TYPE_CHECKING

from tnp_runtime.core import ir
from tnp_runtime.core.dims import DimType
from tnp_runtime.core.index_pred import IndexPred, Linear, Truth
from tnp_runtime.core.spec_syntax import MaskNode, SpecDim, SpecError, _describe, _show_dims

if TYPE_CHECKING:
    from tnp_runtime.core.spec_parser import _Parser

_COMPARISONS = (">=", ">", "<=", "<")


def parse_mask(parser: _Parser, keyword_pos: int) -> MaskNode:
    """After the keyword `mask`: the bracket, the predicate, the fill and the body."""
    if not parser.at("["):
        raise parser.error(
            parser.token.pos,
            f"mask needs its predicate in brackets, found {_describe(parser.token)}",
            "write mask[qctx >= nctx](x), or mask[qctx >= nctx, 0](x) to fill with 0",
        )
    bracket = parser.advance()
    parser.enter(bracket)
    dims: dict[str, SpecDim] = {}
    pred = _comparison(parser, dims)
    while parser.token.kind == "name" and parser.token.text == "and":
        parser.advance()
        pred = pred & _comparison(parser, dims)
    fill: Fraction | None = None
    if parser.at(","):
        parser.advance()
        fill = _fill(parser)
    if not parser.at("]"):
        raise parser.error(
            parser.token.pos,
            f"expected 'and', ',' or ']' in mask[...], found {_describe(parser.token)}",
            "write mask[qctx >= nctx](x), mask[qctx >= nctx and nctx < 100](x), "
            "or mask[qctx >= nctx, 0](x)",
        )
    parser.advance()
    parser.nesting -= 1
    if not parser.at("("):
        raise parser.error(
            parser.token.pos,
            f"mask[...] needs its argument in parentheses, found {_describe(parser.token)}",
            "write mask[qctx >= nctx](x)",
        )
    opener = parser.advance()
    body = parser.single_body("mask[...]", opener)
    return MaskNode(pred, tuple(dims.values()), fill, body, keyword_pos)


def _comparison(parser: _Parser, dims: dict[str, SpecDim]) -> IndexPred:
    start = parser.token.pos
    left = _linear(parser, dims)
    token = parser.token
    if not (token.kind == "op" and token.text in _COMPARISONS):
        raise parser.error(
            token.pos,
            f"expected a comparison (>=, >, <=, <) in mask[...], found {_describe(token)}",
            "write a predicate such as qctx >= nctx or qctx - nctx < 128",
        )
    parser.advance()
    right = _linear(parser, dims)
    try:
        match token.text:
            case ">=":
                return left >= right
            case ">":
                return left > right
            case "<=":
                return left <= right
            case _:
                return left < right
    except TypeError as err:
        raise parser.error(start, str(err), "compare positions of dims: qctx >= nctx") from None


def _linear(parser: _Parser, dims: dict[str, SpecDim]) -> Linear:
    negate = False
    if parser.at("-"):
        parser.advance()
        negate = True
    total = _lterm(parser, dims)
    if negate:
        total = -total
    while parser.at("+") or parser.at("-"):
        sign = parser.advance().text
        term = _lterm(parser, dims)
        total = total + term if sign == "+" else total - term
    return total


def _integer(parser: _Parser) -> int:
    token = parser.advance()
    if not token.text.isdigit():
        raise parser.error(
            token.pos,
            f"'{token.text}' is not an integer: a predicate compares whole positions",
            "write integer constants and coefficients, e.g. qctx - nctx < 128",
        )
    return int(token.text)


def _lterm(parser: _Parser, dims: dict[str, SpecDim]) -> Linear:
    token = parser.token
    if token.kind == "number":
        value = _integer(parser)
        if not parser.at("*"):
            return Linear((), value)
        parser.advance()
        return _dim(parser, dims) * value
    return _dim(parser, dims)


def _dim(parser: _Parser, dims: dict[str, SpecDim]) -> Linear:
    token = parser.token
    if token.kind != "name" or token.text in ("and",):
        raise parser.error(
            token.pos,
            f"expected a dim or an integer in mask[...], found {_describe(token)}",
            "write a predicate such as qctx >= nctx or qctx - nctx < 128",
        )
    dim = parser.dim()
    if dim.interval is not None:
        raise parser.error(
            dim.pos,
            f"a predicate reads positions of {dim.name}, not a slice",
            f"write {dim.name} without a slice",
        )
    dims.setdefault(dim.name, dim)
    return Linear(((dim.name, 1),), 0)


def _fill(parser: _Parser) -> Fraction | None:
    negative = False
    if parser.at("-"):
        parser.advance()
        negative = True
    token = parser.token
    if token.kind == "name" and token.text == "inf" and negative:
        parser.advance()
        return None
    if token.kind != "number":
        raise parser.error(
            token.pos,
            f"a mask's fill is a number or -inf, found {_describe(token)}",
            "write mask[qctx >= nctx, 0](x), or leave the fill out for -inf",
        )
    parser.advance()
    value = Fraction(token.text)
    return -value if negative else value


def resolve_mask(
    node: MaskNode,
    body_expr: ir.Expr,
    body_dims: DimType,
    error: Callable[[int, str, str], SpecError],
) -> ir.Expr:
    """The IR of a resolved mask: the predicate's dims must be dims of the body; on the box
    of the body's slices a predicate true everywhere leaves the body, false its fill."""
    held = {s.name for s in body_dims}
    for dim in node.dims:
        if dim.name not in held:
            raise error(
                dim.pos,
                f"mask[...] reads {dim.name}, which its argument lacks: "
                f"its dims are {_show_dims(body_dims)}",
                f"relate dims of the argument ({_show_dims(body_dims)})",
            )
    fill = ir.inf(True) if node.fill is None else ir.const(node.fill)
    ranges = {s.name: (s.start, s.stop - 1) for s in body_dims}
    match node.pred.truth(ranges):
        case Truth.TRUE:
            return body_expr
        case Truth.FALSE:
            return fill
        case Truth.BAND:
            return ir.mask(node.pred, fill, body_expr)
