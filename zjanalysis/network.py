"""The report as one system of figures: named quantities and the relations a notebook checks.

A notebook builds one ``Network`` for its theme. Its quantities are the report's printed
figures (``net.claim(claim_id)``) and reference rows (``net.reference(row)``); arithmetic on
them builds expressions, and the derived quantities of ``figures`` (growth, share_of,
implied_base …) accept them too. Every relation the notebook checks is declared once:

    net.check("netizens.end_2017_count", total - increase, net.reference(edition_2017),
              says="the 2018 total minus the year's increase is the count at end-2017")

A constraint evaluates with the interval arithmetic of ``figures`` to *holds*, *violated* or
*cannot be evaluated*, and can be solved for any one of its figures: the range that figure must
lie in for the relation to hold, given the others. ``diagnosis`` uses both to find which printed
figure is wrong; ``verdicts`` turns the network into the ledger's findings.

Each constraint records whether its two sides are like for like (``differs``: definition,
geography, date) and whether its source supports only part of the claim (``partial``). Only a
like-for-like constraint can blame a figure or confirm one.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from zjanalysis import checks, figures, slips
from zjanalysis.figures import INF, Interval

MIME = "application/vnd.zjanalysis.network+json"
ARTICLE = "article-2019-zj-report"
RELATIONS = ("=", "<=", ">=", "whole")
ROLES = ("check", "reading")
DIFFERENCES = ("definition", "geography", "date")
# Units in which a counting-unit slip (thousand/million/billion, 万/亿) cannot happen.
NOT_COUNTED = {"percent", "percentage points", "rank", "times", "minutes", "working days",
               "index points"}
_ID = re.compile(r"[a-z][a-z0-9_]*\.[a-z0-9_]+")
EVERYTHING = Interval(-INF, INF)


class NetworkError(ValueError):
    """A network cannot be built as declared: an unknown figure, a repeated id, a bad relation."""


# ---------------------------------------------------------------------------------------------
# Expressions


def _lift(value: Any) -> "Expr":
    if isinstance(value, Expr):
        return value
    if isinstance(value, bool) or isinstance(value, figures.Stated):
        raise NetworkError(f"{value!r} cannot enter a constraint as a constant: a printed figure must be "
                           "a quantity of the network (net.claim(...) or net.reference(row)) so that the "
                           "diagnosis can question it")
    if isinstance(value, (int, float)):
        return Const(Interval.point(float(value)))
    if isinstance(value, Interval):
        return Const(value)
    raise NetworkError(f"{value!r} cannot enter a constraint: use a number, a figure of the network, "
                       "or an expression built from them")


class Expr:
    """An expression over the network's quantities; arithmetic builds new expressions."""

    is_expression = True  # the protocol figures.is_expression() looks for
    name: str | None = None
    parts: Mapping[str, Any] = {}

    def __add__(self, other): return Op("+", self, _lift(other))
    def __radd__(self, other): return Op("+", _lift(other), self)
    def __sub__(self, other): return Op("-", self, _lift(other))
    def __rsub__(self, other): return Op("-", _lift(other), self)
    def __mul__(self, other): return Op("*", self, _lift(other))
    def __rmul__(self, other): return Op("*", _lift(other), self)
    def __truediv__(self, other): return Op("/", self, _lift(other))
    def __rtruediv__(self, other): return Op("/", _lift(other), self)
    def __neg__(self): return Op("-", Const(Interval.point(0.0)), self)

    def __pow__(self, exponent):
        if isinstance(exponent, bool) or not isinstance(exponent, (int, float)) or not exponent > 0:
            raise NetworkError(f"an expression can be raised only to a positive number; got {exponent!r}")
        return Op("^", self, Const(Interval.point(float(exponent))))

    def __bool__(self) -> bool:
        raise NetworkError("an expression has no truth value; declare the relation with net.check(...)")

    def named(self, name: str, **parts: Any) -> "Expr":
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
        return checks.fmt_interval(self.value)

    def to_json(self):
        return ["const", self.value.lo, self.value.hi]


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
    def interval(self) -> Interval:
        """The range the printed figure stands for (its rounding), for plain arithmetic."""
        return self.stated.interval

    def shown(self, text: str | None = None) -> str:
        """``text`` (default: the figure as printed) with the unit it was printed in, for a reader:
        a claim's text carries its own words ("45.537 million"); a reference row's number gets
        its printed unit ("3956 (10 thousand persons)")."""
        text = self.printed if text is None else text
        printed_unit = self.key.get("unit_as_printed", "") if self.kind == "reference" else ""
        return f"{text} ({printed_unit})" if printed_unit else text

    @property
    def independent(self) -> bool:
        """True for a reference figure published by someone other than the report's authors
        (``same_publisher`` says why a reference is not independent, e.g. an earlier edition)."""
        return self.kind == "reference" and not self.same_publisher and any(s != ARTICLE for s in self.sources)

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


