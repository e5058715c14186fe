"""Symbolic loop indices: integers affine in loop variables, and the conditions a run relied on.

A tile loop is proved once for a whole range of iterations by running its body one time with
the iteration number `k` standing for every value of a range at once (`Var`). Positions computed
from it are `SymInt`s: an affine form `c + sum(a_i * v_i)` of variables, with the concrete value
it has at one representative point of the range (every variable at its `probe`). The code that
runs on them (the interpreter, the core's rules, the normal form) is ordinary Python: arithmetic
on a `SymInt` gives a `SymInt`, and every *decision* on one (a comparison, `bool`, a hash-table
lookup that compares keys) is answered by the concrete values and recorded as a `Condition` on
the variables (`record`). What the run computed holds for every point of the variables' domains
where all the recorded conditions hold the same way; `holds_on_domain` decides whether they do
for every point, and only then may the run stand for the whole range.

Why this is sound: the run's output is a function of its inputs and of its decisions; every
decision that involves a variable goes through a `SymInt` method, and each one either records
its outcome as a linear condition or raises `Escape` (a conversion to a plain `int` or `float`,
a product of two variables, a division that is not exact): a run that escaped proves nothing
and its caller falls back to unrolling. `SymInt` is deliberately *not* a subclass of `int`: C
code (`range`, list indexing, `%d`) reads an int subclass's value without calling any method,
which would let a decision escape unrecorded; on a `SymInt` it must call `__index__`, which
raises `Escape`.

Choices among equal representations (the text of `content_key`, the order of sorted atoms) may
use `str(x)`, which is the affine form itself (`32*k+32`), the same at every point of the range:
such a choice is the same choice everywhere and does not need recording.
"""

from __future__ import annotations

import contextlib
import enum
import itertools
import numbers
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Final, NoReturn, cast

from tnp_runtime.core import tables

_serials = itertools.count(1)


class Escape(Exception):
    """A symbolic integer met an operation whose outcome cannot be stated for the whole range
    (a conversion to a plain number, a product of two variables, an inexact division): the
    symbolic run proves nothing, and the caller falls back to unrolling."""


@dataclass(frozen=True, slots=True)
class Var:
    """A loop variable ranging over the integers `first <= v <= last`; `probe` is the value it
    has in the symbolic run (its concrete stand-in), within the range."""

    name: str
    first: int
    last: int
    probe: int
    serial: int

    def __post_init__(self) -> None:
        assert self.first <= self.probe <= self.last, "the probe lies in the range"

    def __str__(self) -> str:
        return self.name


def new_var(name: str, first: int, last: int, probe: int | None = None) -> Var:
    """A fresh variable over `[first, last]`, probed in the middle unless told."""
    middle = (first + last) // 2 if probe is None else probe
    return Var(name, first, last, middle, next(_serials))


@dataclass(frozen=True, slots=True)
class Form:
    """`constant + sum(coefficient * variable)`; `terms` sorted by serial, no zero coefficient."""

    constant: int
    terms: tuple[tuple[Var, int], ...]

    @staticmethod
    def of(constant: int, terms: Mapping[Var, int]) -> Form:
        kept = [(v, c) for v, c in terms.items() if c]
        if len(kept) > 1:
            kept.sort(key=lambda t: t[0].serial)
        return Form(constant, tuple(kept))

    @property
    def is_constant(self) -> bool:
        return not self.terms

    def value(self, at: Mapping[Var, int] | None = None) -> int:
        """The form's value with each variable at `at[v]` (default: its probe)."""
        return self.constant + sum(
            c * (at[v] if at is not None and v in at else v.probe) for v, c in self.terms
        )

    def __add__(self, other: Form) -> Form:
        merged = dict(self.terms)
        for v, c in other.terms:
            merged[v] = merged.get(v, 0) + c
        return Form.of(self.constant + other.constant, merged)

    def scaled(self, factor: int) -> Form:
        return Form.of(self.constant * factor, {v: c * factor for v, c in self.terms})

    def bounds(self, ranges: Ranges | None = None) -> tuple[int, int]:
        """The least and greatest value over the box of the variables' ranges (a variable in
        `ranges` over that range instead of its own)."""
        low = high = self.constant
        for v, c in self.terms:
            first, last = ranges[v] if ranges is not None and v in ranges else (v.first, v.last)
            ends = (c * first, c * last)
            low, high = low + min(ends), high + max(ends)
        return low, high

    def renamed(self, old: Var, new: Var) -> Form:
        return Form(self.constant, tuple((new if v == old else v, c) for v, c in self.terms))

    def __str__(self) -> str:
        parts = [f"{c}*{v.name}" if c != 1 else v.name for v, c in self.terms]
        if self.constant or not parts:
            parts.append(str(self.constant))
        return "+".join(parts).replace("+-", "-")


