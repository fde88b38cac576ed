"""Stated figures as intervals, and the arithmetic on them.

A printed figure is rounded: ``45.537 million`` stands for anything in [45.5365, 45.5375]
million. Every quantity derived from printed figures (a base year, a growth rate, a gap, a
share) is computed on intervals here, so a check never depends on a hand-picked tolerance.

Each derived quantity below uses every input once, so evaluating it end point by end point
gives its exact range over the input intervals (no dependency widening).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from zjanalysis import data

INF = math.inf
QUALIFIERS = ("exact", "more_than", "at_least", "about", "rank", "multiple")
# Reference tables may also bound a figure from above ("no more than 9 minutes").
REFERENCE_QUALIFIERS = QUALIFIERS + ("at_most",)


@dataclass(frozen=True)
class Interval:
    """A closed, open or half-open range of real numbers; ends may be infinite.

    Raises ValueError when an end is NaN, when ``lo`` exceeds ``hi``, or when the range is empty
    (equal ends with an open side).
    """

    lo: float
    hi: float
    lo_open: bool = False
    hi_open: bool = False

    def __post_init__(self) -> None:
        for name in ("lo", "hi"):
            end = getattr(self, name)
            if isinstance(end, bool) or not isinstance(end, (int, float)):
                raise TypeError(f"an interval's {name} end must be a number; got {end!r}")
        if math.isnan(self.lo) or math.isnan(self.hi):
            raise ValueError(
                f"an interval's ends must be numbers, not NaN; got lo={self.lo}, hi={self.hi}"
            )
        if self.lo > self.hi:
            raise ValueError(
                f"an interval's lower end ({self.lo}) must not exceed its upper end ({self.hi})"
            )
        if self.lo == self.hi and (self.lo_open or self.hi_open):
            raise ValueError(
                f"an interval with equal ends ({self.lo}) must be closed on both sides; "
                "an open side would leave it empty"
            )

    @classmethod
    def point(cls, x: float) -> Interval:
        """The interval holding the single number ``x``."""
        return cls(float(x), float(x))

    @property
    def mid(self) -> float:
        """The midpoint; for a half-unbounded interval its finite end, for (−∞, ∞) zero."""
        if math.isinf(self.lo) and math.isinf(self.hi):
            return 0.0
        if math.isinf(self.hi) or math.isinf(self.lo):
            return self.lo if not math.isinf(self.lo) else self.hi
        return (self.lo + self.hi) / 2

    @property
    def width(self) -> float:
        """hi − lo (infinite for an unbounded interval)."""
        return self.hi - self.lo

    def contains(self, x: float) -> bool:
        """True when ``x`` lies in the interval, respecting open ends."""
        above = x > self.lo if self.lo_open else x >= self.lo
        below = x < self.hi if self.hi_open else x <= self.hi
        return above and below

    def overlaps(self, other: Interval | Stated | float) -> bool:
        """True when the two intervals share at least one number (an open end shares nothing)."""
        other = as_interval(other)
        if self.hi < other.lo or other.hi < self.lo:
            return False
        if self.hi == other.lo:
            return not (self.hi_open or other.lo_open)
        if other.hi == self.lo:
            return not (other.hi_open or self.lo_open)
        return True

    def widen(self, rel: float) -> Interval:
        """A new interval, each end moved outwards by ``rel`` times its own magnitude.

        Raises ValueError unless ``rel`` is a number of 0 or more.
        """
        if isinstance(rel, bool) or not isinstance(rel, (int, float)) or not rel >= 0:
            raise ValueError(
                f"widen() takes a relative slack of 0 or more (0.01 = 1 %); got {rel!r}"
            )
        if rel == 0:
            return self
        return Interval(
            self.lo - rel * abs(self.lo), self.hi + rel * abs(self.hi), self.lo_open, self.hi_open
        )

    def to_json(self) -> dict:
        """The interval as plain data: {"lo", "hi", "lo_open", "hi_open"}, an infinite end as
        None (JSON has no infinity); ``from_json`` reads it back."""
        return {
            "lo": None if math.isinf(self.lo) else self.lo,
            "hi": None if math.isinf(self.hi) else self.hi,
            "lo_open": self.lo_open,
            "hi_open": self.hi_open,
        }

    @classmethod
    def from_json(cls, item: Any) -> Interval:
        """The interval ``to_json`` wrote. Raises KeyError for a missing end, ValueError or
        TypeError for a bad one."""
        lo = -INF if item["lo"] is None else float(item["lo"])
        hi = INF if item["hi"] is None else float(item["hi"])
        return cls(lo, hi, bool(item.get("lo_open", False)), bool(item.get("hi_open", False)))

    def distance(self, other: Interval | Stated | float) -> float:
        """The gap between two intervals (0 when they overlap)."""
        other = as_interval(other)
        if self.overlaps(other):
            return 0.0
        return other.lo - self.hi if other.lo >= self.hi else self.lo - other.hi

    # An operand that is an expression over named figures (zjanalysis.network) builds an
    # expression instead: NotImplemented hands the operation to its reflected method.

    def __add__(self, other):
        if is_expression(other):
            return NotImplemented
        other = as_interval(other)
        return Interval(
            self.lo + other.lo,
            self.hi + other.hi,
            self.lo_open or other.lo_open,
            self.hi_open or other.hi_open,
        )

    __radd__ = __add__

    def __neg__(self):
        return Interval(-self.hi, -self.lo, self.hi_open, self.lo_open)

    def __sub__(self, other):
        if is_expression(other):
            return NotImplemented
        return self + (-as_interval(other))

    def __rsub__(self, other):
        return as_interval(other) - self

    def __mul__(self, other):
        if is_expression(other):
            return NotImplemented
        return _corners(self, as_interval(other), _times)

    __rmul__ = __mul__

    def __pow__(self, exponent):
        """The interval raised to a positive number; x ↦ x^k is increasing on [0, ∞).

        Raises ValueError for a negative lower end or an exponent that is not a positive number.
        """
        if isinstance(exponent, bool) or not isinstance(exponent, (int, float)) or not exponent > 0:
            raise ValueError(
                f"an interval can be raised only to a positive number; got {exponent!r}"
            )
        if self.lo < 0:
            raise ValueError(f"cannot raise {self} to a power: it holds negative numbers")
        return Interval(self.lo**exponent, self.hi**exponent, self.lo_open, self.hi_open)

    def __truediv__(self, other):
        if is_expression(other):
            return NotImplemented
        other = as_interval(other)
        if other.contains(0):
            raise ValueError(f"cannot divide by the interval {other}: it contains zero")
        if 0 in (other.lo, other.hi) or math.isinf(other.lo) or math.isinf(other.hi):
            # An open end at zero or an infinite end: go through the reciprocal, whose ends
            # are then infinite or zero, and let multiplication's 0 × ∞ rule handle them.
            return self * _reciprocal(other)
        return _corners(self, other, lambda a, b: a / b)

    def __rtruediv__(self, other):
        return as_interval(other) / self

    def __str__(self) -> str:
        left = "(" if self.lo_open or math.isinf(self.lo) else "["
        right = ")" if self.hi_open or math.isinf(self.hi) else "]"
        return f"{left}{_num(self.lo)}, {_num(self.hi)}{right}"


def _times(a: float, b: float) -> float:
    # 0 × ∞ arises only at an infinite end, which no number reaches; the finite zero factor wins.
    return 0.0 if a == 0 or b == 0 else a * b


def _corners(x: Interval, y: Interval, op) -> Interval:
    """op evaluated at the four corners; valid for × and for ÷ by an interval away from zero."""
    values = []
    for a, a_open in ((x.lo, x.lo_open), (x.hi, x.hi_open)):
        for b, b_open in ((y.lo, y.lo_open), (y.hi, y.hi_open)):
            # A closed zero factor reaches a zero product whatever the other factor is.
            reached = (not a_open and not b_open) or (
                op is _times and ((a == 0 and not a_open) or (b == 0 and not b_open))
            )
            values.append((op(a, b) + 0.0, not reached))
    lo = min(v for v, _ in values)
    hi = max(v for v, _ in values)
    lo_open = all(o for v, o in values if v == lo)
    hi_open = all(o for v, o in values if v == hi)
    if lo == hi:
        return Interval(lo, hi)
    return Interval(lo, hi, lo_open, hi_open)


def _reciprocal(x: Interval) -> Interval:
    """1 / x for an interval that does not contain zero (it may touch it at an open end)."""

    def inv(end: float) -> float:
        return 0.0 if math.isinf(end) else 1 / end

    if x.lo == 0:
        return Interval(inv(x.hi), INF, x.hi_open or math.isinf(x.hi), True)
    if x.hi == 0:
        return Interval(-INF, inv(x.lo), True, x.lo_open or math.isinf(x.lo))
    return Interval(
        inv(x.hi), inv(x.lo), x.hi_open or math.isinf(x.hi), x.lo_open or math.isinf(x.lo)
    )


def _num(x: float) -> str:
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    return f"{x:,.6g}" if abs(x) >= 1e6 else f"{round(x, 6) + 0.0:,.10g}"


Number = int | float


def is_expression(x: Any) -> bool:
    """True for an expression over named figures (``zjanalysis.network``), which the arithmetic
    and the derived quantities below extend instead of evaluating."""
    return getattr(x, "is_expression", False) is True


def _operand(x: Any) -> Any:
    """An expression as it is, anything else as an Interval (see ``as_interval``)."""
    return x if is_expression(x) else as_interval(x)


def _named(result: Any, name: str, **parts: Any) -> Any:
    """Let an expression remember which derived quantity it is (for its formula and its slips)."""
    return result.named(name, **parts) if is_expression(result) else result


def as_interval(x: Interval | Stated | Number) -> Interval:
    """An Interval for an Interval, a Stated figure (its interval) or a plain number (a point).

    Raises TypeError for anything else (a bool, a string, None).
    """
    if isinstance(x, Interval):
        return x
    if isinstance(x, Stated):
        return x.interval
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise TypeError(f"expected an Interval, a Stated figure or a number; got {x!r}")
    return Interval.point(float(x))


# A printed number: optional sign (ASCII or typographic minus), digits with thousands commas,
# optional decimals.
_NUMBER = re.compile(r"[-−]?\d[\d,]*(?:\.\d+)?")


def _printed_number(printed: Any) -> re.Match[str] | None:
    return _NUMBER.search(str(printed))


def _decimal(match: re.Match[str]) -> Decimal:
    return Decimal(match.group().replace(",", "").replace("−", "-"))


def _no_number(printed: Any) -> ValueError:
    return ValueError(
        f"the printed figure {str(printed)!r} holds no number; "
        "expected digits such as '45.537 million', '79.2%' or 'more than 500'"
    )


def _half_unit(value: Decimal) -> Decimal:
    return Decimal(1).scaleb(value.as_tuple().exponent) / 2


def _scaled(lo: Decimal, hi: Decimal, scale: Decimal) -> Interval:
    # Scale in Decimal so that 5656.5 × 0.01 is 56.565, not 56.565000000000005.
    return Interval(float(lo * scale), float(hi * scale))


def rounding_interval(printed: str) -> Interval:
    """Half a unit in the last printed place either side: "79.2%" -> [79.15, 79.25].

    Returns the closed Interval of every number that prints as ``printed``.
    Raises ValueError when ``printed`` holds no number.
    """
    match = _printed_number(printed)
    if not match:
        raise _no_number(printed)
    value = _decimal(match)
    half = _half_unit(value)
    return Interval(float(value - half), float(value + half))


def _about_half(value: Decimal) -> Decimal:
    """Half a unit of the last non-zero digit: 60 -> 5, 1700 -> 50, 1702 -> 0.5, 0 -> 0.5."""
    _, digits, exponent = value.normalize().as_tuple()
    return Decimal(1).scaleb(exponent) / 2 if digits != (0,) else Decimal("0.5")


@dataclass(frozen=True)
class Stated:
    """A figure as printed, with the interval it stands for.

    Arithmetic on a Stated figure works on its interval and returns an Interval.
    """

    text: str
    value: float
    unit: str
    qualifier: str
    interval: Interval

    def __str__(self) -> str:
        return self.text

    def __add__(self, other):
        if is_expression(other):
            return NotImplemented
        return self.interval + as_interval(other)

    def __radd__(self, other):
        return as_interval(other) + self.interval

    def __sub__(self, other):
        if is_expression(other):
            return NotImplemented
        return self.interval - as_interval(other)

    def __rsub__(self, other):
        return as_interval(other) - self.interval

    def __mul__(self, other):
        if is_expression(other):
            return NotImplemented
        return self.interval * as_interval(other)

    def __rmul__(self, other):
        return as_interval(other) * self.interval

    def __truediv__(self, other):
        if is_expression(other):
            return NotImplemented
        return self.interval / as_interval(other)

    def __rtruediv__(self, other):
        return as_interval(other) / self.interval

    def __neg__(self):
        return -self.interval


_RANKS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
}


def _unit_words(text: str, match: re.Match[str]) -> str:
    """The words printed after the number: "1,671.88 billion yuan" -> "billion yuan", "79.2%" ->
    "%"."""
    rest = text[match.end() :].strip()
    return "%" if rest.startswith("%") else rest


def _as_decimal_scale(scale: Any) -> Decimal:
    if isinstance(scale, Decimal):
        return scale
    if (
        isinstance(scale, bool)
        or not isinstance(scale, (int, float))
        or not math.isfinite(scale)
        or scale <= 0
    ):
        raise ValueError(
            f"scale must be a positive number (e.g. 0.1 for 100 million -> billion); got {scale!r}"
        )
    return Decimal(repr(float(scale)))


def stated(
    text: str, *, qualifier: str = "exact", unit: str | None = None, scale: float = 1.0
) -> Stated:
    """Read a printed figure ("45.537 million", "79.2%", "more than 500", "third") as a Stated.

    Returns a Stated whose interval depends on ``qualifier``:

    - exact: the rounding interval, half a unit in the last printed place ("79.2%" -> [79.15,
    79.25]);
    - more_than: (x, ∞), open at x;
    - at_least: [x, ∞), as "100 or more" (以上) is printed;
    - about: half a unit of the last non-zero digit either side, because the trailing zeros of a
      round number are not precision ("about 60" -> [55, 65], "about 1700" -> [1650, 1750],
      "about 1702" -> [1701.5, 1702.5]);
    - rank: the rank itself as a point ("third" -> [3, 3]); a rank word implies this qualifier;
    - multiple: the rounding interval of the multiple ("14 times" -> [13.5, 14.5]).

    Words such as million or billion are not multiplied out: they become the unit, which is the
    text after the number unless ``unit`` is given ("%" for a percentage). ``scale`` multiplies
    the printed number into another unit explicitly (e.g. 0.1 for 100 million yuan -> billion yuan).
    Raises ValueError for an unknown qualifier, a non-positive scale, or a text without a
    number or rank word.
    """
    if qualifier not in QUALIFIERS:
        raise ValueError(f"qualifier {qualifier!r} is not one of {', '.join(QUALIFIERS)}")
    text = str(text)
    word = text.strip().lower()
    if qualifier == "rank" or word in _RANKS:
        rank = _RANKS.get(word)
        if rank is None:
            match = _printed_number(word)
            if not match:
                raise ValueError(
                    f"the printed rank {text!r} holds no rank; expected a word such as "
                    f"'first' or 'third', or a number such as '3'"
                )
            rank = int(_decimal(match))
        return Stated(text, float(rank), unit or "rank", "rank", Interval.point(rank))
    match = _printed_number(text)
    if not match:
        raise _no_number(text)
    factor = _as_decimal_scale(scale)
    number = _decimal(match)
    if qualifier == "more_than":
        interval = Interval(float(number * factor), INF, lo_open=True)
    elif qualifier == "at_least":
        interval = Interval(float(number * factor), INF)
    elif qualifier == "about":
        half = _about_half(number)
        interval = _scaled(number - half, number + half, factor)
    else:
        half = _half_unit(number)
        interval = _scaled(number - half, number + half, factor)
    return Stated(
        text,
        float(number * factor),
        _unit_words(text, match) if unit is None else unit,
        qualifier,
        interval,
    )


def _scale_between(printed: Decimal, value: float) -> Decimal:
    """The factor taking the printed number to ``value``, snapped to a power of ten if it is one."""
    if printed == 0 or value == 0:
        return Decimal(1)
    ratio_ = Decimal(repr(float(value))) / printed
    if ratio_ <= 0:
        return abs(ratio_)
    power = round(math.log10(float(ratio_)))
    if math.isclose(float(ratio_), 10.0**power, rel_tol=1e-9):
        return Decimal(1).scaleb(power)
    return ratio_


def from_claim(claim_id: str) -> Stated:
    """The registry's figure for ``claim_id`` (data/claims.csv) as a Stated figure (see
    ``from_claim_row``). Raises KeyError for an unknown claim id (naming close matches)."""
    return from_claim_row(data.claim(claim_id))


def from_claim_row(row: Any) -> Stated:
    """A registry row as a Stated figure: its figure_text and qualifier, in the row's unit; when
    the registry's value differs from the printed number by a unit conversion, the printed
    number is scaled to it."""
    scale = Decimal(1)
    match = _printed_number(row["figure_text"])
    if match and row["qualifier"] != "rank":
        scale = _scale_between(_decimal(match), float(row["value"]))
    return stated(row["figure_text"], qualifier=row["qualifier"], unit=row["unit"], scale=scale)


def reprinted(original: Stated, text: str) -> Stated:
    """``original`` as if it had been printed as ``text``: same qualifier and unit, and the same
    conversion from the printed number to the unit (so "45.437 million" for a figure printed as
    "45.537 million" lands in the same unit). Raises ValueError when ``text`` holds no number.
    """
    if original.qualifier == "rank":
        return stated(text, qualifier="rank", unit=original.unit)
    old, new = _printed_number(original.text), _printed_number(text)
    if not new:
        raise _no_number(text)
    factor = _scale_between(_decimal(old), original.value) if old else Decimal(1)
    if original.qualifier == "at_most":
        bound = float(_decimal(new) * factor)
        return Stated(text, bound, original.unit, "at_most", Interval(-INF, bound))
    return stated(text, qualifier=original.qualifier, unit=original.unit, scale=factor)


def from_reference(row: Any) -> Stated:
    """A reference row (from data.reference / data.lookup, or a dict of one) as a Stated figure.

    Returns a Stated built from the row's value_as_printed (its decimals set the rounding
    interval), converted to the row's canonical unit: by ``data.CONVERSIONS`` when the row names
    its printed unit, else by the ratio of value to the printed number. Qualifier ``at_most``
    gives (−∞, x]. Raises ValueError when value_as_printed holds no number or the qualifier is
    unknown.
    """
    printed = str(data.row_value(row, "value_as_printed", ""))
    indicator, geography, year = (
        data.row_value(row, column, "?") for column in ("indicator", "geography", "year")
    )
    where = f"reference row {indicator!r} ({geography}, {year})"
    match = _printed_number(printed)
    if not match:
        raise ValueError(f"{where} has value_as_printed {printed!r}, which holds no number")
    number = _decimal(match)
    unit = str(data.row_value(row, "unit", ""))
    printed_unit = data.row_value(row, "unit_as_printed")
    factor = None
    if printed_unit is not None:
        factor = Decimal(1) if printed_unit == unit else data.CONVERSIONS.get((printed_unit, unit))
    if factor is None:
        value = data.row_value(row, "value")
        factor = _scale_between(number, float(value)) if value is not None else Decimal(1)
    qualifier = str(data.row_value(row, "qualifier", "exact") or "exact")
    if qualifier not in REFERENCE_QUALIFIERS:
        raise ValueError(
            f"{where} has qualifier {qualifier!r}; allowed: {', '.join(REFERENCE_QUALIFIERS)}"
        )
    if qualifier == "at_most":
        bound = float(number * factor)
        return Stated(printed, bound, unit, qualifier, Interval(-INF, bound))
    return stated(printed, qualifier=qualifier, unit=unit, scale=factor)


# Derived quantities. Each takes Interval | Stated | number and returns an Interval; given an
# expression over named figures (zjanalysis.network) it returns the expression instead. Each
# uses every input once, which keeps interval results exact and lets the network solve for any
# one input.


def growth(prev, cur) -> Interval:
    """Growth from ``prev`` to ``cur`` in percent: (cur / prev − 1) × 100.

    Raises ValueError when ``prev`` may be zero.
    """
    return _named((_operand(cur) / _operand(prev) - 1) * 100, "growth", prev=prev, cur=cur)


def implied_base(cur, growth_pct) -> Interval:
    """The earlier level implied by a level and its growth rate in percent: cur / (1 + g / 100)."""
    return _named(
        _operand(cur) / (1 + _operand(growth_pct) / 100), "implied base", cur=cur, growth=growth_pct
    )


def increase_from_growth(level, growth_pct) -> Interval:
    """The increase over the year before implied by a level and its growth rate in percent.

    level − level / (1 + g / 100), written as level × (1 − 100 / (100 + g)) so that each input
    appears once. Raises ValueError when 100 + g may be zero.
    """
    return _named(
        _operand(level) * (1 - 100 / (100 + _operand(growth_pct))),
        "increase",
        level=level,
        growth=growth_pct,
    )


def cagr(start, end, years: float) -> Interval:
    """Compound annual growth in percent per year: ((end / start)^(1 / years) − 1) × 100.

    Raises ValueError for a non-positive number of years, or when start and end may differ in sign.
    """
    if isinstance(years, bool) or not isinstance(years, (int, float)) or not years > 0:
        raise ValueError(f"cagr() needs a positive number of years; got {years!r}")
    ratio_ = _operand(end) / _operand(start)
    if not is_expression(ratio_) and ratio_.lo < 0:
        raise ValueError(
            f"cagr() needs start and end of the same sign; got start {as_interval(start)} "
            f"and end {as_interval(end)}"
        )
    # x ↦ x^(1/years) is increasing on [0, ∞), so the ends map to the ends.
    return _named((ratio_ ** (1 / years) - 1) * 100, "average growth", start=start, end=end)


def points_gap(a_pct, b_pct) -> Interval:
    """The difference of two percentages in percentage points: a − b."""
    return _named(_operand(a_pct) - _operand(b_pct), "points gap", a=a_pct, base=b_pct)


def relative_gap(a, b) -> Interval:
    """How much larger ``a`` is than ``b``, in percent of ``b``: (a / b − 1) × 100."""
    return _named((_operand(a) / _operand(b) - 1) * 100, "relative gap", a=a, base=b)


def share_of(part, total) -> Interval:
    """``part`` as a percentage of ``total``: part / total × 100."""
    return _named(_operand(part) / _operand(total) * 100, "share", part=part, total=total)


def ratio(a, b) -> Interval:
    """How many times ``b`` fits in ``a``: a / b."""
    return _named(_operand(a) / _operand(b), "ratio", a=a, b=b)


def contribution_to_growth(part_prev, part_cur, total_prev, total_cur) -> Interval:
    """The part's share of the total's growth, in percent: (part_cur − part_prev) / (total_cur −
    total_prev) × 100.

    Raises ValueError when the total's change may be zero.
    """
    return (
        (_operand(part_cur) - _operand(part_prev))
        / (_operand(total_cur) - _operand(total_prev))
        * 100
    )


def implied_denominator(count, rate_pct) -> Interval:
    """The population behind a rate in percent: count / rate × 100."""
    return _named(
        _operand(count) / (_operand(rate_pct) / 100),
        "implied denominator",
        count=count,
        rate=rate_pct,
    )
