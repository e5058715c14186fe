"""Operations defined by others: min, a min reduction, the mean, and powers.

Each is built from the IR's own operations by an identity of (extended) real arithmetic, so
the normal form, the evaluators, the spot check and the renderer need nothing new, and every
identity of max, sum and the ring applies to them:

* `min(a, b) = -max(-a, -b)`, and min over a dim is -max(-x) over it. Running minima start at
  +inf: min(+inf, x) = -max(-inf, -x) = x.
* `mean` over a value's slice of a dim is the sum over that slice divided by the slice's
  length (a mean over a tile is the tile's sum over the tile's length, not over the dim's).
* `x ** k` for a whole k is the ring's power: x·x·…·x (by squaring, so the term has about
  log2 k nodes), 1 / x^-k for k < 0, and 1 for k = 0, as in NumPy and Python (0 ** 0 = 1).
  A half-integer k = n + 1/2 is x^n · sqrt(x): NumPy's `x ** 0.5` and `np.sqrt(x)` are one
  function (NaN below 0 for both), and the prover assumes sqrt's argument is not negative.
  Other exponents are refused (`power_exponent`).

Both halves (the runtime's `Typed` methods, the plugin's interpreter) and the spec resolver
call these functions: one definition of each operation.
"""

from __future__ import annotations

import math
from fractions import Fraction

from tnp_runtime.core import ir, rules
from tnp_runtime.core.diagnostics import Code, Diagnostic, Violation
from tnp_runtime.core.ir import BinaryOp, Expr, ReduceOp, UnaryOp
from tnp_runtime.core.opaque import WHERE_GE, WHERE_GT, Opaque
from tnp_runtime.core.rules import Abstract, Scalar, match_dims

# Largest |k| of `x ** k`: the term then has a few dozen nodes (and a larger power of a data
# value overflows float64 anyway).
MAX_EXPONENT = 1 << 20


def _negated(value: Abstract | Scalar) -> Abstract | Scalar:
    return rules.unary(UnaryOp.NEG, value) if isinstance(value, Abstract) else -value


def minimum(left: Abstract | Scalar, right: Abstract | Scalar) -> Abstract:
    """Elementwise min(left, right) = -max(-left, -right); at least one side is an `Abstract`."""
    if isinstance(left, Abstract) and isinstance(right, Abstract):
        match_dims("min", left, right)
    return rules.unary(UnaryOp.NEG, rules.binary(BinaryOp.MAX, _negated(left), _negated(right)))


def min_expr(left: Expr, right: Expr) -> Expr:
    """The term of min(left, right) (the spec resolver's, after its own dim check)."""
    negated = ir.binary(
        BinaryOp.MAX, ir.unary(UnaryOp.NEG, left), ir.unary(UnaryOp.NEG, right)
    )
    return ir.unary(UnaryOp.NEG, negated)


def reduce_min(value: Abstract, name: str) -> Abstract:
    """min over the value's current slice of `name` = -max(-value) over it."""
    rules.find(value, name, "min over")
    negated = rules.unary(UnaryOp.NEG, value)
    return rules.unary(UnaryOp.NEG, rules.reduce(ReduceOp.MAX, negated, name))


def mean(value: Abstract, name: str) -> Abstract:
    """The mean over the value's current slice of `name`: its sum over the slice's length."""
    sliced = rules.find(value, name, "mean over")
    total = rules.reduce(ReduceOp.SUM, value, name)
    return rules.binary(BinaryOp.DIV, total, sliced.interval.length)


def power_exponent(exponent: object) -> Fraction:
    """The exponent of `x ** exponent` as a whole or half-integer; otherwise a `tnp-dim`
    violation saying what to write instead."""
    if isinstance(exponent, bool) or not isinstance(exponent, (int, float, Fraction)):
        raise Violation(Diagnostic(
            Code.DIM,
            f"`x ** {exponent!r}`: the exponent must be a number written in the kernel "
            f"(a whole number, or a half-integer such as 0.5), not a {type(exponent).__name__}",
            ("a power by a computed value is exp(y * log(x)): write that",),
        ))
    if isinstance(exponent, float) and not math.isfinite(exponent):
        raise Violation(Diagnostic(Code.DIM, f"`x ** {exponent}`: the exponent is not finite"))
    k = Fraction(exponent)
    if (2 * k).denominator != 1:
        raise Violation(Diagnostic(
            Code.DIM,
            f"`x ** {exponent}`: tnp proves whole and half-integer powers only",
            ("write the power with exp and log: exp(y * log(x)) for x ** y (x > 0)",),
        ))
    if abs(k) > MAX_EXPONENT:
        raise Violation(Diagnostic(
            Code.DIM, f"`x ** {exponent}`: the exponent's size is above {MAX_EXPONENT}"
        ))
    return k