# A range of values per variable, overriding the variable's own (`Form.bounds`).
Ranges = Mapping[Var, tuple[int, int]]


class Relation(enum.Enum):
    """What a recorded condition says of its form `f`."""

    NONNEGATIVE = "f >= 0"
    ZERO = "f == 0"
    NONZERO = "f != 0"


@dataclass(frozen=True, slots=True)
class Condition:
    form: Form
    relation: Relation

    def holds_on_domain(self, ranges: Ranges | None = None) -> bool:
        """True only if the condition holds at every point of its variables' ranges (those in
        `ranges` over the range given there)."""
        low, high = self.form.bounds(ranges)
        match self.relation:
            case Relation.NONNEGATIVE:
                return low >= 0
            case Relation.ZERO:
                return low == high == 0
            case Relation.NONZERO:
                if low > 0 or high < 0:
                    return True
                if len(self.form.terms) != 1:
                    return False  # several variables: not decided here (refuse)
                ((v, c),) = self.form.terms
                first, last = ranges[v] if ranges is not None and v in ranges else (v.first, v.last)
                root, rest = divmod(-self.form.constant, c)
                return rest != 0 or not first <= root <= last

    def __str__(self) -> str:
        return self.relation.value.replace("f", f"({self.form})")


class Recorder:
    """The conditions one symbolic run relied on."""

    def __init__(self) -> None:
        self.conditions: list[Condition] = []
        self._seen: set[Condition] = set()

    def add(self, condition: Condition) -> None:
        if condition not in self._seen:
            self._seen.add(condition)
            self.conditions.append(condition)

    def failing(self, ranges: Ranges | None = None) -> Condition | None:
        """The first recorded condition that does not hold on the whole domain (with the
        variables in `ranges` over those ranges), if any."""
        return next((c for c in self.conditions if not c.holds_on_domain(ranges)), None)

    def reach(self, var: Var) -> int | None:
        """The greatest `last` in `[var.probe, var.last]` such that every condition holds with
        `var` over `[var.probe, last]` (the other variables over their whole ranges); None if
        they do not all hold even at the probe alone. Holding on a range implies holding on
        every sub-range, so the answer is found by bisection."""
        low, high = var.probe, var.last
        if self.failing({var: (low, low)}) is not None:
            return None
        while low < high:
            middle = (low + high + 1) // 2
            if self.failing({var: (var.probe, middle)}) is None:
                low = middle
            else:
                high = middle - 1
        return low

    def narrow(self, var: Var, last: int) -> Var:
        """Restrict `var` to `[var.probe, last]` in every recorded condition (what an enclosing
        run inherits is then what this one proved); returns the narrowed variable."""
        narrowed = Var(var.name, var.probe, last, var.probe, var.serial)
        renamed = [Condition(c.form.renamed(var, narrowed), c.relation) for c in self.conditions]
        self.conditions = renamed
        self._seen = set(renamed)
        return narrowed


_recorders: Final[list[Recorder]] = []
tables.register(
    "symbolic.recorders", _recorders, "none: the open symbolic runs, empty between them",
    clear=False,
)


@contextlib.contextmanager
def recording() -> Iterator[Recorder]:
    """Record the conditions of the decisions taken inside the block. Nested blocks: an inner
    block's conditions also belong to every enclosing one (its run is part of theirs)."""
    recorder = Recorder()
    _recorders.append(recorder)
    try:
        yield recorder
    finally:
        _recorders.pop()
        if _recorders:
            for condition in recorder.conditions:
                _recorders[-1].add(condition)


def active() -> bool:
    """Inside a symbolic run: checks that would have to read concrete positions (the spot
    check's evaluation) are left to the concrete iterations."""
    return bool(_recorders)


def _record(form: Form, relation: Relation) -> None:
    if not _recorders:
        raise Escape(f"a symbolic integer ({form}) was used outside its symbolic run")
    _recorders[-1].add(Condition(form, relation))