_INVERSE_NAMES = {"+": "+", "-": "−", "*": "×", "/": "÷", "^": "^"}


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
        return a ** b.lo

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
        if self.op == "-" and isinstance(self.left, Const) and self.left.value == Interval.point(0.0):
            return f"−{_wrap(self.right, b)}"
        return f"{_wrap(self.left, a)} {_INVERSE_NAMES[self.op]} {_wrap(self.right, b)}"

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
    return checks.fmt_interval(value) if isinstance(value, (Interval, figures.Stated, int, float)) else str(value)


def _part_json(value: Any) -> Any:
    if isinstance(value, Expr):
        return value.to_json()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return ["const", float(value), float(value)]
    interval = figures.as_interval(value)
    return ["const", interval.lo, interval.hi]


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
        return (self.subject.quantity_ids() + [q for o in self.others for q in o.quantity_ids()]
                + [q for a in self.ahead for q in a.quantity_ids()])

    def evaluate(self, values):
        mine = self.subject.evaluate(values)
        surely, possibly = len(self.ahead), 0
        for other in self.others:
            theirs = other.evaluate(values)
            if theirs.lo > mine.hi or (theirs.lo == mine.hi and (theirs.lo_open or mine.hi_open)):
                surely += 1      # larger whatever the two figures really are
            elif theirs.hi >= mine.lo:
                possibly += 1    # larger for some values (a tie counts here)
        return Interval(1.0 + surely, 1.0 + surely + possibly + self.unlisted)

    def solve(self, qid, target, values):
        return EVERYTHING

    def formula(self, label):
        names = ", ".join(o.formula(label) for o in self.others)
        ahead = f", behind {', '.join(a.formula(label) for a in self.ahead)}" if self.ahead else ""
        more = f" and {self.unlisted} not listed" if self.unlisted else ""
        return f"rank of {self.subject.formula(label)} among {names}{ahead}{more}"

    def to_json(self):
        return ["rank", self.subject.to_json(), [o.to_json() for o in self.others], self.unlisted,
                [a.to_json() for a in self.ahead]]


def rank_among(subject: Expr, others: Iterable[Expr], *, unlisted: int = 0, ahead: Iterable[Expr] = ()) -> Rank:
    """The rank (1 = largest) of ``subject`` among ``others``, behind the entities ``ahead`` (known
    to rank above it, e.g. by a published "first"), with ``unlisted`` more entities of unknown size.

    Raises NetworkError for a negative ``unlisted`` or no others.
    """
    others = tuple(_lift(o) for o in others)
    if not others:
        raise NetworkError("rank_among() needs the figures of the others ranked")
    if isinstance(unlisted, bool) or not isinstance(unlisted, int) or unlisted < 0:
        raise NetworkError(f"rank_among(): unlisted must be a whole number of 0 or more; got {unlisted!r}")
    return Rank(_lift(subject), others, unlisted, tuple(_lift(a) for a in ahead))


