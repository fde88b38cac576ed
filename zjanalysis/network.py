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
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from zjanalysis import data, figures, units
from zjanalysis.expressions import (
    ARTICLE,
    EVERYTHING,
    Expr,
    NetworkError,
    Quantity,
    as_expr,
    from_json,
    rank_among,
)
from zjanalysis.figures import INF, Interval

__all__ = [
    "ARTICLE",
    "Constraint",
    "Evaluation",
    "Network",
    "NetworkError",
    "STATUS_WORDS",
    "Wording",
    "describe",
    "from_payload",
    "rank_among",
    "reference_id",
]

RELATIONS = ("=", "<=", ">=", "whole")
ROLES = ("check", "reading", "translation", "domain")
# Roles whose failing, like-for-like constraints can blame a figure; only a "check" can also
# support one ("translation" and "domain" constraints come from zjanalysis.rules).
BLAMING_ROLES = ("check", "translation", "domain")
DIFFERENCES = ("definition", "geography", "date")
# What a constraint's status is called wherever a reader sees it.
STATUS_WORDS = {"holds": "holds", "violated": "fails", "unknown": "cannot be evaluated"}
_ID = re.compile(r"[a-z][a-z0-9_]*\.[a-z0-9_]+")


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
    figures), "reading" (an alternative reading of a claim's wording, used for a `misleading`
    verdict, never to blame a figure), or one the network declares itself from the registry
    (``zjanalysis.rules``): "translation" (the English figure against the Chinese original) and
    "domain" (what a figure of its kind can be); those two can blame a figure, never support it.
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
        ids = self.left.quantity_ids() + (
            self.right.quantity_ids() if self.right is not None else []
        )
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
        elif (self.relation == "<=") == in_left:  # this side must be at most the other
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
        if (
            isinstance(tolerance, bool)
            or not isinstance(tolerance, (int, float))
            or not 0 <= tolerance < INF
        ):
            raise NetworkError(
                f"tolerance must be a relative slack of 0 or more (0.01 widens each figure "
                f"by 1 %); got {tolerance!r}"
            )
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
        from zjanalysis import rules

        row = data.claim(claim_id)
        key = {
            "theme": str(row["theme"]),
            "year": int(row["year"]),
            "paragraph": _plain(row["paragraph"]),
            "statement": str(row["statement"]),
            "measure": str(row["measure"]),
            "origin": str(row["origin"]),
        }
        chinese = data.chinese_release()
        zh_row = chinese.loc[claim_id] if claim_id in chinese.index else None
        # The text that prints the figure: the English article, or the Chinese release for a
        # figure only it prints.
        printed_in = (
            (str(zh_row["source_id"]),)
            if row["origin"] == "chinese-release" and zh_row is not None
            else (ARTICLE,)
        )
        quantity = Quantity(
            claim_id,
            "claim",
            claim_id,
            figures.from_claim_row(row),
            str(row["unit"]),
            printed_in,
            key,
        )
        self.quantities[claim_id] = quantity
        rules.declare(self, quantity, row, zh_row)
        return quantity

    def witness(
        self,
        qid: str,
        stated: figures.Stated,
        unit: str,
        source: str,
        *,
        label: str,
        same_publisher: str,
        key: Mapping[str, Any],
    ) -> Quantity:
        """A figure another text of the report's own publishers prints (the Chinese release), as
        a reference quantity that is not independent; ``zjanalysis.rules`` adds them."""
        self.quantities[qid] = Quantity(
            qid, "reference", label, stated, unit, (source,), dict(key), same_publisher
        )
        return self.quantities[qid]

    def reference(
        self, row: Any, *, label: str | None = None, same_publisher: str = ""
    ) -> Quantity:
        """A reference row (from ``data.lookup`` or ``data.reference``) as a quantity.

        ``label`` is how tables and charts name it (default: indicator, geography, period and
        year). ``same_publisher`` says why the row is not independent of the report (an earlier
        edition of it, say): a check against it can then make a claim `consistent`, never
        `confirmed`. The same row gives the same quantity. Raises NetworkError for a row without
        a source id.
        """
        key = {
            k: _plain(data.row_value(row, k))
            for k in (
                "table",
                "geography",
                "year",
                "period",
                "indicator",
                "source_id",
                "unit_as_printed",
            )
        }
        if not key["source_id"]:
            raise NetworkError(
                f"reference row {key['indicator']!r} has no source_id; every figure needs its "
                "source"
            )
        missing = [
            k
            for k in ("geography", "year", "period", "indicator")
            if data.row_value(row, k) is None
        ]
        if missing:
            raise NetworkError(
                f"reference row {key['indicator'] or '?'!r} lacks {', '.join(missing)}: pass a "
                "whole row "
                "from data.lookup() or data.reference(), not one whose columns became its index"
            )
        qid = reference_id(key)
        if qid not in self.quantities:
            stated = figures.from_reference(row)
            default = f"{key['indicator']}, {key['geography']} {key['period']} {key['year']}"
            self.quantities[qid] = Quantity(
                qid,
                "reference",
                label or default,
                stated,
                str(data.row_value(row, "unit")),
                (str(key["source_id"]),),
                key,
                str(same_publisher),
            )
        else:
            if label:
                self.quantities[qid].label = label
            if same_publisher:
                self.quantities[qid].same_publisher = str(same_publisher)
        return self.quantities[qid]

    def figure(
        self,
        qid: str,
        printed: str,
        *,
        kind: str = "claim",
        unit: str = "",
        qualifier: str = "exact",
        source: str = "",
        label: str | None = None,
    ) -> Quantity:
        """A figure that is not in the data, read from its printed text ("45.537 million"): for
        exploring what-ifs and for tests. ``kind`` is "claim" (a figure of the report) or
        "reference" (give its ``source``). Raises NetworkError for a repeated id or an unknown kind.
        """
        if kind not in ("claim", "reference"):
            raise NetworkError(f"kind must be 'claim' or 'reference'; got {kind!r}")
        if qid in self.quantities:
            raise NetworkError(f"figure {qid!r} is already in this network")
        sources = (source or ARTICLE,) if kind == "reference" else (ARTICLE,)
        quantity = Quantity(
            qid,
            kind,
            label or qid,
            figures.stated(printed, qualifier=qualifier, unit=unit),
            unit,
            sources,
        )
        self.quantities[qid] = quantity
        return quantity

    # -- relations -----------------------------------------------------------------------------

    def check(
        self,
        constraint_id: str,
        left: Any,
        right: Any,
        *,
        says: str,
        relation: str = "=",
        unit: str = "",
        differs: Mapping[str, str] | None = None,
        partial: str = "",
    ) -> Constraint:
        """Declare that ``left relation right`` should hold; returns the Constraint.

        ``relation`` is "=" (the two ranges share a value), "<=" or ">=". ``differs`` names, for
        "definition", "geography" and "date", how the two sides differ when they are not like for
        like ("large city hospitals only", "measured in 2019"); ``partial`` says which part of the
        claim the source supports when it supports only a part. Raises NetworkError for a
        repeated or malformed id, an unknown relation, a figure used twice in one relation, or
        a relation without a printed figure.
        """
        return self._add(
            constraint_id, left, right, relation, says, unit, differs, partial, "check"
        )

    def whole(
        self,
        constraint_id: str,
        expr: Any,
        *,
        says: str,
        unit: str = "",
        differs: Mapping[str, str] | None = None,
        partial: str = "",
    ) -> Constraint:
        """Declare that ``expr`` (a count of things) must be a whole number."""
        return self._add(constraint_id, expr, None, "whole", says, unit, differs, partial, "check")

    def reading(
        self,
        constraint_id: str,
        left: Any,
        right: Any,
        *,
        says: str,
        relation: str = "=",
        unit: str = "",
        differs: Mapping[str, str] | None = None,
    ) -> Constraint:
        """Declare an alternative reading of a claim's wording (see ``wording``); it is evaluated
        and shown like a check but never blames a figure or supports a verdict."""
        return self._add(constraint_id, left, right, relation, says, unit, differs, "", "reading")

    def wording(
        self, claim_id: str, *, intended: Constraint, literal: Constraint, why: str
    ) -> None:
        """Say that ``claim_id`` is printed so that it reads as ``literal`` (a reading) while its
        number fits ``intended`` (a check): the verdict is `misleading` when the first fails and
        the second holds. ``why`` says what a reader would misread."""
        if claim_id not in self.quantities:
            raise NetworkError(
                f"wording(): {claim_id!r} is not a figure of this network; add it with net.claim()"
            )
        if intended.role != "check" or literal.role != "reading":
            raise NetworkError(
                "wording() takes the intended relation as a check and the literal one as a reading"
            )
        if not str(why).strip():
            raise NetworkError("wording() needs 'why': what a reader would misread")
        self.wordings[claim_id] = Wording(claim_id, intended.id, literal.id, why)

    def would_settle(self, claim_id: str, document: str) -> None:
        """What would settle ``claim_id``: a document or figure (shown when nothing here can)."""
        if claim_id not in self.quantities:
            self.claim(claim_id)
        if not str(document).strip():
            raise NetworkError(
                f"would_settle({claim_id!r}) needs the document that would settle it"
            )
        self.settle[claim_id] = str(document)

    def _add(self, cid, left, right, relation, says, unit, differs, partial, role) -> Constraint:
        if not isinstance(cid, str) or not _ID.fullmatch(cid):
            raise NetworkError(
                f"constraint id {cid!r} should read '<short theme>.<what>', e.g. "
                "'netizens.end_2017_count'"
            )
        if cid in self.constraints:
            raise NetworkError(f"constraint {cid!r} is declared twice in this network")
        if relation not in RELATIONS:
            raise NetworkError(f"relation {relation!r} is not one of {', '.join(RELATIONS)}")
        if not str(says).strip():
            raise NetworkError(f"constraint {cid!r} needs 'says': the relation in words")
        differs = {k: str(v) for k, v in (differs or {}).items() if v}
        unknown = sorted(set(differs) - set(DIFFERENCES))
        if unknown:
            raise NetworkError(
                f"constraint {cid!r}: differs names {', '.join(unknown)}; allowed: "
                f"{', '.join(DIFFERENCES)}"
            )
        left = as_expr(left)
        right = as_expr(right) if right is not None else None
        constraint = Constraint(
            cid, left, right, relation, str(says), unit, differs, str(partial or ""), role
        )
        ids = left.quantity_ids() + (right.quantity_ids() if right is not None else [])
        repeated = sorted({q for q in ids if ids.count(q) > 1})
        if repeated:
            raise NetworkError(
                f"constraint {cid!r} uses {', '.join(repeated)} more than once; write the relation "
                "so that each figure appears once (see figures.increase_from_growth)"
            )
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
        values = {
            qid: q.stated.interval.widen(self.tolerance) for qid, q in self.quantities.items()
        }
        for qid, interval in (overrides or {}).items():
            values[qid] = interval.widen(self.tolerance)
        return values

    def value(self, expr: Any) -> Interval:
        """An expression's range with the printed figures (widened by the tolerance); (−∞, ∞)
        when they leave it unbounded (a divisor whose range holds zero)."""
        try:
            return as_expr(expr).evaluate(self.values())
        except ValueError:
            return EVERYTHING

    def evaluate(
        self, constraint_id: str, overrides: Mapping[str, Interval] | None = None
    ) -> Evaluation:
        """The constraint's evaluation with the printed figures (or ``overrides``)."""
        return self.constraints[constraint_id].evaluate(self.values(overrides))

    def claims(self) -> list[str]:
        """The claim ids of the theme in registry order (for a theme the registry does not know,
        the network's own claim figures)."""
        if self.theme not in data.THEMES:
            return [q.id for q in self.quantities.values() if q.kind == "claim"]
        registry = data.claims()
        return [cid for cid in registry.index if registry.loc[cid, "theme"] == self.theme]

    def source_labels(self) -> list[str]:
        """The short citations of the sources of this network's reference figures, sorted."""
        return data.source_labels(
            s for q in self.quantities.values() if q.kind == "reference" for s in q.sources
        )

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
                {
                    "id": q.id,
                    "kind": q.kind,
                    "label": q.label,
                    "printed": q.printed,
                    "shown": q.shown(),
                    "unit": q.unit,
                    "interval": q.stated.interval.to_json(),
                    "sources": list(q.sources),
                    "key": dict(q.key),
                    "same_publisher": q.same_publisher,
                }
                for q in self.quantities.values()
            ],
            "constraints": [
                {
                    "id": c.id,
                    "says": c.says,
                    "formula": c.formula(labels),
                    "relation": c.relation,
                    "unit": c.unit,
                    "inputs": c.inputs,
                    "role": c.role,
                    "differs": dict(c.differs),
                    "partial": c.partial,
                    "left": c.left.to_json(),
                    "right": c.right.to_json() if c.right is not None else None,
                }
                for c in self.constraints.values()
            ],
            "wordings": [vars(w) for w in self.wordings.values()],
            "settle": dict(self.settle),
        }


