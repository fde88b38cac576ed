"""The translation check: what became of each figure between the Chinese release and the English.

The English article translates a Chinese release; `data/chinese_release.csv` holds each figure the
readable part of that release prints, with its unit and qualifier word as printed and the kind of
quantity it names. One rule, declared here once, compares a claim's English figure with its
Chinese one and names what the translation did:

| value | when |
| --- | --- |
| `not-in-original` | the part of the Chinese text that could be read does not print the figure |
| `not-translated` | only the Chinese release prints the figure; the English article leaves it out |
| `scope-changed` | they name different kinds of quantity (a rate of contribution became a share) |
| `unit-changed` | the same digits, but the unit or kind of number changed (points became percent) |
| `slip` | the digits differ beyond what rounding allows, in the same unit |
| `qualifier-dropped` | the Chinese "about" or "more than" (约, 超过, 以上, 余) is lost |
| `faithful` | the same figure, unit and meaning |

They are tried in that order: a figure whose scope changed is not also called a slip. Counting
units are converted first (万 = 10 thousand, 亿 = 100 million, 个百分点 = percentage points,
Gbps = 1,000 Mbps), and both figures are compared as the ranges their rounding allows, so 4543.7万
(45.4365 to 45.4375 million) is a slip for 45.537 million, and 5547.7亿元 is 554.77 billion yuan.

The Chinese release comes from the report's own publishers: it shows what the report said, not
whether that is true.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from zjanalysis import figures, units
from zjanalysis.figures import Interval

VALUES = (
    "faithful",
    "slip",
    "unit-changed",
    "scope-changed",
    "qualifier-dropped",
    "not-in-original",
    "not-translated",
)
MEANINGS = {
    "faithful": "the English prints the same figure, in the same unit and meaning, as the "
    "Chinese release",
    "slip": "the digits differ between the two texts beyond what rounding allows",
    "unit-changed": "the unit or kind of number changed in translation (percentage points "
    "printed as percent)",
    "scope-changed": "the English names another quantity than the Chinese (a rate of "
    "contribution became a share)",
    "qualifier-dropped": "the Chinese says 'about' or 'more than'; the English drops the word",
    "not-in-original": "the part of the Chinese release that could be read does not print this "
    "figure",
    "not-translated": "only the Chinese release prints this figure; the English article leaves "
    "it out",
}
# What a unit printed in Chinese is in the registry's units: (kind of number, factor to it).
CHINESE_UNITS: dict[str, tuple[str, Decimal]] = {
    "万人": ("persons", Decimal("0.01")),  # 10 thousand persons -> million persons
    "亿元": ("yuan", Decimal("0.1")),  # 100 million yuan -> billion yuan
    "%": ("percent", Decimal(1)),
    "个百分点": ("percentage points", Decimal(1)),
    "个": ("count", Decimal(1)),
    "家": ("count", Decimal(1)),
    "平方公里": ("area", Decimal(1)),
    "Mbps": ("rate", Decimal(1)),
    "Gbps": ("rate", Decimal(1000)),  # -> Mbps
    "位": ("rank", Decimal(1)),
}
# The registry's units, by the kind of number they are.
KINDS = {
    "million persons": "persons",
    "billion yuan": "yuan",
    "percent": "percent",
    "percentage points": "percentage points",
    "base stations": "count",
    "institutions": "count",
    "laboratories": "count",
    "square kilometres": "area",
    "Mbps": "rate",
    "rank": "rank",
}
QUALIFIER_WORDS = {"约": "about", "超过": "more_than", "余": "more_than", "以上": "at_least"}
_CHINESE_RANKS = {"第一": 1, "第二": 2, "第三": 3, "第四": 4, "第五": 5}


@dataclass(frozen=True)
class Translation:
    """What the translation did to one claim's figure: ``value`` (one of VALUES), ``reason`` (one
    sentence), and the Chinese figure as the registry would hold it (``printed``, ``interval`` in
    the claim's unit), or "" and None when the Chinese text does not print it."""

    claim_id: str
    value: str
    reason: str
    printed: str = ""
    interval: Interval | None = None
    zh_id: str = ""


def check(claim_id: str) -> Translation:
    """The translation check of one registry claim, from data/claims.csv and
    data/chinese_release.csv. Raises KeyError for a claim id not in the registry."""
    from zjanalysis import data

    claim = data.claim(claim_id)
    table = data.chinese_release()
    row = table.loc[claim_id] if claim_id in table.index else None
    return compare(claim, row, claim_id)


def compare(claim: Any, row: Any, claim_id: str = "") -> Translation:
    """The rule itself, on a registry row and its Chinese row (None when there is none); see the
    module docstring for the order in which the values are tried."""
    if row is None:
        return Translation(
            claim_id,
            "not-in-original",
            "The part of the Chinese release that could be read does not print this figure.",
        )
    printed = chinese_text(row)
    interval = chinese_interval(row, claim)
    if claim["origin"] == "chinese-release":
        return Translation(
            claim_id,
            "not-translated",
            f"Only the Chinese release prints it ({printed}); the English article leaves it out.",
            printed,
            interval,
            row["zh_id"],
        )
    english = str(claim["figure_text"])
    if row["measure"] != claim["measure"]:
        return Translation(
            claim_id,
            "scope-changed",
            f"The Chinese release names a {row['measure']} "
            f"({printed}); the English figure {english} is read as a {claim['measure']}.",
            printed,
            interval,
            row["zh_id"],
        )
    zh_kind = CHINESE_UNITS[row["unit_as_printed"]][0]
    en_kind = (
        "percent"
        if english.rstrip().endswith("%")
        else KINDS.get(str(claim["unit"]), str(claim["unit"]))
    )
    if zh_kind != en_kind and {zh_kind, en_kind} <= {"percent", "percentage points"}:
        return Translation(
            claim_id,
            "unit-changed",
            f"The Chinese release prints {printed}, in "
            f"{zh_kind}; the English prints {english}, in {en_kind}.",
            printed,
            interval,
            row["zh_id"],
        )
    stated = figures.from_claim_row(claim)
    if interval is not None and not interval.overlaps(stated.interval):
        return Translation(
            claim_id,
            "slip",
            f"The Chinese release prints {printed}, which is "
            f"{units.amount(converted(row), claim['unit'])}; the English prints {english}.",
            printed,
            interval,
            row["zh_id"],
        )
    zh_qualifier = QUALIFIER_WORDS.get(row["qualifier_as_printed"], "exact")
    if zh_qualifier != "exact" and claim["qualifier"] in ("exact", "rank", "multiple"):
        return Translation(
            claim_id,
            "qualifier-dropped",
            f"The Chinese release prints {printed} "
            f"({units.amount(converted(row), claim['unit'], zh_qualifier)}); the "
            f"English prints {english} as if exact.",
            printed,
            interval,
            row["zh_id"],
        )
    return Translation(
        claim_id,
        "faithful",
        f"The Chinese release prints the same figure: {printed}.",
        printed,
        interval,
        row["zh_id"],
    )


def chinese_text(row: Any) -> str:
    """The Chinese figure as printed, with its qualifier word and unit ("约587.7万人")."""
    word = row["qualifier_as_printed"] or ""
    figure, unit = str(row["figure_as_printed"]), str(row["unit_as_printed"])
    if unit == "位":
        return f"{figure}"
    if word in ("约", "超过"):
        return f"{word}{figure}{unit}"
    return f"{figure}{word}{unit}" if word == "余" else f"{figure}{unit}{word}"


def chinese_interval(row: Any, claim: Any) -> Interval | None:
    """The range the Chinese figure stands for, in the claim's unit: its rounding (or its
    qualifier's range) times the unit's factor. None when the units cannot be compared."""
    kind, factor = CHINESE_UNITS[row["unit_as_printed"]]
    figure = str(row["figure_as_printed"])
    if kind == "rank":
        rank = _CHINESE_RANKS.get(figure)
        return Interval.point(float(rank)) if rank is not None else None
    qualifier = QUALIFIER_WORDS.get(row["qualifier_as_printed"], "exact")
    return figures.stated(figure, qualifier=qualifier, scale=factor).interval


def converted(row: Any) -> str:
    """The Chinese figure's number in the registry's unit, as exact decimal text ("45.437" for
    4543.7 in units of 10 thousand persons, "554.77" for 5547.7 in units of 100 million yuan)."""
    kind, factor = CHINESE_UNITS[row["unit_as_printed"]]
    figure = str(row["figure_as_printed"])
    if kind == "rank":
        return str(_CHINESE_RANKS.get(figure, figure))
    return format((Decimal(figure.replace(",", "")) * factor).normalize(), "f")