def from_json(node: Any, quantities: Mapping[str, Quantity]) -> Expr:
    """Read back an expression written by ``Expr.to_json``; quantities come from ``quantities``.

    Raises NetworkError for a node it does not know or a quantity id it is not given.
    """
    kind = node[0]
    if kind == "const":
        return Const(Interval(float(node[1]), float(node[2])))
    if kind == "q":
        if node[1] not in quantities:
            raise NetworkError(f"the expression names {node[1]!r}, which is not a quantity of this network")
        return quantities[node[1]]
    if kind == "op":
        expr = Op(node[1], from_json(node[2], quantities), from_json(node[3], quantities))
        if len(node) > 4:
            meta = dict(node[4])
            name = meta.pop("name")
            expr.named(name, **{k: from_json(v, quantities) for k, v in meta.items()})
        return expr
    if kind == "rank":
        return Rank(from_json(node[1], quantities), tuple(from_json(o, quantities) for o in node[2]), int(node[3]),
                    tuple(from_json(a, quantities) for a in (node[4] if len(node) > 4 else [])))
    raise NetworkError(f"unknown expression node {kind!r}")


def intersect(a: Interval | None, b: Interval | None) -> Interval | None:
    """The numbers in both intervals, or None when they share none (None stands for empty)."""
    if a is None or b is None:
        return None
    lo, lo_open = (a.lo, a.lo_open) if a.lo > b.lo else (b.lo, b.lo_open) if b.lo > a.lo else (a.lo, a.lo_open or b.lo_open)
    hi, hi_open = (a.hi, a.hi_open) if a.hi < b.hi else (b.hi, b.hi_open) if b.hi < a.hi else (a.hi, a.hi_open or b.hi_open)
    if lo > hi or (lo == hi and (lo_open or hi_open)):
        return None
    return Interval(lo, hi, lo_open and lo != hi, hi_open and lo != hi)



# ---------------------------------------------------------------------------------------------
# Constraints


@dataclass(frozen=True)
class Evaluation:
    """What a constraint says with the figures as given: ``status`` holds, violated or unknown
    (cannot be evaluated, with the ``reason``); ``left`` and ``right`` are the two sides."""

    status: str
    left: Interval | None = None
    right: Interval | None = None
    reason: str = ""

    @property
    def holds(self) -> bool:
        return self.status == "holds"

    @property
    def violated(self) -> bool:
        return self.status == "violated"


@dataclass(eq=False)
class Constraint:
    """A declared relation ``left relation right`` between expressions over the quantities.

    ``says`` is the relation in our words; ``differs`` maps definition / geography / date to how
    the two sides differ (empty: like for like); ``partial`` says which part of the claim the
    source supports, when it supports only a part; ``role`` is "check" (evidence about the
    figures) or "reading" (an alternative reading of a claim's wording, used for a
    `misleading` verdict, never to blame a figure).
    """

    id: str
    left: Expr
    right: Expr | None
    relation: str
    says: str
    unit: str = ""
    differs: Mapping[str, str] = field(default_factory=dict)
    partial: str = ""
    role: str = "check"

    @property
    def inputs(self) -> list[str]:
        ids = self.left.quantity_ids() + (self.right.quantity_ids() if self.right is not None else [])
        return list(dict.fromkeys(ids))

    @property
    def comparable(self) -> bool:
        """True when the two sides are like for like (same definition, geography and date)."""
        return not self.differs

    def evaluate(self, values: Mapping[str, Interval]) -> Evaluation:
        """Holds, violated, or unknown (a division by a range holding zero), with both sides."""
        try:
            left = self.left.evaluate(values)
            right = self.right.evaluate(values) if self.right is not None else None
        except ValueError as err:
            return Evaluation("unknown", reason=str(err))
        if self.relation == "whole":
            ok = _holds_whole(left)
        elif self.relation == "=":
            ok = left.overlaps(right)
        elif self.relation == "<=":
            ok = _at_most(left, right)
        else:
            ok = _at_most(right, left)
        return Evaluation("holds" if ok else "violated", left, right)

    def feasible(self, qid: str, values: Mapping[str, Interval]) -> Interval | None:
        """The range quantity ``qid`` must lie in for the relation to hold, the other figures
        ranging over ``values``: (−∞, ∞) when this relation cannot bound it, None when no value
        of it can make the relation hold."""
        if self.relation == "whole":
            return EVERYTHING
        in_left = qid in self.left.quantity_ids()
        side, other = (self.left, self.right) if in_left else (self.right, self.left)
        try:
            known = other.evaluate(values)
        except ValueError:
            return EVERYTHING
        if self.relation == "=":
            target = known
        elif (self.relation == "<=") == in_left:   # this side must be at most the other
            target = Interval(-INF, known.hi, True, known.hi_open)
        else:
            target = Interval(known.lo, INF, known.lo_open, True)
        try:
            return side.solve(qid, target, values)
        except ValueError:
            return EVERYTHING

    def formula(self, label: Mapping[str, str]) -> str:
        """The relation in symbols, each figure by its label."""
        if self.relation == "whole":
            return f"{self.left.formula(label)} is a whole number"
        symbol = {"=": "=", "<=": "≤", ">=": "≥"}[self.relation]
        return f"{self.left.formula(label)} {symbol} {self.right.formula(label)}"

    def difference_text(self) -> str:
        """How the two sides differ, in a few words ("" when like for like)."""
        return "; ".join(f"{k}: {self.differs[k]}" for k in DIFFERENCES if self.differs.get(k))


