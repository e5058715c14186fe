"""`reify`: a term whose normal form is the given one, the same interned object.

Each case normalizes a term, reifies the normal form, and checks that the reified term has that
very normal form (`is`), and, independently of the normalizer, that the two terms have the same
value at a few indices (evaluated as IR).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings

from tests.core.test_soundness import N_SIZE, pairs
from tests.support.causal import CAUSAL
from tests.support.kernels import _scores
from tnp_runtime.core import ir, masks, normal, opaque, operations
from tnp_runtime.core.dims import FullDim, Interval, Sliced
from tnp_runtime.core.evaluate import Evaluator
from tnp_runtime.core.ir import BinaryOp as B
from tnp_runtime.core.ir import Expr
from tnp_runtime.core.ir import ReduceOp as R
from tnp_runtime.core.ir import UnaryOp as U
from tnp_runtime.core.normal import NotNormalizable
from tnp_runtime.core.normal_mask import Masked, MValue, PartialMax
from tnp_runtime.core.normal_terms import (
    Atom,
    Call,
    Func,
    MaxAtom,
    MaxOf,
    Mono,
    Poly,
    SumAtom,
)
from tnp_runtime.core.normalize import normalize
from tnp_runtime.core.reify import reify
from tnp_runtime.core.rules import Abstract

Index = dict[str, int]


def c(value: int | Fraction) -> Expr:
    return ir.const(Fraction(value))


def add(a: Expr, b: Expr) -> Expr:
    return ir.binary(B.ADD, a, b)


def sub(a: Expr, b: Expr) -> Expr:
    return ir.binary(B.SUB, a, b)


def mul(a: Expr, b: Expr) -> Expr:
    return ir.binary(B.MUL, a, b)


def div(a: Expr, b: Expr) -> Expr:
    return ir.binary(B.DIV, a, b)


def exp(a: Expr) -> Expr:
    return ir.unary(U.EXP, a)


def _agree(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def round_trip(expr: Expr, indices: list[Index]) -> Expr:
    """The reified normal form of `expr`, checked: the same normal form, the same values."""
    value = normalize(expr)
    term = reify(value)
    assert term is not None, value
    assert normalize(term) is value
    evaluator = Evaluator()
    for index in indices:
        a, b = evaluator.at(expr, index), evaluator.at(term, index)
        assert _agree(a, b), (index, a, b)
    return term


def walk(value: MValue) -> Iterator[Poly | Mono | Atom]:
    """Every object of a normal form (each once)."""
    stack: list[Poly | Mono | Atom] = []
    match value:
        case Masked(poly=poly):
            stack.append(poly)
        case PartialMax(args=args):
            stack.extend(args)
        case Poly():
            stack.append(value)
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if node.uid in seen:
            continue
        seen.add(node.uid)
        yield node
        match node:
            case Poly(terms=terms):
                stack.extend(m for m, _ in terms)
            case Mono(factors=factors, exponent=exponent):
                stack.extend(a for a, _ in factors)
                if exponent is not None:
                    stack.append(exponent)
            case SumAtom(body=body):
                stack.append(body)
            case MaxAtom(body=body) | Func(arg=body):
                stack.append(body)
            case MaxOf(args=args) | Call(args=args):
                stack.extend(args)


def kinds(value: MValue) -> set[str]:
    """The kinds of object in a normal form (a `MaxAtom` with a guard is `GuardedMax`)."""
    found = {type(value).__name__}
    for node in walk(value):
        name = type(node).__name__
        if isinstance(node, MaxAtom) and node.guard is not None:
            name = "GuardedMax"
        if isinstance(node, Func):
            name = f"Func:{node.name}"
        found.add(name)
    return found


# ---------------------------------------------------------------------------------------------
# Running values of tiled kernels, built as the runtime builds them

Q = ir.input_leaf("Q", ("qctx", "dhead"))
K = ir.input_leaf("K", ("nctx", "dhead"))
V = ir.input_leaf("V", ("nctx", "dhead"))
ATTENTION_INDICES = [{"qctx": q, "dhead": d} for q in (0, 5, 31) for d in (0, 3)]


def flash_states(tiles: int, causal_from: int | None = None) -> list[tuple[Expr, Expr, Expr]]:
    """(running max, rescaled running sum, rescaled accumulator) after each key tile of 8.

    With `causal_from`, the query tile is qctx[causal_from : causal_from + 8] and each key tile
    is masked causally on its box (`masks.mask`): tiles below the diagonal unmasked, the
    diagonal one a `Mask`."""
    tile, dhead = 8, 4
    m: Expr = ir.inf(True)
    l_run: Expr = c(0)
    o: Expr = c(0)
    states = []
    for j in range(tiles):
        block = Interval(j * tile, (j + 1) * tile)
        s = _scores(Q, K, dhead)
        if causal_from is not None:
            q_slice = Sliced(FullDim("qctx", 64), Interval(causal_from, causal_from + tile))
            dims = (q_slice, Sliced(FullDim("nctx", 64), block))
            s = masks.mask(Abstract(dims, s), CAUSAL).expr
        m_new = ir.binary(B.MAX, m, ir.reduce(R.MAX, "nctx", block, s))
        p = exp(sub(s, m_new))
        scale = exp(sub(m, m_new))
        l_run = add(mul(l_run, scale), ir.reduce(R.SUM, "nctx", block, p))
        o = add(mul(o, scale), ir.reduce(R.SUM, "nctx", block, mul(p, V)))
        m = m_new
        states.append((m, l_run, o))
    return states


@pytest.mark.parametrize("tiles", [1, 2, 3])
def test_flash_attention_running_states(tiles: int) -> None:
    m, l_run, o = flash_states(tiles)[-1]
    for state in (m, l_run, o, div(o, l_run)):
        round_trip(state, ATTENTION_INDICES)
    # The running max comes back as a max over the keys seen so far, not a chain of maxima.
    term = reify(normalize(m))
    assert isinstance(term, ir.Binary | ir.Reduce)
    assert len(list(ir.nodes(term))) < 12


def test_flash_attention_running_states_with_a_causal_diagonal_tile() -> None:
    # Query tile qctx[8:16]: key tile 0 is below the diagonal, key tile 1 is the diagonal.
    indices = [{"qctx": q, "dhead": d} for q in (8, 11, 15) for d in (0, 3)]
    (m1, l1, o1), (m2, l2, o2) = flash_states(2, causal_from=8)
    for state in (m1, l1, o1, m2, l2, o2, div(o2, l2)):
        round_trip(state, indices)
    assert "GuardedMax" in kinds(normalize(m2)) and "MaxOf" in kinds(normalize(m2))
    assert "Ind" in kinds(normalize(l2))


def test_the_diagonal_tile_alone_masked_scores_and_their_partial_maximum() -> None:
    q_slice = Sliced(FullDim("qctx", 64), Interval(0, 8))
    dims = (q_slice, Sliced(FullDim("nctx", 64), Interval(0, 8)))
    s = masks.mask(Abstract(dims, _scores(Q, K, 4)), CAUSAL).expr
    indices = [{"qctx": q, "nctx": n, "dhead": 0} for q in (0, 3) for n in (0, 2, 7)]
    assert isinstance(normalize(s), Masked)
    round_trip(s, indices)
    partial = ir.reduce(R.MAX, "nctx", Interval(0, 8), s)
    assert isinstance(normalize(partial), PartialMax)
    round_trip(partial, [{"qctx": q} for q in range(8)])
    # Two bands of the partial maximum meet in one guarded maximum.
    halves = ir.binary(
        B.MAX,
        ir.reduce(R.MAX, "nctx", Interval(0, 3), s),
        ir.reduce(R.MAX, "nctx", Interval(5, 8), s),
    )
    round_trip(halves, [{"qctx": q} for q in range(8)])


@pytest.mark.parametrize("blocks", [1, 2, 3])
def test_online_softmax_running_states(blocks: int) -> None:
    x = ir.input_leaf("X", ("M", "N"))
    m: Expr = ir.inf(True)
    l_run: Expr = c(0)
    for j in range(blocks):
        iv = Interval(j * 4, (j + 1) * 4)
        m_new = ir.binary(B.MAX, m, ir.reduce(R.MAX, "N", iv, x))
        l_run = add(
            mul(l_run, exp(sub(m, m_new))), ir.reduce(R.SUM, "N", iv, exp(sub(x, m_new)))
        )
        m = m_new
    indices = [{"M": i, "N": n} for i in (0, 2) for n in (0, 3)]
    for state in (m, l_run, div(exp(sub(x, m)), l_run)):
        round_trip(state, indices)


@pytest.mark.parametrize("k_tiles", [1, 2, 3])
def test_matmul_accumulator(k_tiles: int) -> None:
    a, b = ir.input_leaf("A", ("M", "N")), ir.input_leaf("B", ("N", "K"))
    acc: Expr = c(0)
    for j in range(k_tiles):
        part = ir.reduce(R.SUM, "N", Interval(4 * j, 4 * j + 4), mul(mul(a, c(3)), b))
        acc = add(acc, part)
    round_trip(acc, [{"M": i, "K": k} for i in (0, 1) for k in (0, 3)])


def test_layernorm_and_rmsnorm() -> None:
    x, g = ir.input_leaf("X", ("M", "N")), ir.input_leaf("G", ("N",))
    whole = Interval(0, 8)
    mean = div(ir.reduce(R.SUM, "N", whole, x), c(8))
    centered = sub(x, mean)
    var = div(ir.reduce(R.SUM, "N", whole, mul(centered, centered)), c(8))
    eps = c(Fraction(1, 100000))
    layernorm = mul(div(centered, ir.unary(U.SQRT, add(var, eps))), g)
    rms = ir.unary(U.SQRT, add(div(ir.reduce(R.SUM, "N", whole, mul(x, x)), c(8)), eps))
    rmsnorm = mul(mul(x, div(c(1), rms)), g)
    indices = [{"M": i, "N": n} for i in (0, 2) for n in (0, 5)]
    cubed = operations.power_expr(add(var, eps), Fraction(-3, 2))
    for term in (mean, var, layernorm, rmsnorm, cubed):
        round_trip(term, indices)
    assert "Func:sqrt" in kinds(normalize(layernorm))


def test_reads_at_computed_positions_conv_taps_and_a_gather() -> None:
    x, w = ir.input_leaf("X", ("I",)), ir.input_leaf("W", ("T",))
    tap = ir.read(x, {"I": ir.Affine((("O", 1), ("T", 1)), 0)})
    conv = ir.reduce(R.SUM, "T", Interval(0, 3), mul(w, tap))
    round_trip(conv, [{"O": o} for o in (0, 4)])
    token = ir.input_leaf("t", ("B",))
    assert isinstance(token, ir.Input)
    table = ir.input_leaf("E", ("V", "D"))
    gathered = ir.read(table, {"V": ir.Gather(token, 6)})
    round_trip(mul(gathered, c(2)), [{"B": b, "D": d} for b in (0, 1) for d in (0, 2)])


def test_where_and_opaque_functions() -> None:
    x, y = ir.input_leaf("X", ("M",)), ir.input_leaf("Y", ("M",))
    f = opaque.declare("f", 2)
    terms = [
        operations.where_expr(">", x, y, mul(x, c(2)), exp(y)),
        operations.where_expr("<=", mul(c(3), x), y, c(1), x),
        operations.where_expr(">", x, y, x, y),  # max(x, y)
        operations.min_expr(x, y),
        ir.apply(f, (add(x, c(1)), exp(y))),
        add(ir.apply(f, (x, y)), ir.apply(f, (y, x))),
    ]
    for term in terms:
        round_trip(term, [{"M": i} for i in range(4)])


X, Y, Z = (ir.input_leaf(name, ("M",)) for name in "XYZ")
A2, B2 = ir.input_leaf("A", ("i",)), ir.input_leaf("B", ("i", "j"))


def _positive(e: Expr) -> Expr:
    return add(mul(e, e), c(1))


def _exp_log_half() -> Expr:
    """exp(log(2(x² + 1)) / 2)²: a monomial whose exponent is log(...) with coefficient 1."""
    half = exp(div(ir.unary(U.LOG, mul(c(2), _positive(X))), c(2)))
    return mul(half, half)


CASES: dict[str, Expr] = {
    "every function": add(
        add(ir.unary(U.LOG, _positive(X)), ir.unary(U.SIN, X)),
        add(
            add(ir.unary(U.COS, Y), ir.unary(U.TANH, sub(Y, X))),
            add(ir.unary(U.ERF, mul(c(-2), X)), ir.unary(U.ABS, sub(X, Y))),
        ),
    ),
    "negative and high powers": div(mul(mul(X, X), mul(X, X)), mul(mul(Y, Y), Y)),
    "sum over two dims": ir.reduce(
        R.SUM, "i", Interval(0, 4), mul(A2, ir.reduce(R.SUM, "j", Interval(0, 3), B2))
    ),
    "sum over two dims with exp": ir.reduce(
        R.SUM, "i", Interval(0, 4),
        mul(exp(A2), ir.reduce(R.SUM, "j", Interval(0, 3), mul(B2, exp(add(A2, B2))))),
    ),
    "max over two dims": ir.reduce(
        R.MAX, "i", Interval(0, 4), ir.reduce(R.MAX, "j", Interval(0, 3), B2)
    ),
    "max over two dims, two intervals": ir.binary(
        B.MAX,
        ir.reduce(R.MAX, "i", Interval(0, 2), ir.reduce(R.MAX, "j", Interval(0, 3), B2)),
        ir.reduce(R.MAX, "i", Interval(3, 5), ir.reduce(R.MAX, "j", Interval(0, 3), B2)),
    ),
    "sum over two intervals": add(
        ir.reduce(R.SUM, "i", Interval(0, 2), A2), ir.reduce(R.SUM, "i", Interval(5, 7), A2)
    ),
    "max of sums and a constant": ir.binary(
        B.MAX, ir.binary(B.MAX, add(X, c(1)), add(Y, c(1))), add(Z, c(2))
    ),
    "a max left inside a max by a common term": ir.binary(
        B.MAX, c(2), add(ir.binary(B.MAX, c(1), X), c(2))
    ),
    "a max left inside a max, and a third argument": ir.binary(
        B.MAX, sub(ir.binary(B.MAX, c(2), add(ir.binary(B.MAX, c(1), X), c(2))), c(2)), Y
    ),
    "a max left inside a max with an argument with a constant": ir.binary(
        B.MAX, add(add(Y, c(7)), Z), add(ir.binary(B.MAX, c(1), X), Z)
    ),
    "exp of log, whole coefficient": _exp_log_half(),
    "exp of log, with another exponent": mul(_exp_log_half(), exp(Y)),
    "a denominator with exp": div(c(1), add(add(X, c(2)), mul(c(3), exp(Y)))),
    "a denominator whose inverse needs a scaling": div(
        c(1), add(add(c(2), mul(c(-2), exp(X))), mul(c(Fraction(-1, 3)), exp(Y)))
    ),
    "a group to a positive power": div(c(1), div(c(1), add(X, Y))),
    "a squared group": div(X, mul(add(X, Y), add(X, Y))),
    "sigmoid": ir.unary(U.SIGMOID, X),
    "a square root over a sum": div(
        X, ir.unary(U.SQRT, add(ir.reduce(R.SUM, "i", Interval(0, 4), mul(A2, A2)), c(1)))
    ),
    "a fill-0 mask": ir.mask(FullDim("M", 8) < 3, c(0), X),
    "a fill-2 mask": ir.mask(FullDim("M", 8) < 3, c(2), exp(X)),
    "-inf": ir.inf(True),
    "+inf": ir.inf(False),
    "zero": c(0),
    "a constant": c(Fraction(-7, 3)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_round_trip(name: str) -> None:
    free = ir.free_dims(CASES[name])
    indices = [{d: i for d in free} for i in (0, 1, 2)]
    round_trip(CASES[name], indices)


def test_every_kind_of_normal_form_object_is_covered() -> None:
    """The cases above, taken together, hold every kind of object of the normal form."""
    covered: set[str] = set()
    states = [s for triple in flash_states(2, causal_from=8) for s in triple]
    q_slice = Sliced(FullDim("qctx", 64), Interval(0, 8))
    dims = (q_slice, Sliced(FullDim("nctx", 64), Interval(0, 8)))
    s = masks.mask(Abstract(dims, _scores(Q, K, 4)), CAUSAL).expr
    partial = ir.reduce(R.MAX, "nctx", Interval(0, 8), s)
    f = opaque.declare("f", 1)
    extra = [s, partial, ir.apply(f, (X,)), operations.where_expr(">", X, Y, X, exp(Y))]
    for term in [*CASES.values(), *states, *extra]:
        covered |= kinds(normalize(term))
    expected = {
        "Poly", "Mono", "Leaf", "SumAtom", "MaxAtom", "GuardedMax", "MaxOf", "Call", "Ind",
        "ExtInf", "Masked", "PartialMax",
        *(f"Func:{name}" for name in ("log", "sqrt", "sin", "cos", "tanh", "erf", "abs", "group")),
    }
    assert expected <= covered, expected - covered


def test_a_monomial_with_a_constant_exponent_has_no_term() -> None:
    # exp(x)·exp(1 - x) is the monomial exp(1) (its exponent the constant 1): exp of any
    # constant term folds to a float, so no term normalizes to it; reify says so.
    value = normalize(mul(exp(X), exp(sub(c(1), X))))
    assert reify(value) is None


def test_deep_normal_forms_do_not_recurse() -> None:
    term: Expr = X
    for _ in range(3000):
        term = ir.unary(U.SIN, term)
    value = normalize(term)
    reified = reify(value)
    assert reified is not None and normalize(reified) is value


def test_shared_objects_are_built_once() -> None:
    # t_{k+1} = sin(t_k) + cos(t_k): 2^k paths, k distinct objects.
    term: Expr = X
    for _ in range(200):
        term = add(ir.unary(U.SIN, term), ir.unary(U.COS, term))
    value = normalize(term)
    reified = reify(value)
    assert reified is not None and normalize(reified) is value
    assert len(list(ir.nodes(reified))) <= 6 * 200


# ---------------------------------------------------------------------------------------------
# Property: over random terms, reify gives a term with the identical normal form


def _constant_exponent(value: MValue) -> bool:
    """Whether a monomial of `value` has a constant exponent (the one kind reify refuses)."""
    return any(
        isinstance(node, Mono)
        and node.exponent is not None
        and normal.constant_value(node.exponent) is not None
        for node in walk(value)
    )


def _reify_random_terms(pair: tuple[Expr, Expr]) -> None:
    evaluator = Evaluator()
    for expr in pair:
        try:
            value = normalize(expr)
        except NotNormalizable:
            continue
        term = reify(value)
        if term is None:
            assert _constant_exponent(value), value
            continue
        assert normalize(term) is value
        for m_index in range(3):
            for n_index in (0, 3, N_SIZE - 1):
                index = {"M": m_index, "N": n_index}
                a, b = evaluator.at(expr, index), evaluator.at(term, index)
                assert _close(a, b), (index, a, b)


def _close(a: float, b: float) -> bool:
    """Equal as reals up to round-off (NaN where a side leaves its real domain)."""
    if math.isnan(a) or math.isnan(b):
        return True
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= 1e-6 * (1 + abs(a) + abs(b))


FUZZ = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}


@settings(max_examples=40, **FUZZ)
@given(pairs())
def test_random_terms_reify_to_their_normal_form(pair: tuple[Expr, Expr]) -> None:
    _reify_random_terms(pair)


@pytest.mark.slow
@settings(max_examples=200, **FUZZ)  # about 60 s: the pair generator is slow (0.25 s each)
@given(pairs())
def test_random_terms_reify_to_their_normal_form_at_full_count(pair: tuple[Expr, Expr]) -> None:
    _reify_random_terms(pair)