def _nonnegative(form: Form) -> bool:
    """Is `form >= 0` at the probe? Recorded, as a condition or its negation."""
    if form.is_constant:
        return form.constant >= 0
    outcome = form.value() >= 0
    _record(form if outcome else Form(-form.constant - 1, tuple((v, -c) for v, c in form.terms)),
            Relation.NONNEGATIVE)
    return outcome


def _zero(form: Form) -> bool:
    if form.is_constant:
        return form.constant == 0
    outcome = form.value() == 0
    _record(form, Relation.ZERO if outcome else Relation.NONZERO)
    return outcome


def form_of(value: object) -> Form | None:
    """The affine form of a plain `int` or a `SymInt` (None for anything else; a bool is not
    a position)."""
    if isinstance(value, SymInt):
        return value.form
    if isinstance(value, int) and not isinstance(value, bool):
        return Form(value, ())
    return None


def make(form: Form) -> int:
    """The position of a form: a plain `int` when it is constant, else a `SymInt`.

    Typed as `int` because a `SymInt` flows wherever the core takes a position (it implements
    every operation positions use, and raises `Escape` on the others)."""
    if form.is_constant:
        return form.constant
    return cast(int, SymInt(form))


def variable(var: Var) -> int:
    """The symbolic integer that is `var` itself."""
    return make(Form(0, ((var, 1),)))


def is_integer(value: object) -> bool:
    """A plain int (not a bool) or a symbolic one: what the interpreter takes as a position."""
    return isinstance(value, SymInt) or (isinstance(value, int) and not isinstance(value, bool))


def is_symbolic(value: object) -> bool:
    return isinstance(value, SymInt)


def _escape(what: str) -> NoReturn:
    raise Escape(what)