def _holds_whole(x: Interval) -> bool:
    low = math.floor(x.lo) + 1 if x.lo_open and float(x.lo).is_integer() else math.ceil(x.lo)
    high = math.ceil(x.hi) - 1 if x.hi_open and float(x.hi).is_integer() else math.floor(x.hi)
    return low <= high


def _at_most(a: Interval, b: Interval) -> bool:
    """Some number of ``a`` is at most some number of ``b``."""
    return a.lo < b.hi or (a.lo == b.hi and not (a.lo_open or b.hi_open))


# ---------------------------------------------------------------------------------------------
# The network


@dataclass
class Wording:
    """A claim whose number holds on the ``intended`` reading but is printed so that it reads as
    the ``literal`` one; ``why`` says what a reader would misread."""

    claim_id: str
    intended: str
    literal: str
    why: str


class Network:
    """The figures of one theme and the relations between them (see the module docstring).

    ``tolerance`` (relative, 0 to 0.5) widens every figure's interval before any evaluation.
    """

    def __init__(self, theme: str, *, tolerance: float = 0.0) -> None:
        if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or not 0 <= tolerance < INF:
            raise NetworkError(f"tolerance must be a relative slack of 0 or more (0.01 widens each figure "
                               f"by 1 %); got {tolerance!r}")
        self.theme = theme
        self.tolerance = float(tolerance)
        self.quantities: dict[str, Quantity] = {}
        self.constraints: dict[str, Constraint] = {}
        self.wordings: dict[str, Wording] = {}
        self.settle: dict[str, str] = {}

    # -- figures -------------------------------------------------------------------------------

    def claim(self, claim_id: str) -> Quantity:
        """The registry's figure ``claim_id`` as a quantity of this network (one object per id).

        Raises KeyError for an id not in data/claims.csv (naming close matches).
        """
        if claim_id in self.quantities:
            return self.quantities[claim_id]
        from zjanalysis import data

        row = data.claim(claim_id)
        quantity = Quantity(claim_id, "claim", claim_id, figures.from_claim(claim_id), str(row["unit"]),
                            (ARTICLE,), {"theme": str(row["theme"])})
        self.quantities[claim_id] = quantity
        return quantity

    def reference(self, row: Any, *, label: str | None = None, same_publisher: str = "") -> Quantity:
        """A reference row (from ``data.lookup`` or ``data.reference``) as a quantity.

        ``label`` is how tables and charts name it (default: indicator, geography, period and
        year). ``same_publisher`` says why the row is not independent of the report (an earlier
        edition of it, say): a check against it can then make a claim `consistent`, never
        `confirmed`. The same row gives the same quantity. Raises NetworkError for a row without
        a source id.
        """
        key = {k: _plain(_get(row, k)) for k in ("table", "geography", "year", "period", "indicator", "source_id",
                                                 "unit_as_printed")}
        if not key["source_id"]:
            raise NetworkError(f"reference row {key['indicator']!r} has no source_id; every figure needs its source")
        missing = [k for k in ("geography", "year", "period", "indicator") if _get(row, k) is None]
        if missing:
            raise NetworkError(f"reference row {key['indicator'] or '?'!r} lacks {', '.join(missing)}: pass a whole row "
                               "from data.lookup() or data.reference(), not one whose columns became its index")
        qid = reference_id(key)
        if qid not in self.quantities:
            stated = figures.from_reference(row)
            default = f"{key['indicator']}, {key['geography']} {key['period']} {key['year']}"
            self.quantities[qid] = Quantity(qid, "reference", label or default, stated, str(_get(row, "unit")),
                                            (str(key["source_id"]),), key, str(same_publisher))
        else:
            if label:
                self.quantities[qid].label = label
            if same_publisher:
                self.quantities[qid].same_publisher = str(same_publisher)
        return self.quantities[qid]

    def figure(self, qid: str, printed: str, *, kind: str = "claim", unit: str = "", qualifier: str = "exact",
               source: str = "", label: str | None = None) -> Quantity:
        """A figure that is not in the data, read from its printed text ("45.537 million"): for
        exploring what-ifs and for tests. ``kind`` is "claim" (a figure of the report) or
        "reference" (give its ``source``). Raises NetworkError for a repeated id or an unknown kind.
        """
        if kind not in ("claim", "reference"):
            raise NetworkError(f"kind must be 'claim' or 'reference'; got {kind!r}")
        if qid in self.quantities:
            raise NetworkError(f"figure {qid!r} is already in this network")
        sources = (source or ARTICLE,) if kind == "reference" else (ARTICLE,)
        quantity = Quantity(qid, kind, label or qid, figures.stated(printed, qualifier=qualifier, unit=unit),
                            unit, sources)
        self.quantities[qid] = quantity
        return quantity

    # -- relations -----------------------------------------------------------------------------

    def check(self, constraint_id: str, left: Any, right: Any, *, says: str, relation: str = "=",
              unit: str = "", differs: Mapping[str, str] | None = None, partial: str = "") -> Constraint:
        """Declare that ``left relation right`` should hold; returns the Constraint.

        ``relation`` is "=" (the two ranges share a value), "<=" or ">=". ``differs`` names, for
        "definition", "geography" and "date", how the two sides differ when they are not like for
        like ("large city hospitals only", "measured in 2019"); ``partial`` says which part of the
        claim the source supports when it supports only a part. Raises NetworkError for a
        repeated or malformed id, an unknown relation, a figure used twice in one relation, or
        a relation without a printed figure.
        """
        return self._add(constraint_id, left, right, relation, says, unit, differs, partial, "check")

    def whole(self, constraint_id: str, expr: Any, *, says: str, unit: str = "",
              differs: Mapping[str, str] | None = None, partial: str = "") -> Constraint:
        """Declare that ``expr`` (a count of things) must be a whole number."""
        return self._add(constraint_id, expr, None, "whole", says, unit, differs, partial, "check")

    def reading(self, constraint_id: str, left: Any, right: Any, *, says: str, relation: str = "=",
                unit: str = "", differs: Mapping[str, str] | None = None) -> Constraint:
        """Declare an alternative reading of a claim's wording (see ``wording``); it is evaluated
        and shown like a check but never blames a figure or supports a verdict."""
        return self._add(constraint_id, left, right, relation, says, unit, differs, "", "reading")

    def wording(self, claim_id: str, *, intended: Constraint, literal: Constraint, why: str) -> None:
        """Say that ``claim_id`` is printed so that it reads as ``literal`` (a reading) while its
        number fits ``intended`` (a check): the verdict is `misleading` when the first fails and
        the second holds. ``why`` says what a reader would misread."""
        if claim_id not in self.quantities:
            raise NetworkError(f"wording(): {claim_id!r} is not a figure of this network; add it with net.claim()")
        if intended.role != "check" or literal.role != "reading":
            raise NetworkError("wording() takes the intended relation as a check and the literal one as a reading")
        if not str(why).strip():
            raise NetworkError("wording() needs 'why': what a reader would misread")
        self.wordings[claim_id] = Wording(claim_id, intended.id, literal.id, why)

    def would_settle(self, claim_id: str, document: str) -> None:
        """Name the document or figure that would settle ``claim_id`` (shown when nothing here can)."""
        if claim_id not in self.quantities:
            self.claim(claim_id)
        if not str(document).strip():
            raise NetworkError(f"would_settle({claim_id!r}) needs the document that would settle it")
        self.settle[claim_id] = str(document)

    def _add(self, cid, left, right, relation, says, unit, differs, partial, role) -> Constraint:
        if not isinstance(cid, str) or not _ID.fullmatch(cid):
            raise NetworkError(f"constraint id {cid!r} should read '<short theme>.<what>', e.g. 'netizens.end_2017_count'")
        if cid in self.constraints:
            raise NetworkError(f"constraint {cid!r} is declared twice in this network")
        if relation not in RELATIONS:
            raise NetworkError(f"relation {relation!r} is not one of {', '.join(RELATIONS)}")
        if not str(says).strip():
            raise NetworkError(f"constraint {cid!r} needs 'says': the relation in words")
        differs = {k: str(v) for k, v in (differs or {}).items() if v}
        unknown = sorted(set(differs) - set(DIFFERENCES))
        if unknown:
            raise NetworkError(f"constraint {cid!r}: differs names {', '.join(unknown)}; allowed: {', '.join(DIFFERENCES)}")
        left = _lift(left)
        right = _lift(right) if right is not None else None
        constraint = Constraint(cid, left, right, relation, str(says), unit, differs, str(partial or ""), role)
        ids = left.quantity_ids() + (right.quantity_ids() if right is not None else [])
        repeated = sorted({q for q in ids if ids.count(q) > 1})
        if repeated:
            raise NetworkError(f"constraint {cid!r} uses {', '.join(repeated)} more than once; write the relation "
                               "so that each figure appears once (see figures.increase_from_growth)")
        if not ids:
            raise NetworkError(f"constraint {cid!r} holds no figure of the network")
        for qid in ids:
            if qid not in self.quantities:
                raise NetworkError(f"constraint {cid!r} uses {qid!r}, a figure of another network")
        self.constraints[cid] = constraint
        return constraint

    # -- evaluation ----------------------------------------------------------------------------

    def values(self, overrides: Mapping[str, Interval] | None = None) -> dict[str, Interval]:
        """Every quantity's interval, widened by the tolerance, with ``overrides`` in place."""
        values = {qid: q.stated.interval.widen(self.tolerance) for qid, q in self.quantities.items()}
        for qid, interval in (overrides or {}).items():
            values[qid] = interval.widen(self.tolerance)
        return values

    def value(self, expr: Any) -> Interval:
        """An expression's range with the printed figures (widened by the tolerance); (−∞, ∞)
        when they leave it unbounded (a divisor whose range holds zero)."""
        try:
            return _lift(expr).evaluate(self.values())
        except ValueError:
            return EVERYTHING

    def evaluate(self, constraint_id: str, overrides: Mapping[str, Interval] | None = None) -> Evaluation:
        """The constraint's evaluation with the printed figures (or ``overrides``)."""
        return self.constraints[constraint_id].evaluate(self.values(overrides))

    def claims(self) -> list[str]:
        """The claim ids of the theme in registry order (for a theme the registry does not know,
        the network's own claim figures)."""
        from zjanalysis import data

        if self.theme not in data.THEMES:
            return [q.id for q in self.quantities.values() if q.kind == "claim"]
        registry = data.claims()
        return [cid for cid in registry.index if registry.loc[cid, "theme"] == self.theme]

    def labels(self) -> dict[str, str]:
        return {qid: q.label for qid, q in self.quantities.items()}

    def show(self, constraint_id: str) -> None:
        """Print one line: the constraint, whether it holds, and its two sides."""
        print(describe(self, constraint_id))

    def to_json(self) -> dict:
        """The network as plain data: quantities, constraints (with their expressions), wordings."""
        labels = self.labels()
        return {
            "version": 1,
            "theme": self.theme,
            "tolerance": self.tolerance,
            "quantities": [
                {"id": q.id, "kind": q.kind, "label": q.label, "printed": q.printed, "shown": q.shown(), "unit": q.unit,
                 "interval": interval_json(q.stated.interval), "sources": list(q.sources),
                 "key": dict(q.key), "same_publisher": q.same_publisher}
                for q in self.quantities.values()],
            "constraints": [
                {"id": c.id, "says": c.says, "formula": c.formula(labels), "relation": c.relation,
                 "unit": c.unit, "inputs": c.inputs, "role": c.role, "differs": dict(c.differs),
                 "partial": c.partial, "left": c.left.to_json(),
                 "right": c.right.to_json() if c.right is not None else None}
                for c in self.constraints.values()],
            "wordings": [vars(w) for w in self.wordings.values()],
            "settle": dict(self.settle),
        }


