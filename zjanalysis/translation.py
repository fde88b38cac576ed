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
| `unit-changed` | the kind of number changed (points became percent, a count a percentage) |
| `slip` | the digits differ beyond what rounding allows, in the same unit |
| `qualifier-dropped` | the Chinese "about" or "more than" (约, 超过, 以上, 余) is lost |
| `faithful` | the same figure, unit and meaning |

They are tried in that order: a figure whose scope changed is not also called a slip. Every unit,
Chinese or the registry's, is a kind of number (people, yuan, a count, percent, percentage points,
a rank ...) with a size; the English kind is the registry unit's, except that a figure the English
prints with a % sign is in percent whatever the registry reads it as. Within one kind, counting
units are converted (万 = 10 thousand, 亿 = 100 million, 个百分点 = percentage points, Gbps = 1,000
Mbps, 第四 = fourth), and both figures are compared as the ranges their rounding allows, so 4543.7万
(45.4365 to 45.4375 million) is a slip for 45.537 million, and 5547.7亿元 is 554.77 billion yuan.
A qualifier the English adds ("more than" where the Chinese prints a bare figure) is not flagged:
the English range still holds the Chinese figure, so the rule calls it faithful.

A Chinese row whose unit, qualifier word or figure the rule cannot read, or a claim whose unit is
not one of the registry's, raises ValueError naming it: the rule never guesses.

The Chinese release comes from the report's own publishers: it shows what the report said, not
whether that is true.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from zjanalysis import data, figures, units
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
    "not-translated": "only the Chinese release prints this figure; the English article leaves it "
    "out",
}
# Every unit, as the Chinese text prints it or as the registry holds it: (kind of number, the
# size of one unit in the kind's smallest unit). Two figures compare only within one kind, and the
# factor between two units of a kind is the ratio of their sizes (万人 -> million persons: 10^4 /
# 10^6 = 0.01).
CHINESE_UNITS: dict[str, tuple[str, Decimal]] = {
    "万人": ("persons", Decimal("1E4")),  # 10 thousand persons
    "亿元": ("yuan", Decimal("1E8")),  # 100 million yuan
    "%": ("percent", Decimal(1)),
    "个百分点": ("percentage points", Decimal(1)),
    "个": ("count", Decimal(1)),
    "家": ("count", Decimal(1)),
    "平方公里": ("area", Decimal(1)),
    "Mbps": ("rate", Decimal(1)),
    "Gbps": ("rate", Decimal(1000)),  # 1,000 Mbps
    "位": ("rank", Decimal(1)),
}
# The registry's units (data/claims.csv's enum), by kind and size. Subscribers and registered
# users are accounts, not persons: a Chinese unit for them (万户, 万用户) would be a kind of
# its own.
KINDS: dict[str, tuple[str, Decimal]] = {
    "million persons": ("persons", Decimal("1E6")),
    "million users": ("users", Decimal("1E6")),
    "million subscribers": ("subscribers", Decimal("1E6")),
    "billion yuan": ("yuan", Decimal("1E9")),
    "percent": ("percent", Decimal(1)),
    "percentage points": ("percentage points", Decimal(1)),
    "billion items": ("count", Decimal("1E9")),
    "million calls": ("count", Decimal("1E6")),
    **{
        unit: ("count", Decimal(1))
        for unit in (
            "items",
            "applications",
            "services",
            "enterprises",
            "patents",
            "base stations",
            "institutions",
            "laboratories",
        )
    },
    "index points": ("index points", Decimal(1)),
    "rank": ("rank", Decimal(1)),
    "times": ("multiple", Decimal(1)),
    "minutes": ("minutes", Decimal(1)),
    "working days": ("working days", Decimal(1)),
    "square kilometres": ("area", Decimal(1)),
    "Mbps": ("rate", Decimal(1)),
}
# The unit a Chinese figure is converted to when no claim names one.
DEFAULT_UNITS = {
    "persons": "million persons",
    "yuan": "billion yuan",
    "percent": "percent",
    "percentage points": "percentage points",
    "count": "items",
    "area": "square kilometres",
    "rate": "Mbps",
    "rank": "rank",
}
# How a reason names a kind of number.
_KIND_WORDS = {
    "percent": "in percent",
    "percentage points": "in percentage points",
    "rank": "as a rank",
    "count": "as a count",
    "persons": "as a number of people",
    "yuan": "as an amount of yuan",
    "area": "as an area",
    "rate": "as a rate",
}
QUALIFIER_WORDS = {
    "": "exact",
    "约": "about",
    "超过": "more_than",
    "余": "more_than",
    "以上": "at_least",
}
_NUMERALS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


