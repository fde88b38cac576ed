"""Expressions over a network's printed figures: arithmetic that the diagnosis can run both ways.

A ``Quantity`` is a printed figure (a claim of the registry or a row of a reference table);
arithmetic on quantities and numbers builds ``Op`` trees, and ``rank_among`` a ``Rank``. Every
expression evaluates over intervals (``evaluate``) and can be solved for one of its figures
(``solve``: the range that figure must lie in for the expression to land in a target), which is
what lets a constraint say which values of a figure would make it hold. ``to_json`` and
``from_json`` carry an expression in a run record and back.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from zjanalysis import figures, slips, units
from zjanalysis.figures import INF, Interval

ARTICLE = "article-2019-zj-report"
# Units in which a counting-unit slip (thousand/million/billion, 万/亿) cannot happen.
NOT_COUNTED = {
    "percent",
    "percentage points",
    "rank",
    "times",
    "minutes",
    "working days",
    "index points",
}
EVERYTHING = Interval(-INF, INF)
_OPERATOR_SIGNS = {"+": "+", "-": "−", "*": "×", "/": "÷", "^": "^"}


class NetworkError(ValueError):
    """A network cannot be built as declared: an unknown figure, a repeated id, a bad relation."""


# ---------------------------------------------------------------------------------------------
# Expressions


def as_expr(value: Any) -> Expr:
    if isinstance(value, Expr):
        return value
    if isinstance(value, bool) or isinstance(value, figures.Stated):
        raise NetworkError(
            f"{value!r} cannot enter a constraint as a constant: a printed figure must be "
            "a quantity of the network (net.claim(...) or net.reference(row)) so that the "
            "diagnosis can question it"
        )
    if isinstance(value, (int, float)):
        return Const(Interval.point(float(value)))
    if isinstance(value, Interval):
        return Const(value)
    raise NetworkError(
        f"{value!r} cannot enter a constraint: use a number, a figure of the network, "
        "or an expression built from them"
    )


class Expr:
    """An expression over the network's quantities; arithmetic builds new expressions."""

    is_expression = True  # the protocol figures.is_expression() looks for
    name: str | None = None
    parts: Mapping[str, Any] = {}

    def __add__(self, other):
        return Op("+", self, as_expr(other))

    def __radd__(self, other):
        return Op("+", as_expr(other), self)

    def __sub__(self, other):
        return Op("-", self, as_expr(other))

    def __rsub__(self, other):
        return Op("-", as_expr(other), self)

    def __mul__(self, other):
        return Op("*", self, as_expr(other))

    def __rmul__(self, other):
        return Op("*", as_expr(other), self)

    def __truediv__(self, other):
        return Op("/", self, as_expr(other))

    def __rtruediv__(self, other):
        return Op("/", as_expr(other), self)

    def __neg__(self):
        return Op("-", Const(Interval.point(0.0)), self)

    def __pow__(self, exponent):
        if isinstance(exponent, bool) or not isinstance(exponent, (int, float)) or not exponent > 0:
            raise NetworkError(
                f"an expression can be raised only to a positive number; got {exponent!r}"
            )
        return Op("^", self, Const(Interval.point(float(exponent))))

    def __bool__(self) -> bool:
        raise NetworkError(
            "an expression has no truth value; declare the relation with net.check(...)"
        )

    def named(self, name: str, **parts: Any) -> Expr:
        """This expression, remembered as the derived quantity ``name`` of ``parts``."""
        self.name, self.parts = name, dict(parts)
        return self

    def quantity_ids(self) -> list[str]:
        """The ids of the quantities in the expression, in order, repeats included."""
        raise NotImplementedError

    def evaluate(self, values: Mapping[str, Interval]) -> Interval:
        """The expression's range when each quantity ranges over ``values[id]``.

        Raises ValueError when a division meets an interval that holds zero.
        """
        raise NotImplementedError

    def solve(self, qid: str, target: Interval, values: Mapping[str, Interval]) -> Interval | None:
        """The values of quantity ``qid`` for which the expression can land in ``target``, the
        others ranging over ``values``: an Interval, (−∞, ∞) when nothing bounds it, or None
        when no value can."""
        raise NotImplementedError

    def formula(self, label: Mapping[str, str]) -> str:
        """The expression in words, each quantity shown by ``label[id]``."""
        raise NotImplementedError

    def to_json(self) -> Any:
        """A plain-data form that ``from_json`` reads back (with the network's quantities)."""
        raise NotImplementedError


@dataclass(eq=False)
class Const(Expr):
    """A number that no printed figure carries (a year count, 100, 1)."""

    value: Interval

    def quantity_ids(self) -> list[str]:
        return []

    def evaluate(self, values):
        return self.value

    def solve(self, qid, target, values):
        raise NetworkError(f"{qid} does not appear in a constant")

    def formula(self, label):
        return units.fmt_interval(self.value)

    def to_json(self):
        return _const_json(self.value)