def interval_json(x: Interval | None) -> list | None:
    """[lo, hi] for JSON, an infinite end as None (JSON has no infinity)."""
    if x is None:
        return None
    return [None if math.isinf(x.lo) else x.lo, None if math.isinf(x.hi) else x.hi]


def reference_id(key: Mapping[str, Any]) -> str:
    """The stable id of a reference row: ``ref:<source>/<geography>/<year>/<period>/<indicator>``."""
    return "ref:" + "/".join(str(key.get(k, "")) for k in ("source_id", "geography", "year", "period", "indicator"))


def from_payload(payload: Mapping[str, Any], *, tolerance: float | None = None) -> Network:
    """Rebuild a network recorded by a notebook (``Network.to_json``), reading every figure
    again from the data (so a changed data folder gives a changed network).

    Raises NetworkError when a recorded figure is no longer in the data.
    """
    from zjanalysis import data

    net = Network(payload["theme"], tolerance=payload["tolerance"] if tolerance is None else tolerance)
    for q in payload["quantities"]:
        if q["kind"] == "claim":
            net.claim(q["id"])
        else:
            net.reference(_recorded_row(data.reference(), q), label=q["label"],
                          same_publisher=q.get("same_publisher", ""))
    for c in payload["constraints"]:
        left = from_json(c["left"], net.quantities)
        right = from_json(c["right"], net.quantities) if c["right"] is not None else None
        net._add(c["id"], left, right, c["relation"], c["says"], c["unit"], c["differs"], c["partial"], c["role"])
    for w in payload["wordings"]:
        net.wordings[w["claim_id"]] = Wording(**w)
    net.settle.update(payload.get("settle", {}))
    return net