class SymInt:
    """An integer affine in loop variables (see the module docstring). Immutable."""

    __slots__ = ("form",)

    def __init__(self, form: Form) -> None:
        assert not form.is_constant
        self.form = form

    # -- arithmetic: affine results, or Escape ------------------------------------------------

    def __add__(self, other: object) -> int:
        o = form_of(other)
        return NotImplemented if o is None else make(self.form + o)

    __radd__ = __add__

    def __sub__(self, other: object) -> int:
        o = form_of(other)
        return NotImplemented if o is None else make(self.form + o.scaled(-1))

    def __rsub__(self, other: object) -> int:
        o = form_of(other)
        return NotImplemented if o is None else make(o + self.form.scaled(-1))

    def __mul__(self, other: object) -> int:
        o = form_of(other)
        if o is None:
            return NotImplemented
        if not o.is_constant:
            _escape("a product of two symbolic integers")
        return make(self.form.scaled(o.constant))

    __rmul__ = __mul__

    def __neg__(self) -> int:
        return make(self.form.scaled(-1))

    def __pos__(self) -> int:
        return cast(int, self)

    def _exact_divisor(self, other: object) -> int:
        o = form_of(other)
        if o is None or not o.is_constant or o.constant <= 0:
            _escape("a division of a symbolic integer by anything but a positive constant")
        d = o.constant
        if any(c % d for _, c in self.form.terms):
            _escape("a division of a symbolic integer that is not exact over the range")
        return d

    def __floordiv__(self, other: object) -> int:
        d = self._exact_divisor(other)
        return make(Form.of(self.form.constant // d, {v: c // d for v, c in self.form.terms}))

    def __mod__(self, other: object) -> int:
        d = self._exact_divisor(other)
        return self.form.constant % d

    # -- decisions: answered at the probe, recorded ------------------------------------------

    def __eq__(self, other: object) -> bool:
        o = form_of(other)
        if o is None:
            # An integer is never a string or None, at any k; but it may equal a float, a
            # bool or another number at some k: that decision cannot be recorded.
            if isinstance(other, numbers.Number):
                _escape(f"a symbolic integer compared with {type(other).__name__} {other!r}")
            return False
        return _zero(self.form + o.scaled(-1))

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __lt__(self, other: object) -> bool:
        o = form_of(other)
        if o is None:
            return NotImplemented
        return not _nonnegative(self.form + o.scaled(-1))

    def __le__(self, other: object) -> bool:
        o = form_of(other)
        if o is None:
            return NotImplemented
        return _nonnegative(o + self.form.scaled(-1))

    def __gt__(self, other: object) -> bool:
        o = form_of(other)
        if o is None:
            return NotImplemented
        return not _nonnegative(o + self.form.scaled(-1))

    def __ge__(self, other: object) -> bool:
        o = form_of(other)
        if o is None:
            return NotImplemented
        return _nonnegative(self.form + o.scaled(-1))

    def __bool__(self) -> bool:
        return not _zero(self.form)

    def __hash__(self) -> int:
        # By the form, so equal forms meet in hash tables without a recorded decision; a plain
        # int with the probe's value hashes elsewhere (almost always: a collision compares them,
        # which records a condition, never a wrong answer).
        return hash(("SymInt", self.form))

    # -- conversions: the value would leave the symbolic run ---------------------------------

    def __index__(self) -> int:
        _escape(f"a symbolic integer ({self.form}) used as a plain integer")

    __int__ = __index__

    def __float__(self) -> float:
        _escape(f"a symbolic integer ({self.form}) used as a float")

    def __abs__(self) -> int:
        return cast(int, self) if _nonnegative(self.form) else make(self.form.scaled(-1))

    def __str__(self) -> str:
        # A token for the form, the same at every point of the range: what the spec grammar
        # reads back as this position (`token_position`), so a spec written as an f-string of
        # the loop index (`tnp.assert_spec(total, f"sum[N[0:{j + 4}]](x:M N)")`) is the
        # symbolic spec of the step.
        return _token(self.form)

    # repr is the same token: any text made of a symbolic integer holds it, so the interpreter
    # can refuse decisions on such text (`mentions`).
    __repr__ = __str__

    def __format__(self, spec: str) -> str:
        if spec:
            _escape(f"a symbolic integer ({self.form}) formatted as {spec!r}")
        return str(self)


# Token text <-> form, for positions written into spec texts (`SymInt.__str__`). Numbers are
# never reused, so a token from before a reset never names another form.
TOKEN_OPEN, TOKEN_CLOSE = "\u27e8", "\u27e9"
_TOKEN_OF: Final[dict[Form, str]] = {}
_FORM_OF: Final[dict[str, Form]] = {}
_token_numbers = itertools.count(1)
tables.register("symbolic.token_forms", _TOKEN_OF, "cleared: token numbers are never reused")
tables.register("symbolic.form_tokens", _FORM_OF, "cleared: token numbers are never reused")


def _token(form: Form) -> str:
    found = _TOKEN_OF.get(form)
    if found is None:
        found = f"{TOKEN_OPEN}{next(_token_numbers)}{TOKEN_CLOSE}"
        _TOKEN_OF[form] = found
        _FORM_OF[found] = form
    return found


def token_position(text: str) -> int | None:
    """The position a token made by `str(SymInt)` stands for; None for any other text."""
    form = _FORM_OF.get(text)
    return None if form is None else make(form)


def mentions(value: object) -> bool:
    """Does `value` hold a symbolic integer: one, a text with one's token, or a tuple, list or
    set of such, or a slice whose bounds are symbolic? A decision on such a value that is not a
    comparison of the integer itself (a hash lookup, a comparison of texts) cannot be recorded:
    the interpreter refuses it in a symbolic run."""
    match value:
        case SymInt():
            return True
        case str():
            return TOKEN_OPEN in value
        case tuple() | list() | set() | frozenset():
            return any(mentions(item) for item in value)
        case dict():
            return any(mentions(key) or mentions(item) for key, item in value.items())
    interval = getattr(value, "interval", value)  # a `Sliced`, or an `Interval` itself
    if hasattr(interval, "start") and hasattr(interval, "stop"):
        return mentions((interval.start, interval.stop))
    return False


def value_at(position: int, at: Mapping[Var, int]) -> int:
    """A position with each variable in `at` replaced by its value (others at their probe
    stay symbolic only if not in `at`)."""
    if not isinstance(position, SymInt):
        return position
    form = position.form
    kept = {v: c for v, c in form.terms if v not in at}
    fixed = form.constant + sum(c * at[v] for v, c in form.terms if v in at)
    return make(Form.of(fixed, kept))


__all__ = [
    "Condition",
    "Escape",
    "Form",
    "Recorder",
    "Relation",
    "SymInt",
    "Var",
    "active",
    "form_of",
    "is_integer",
    "is_symbolic",
    "make",
    "mentions",
    "new_var",
    "recording",
    "token_position",
    "value_at",
    "variable",
]