def reference_id(key: Mapping[str, Any]) -> str:
    """A reference row's stable id: ``ref:<source>/<geography>/<year>/<period>/<indicator>``."""
    return "ref:" + "/".join(
        str(key.get(k, "")) for k in ("source_id", "geography", "year", "period", "indicator")
    )


def from_payload(payload: Mapping[str, Any], *, tolerance: float | None = None) -> Network:
    """Rebuild a network recorded by a notebook (``Network.to_json``), reading every figure
    again from the data (so a changed data folder gives a changed network).

    Raises NetworkError when a recorded figure is no longer in the data.
    """
    net = Network(
        payload["theme"], tolerance=payload["tolerance"] if tolerance is None else tolerance
    )
    for q in payload["quantities"]:
        if q["id"] in net.quantities:  # a claim's Chinese original, added with the claim
            continue
        if q["kind"] == "claim":
            net.claim(q["id"])
        else:
            net.reference(
                _recorded_row(data.reference(), q),
                label=q["label"],
                same_publisher=q.get("same_publisher", ""),
            )
    for c in payload["constraints"]:
        if c["id"] in net.constraints:  # declared by the rules when the claim was taken
            continue
        left = from_json(c["left"], net.quantities)
        right = from_json(c["right"], net.quantities) if c["right"] is not None else None
        net._add(
            c["id"],
            left,
            right,
            c["relation"],
            c["says"],
            c["unit"],
            c["differs"],
            c["partial"],
            c["role"],
        )
    order = [c["id"] for c in payload["constraints"]]
    net.constraints = {
        cid: net.constraints[cid] for cid in [*order, *net.constraints] if cid in net.constraints
    }
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
        raise NetworkError(
            f"the recorded reference {recorded['id']} matches {len(found)} rows of the data, not "
            "one"
        )
    return found.iloc[0]


def describe(
    net: Network, constraint_id: str, overrides: Mapping[str, Interval] | None = None
) -> str:
    """One line on a constraint: its words, whether it holds, and what each side comes to."""
    c = net.constraints[constraint_id]
    ev = c.evaluate(net.values(overrides))
    if ev.status == "unknown":
        return f"{c.id}: cannot be evaluated ({ev.reason})"
    verb = STATUS_WORDS[ev.status]
    if c.relation == "whole":
        sides = units.fmt_interval(ev.left, c.unit)
    else:
        symbol = {"=": "vs", "<=": "≤", ">=": "≥"}[c.relation]
        sides = (
            f"{units.fmt_interval(ev.left, c.unit)} {symbol} {units.fmt_interval(ev.right, c.unit)}"
        )
    note = f" [not like for like: {c.difference_text()}]" if c.differs else ""
    return f"{c.id} {verb}: {c.says} — {sides}{note}"


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if hasattr(value, "item"):
        value = value.item()
    return int(value) if isinstance(value, float) and value.is_integer() else value