def _recorded_row(frame: Any, recorded: Mapping[str, Any]) -> Any:
    key = recorded["key"]
    found = frame
    for name in ("table", "geography", "year", "period", "indicator", "source_id"):
        if key.get(name) not in ("", None):
            found = found[found[name] == key[name]]
    if len(found) != 1:
        raise NetworkError(f"the recorded reference {recorded['id']} matches {len(found)} rows of the data, not one")
    return found.iloc[0]


def describe(net: Network, constraint_id: str, overrides: Mapping[str, Interval] | None = None) -> str:
    """One line on a constraint: its words, whether it holds, and what each side comes to."""
    c = net.constraints[constraint_id]
    ev = c.evaluate(net.values(overrides))
    unit = f" {c.unit}" if c.unit else ""
    if ev.status == "unknown":
        return f"{c.id}: cannot be evaluated ({ev.reason})"
    verb = {"holds": "holds", "violated": "fails"}[ev.status]
    if c.relation == "whole":
        sides = f"{checks.fmt_interval(ev.left)}{unit}"
    else:
        symbol = {"=": "vs", "<=": "≤", ">=": "≥"}[c.relation]
        sides = f"{checks.fmt_interval(ev.left)}{unit} {symbol} {checks.fmt_interval(ev.right)}{unit}"
    note = f" [not like for like: {c.difference_text()}]" if c.differs else ""
    return f"{c.id} {verb}: {c.says} — {sides}{note}"


