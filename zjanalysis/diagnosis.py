"""Which printed figure is wrong, and what it most likely read.

Model-based diagnosis in the sense of Reiter (1987) and de Kleer and Williams' GDE (1987): each
like-for-like check that fails is a *conflict*, the set of figures it involves; a candidate
explanation is a smallest set of figures that meets every conflict (a minimal hitting set). With
a few dozen figures per theme, enumerating sets of one and then two figures is enough.

A candidate is kept only if new values for its figures can make every check they enter hold at
once, the failing ones and those that hold today. For each figure the diagnosis then tries the
slips that really happen in print (``slips``, plus percent read as percentage points where a
check measures the figure against a base rate) and keeps those whose value makes every check
hold. Hypotheses are ranked:

1. fewest figures changed;
2. a slip that repairs two or more independent failing checks, and is the only slip of that
   figure that does, is **likely**; a slip that repairs only one is **possible** (some near
   value always repairs a single check); with no slip that fits, the figure differs for
   **another cause** (a revision, a different definition or date) and the hypothesis gives the
   range the checks require;
3. then the report's figures before reference figures (a source is blamed first only when
   that explains more), the simplest slip (``slips.CLASSES`` order), fewer other slips of the
   same figures that fit, and the reading nearest the middle of the range the checks allow.

Only checks between like-for-like figures enter: a difference from a figure of another scope or
date is not evidence that either is wrong.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from zjanalysis import figures, slips, units
from zjanalysis.expressions import EVERYTHING, intersect
from zjanalysis.figures import Interval
from zjanalysis.network import BLAMING_ROLES, Constraint, Network

STRENGTHS = ("likely", "possible", "another cause")
_PERCENT_BASES = {"points gap": "points", "relative gap": "relative"}
# More than this many pairs of figures is not a diagnosis a reader can use.
MAX_PAIRS = 400


@dataclass(frozen=True)
class Change:
    """One figure of a hypothesis: ``reading`` is the text it most likely read (None for another
    cause), ``interval`` that reading's range (or, for another cause, the range the checks
    require), ``slip`` the slip class and ``detail`` what changed."""

    quantity: str
    printed: str
    reading: str | None
    interval: Interval
    slip: str | None
    detail: str

    @property
    def is_slip(self) -> bool:
        return self.slip is not None


@dataclass(frozen=True)
class Hypothesis:
    """A set of figures whose change lets every like-for-like check hold."""

    changes: tuple[Change, ...]
    repairs: tuple[str, ...]
    strength: str
    alternatives: int = 0
    cost: int = 0
    distance: float = 0.0

    @property
    def figures(self) -> tuple[str, ...]:
        return tuple(c.quantity for c in self.changes)

    def tier(self) -> tuple[int, bool]:
        """Hypotheses of one tier explain the evidence equally well: as few figures, and a slip
        that is likely, or not."""
        return len(self.changes), self.strength != "likely"


@dataclass
class Diagnosis:
    """The failing checks, the conflicts they make, and the ranked hypotheses (best first).

    ``implicated`` holds the figures of every hypothesis in the first tier; ``weakening`` the
    checks that fail between figures that are not like for like (no figure is blamed for them).
    """

    violated: list[str] = field(default_factory=list)
    weakening: list[str] = field(default_factory=list)
    conflicts: list[frozenset] = field(default_factory=list)
    hypotheses: list[Hypothesis] = field(default_factory=list)

    @property
    def implicated(self) -> set[str]:
        if not self.hypotheses:
            return set()
        top = self.hypotheses[0].tier()
        return {q for h in self.hypotheses if h.tier() == top for q in h.figures}

    @property
    def leading(self) -> Hypothesis | None:
        """The hypothesis the verdicts adopt: the first, when no other shares its tier and its
        figures; otherwise None (the evidence cannot choose)."""
        if not self.hypotheses:
            return None
        first = self.hypotheses[0]
        rivals = [h for h in self.hypotheses[1:] if h.tier() == first.tier()]
        return first if not rivals else None

    def best_for(self, quantity: str) -> Hypothesis | None:
        """The best-ranked hypothesis that changes ``quantity``."""
        return next((h for h in self.hypotheses if quantity in h.figures), None)


def blamable(net: Network) -> list[Constraint]:
    """The constraints that can blame a figure: like-for-like checks, translation checks and
    domains (``network.BLAMING_ROLES``)."""
    return [c for c in net.constraints.values() if c.role in BLAMING_ROLES and c.comparable]


def diagnose(net: Network) -> Diagnosis:
    """Diagnose ``net`` with its printed figures; returns the Diagnosis (no hypotheses when every
    like-for-like check holds, or when no change of one or two figures explains the failures)."""
    values = net.values()
    checks_ = blamable(net)
    status = {c.id: c.evaluate(values) for c in net.constraints.values()}
    violated = [c for c in checks_ if status[c.id].violated]
    weakening = [
        c.id
        for c in net.constraints.values()
        if c.role == "check" and not c.comparable and status[c.id].violated
    ]
    result = Diagnosis([c.id for c in violated], weakening, [frozenset(c.inputs) for c in violated])
    if not violated:
        return result
    found: list[Hypothesis] = []
    for figures_ in _hitting_sets(result.conflicts):
        found.extend(_hypotheses(net, figures_, checks_, violated, values))
    found.sort(key=lambda h: _rank_key(net, h))
    result.hypotheses = found
    return result


def _hitting_sets(conflicts: list[frozenset]) -> list[frozenset]:
    """The minimal sets of one or two figures that meet every conflict, smallest first."""
    elements = sorted(set().union(*conflicts))
    singles = [frozenset([q]) for q in elements if all(q in c for c in conflicts)]
    single = {next(iter(s)) for s in singles}
    pairs = []
    for a, b in itertools.combinations([q for q in elements if q not in single], 2):
        if all(a in c or b in c for c in conflicts):
            pairs.append(frozenset([a, b]))
        if len(pairs) > MAX_PAIRS:
            break
    return singles + pairs


def _hypotheses(
    net: Network,
    figures_: frozenset,
    checks_: list[Constraint],
    violated: list[Constraint],
    values: Mapping[str, Interval],
) -> list[Hypothesis]:
    touching = [c for c in checks_ if set(c.inputs) & figures_]
    ranges: dict[str, Interval] = {}
    for q in figures_:
        allowed: Interval | None = EVERYTHING
        for c in touching:
            if set(c.inputs) & figures_ == {q}:
                allowed = intersect(allowed, c.feasible(q, values))
        if allowed is None:
            return []  # no value of this figure satisfies the checks it alone enters
        ranges[q] = allowed
    options: dict[str, list[Change]] = {}
    for q in sorted(figures_):
        quantity = net.quantities[q]
        fitting = [
            ch for ch in readings(net, q) if ch.interval.widen(net.tolerance).overlaps(ranges[q])
        ]
        options[q] = fitting or [Change(q, quantity.printed, None, ranges[q], None, "")]

    def consistent(combo: tuple[Change, ...]) -> bool:
        trial = dict(values)
        for change in combo:
            q = change.quantity
            trial[q] = change.interval.widen(net.tolerance) if change.is_slip else ranges[q]
        return all(c.evaluate(trial).status != "violated" for c in touching)

    kept = [
        combo
        for combo in itertools.product(*(options[q] for q in sorted(figures_)))
        if consistent(combo)
    ]
    if not kept:
        free = tuple(
            Change(q, net.quantities[q].printed, None, ranges[q], None, "")
            for q in sorted(figures_)
        )
        kept = [free] if consistent(free) else []
    hypotheses = []
    for combo in kept:
        repaired = tuple(c.id for c in violated)
        alternatives = sum(
            len({k[i].reading for k in kept if k[i].is_slip}) - 1
            for i, change in enumerate(combo)
            if change.is_slip
        )
        strength = _strength(combo, violated, alternatives)
        cost = sum(slips.COST[ch.slip] for ch in combo if ch.is_slip)
        distance = sum(_off_centre(ch.interval, ranges[ch.quantity]) for ch in combo if ch.is_slip)
        hypotheses.append(
            Hypothesis(combo, repaired, strength, max(alternatives, 0), cost, distance)
        )
    return hypotheses


def _off_centre(reading: Interval, allowed: Interval) -> float:
    """How far a reading sits from the middle of the range the checks allow, relative to it."""
    if any(map(math.isinf, (allowed.lo, allowed.hi, reading.lo, reading.hi))):
        return 0.0
    centre = allowed.mid
    return abs(reading.mid - centre) / (abs(centre) or 1.0)


def _strength(combo: tuple[Change, ...], violated: list[Constraint], alternatives: int) -> str:
    if not all(ch.is_slip for ch in combo):
        return "another cause"
    for change in combo:
        independent = {frozenset(c.inputs) for c in violated if change.quantity in c.inputs}
        if len(independent) < 2:
            return "possible"
    return "likely" if alternatives == 0 else "possible"


def _rank_key(net: Network, h: Hypothesis) -> tuple:
    references = sum(net.quantities[q].kind == "reference" for q in h.figures)
    return (
        len(h.changes),
        h.strength != "likely",
        STRENGTHS.index(h.strength),
        references,
        h.cost,
        h.alternatives,
        round(h.distance, 12),
        h.figures,
        tuple(c.reading or "" for c in h.changes),
    )


def readings(net: Network, qid: str) -> list[Change]:
    """Every value ``qid`` may have read before one slip, as Changes (slips.readings, plus percent
    read as points where a check measures the figure against a base rate)."""
    quantity = net.quantities[qid]
    changes = []
    for slip in quantity.readings():
        try:
            reading = quantity.reprinted(slip.text)
        except ValueError:
            continue
        changes.append(
            Change(qid, quantity.printed, slip.text, reading.interval, slip.kind, slip.detail)
        )
    for base, kind in percent_bases(net, qid):
        printed = quantity.stated.interval
        original = printed * base / 100 if kind == "points" else printed / base * 100
        text = units.fmt_interval(original, quantity.unit)
        detail = (
            "printed as percent of the base rate where points were meant"
            if kind == "points"
            else "printed in points where percent of the base rate was meant"
        )
        changes.append(Change(qid, quantity.printed, text, original, "percent_points", detail))
    return changes


def percent_bases(net: Network, qid: str) -> list[tuple[Interval, str]]:
    """(base rate, "points" | "relative") for each check that sets ``qid`` equal to a gap between
    two rates: the base a percent-for-points slip of the figure would use."""
    found = []
    values = net.values()
    for c in net.constraints.values():
        if c.relation != "=" or c.right is None or c.role != "check":
            continue
        for side, other in ((c.left, c.right), (c.right, c.left)):
            if (
                side.quantity_ids() == [qid]
                and getattr(side, "id", None) == qid
                and other.name in _PERCENT_BASES
            ):
                base = other.parts["base"]
                interval = (
                    base.evaluate(values)
                    if figures.is_expression(base)
                    else figures.as_interval(base)
                )
                found.append((interval, _PERCENT_BASES[other.name]))
    return found


def to_json(net: Network, found: Diagnosis, limit: int = 8) -> dict:
    """The diagnosis as plain data for the run record: the failing like-for-like checks
    (``violated``), the failing checks that are not like for like (``weakening``), the figures of
    the first tier (``implicated``) and the first ``limit`` hypotheses, each with its strength,
    the checks it repairs, one sentence, and every change (figure, as printed and as read, the
    slip or the range the checks require)."""
    hypotheses = []
    for rank, h in enumerate(found.hypotheses[:limit], start=1):
        changes = []
        for c in h.changes:
            q = net.quantities[c.quantity]
            changes.append(
                {
                    "quantity": c.quantity,
                    "figure": q.label if q.kind == "reference" else q.id,
                    "printed": c.printed,
                    "reading": c.reading,
                    "slip": c.slip,
                    "detail": c.detail,
                    "range": c.interval.to_json(),
                    "shown": q.shown(),
                    "read": (
                        q.shown(c.reading)
                        if c.is_slip
                        else f"{units.fmt_interval(c.interval, q.unit)} (no slip fits)"
                    ),
                    "how": f"{slips.NAMES[c.slip]} ({c.detail})" if c.is_slip else "another cause",
                }
            )
        hypotheses.append(
            {
                "rank": rank,
                "strength": h.strength,
                "repairs": list(h.repairs),
                "changes": changes,
                "sentence": sentence(net, h),
            }
        )
    return {
        "violated": list(found.violated),
        "weakening": list(found.weakening),
        "implicated": sorted(found.implicated),
        "hypotheses": hypotheses,
    }


def table(record_diagnosis: dict) -> list[dict]:
    """The ranked hypotheses of a recorded diagnosis (``to_json``) as rows for a reader: rank,
    figures changed, each figure as printed and its likely reading (or the range the checks
    require), the slip, strength and the checks repaired."""
    return [
        {
            "rank": h["rank"],
            "figures changed": len(h["changes"]),
            "figure": c["figure"],
            "printed": c["shown"],
            "likely read": c["read"],
            "slip": c["how"],
            "strength": h["strength"],
            "repairs": ", ".join(h["repairs"]),
        }
        for h in record_diagnosis["hypotheses"]
        for c in h["changes"]
    ]


def summary(net: Network, found: Diagnosis | None = None) -> str:
    """The diagnosis in one sentence: the first-ranked hypothesis, or why there is none."""
    found = diagnose(net) if found is None else found
    if not found.violated:
        return "Every like-for-like check holds: no printed figure is blamed."
    if not found.hypotheses:
        return (
            "No change of one or two figures makes every failing check hold: "
            + ", ".join(found.violated)
            + "."
        )
    return sentence(net, found.hypotheses[0])


def sentence(net: Network, h: Hypothesis) -> str:
    """The hypothesis in one sentence a reader understands."""
    parts = []
    for change in h.changes:
        q = net.quantities[change.quantity]
        who = f"the source's {q.label}" if q.kind == "reference" else change.quantity
        if change.is_slip:
            parts.append(
                f"{who}, printed {q.shown()}, read {q.shown(change.reading)} "
                f"({slips.NAMES[change.slip]}: {change.detail})"
            )
        else:
            parts.append(
                f"{who} differs from its printed {q.shown()} for another cause (the checks need "
                f"{units.fmt_interval(change.interval, q.unit)})"
            )
    checks_ = ", ".join(h.repairs)
    lead = {"likely": "likely", "possible": "possible", "another cause": "no slip fits"}[h.strength]
    return f"{'; '.join(parts)}: that makes {checks_} hold ({lead})"
