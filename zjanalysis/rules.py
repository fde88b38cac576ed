"""The checks every claim gets from the registry, declared once: its domain and its original.

When a network takes a claim (``Network.claim``), two rules add constraints a notebook never
writes by hand:

- **The domain of its kind** (the registry's ``measure``): a share lies within 0–100 %, a count,
  an amount, an area, a speed, a time or a multiple is not negative, a growth rate is not below
  −100 %, a rank among the provinces lies within 1–31 (the mainland's provincial-level regions)
  and any other rank is at least 1; a fastest processing time is no slower than the (average)
  processing time the theme prints for the procedure. Breaking one is impossible whatever the
  sources say: the diagnosis
  blames the figure, and its verdict is `discrepancy`, with the reason.
- **The Chinese original** (``translation``): when the readable part of the Chinese release
  prints the figure, that figure becomes a quantity of the network, and the English figure must
  equal it. A failing translation check is a conflict like any other, so the diagnosis weighs
  the two texts with the other checks and can blame either; a holding one is no evidence that
  the figure is true (the release comes from the report's own publishers).

Neither kind of constraint can support a verdict: only a declared check (role "check") can.
"""

from __future__ import annotations

from typing import Any

from zjanalysis import figures, translation
from zjanalysis.figures import INF, Interval

# The domain of each kind of quantity, as an interval the figure must meet.
DOMAINS: dict[str, tuple[Interval, str]] = {
    "share": (Interval(0.0, 100.0), "a share lies within 0-100 %"),
    "count": (Interval(0.0, INF), "a count is not negative"),
    "amount": (Interval(0.0, INF), "an amount of money is not negative"),
    "area": (Interval(0.0, INF), "an area is not negative"),
    "speed": (Interval(0.0, INF), "a speed is not negative"),
    "processing time": (Interval(0.0, INF), "a time is not negative"),
    "fastest processing time": (Interval(0.0, INF), "a time is not negative"),
    "waiting time": (Interval(0.0, INF), "a time is not negative"),
    "multiple": (Interval(0.0, INF), "a multiple is not negative"),
    "growth": (Interval(-100.0, INF), "a growth rate is not below -100 %"),
    "rank among provinces": (
        Interval(1.0, 31.0),
        "a rank among China's 31 mainland provincial-level regions lies within 1-31",
    ),
    "rank among cities": (Interval(1.0, INF), "a rank is at least 1"),
}
# Minutes in each unit of time, at its shortest reading (a working day of eight hours), so that
# "no slower than" never fails because of how long a day is taken to be.
MINUTES = {"minutes": 1.0, "working days": 480.0}
ORIGINAL_SAYS = "the English figure is the figure the Chinese release prints"
SAME_PUBLISHER = (
    "is the report's own Chinese release: it shows what the report said, not whether it is true"
)


def declare(net: Any, claim: Any, row: Any, chinese: Any) -> None:
    """Add the rules' constraints for the claim quantity ``claim`` (its registry ``row``, its
    Chinese row or None) to ``net``: its domain, its original, and a fastest time's bound."""
    cid = claim.id
    measure = str(row["measure"])
    if measure in DOMAINS:
        allowed, why = DOMAINS[measure]
        net._add(f"{cid}_domain", claim, allowed, "=", why, claim.unit, {}, "", "domain")
    _times(net, claim, row)
    found = translation.compare(row, chinese, cid)
    claim.key["translation"] = {
        "value": found.value,
        "reason": found.reason,
        "chinese": found.printed,
    }
    if found.interval is None or found.value in ("not-in-original", "not-translated"):
        return
    original = net.witness(
        f"zh:{cid}",
        _stated(found, claim),
        claim.unit,
        str(chinese["source_id"]),
        label=f"Chinese release: {found.printed}",
        same_publisher=SAME_PUBLISHER,
        key={"zh_id": found.zh_id},
    )
    differs = (
        {
            "definition": f"the Chinese names a {chinese['measure']}, the English reads a "
            f"{row['measure']}"
        }
        if found.value == "scope-changed"
        else {}
    )
    net._add(
        f"{cid}_original",
        claim,
        original,
        "=",
        ORIGINAL_SAYS,
        claim.unit,
        differs,
        "",
        "translation",
    )


def _stated(found: translation.Translation, claim: Any) -> figures.Stated:
    """The Chinese figure as a Stated in the claim's unit: its text as printed, its range."""
    interval = found.interval
    value = interval.mid if interval.hi != INF else interval.lo
    return figures.Stated(
        found.printed, value, claim.unit, "exact" if interval.hi != INF else "more_than", interval
    )


def _times(net: Any, claim: Any, row: Any) -> None:
    """A fastest processing time and the processing time the theme prints for the procedure:
    the fastest is no slower, in minutes at the shortest reading of each unit."""
    mine = str(row["measure"])
    if mine not in ("fastest processing time", "processing time"):
        return
    other = "processing time" if mine == "fastest processing time" else "fastest processing time"
    for q in list(net.quantities.values()):
        if q.kind != "claim" or q.id == claim.id or q.key.get("measure") != other:
            continue
        if q.key.get("theme") != claim.key.get("theme"):
            continue
        fastest, average = (claim, q) if mine == "fastest processing time" else (q, claim)
        if fastest.unit not in MINUTES or average.unit not in MINUTES:
            continue
        net._add(
            f"{fastest.id}_no_slower",
            fastest * MINUTES[fastest.unit],
            average * MINUTES[average.unit],
            "<=",
            "the fastest time is no slower than the time the report prints for the procedure",
            "minutes",
            {},
            "",
            "domain",
        )