@dataclass(frozen=True)
class Translation:
    """What the translation did to one claim's figure: ``value`` (one of VALUES), ``reason`` (one
    sentence), and the Chinese figure as the registry would hold it: ``printed`` (as the Chinese
    text prints it), ``converted`` (its number in the claim's unit, exact decimal text) and
    ``interval`` (the range it stands for, in the claim's unit). ``printed`` and ``converted`` are
    "" and ``interval`` None when the Chinese text does not print the figure; ``converted`` and
    ``interval`` are also empty when the claim's unit is of another kind (a count printed as a
    percentage), because no conversion exists."""

    claim_id: str
    value: str
    reason: str
    printed: str = ""
    interval: Interval | None = None
    zh_id: str = ""
    converted: str = ""


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
    module docstring for the order in which the values are tried.

    Raises ValueError, naming the row and what is allowed, when the Chinese row's unit, qualifier
    word or figure is not one the rule reads, or the claim's unit is not a unit of the registry.
    """
    if row is None:
        return Translation(
            claim_id,
            "not-in-original",
            "The part of the Chinese release that could be read does not print this figure.",
        )
    # Read the whole Chinese row first, so a row the rule cannot read fails whatever the claim.
    zh_kind, _ = _chinese_unit(row)
    _chinese_qualifier(row)
    converted(row)
    en_unit = str(claim["unit"])
    unit_kind = _claim_unit(en_unit)[0]
    printed = chinese_text(row)
    # A figure converts into the claim's unit only when both are of one kind.
    number = converted(row, en_unit) if unit_kind == zh_kind else ""
    interval = chinese_interval(row, claim)
    found = dict(printed=printed, interval=interval, zh_id=str(row["zh_id"]), converted=number)
    if claim["origin"] == "chinese-release":
        return Translation(
            claim_id,
            "not-translated",
            f"Only the Chinese release prints it ({printed}); the English article leaves it out.",
            **found,
        )
    english = str(claim["figure_text"])
    if row["measure"] != claim["measure"]:
        return Translation(
            claim_id,
            "scope-changed",
            f"The Chinese release names a {row['measure']} "
            f"({printed}); the English figure {english} is read as a {claim['measure']}.",
            **found,
        )
    # The English may print a % sign where the registry records what it means (points).
    en_kind = "percent" if english.rstrip().endswith("%") else unit_kind
    if zh_kind != en_kind:
        return Translation(
            claim_id,
            "unit-changed",
            f"The Chinese release prints {printed}, "
            f"{_KIND_WORDS.get(zh_kind, 'in ' + zh_kind)}; the English prints {english}, "
            f"{_KIND_WORDS.get(en_kind, 'in ' + en_kind)}.",
            **found,
        )
    stated = figures.from_claim_row(claim)
    if interval is not None and not interval.overlaps(stated.interval):
        return Translation(
            claim_id,
            "slip",
            f"The Chinese release prints {printed}, which is "
            f"{units.amount(number, en_unit)}; the English prints {english}.",
            **found,
        )
    zh_qualifier = _chinese_qualifier(row)
    if zh_qualifier != "exact" and claim["qualifier"] in ("exact", "rank", "multiple"):
        return Translation(
            claim_id,
            "qualifier-dropped",
            f"The Chinese release prints {printed} "
            f"({units.amount(number, en_unit, zh_qualifier)}); the "
            f"English prints {english} as if exact.",
            **found,
        )
    return Translation(
        claim_id, "faithful", f"The Chinese release prints the same figure: {printed}.", **found
    )


def chinese_text(row: Any) -> str:
    """The Chinese figure as printed, with its qualifier word and unit ("约587.7万人")."""
    word = str(row["qualifier_as_printed"] or "")
    figure, unit = str(row["figure_as_printed"]), str(row["unit_as_printed"])
    if unit == "位":
        return f"{figure}"
    if word in ("约", "超过"):
        return f"{word}{figure}{unit}"
    return f"{figure}{word}{unit}" if word == "余" else f"{figure}{unit}{word}"


def chinese_interval(row: Any, claim: Any) -> Interval | None:
    """The range the Chinese figure stands for, in the claim's unit (its ``unit``; without one, the
    kind's unit in ``DEFAULT_UNITS``): its rounding, or its qualifier's range, times the factor
    between the two units. None when the claim's unit is of another kind than the Chinese unit.
    Raises ValueError as ``compare`` does."""
    kind, _ = _chinese_unit(row)
    unit = data.row_value(claim, "unit") or DEFAULT_UNITS[kind]
    if _claim_unit(unit)[0] != kind:
        return None
    figure = str(row["figure_as_printed"])
    if kind == "rank":
        return Interval.point(float(chinese_rank(figure, row)))
    qualifier, factor = _chinese_qualifier(row), _factor(row, unit)
    try:
        return figures.stated(figure, qualifier=qualifier, scale=factor).interval
    except ValueError:
        raise ValueError(
            f"{_where(row)}: figure_as_printed {figure!r} is not a number; expected digits "
            "such as 4543.7, or a rank such as 第四 with unit 位"
        ) from None


def converted(row: Any, unit: str | None = None) -> str:
    """The Chinese figure's number in ``unit`` (default: its kind's unit in ``DEFAULT_UNITS``), as
    exact decimal text: "45.437" for 4543.7万人 in million persons, "554.77" for 5547.7亿元 in
    billion yuan, "4" for 第四. Raises ValueError as ``compare`` does, and when ``unit`` is of
    another kind."""
    kind, _ = _chinese_unit(row)
    unit = unit or DEFAULT_UNITS[kind]
    if _claim_unit(unit)[0] != kind:
        raise ValueError(
            f"{_where(row)}: a figure in {row['unit_as_printed']} ({kind}) cannot be "
            f"converted to {unit!r}"
        )
    figure = str(row["figure_as_printed"])
    if kind == "rank":
        return str(chinese_rank(figure, row))
    try:
        number = Decimal(figure.replace(",", ""))
    except InvalidOperation:
        raise ValueError(
            f"{_where(row)}: figure_as_printed {figure!r} is not a number; expected digits "
            "such as 4543.7"
        ) from None
    # No normalize(): the digits printed stay (99.0% is "99.0", not "99").
    return format(number * _factor(row, unit), "f")


def chinese_rank(figure: str, row: Any = None) -> int:
    """A rank as the Chinese prints it, 第 and a number: 第四 -> 4, 第十一 -> 11, 第二十 -> 20,
    第31 -> 31. Raises ValueError for anything else."""
    body = figure[1:] if figure.startswith("第") else ""
    rank = None
    if body.isascii() and body.isdigit():
        rank = int(body)
    elif body and set(body) <= set(_NUMERALS) | {"十"} and body.count("十") <= 1:
        tens, ten, ones = body.partition("十")
        if not ten and len(body) == 1:
            rank = _NUMERALS[body]
        elif ten and len(tens) <= 1 and len(ones) <= 1:
            rank = (_NUMERALS[tens] if tens else 1) * 10 + (_NUMERALS[ones] if ones else 0)
    if not rank:
        where = f"{_where(row)}: " if row is not None else ""
        raise ValueError(
            f"{where}{figure!r} is not a rank the rule reads; expected 第 and a number, "
            "such as 第四 or 第十一"
        )
    return rank


def _where(row: Any) -> str:
    return f"Chinese figure {data.row_value(row, 'zh_id') or '(no zh_id)'}"


def _chinese_unit(row: Any) -> tuple[str, Decimal]:
    unit = str(row["unit_as_printed"])
    if unit not in CHINESE_UNITS:
        raise ValueError(
            f"{_where(row)}: unit_as_printed {unit!r} is not a unit the rule converts; "
            f"allowed: {', '.join(CHINESE_UNITS)}"
        )
    return CHINESE_UNITS[unit]


def _claim_unit(unit: str) -> tuple[str, Decimal]:
    if unit not in KINDS:
        raise ValueError(
            f"the claim's unit {unit!r} is not a unit of the registry; allowed: {', '.join(KINDS)}"
        )
    return KINDS[unit]


def _chinese_qualifier(row: Any) -> str:
    word = str(row["qualifier_as_printed"] or "")
    if word not in QUALIFIER_WORDS:
        raise ValueError(
            f"{_where(row)}: qualifier_as_printed {word!r} is not a qualifier word the rule "
            f"reads; allowed: {', '.join(w for w in QUALIFIER_WORDS if w)}, or empty"
        )
    return QUALIFIER_WORDS[word]


def _factor(row: Any, unit: str) -> Decimal:
    """What one Chinese unit is in ``unit``: the ratio of their sizes (万人 -> million: 0.01)."""
    return _chinese_unit(row)[1] / _claim_unit(unit)[1]
