"""Numbers and ranges as a reader sees them: one place that formats every figure the package shows.

``fmt`` writes a number with thousands separators and at most three decimals (four when the
number has exactly four, as the ends of a rounding range do); ``fmt_interval`` writes a range
("45.5365 to 45.5375 million people", "more than 500 enterprises"). ``amount`` writes a figure in
a reader's words ("39.56 million people", "554.77 billion yuan", "19.6 percentage points", "79.2%",
"fourth"), and ``printed_amount`` converts a figure from the unit a source printed it in (万, 亿 …)
to the project's unit first, exactly, in decimal arithmetic: 3956 in units of 10 thousand persons
is 39.56 million people, never "3956 million".
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation

from zjanalysis.figures import Interval, Stated, as_interval

# The project's units as a reader says them.
WORDS = {
    "million persons": "million people",
    "percent": "%",
    "rank": "",
}
_ORDINALS = {
    1: "first",
    2: "second",
    3: "third",
    4: "fourth",
    5: "fifth",
    6: "sixth",
    7: "seventh",
    8: "eighth",
    9: "ninth",
    10: "tenth",
}
_QUALIFIER_WORDS = {
    "more_than": "more than",
    "at_least": "at least",
    "about": "about",
    "at_most": "at most",
}


def fmt(x: float) -> str:
    """A number for a reader: thousands separators, at most 3 decimals, no trailing zeros; a
    number with exactly four decimals (the end of a rounding range, 45.5365) keeps them."""
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    four = round(x, 4)
    places = 4 if abs(x - four) <= 1e-9 * max(1.0, abs(x)) and round(x, 3) != four else 3
    text = f"{x:,.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def with_unit(number: str, unit: str) -> str:
    """A number already written, followed by its unit as a reader says it: ("39.56", "million
    persons") -> "39.56 million people", ("79.2", "percent") -> "79.2%", ("4", "rank") -> "4"."""
    word = WORDS.get(unit, unit)
    return f"{number}%" if word == "%" else (f"{number} {word}" if word else number)


def fmt_interval(x: Interval | Stated | float, unit: str = "") -> str:
    """A range for a reader, in the unit's words: "45.5365 to 45.5375 million people", "79.15% to
    79.25%", "more than 500", "at most 9 minutes", "any value", or the number when the range is a
    point."""
    iv = as_interval(x)
    each = WORDS.get(unit, unit) == "%"  # "79.15% to 79.25%", but "1 to 2 million people"
    if iv.lo == iv.hi:
        return with_unit(fmt(iv.lo), unit)
    if math.isinf(iv.lo) and math.isinf(iv.hi):
        return "any value"
    if math.isinf(iv.hi):
        return f"{'more than' if iv.lo_open else 'at least'} {with_unit(fmt(iv.lo), unit)}"
    if math.isinf(iv.lo):
        return f"{'less than' if iv.hi_open else 'at most'} {with_unit(fmt(iv.hi), unit)}"
    low = with_unit(fmt(iv.lo), unit) if each else fmt(iv.lo)
    return f"{low} to {with_unit(fmt(iv.hi), unit)}"


def amount(number: Decimal | str | float, unit: str, qualifier: str = "exact") -> str:
    """One figure in a reader's words: the number with thousands separators and the digits it
    has (no float noise), then the unit as a reader says it ("39.56 million people", "79.2%",
    "19.6 percentage points", "554.77 billion yuan"); a rank as its ordinal word ("fourth"); a
    qualifier in front ("more than 500 enterprises", "at most 80%")."""
    value = _decimal(number)
    if unit == "rank" and value == value.to_integral_value() and int(value) in _ORDINALS:
        text = _ORDINALS[int(value)]
    else:
        whole, _, decimals = format(value, "f").partition(".")
        sign = "-" if whole.startswith("-") else ""
        whole = f"{int(whole.lstrip('-') or 0):,}"
        text = with_unit(sign + whole + (f".{decimals}" if decimals else ""), unit)
    words = _QUALIFIER_WORDS.get(qualifier, "")
    return f"{words} {text}" if words else text


def printed_amount(printed: str, unit_as_printed: str, unit: str, qualifier: str = "exact") -> str:
    """A figure a source printed in its own unit, in the project's unit and a reader's words:
    ("3956", "10 thousand persons", "million persons") -> "39.56 million people"; ("5547.7",
    "100 million yuan", "billion yuan") -> "554.77 billion yuan". The conversion is the data
    package's (``data.CONVERSIONS``), in decimal arithmetic. Raises ValueError for a figure that is
    not a number or units with no known conversion."""
    from zjanalysis.data import CONVERSIONS

    factor = (
        Decimal(1)
        if not unit_as_printed or unit_as_printed == unit
        else CONVERSIONS.get((unit_as_printed, unit))
    )
    if factor is None:
        raise ValueError(f"no conversion from {unit_as_printed!r} to {unit!r}")
    number = _decimal(printed)
    # A power of ten moves the decimal point and keeps the printed digits (2.86 x 100 is 286,
    # not 286.00); any other factor multiplies.
    power = factor.log10()
    value = number.scaleb(int(power)) if power == power.to_integral_value() else number * factor
    return amount(value, unit, qualifier)


def _decimal(number: Decimal | str | float) -> Decimal:
    if isinstance(number, Decimal):
        return number
    try:
        return (
            Decimal(str(number).replace(",", ""))
            if not isinstance(number, float)
            else Decimal(repr(number))
        )
    except InvalidOperation:
        raise ValueError(f"{number!r} is not a number") from None