def power_expr(base: Expr, exponent: Fraction) -> Expr:
    """The term of `base ** exponent` (a whole or half-integer, see `power_exponent`)."""
    if exponent < 0:
        return ir.binary(BinaryOp.DIV, ir.const(1), power_expr(base, -exponent))
    whole = math.floor(exponent)
    result: Expr | None = ir.unary(UnaryOp.SQRT, base) if exponent != whole else None
    square = base
    while whole:
        if whole & 1:
            result = square if result is None else ir.binary(BinaryOp.MUL, result, square)
        whole >>= 1
        if whole:
            square = ir.binary(BinaryOp.MUL, square, square)
    return ir.const(1) if result is None else result


def power(value: Abstract, exponent: object) -> Abstract:
    """`value ** exponent`; the exponent must pass `power_exponent`."""
    k = power_exponent(exponent)
    return Abstract(value.dims, power_expr(value.expr, k))


# -- where and opaque functions ------------------------------------------------------------------

RELATIONS = (">", ">=", "<", "<=")


def where_expr(relation: str, left: Expr, right: Expr, then: Expr, other: Expr) -> Expr:
    """The term of where(left relation right, then, other): `x < y` is `y > x`, so each
    comparison is one of two functions of (greater side, smaller side, then, other)."""
    match relation:
        case ">":
            return ir.apply(WHERE_GT, (left, right, then, other))
        case ">=":
            return ir.apply(WHERE_GE, (left, right, then, other))
        case "<":
            return ir.apply(WHERE_GT, (right, left, then, other))
        case "<=":
            return ir.apply(WHERE_GE, (right, left, then, other))
    raise ValueError(f"not a comparison: {relation!r}")


def pointwise(op_text: str, values: list[Abstract | Scalar]) -> tuple[Abstract, list[Expr]]:
    """The dims several pointwise operands share (the first `Abstract`'s, in its order) and
    their terms; a number broadcasts. Raises the `tnp-dim` violation of `op_text`."""
    first = next(v for v in values if isinstance(v, Abstract))
    for value in values:
        if isinstance(value, Abstract) and value is not first:
            match_dims(op_text, first, value)
    exprs = [v.expr if isinstance(v, Abstract) else rules.scalar_expr(v) for v in values]
    return first, exprs


def where(
    relation: str, left: Abstract | Scalar, right: Abstract | Scalar,
    then: Abstract | Scalar, other: Abstract | Scalar,
) -> Abstract:
    """`tnp.where(left relation right, then, other)`: every operand pointwise (at least one is
    an `Abstract`)."""
    first, (x, y, a, b) = pointwise("where", [left, right, then, other])
    return Abstract(first.dims, where_expr(relation, x, y, a, b))


def call(func: Opaque, args: list[Abstract | Scalar]) -> Abstract:
    """A declared opaque function of pointwise operands (at least one is an `Abstract`)."""
    if len(args) != func.arity:
        raise Violation(Diagnostic(
            Code.DIM, f"`{func.name}` takes {func.arity} argument"
            f"{'' if func.arity == 1 else 's'}, got {len(args)}",
        ))
    first, exprs = pointwise(func.name, args)
    return Abstract(first.dims, ir.apply(func, tuple(exprs)))


def where_condition_diagnostic(kind: str) -> Diagnostic:
    """`tnp-dim`: `tnp.where` given something other than a comparison of values."""
    return Diagnostic(
        Code.DIM,
        f"tnp.where takes a comparison of values (x > y, x <= 0, ...) as its condition, "
        f"not a {kind}",
        ("to keep or drop positions by their index (qctx >= nctx), mask the value: "
         "x.mask(...)",),
    )