@dataclass(eq=False)
class Quantity(Expr):
    """A printed figure in the network: a claim of the registry or a row of a reference table.

    ``printed`` is the figure as printed (for claims the registry's figure_text, for references
    the value as printed); ``stated`` its interval in ``unit``; ``sources`` the source ids.
    """

    id: str
    kind: str  # "claim" | "reference"
    label: str
    stated: figures.Stated
    unit: str
    sources: tuple[str, ...]
    key: Mapping[str, Any] = field(default_factory=dict)
    same_publisher: str = ""

    @property
    def printed(self) -> str:
        return self.stated.text

    @property
    def year(self) -> int:
        """The year the figure is for (the registry's, or the reference row's)."""
        return int(self.key["year"])

    @property
    def interval(self) -> Interval:
        """The range the printed figure stands for (its rounding), for plain arithmetic."""
        return self.stated.interval

    def shown(self, text: str | None = None) -> str:
        """``text`` (default: the figure as printed) as a reader reads it: a claim's text carries
        its own words ("45.537 million"); a reference figure is converted from the unit it was
        printed in to the project's ("3956" in units of 10 thousand persons is "39.56 million
        people"; a rank is its ordinal; a bound keeps its words); a figure printed in words
        stays as printed."""
        text = self.printed if text is None else text
        if self.kind != "reference":
            return text
        try:
            figure = self.reprinted(text)
        except ValueError:  # printed in words (the Chinese release's 第四): as printed
            return text
        return units.amount(figure.value, self.unit, figure.qualifier)

    @property
    def independent(self) -> bool:
        """True for a reference figure published by someone other than the report's authors
        (``same_publisher`` says why a reference is not independent, e.g. an earlier edition)."""
        return (
            self.kind == "reference"
            and not self.same_publisher
            and any(s != ARTICLE for s in self.sources)
        )

    def quantity_ids(self):
        return [self.id]

    def evaluate(self, values):
        return values[self.id]

    def solve(self, qid, target, values):
        return target

    def formula(self, label):
        return label.get(self.id, self.id)

    def to_json(self):
        return ["q", self.id]

    def reprinted(self, text: str) -> figures.Stated:
        """This figure as if printed as ``text`` (same qualifier, unit and unit conversion)."""
        return figures.reprinted(self.stated, text)

    def readings(self) -> list[slips.Slip]:
        """What this figure may have read before a single slip (see ``slips.readings``)."""
        return slips.readings(self.printed, counting_unit=self.unit not in NOT_COUNTED)


@dataclass(eq=False)
class Op(Expr):
    """A binary operation; ``^`` raises to a constant power."""

    op: str
    left: Expr
    right: Expr

    def quantity_ids(self):
        return self.left.quantity_ids() + self.right.quantity_ids()

    def evaluate(self, values):
        a, b = self.left.evaluate(values), self.right.evaluate(values)
        if self.op == "+":
            return a + b
        if self.op == "-":
            return a - b
        if self.op == "*":
            return a * b
        if self.op == "/":
            return a / b
        return a**b.lo

    def solve(self, qid, target, values):
        in_left = qid in self.left.quantity_ids()
        child, other = (self.left, self.right) if in_left else (self.right, self.left)
        known = other.evaluate(values)
        try:
            if self.op == "+":
                goal = target - known
            elif self.op == "-":
                goal = target + known if in_left else known - target
            elif self.op == "*":
                goal = target / known
            elif self.op == "/":
                goal = target * known if in_left else known / target
            else:
                below = intersect(target, Interval(0.0, INF))
                if below is None:
                    return None
                goal = below ** (1 / known.lo)
        except ValueError:  # a divisor that may be zero: nothing bounds the figure
            goal = EVERYTHING
        return child.solve(qid, goal, values)

    def formula(self, label):
        if self.name and self.parts:
            args = ", ".join(_part_formula(v, label) for v in self.parts.values())
            return f"{self.name}({args})"
        a, b = self.left.formula(label), self.right.formula(label)
        if (
            self.op == "-"
            and isinstance(self.left, Const)
            and self.left.value == Interval.point(0.0)
        ):
            return f"−{_wrap(self.right, b)}"
        return f"{_wrap(self.left, a)} {_OPERATOR_SIGNS[self.op]} {_wrap(self.right, b)}"

    def to_json(self):
        node = ["op", self.op, self.left.to_json(), self.right.to_json()]
        if self.name:
            node.append({"name": self.name, **{k: _part_json(v) for k, v in self.parts.items()}})
        return node


def _wrap(expr: Expr, text: str) -> str:
    return f"({text})" if isinstance(expr, Op) and not (expr.name and expr.parts) else text


def _part_formula(value: Any, label: Mapping[str, str]) -> str:
    if isinstance(value, Expr):
        return value.formula(label)
    return (
        units.fmt_interval(value)
        if isinstance(value, (Interval, figures.Stated, int, float))
        else str(value)
    )


def _part_json(value: Any) -> Any:
    if isinstance(value, Expr):
        return value.to_json()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return ["const", float(value), float(value)]
    return _const_json(figures.as_interval(value))