def _get(row: Any, name: str) -> Any:
    try:
        return row[name]
    except (KeyError, IndexError, TypeError):
        return None


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if hasattr(value, "item"):
        value = value.item()
    return int(value) if isinstance(value, float) and value.is_integer() else value



# ---------------------------------------------------------------------------------------------
# Layout (shared by the notebook chart and the site's network page)


def drawn(body: Mapping[str, Any]) -> list[dict]:
    """The quantities a drawing shows: every claim, and the reference figures some check uses."""
    used = {qid for c in body["constraints"] for qid in c["inputs"]}
    return [q for q in body["quantities"] if q["kind"] == "claim" or q["id"] in used]


def layout(body: Mapping[str, Any]) -> dict[str, tuple[float, float]]:
    """Positions for drawing a recorded network (``verdicts.payload``): claims in the left
    column, constraints in the middle, reference figures on the right, each column ordered to
    keep edges from crossing. Keys are ``"q:<quantity id>"`` and ``"c:<constraint id>"``; x is
    0, 1 or 2, y runs from 0 (top) down in steps of 1. The same network always gets the same
    positions.

    A layered layout with barycentre ordering (as in Sugiyama-style drawings) reads better for
    these small three-column graphs than a force-directed one, and needs only each node's
    neighbours, so no graph library is involved (networkx was tried; it added an import of a
    tenth of a second to every render and placed nothing better).
    """
    layer: dict[str, int] = {}
    neighbours: dict[str, list[str]] = {}
    for q in drawn(body):
        node = f"q:{q['id']}"
        layer[node], neighbours[node] = (0 if q["kind"] == "claim" else 2), []
    for c in body["constraints"]:
        node = f"c:{c['id']}"
        layer[node], neighbours[node] = 1, []
        for qid in c["inputs"]:
            neighbours[node].append(f"q:{qid}")
            neighbours[f"q:{qid}"].append(node)
    order = {n: i for i, n in enumerate(layer)}
    # Each connected part of the network stays together, parts in the order they first appear.
    part: dict[str, int] = {}
    for start in layer:
        if start in part:
            continue
        stack = [start]
        while stack:
            node = stack.pop()
            if node not in part:
                part[node] = order[start]
                stack.extend(neighbours[node])
    columns: dict[int, list[str]] = {0: [], 1: [], 2: []}
    for node in sorted(layer, key=lambda n: (part[n], order[n])):
        columns[layer[node]].append(node)
    # Barycentre sweeps: each node moves to the mean position of its neighbours.
    position = {n: float(i) for column in columns.values() for i, n in enumerate(column)}
    for _ in range(4):
        for x in (1, 0, 2, 1):
            means = {n: (sum(position[m] for m in neighbours[n]) / len(neighbours[n]) if neighbours[n]
                         else position[n]) for n in columns[x]}
            columns[x].sort(key=lambda n: (means[n], order[n]))
            for i, n in enumerate(columns[x]):
                position[n] = float(i)
    tallest = max((len(v) for v in columns.values()), default=1)
    placed = {}
    for x, nodes in columns.items():
        offset = (tallest - len(nodes)) / 2
        for i, n in enumerate(nodes):
            placed[n] = (float(x), round(offset + i, 2))
    return placed
