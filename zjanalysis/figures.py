"""Stated figures as intervals, and the arithmetic on them.

A printed figure is rounded: ``45.537 million`` stands for anything in [45.5365, 45.5375]
million. Every quantity derived from printed figures (a base year, a growth rate, a gap, a
share) is computed on intervals here, so a check never depends on a hand-picked tolerance.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Union

INF = math.inf
QUALIFIERS = ("exact", "more_than", "about", "rank", "multiple")


@dataclass(frozen=True)
class Interval:
    """A closed, open or half-open range of real numbers; ends may be infinite."""

    lo: float
    hi: float
    lo_open: bool = False
    hi_open: bool = False

    def __post_init__(self) -> None:
        if math.isnan(self.lo) or math.isnan(self.hi):
            raise ValueError("an interval's ends must be numbers, not NaN")
        if self.lo > self.hi:
            raise ValueError(f"an interval's lower end ({self.lo}) must not exceed its upper end ({self.hi})")

    @classmethod
    def point(cls, x: float) -> "Interval":
        return cls(float(x), float(x))

    @property
    def mid(self) -> float:
        """The midpoint (the lower end for an interval unbounded above)."""
        if math.isinf(self.hi) or math.isinf(self.lo):
            return self.lo if not math.isinf(self.lo) else self.hi
        return (self.lo + self.hi) / 2

    @property
    def width(self) -> float:
        return self.hi - self.lo

    def contains(self, x: float) -> bool:
        above = x > self.lo if self.lo_open else x >= self.lo
        below = x < self.hi if self.hi_open else x <= self.hi
        return above and below

    def overlaps(self, other: "Interval | float") -> bool:
        """True when the two intervals share at least one number."""
        other = as_interval(other)
        if self.hi < other.lo or other.hi < self.lo:
            return False
        if self.hi == other.lo:
            return not (self.hi_open or other.lo_open)
        if other.hi == self.lo:
            return not (other.hi_open or self.lo_open)
        return True

    def widen(self, rel: float) -> "Interval":
        """Each end moved outwards by ``rel`` times its own magnitude (``rel`` >= 0)."""
        if rel < 0:
            raise ValueError(f"widen() takes a relative slack of 0 or more; got {rel}")
        return Interval(self.lo - rel * abs(self.lo), self.hi + rel * abs(self.hi), self.lo_open, self.hi_open)

    def distance(self, other: "Interval | float") -> float:
        """The gap between two intervals (0 when they overlap)."""
        other = as_interval(other)
        if self.overlaps(other):
            return 0.0
        return other.lo - self.hi if other.lo >= self.hi else self.lo - other.hi

    # Arithmetic: evaluate at the end points; an open end stays open when it produced the bound.
    def _combine(self, other: "Interval", op) -> "Interval":
        ends = [
            (op(a, b), ao or bo)
            for a, ao in ((self.lo, self.lo_open), (self.hi, self.hi_open))
            for b, bo in ((other.lo, other.lo_open), (other.hi, other.hi_open))
        ]
        ends = [(0.0 if math.isnan(v) else v, o) for v, o in ends]
        lo = min(v for v, _ in ends)
        hi = max(v for v, _ in ends)
        return Interval(lo, hi, all(o for v, o in ends if v == lo), all(o for v, o in ends if v == hi))

    def __add__(self, other):
        other = as_interval(other)
        return Interval(self.lo + other.lo, self.hi + other.hi, self.lo_open or other.lo_open, self.hi_open or other.hi_open)

    __radd__ = __add__

    def __neg__(self):
        return Interval(-self.hi, -self.lo, self.hi_open, self.lo_open)

    def __sub__(self, other):
        return self + (-as_interval(other))

    def __rsub__(self, other):
        return as_interval(other) - self

    def __mul__(self, other):
        return self._combine(as_interval(other), lambda a, b: a * b)

    __rmul__ = __mul__

    def __truediv__(self, other):
        other = as_interval(other)
        if other.contains(0) or (other.lo == 0 and other.hi == 0):
            raise ValueError(f"cannot divide by the interval {other}: it contains zero")
        return self._combine(other, lambda a, b: a / b)

    def __rtruediv__(self, other):
        return as_interval(other) / self

    def __str__(self) -> str:
        left = "(" if self.lo_open or math.isinf(self.lo) else "["
        right = ")" if self.hi_open or math.isinf(self.hi) else "]"
        return f"{left}{_num(self.lo)}, {_num(self.hi)}{right}"


def _num(x: float) -> str:
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    return f"{x:,.6g}" if abs(x) >= 1e6 else f"{round(x, 6):,.10g}"


Number = Union[int, float]


def as_interval(x: "Interval | Stated | Number") -> Interval:
    """An Interval for an Interval, a Stated figure (its interval) or a plain number (a point)."""
    if isinstance(x, Interval):
        return x
    if isinstance(x, Stated):
        return x.interval
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise TypeError(f"expected an Interval, a Stated figure or a number; got {x!r}")
    return Interval.point(float(x))


_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


def rounding_interval(printed: str) -> Interval:
    """Half a unit in the last printed place either side: "79.2%" -> [79.15, 79.25].

    Raises ValueError when ``printed`` holds no number.
    """
    match = _NUMBER.search(str(printed))
    if not match:
        raise ValueError(f"no number in the printed figure {printed!r}")
    digits = match.group().replace(",", "")
    value = Decimal(digits)
    half = Decimal(1).scaleb(value.as_tuple().exponent) / 2
    return Interval(float(value - half), float(value + half))


def _about_interval(printed: str) -> Interval:
    value = Decimal(printed.replace(",", ""))
    sign, digits, exponent = value.normalize().as_tuple()
    half = Decimal(1).scaleb(exponent) / 2 if digits != (0,) else Decimal("0.5")
    return Interval(float(value - half), float(value + half))


@dataclass(frozen=True)
class Stated:
    """A figure as printed, with the interval it stands for."""

    text: str
    value: float
    unit: str
    qualifier: str
    interval: Interval

    def __str__(self) -> str:
        return self.text


_RANKS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5}


def stated(text: str, *, qualifier: str = "exact", unit: str = "", scale: float = 1.0) -> Stated:
    """Read a printed figure ("45.537 million", "79.2%", "more than 500", "third").

    qualifier: exact -> the rounding interval; more_than -> (x, ∞); about -> half a unit of the
    last non-zero digit either side (trailing zeros of a round number are not precision:
    "about 60" -> [55, 65], "about 1700" -> [1650, 1750], "about 1702" -> [1701.5, 1702.5]);
    rank -> the rank itself; multiple -> the rounding interval of the multiple.
    ``scale`` multiplies the printed number into the caller's unit (e.g. 0.1 for 亿 -> billion).
    Raises ValueError for an unknown qualifier or a text without a number or rank word.
    """
    if qualifier not in QUALIFIERS:
        raise ValueError(f"qualifier {qualifier!r} is not one of {', '.join(QUALIFIERS)}")
    word = str(text).strip().lower()
    if qualifier == "rank" or word in _RANKS:
        rank = _RANKS.get(word)
        if rank is None:
            match = _NUMBER.search(word)
            if not match:
                raise ValueError(f"no rank in the printed figure {text!r}")
            rank = int(match.group())
        return Stated(str(text), float(rank), unit or "rank", "rank", Interval.point(rank))
    match = _NUMBER.search(str(text))
    if not match:
        raise ValueError(f"no number in the printed figure {text!r}")
    value = float(match.group().replace(",", ""))
    if qualifier == "more_than":
        interval = Interval(value, INF, lo_open=True)
    elif qualifier == "about":
        interval = _about_interval(match.group())
    else:
        interval = rounding_interval(match.group())
    if scale != 1.0:
        interval = interval * scale
    return Stated(str(text), value * scale, unit, qualifier, interval)


def from_claim(claim_id: str) -> Stated:
    """The registry's figure for ``claim_id`` (data/claims.csv) as a Stated figure.

    The printed number is scaled to the registry's unit when the two differ (e.g. a figure
    printed as "11.4 billion" recorded as 11.4 billion items needs no scaling).
    Raises KeyError for an unknown claim id.
    """
    from zjanalysis import data

    row = data.claim(claim_id)
    printed = _NUMBER.search(str(row["figure_text"]))
    scale = 1.0
    if printed and row["qualifier"] != "rank":
        printed_value = float(printed.group().replace(",", ""))
        if printed_value:
            scale = float(row["value"]) / printed_value
    return stated(row["figure_text"], qualifier=row["qualifier"], unit=row["unit"], scale=scale)


def from_reference(row) -> Stated:
    """A reference row (from data.reference / data.lookup) as a Stated figure in its canonical unit."""
    printed = str(row["value_as_printed"])
    match = _NUMBER.search(printed)
    printed_value = float(match.group().replace(",", "")) if match else float("nan")
    scale = float(row["value"]) / printed_value if printed_value else 1.0
    qualifier = str(row.get("qualifier", "exact"))
    if qualifier == "at_most":
        return Stated(printed, printed_value * scale, row["unit"], qualifier,
                      Interval(-INF, printed_value * scale))
    if qualifier not in QUALIFIERS:
        qualifier = "exact"
    return stated(printed, qualifier=qualifier, unit=row["unit"], scale=scale)


# Derived quantities. Each takes Interval | Stated | number and returns an Interval.

def growth(prev, cur) -> Interval:
    """Growth from ``prev`` to ``cur`` in percent: (cur / prev − 1) × 100."""
    return (as_interval(cur) / as_interval(prev) - 1) * 100


def implied_base(cur, growth_pct) -> Interval:
    """The earlier level implied by a level and its growth rate: cur / (1 + g/100)."""
    return as_interval(cur) / (1 + as_interval(growth_pct) / 100)


def cagr(start, end, years: float) -> Interval:
    """Compound annual growth in percent per year: ((end / start)^(1/years) − 1) × 100."""
    if years <= 0:
        raise ValueError(f"cagr() needs a positive number of years; got {years}")
    ratio_ = as_interval(end) / as_interval(start)
    if ratio_.lo < 0:
        raise ValueError("cagr() needs start and end of the same sign")
    return Interval((ratio_.lo ** (1 / years) - 1) * 100, (ratio_.hi ** (1 / years) - 1) * 100,
                    ratio_.lo_open, ratio_.hi_open)


def points_gap(a_pct, b_pct) -> Interval:
    """The difference of two percentages in percentage points: a − b."""
    return as_interval(a_pct) - as_interval(b_pct)


def relative_gap(a, b) -> Interval:
    """How much larger ``a`` is than ``b``, in percent of ``b``: (a / b − 1) × 100."""
    return growth(b, a)


def share_of(part, total) -> Interval:
    """``part`` as a percentage of ``total``: part / total × 100."""
    return as_interval(part) / as_interval(total) * 100


def ratio(a, b) -> Interval:
    """a / b."""
    return as_interval(a) / as_interval(b)


def contribution_to_growth(part_prev, part_cur, total_prev, total_cur) -> Interval:
    """The part's share of the total's growth, in percent: (Δpart / Δtotal) × 100."""
    return (as_interval(part_cur) - as_interval(part_prev)) / (as_interval(total_cur) - as_interval(total_prev)) * 100


def implied_denominator(count, rate_pct) -> Interval:
    """The population behind a rate: count / (rate / 100)."""
    return as_interval(count) / (as_interval(rate_pct) / 100)