def _const_json(value: Interval) -> list:
    """A constant as ["const", lo, hi], an infinite end as None (JSON has no infinity)."""
    return [
        "const",
        None if math.isinf(value.lo) else value.lo,
        None if math.isinf(value.hi) else value.hi,
    ]


@dataclass(eq=False)
class Rank(Expr):
    """The rank of ``subject`` among ``others`` (largest first), with ``ahead`` entities known to
    be ahead (a published rank above it, no size) and ``unlisted`` more whose values are not
    known: from 1 + those surely ahead to 1 + those possibly ahead + ``unlisted``."""

    subject: Expr
    others: tuple[Expr, ...]
    unlisted: int = 0
    ahead: tuple[Expr, ...] = ()

    def quantity_ids(self):
        return (
            self.subject.quantity_ids()
            + [q for o in self.others for q in o.quantity_ids()]
            + [q for a in self.ahead for q in a.quantity_ids()]
        )

    def evaluate(self, values):
        mine = self.subject.evaluate(values)
        surely, possibly = len(self.ahead), 0
        for other in self.others:
            theirs = other.evaluate(values)
            if theirs.lo > mine.hi or (theirs.lo == mine.hi and (theirs.lo_open or mine.hi_open)):
                surely += 1  # larger whatever the two figures really are
            elif theirs.hi >= mine.lo:
                possibly += 1  # larger for some values (a tie counts here)
        return Interval(1.0 + surely, 1.0 + surely + possibly + self.unlisted)

    def solve(self, qid, target, values):
        return EVERYTHING

    def formula(self, label):
        names = ", ".join(o.formula(label) for o in self.others)
        ahead = f", behind {', '.join(a.formula(label) for a in self.ahead)}" if self.ahead else ""
        more = f" and {self.unlisted} not listed" if self.unlisted else ""
        return f"rank of {self.subject.formula(label)} among {names}{ahead}{more}"

    def to_json(self):
        return [
            "rank",
            self.subject.to_json(),
            [o.to_json() for o in self.others],
            self.unlisted,
            [a.to_json() for a in self.ahead],
        ]


def rank_among(
    subject: Expr, others: Iterable[Expr], *, unlisted: int = 0, ahead: Iterable[Expr] = ()
) -> Rank:
    """The rank (1 = largest) of ``subject`` among ``others``, behind the entities ``ahead`` (known
    to rank above it, e.g. by a published "first"), with ``unlisted`` more entities of unknown size.

    Raises NetworkError for a negative ``unlisted`` or no others.
    """
    others = tuple(as_expr(o) for o in others)
    if not others:
        raise NetworkError("rank_among() needs the figures of the others ranked")
    if isinstance(unlisted, bool) or not isinstance(unlisted, int) or unlisted < 0:
        raise NetworkError(
            f"rank_among(): unlisted must be a whole number of 0 or more; got {unlisted!r}"
        )
    return Rank(as_expr(subject), others, unlisted, tuple(as_expr(a) for a in ahead))


def from_json(node: Any, quantities: Mapping[str, Quantity]) -> Expr:
    """Read back an expression written by ``Expr.to_json``; quantities come from ``quantities``.

    Raises NetworkError for a node it does not know or a quantity id it is not given.
    """
    kind = node[0]
    if kind == "const":
        return Const(
            Interval(
                -INF if node[1] is None else float(node[1]),
                INF if node[2] is None else float(node[2]),
            )
        )
    if kind == "q":
        if node[1] not in quantities:
            raise NetworkError(
                f"the expression names {node[1]!r}, which is not a quantity of this network"
            )
        return quantities[node[1]]
    if kind == "op":
        expr = Op(node[1], from_json(node[2], quantities), from_json(node[3], quantities))
        if len(node) > 4:
            meta = dict(node[4])
            name = meta.pop("name")
            expr.named(name, **{k: from_json(v, quantities) for k, v in meta.items()})
        return expr
    if kind == "rank":
        return Rank(
            from_json(node[1], quantities),
            tuple(from_json(o, quantities) for o in node[2]),
            int(node[3]),
            tuple(from_json(a, quantities) for a in (node[4] if len(node) > 4 else [])),
        )
    raise NetworkError(f"unknown expression node {kind!r}")


def intersect(a: Interval | None, b: Interval | None) -> Interval | None:
    """The numbers in both intervals, or None when they share none (None stands for empty)."""
    if a is None or b is None:
        return None
    lo, lo_open = (
        (a.lo, a.lo_open)
        if a.lo > b.lo
        else (b.lo, b.lo_open)
        if b.lo > a.lo
        else (a.lo, a.lo_open or b.lo_open)
    )
    hi, hi_open = (
        (a.hi, a.hi_open)
        if a.hi < b.hi
        else (b.hi, b.hi_open)
        if b.hi < a.hi
        else (a.hi, a.hi_open or b.hi_open)
    )
    if lo > hi or (lo == hi and (lo_open or hi_open)):
        return None
    return Interval(lo, hi, lo_open and lo != hi, hi_open and lo != hi)
