"""Slips that really happen to printed figures, in both directions.

A figure goes wrong in print or translation in a few typical ways: one digit changed, two
adjacent digits swapped, a digit dropped or doubled, the decimal point moved, a counting unit
mixed up (thousand/million/billion, 万/亿), or percent read as percentage points. This module
knows only the text of a figure:

- ``misprints(text)`` is the forward direction: what each slip makes of a correct figure (fault
  injection uses it to corrupt a copy of the data);
- ``readings(printed)`` is the backward direction: what a misprinted figure may have read before
  the slip (the diagnosis tries each one against the checks).

The two are inverses: a figure is among the readings of each of its misprints, under the same
slip class. Percent read as points needs the rate the gap is measured against, so the network
handles that class (see ``network``); here it only has its name and order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

# Simplest first: the order ranks two slips that explain the evidence equally well.
CLASSES = ("digit", "swap", "drop", "double", "decimal", "unit", "percent_points")
NAMES = {
    "digit": "one digit changed",
    "swap": "two adjacent digits swapped",
    "drop": "a digit dropped",
    "double": "a digit doubled",
    "decimal": "the decimal point moved",
    "unit": "a counting-unit slip (thousand/million/billion, 万/亿)",
    "percent_points": "percent read as percentage points, or the reverse",
}
COST = {kind: i for i, kind in enumerate(CLASSES)}
# The decimal point moves one or two places; a factor of 10 or 100 is also what 亿 read as
# billion or 万 read as million gives, so those unit slips are counted here. Factors of
# 1,000 and 10,000 are the counting-unit class, so no text belongs to two classes.
DECIMAL_SHIFTS = (-2, -1, 1, 2)
UNIT_SHIFTS = (-4, -3, 3, 4)

_RANK_WORDS = (
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
)
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


@dataclass(frozen=True)
class Slip:
    """One slip: ``kind`` (a key of NAMES), the figure's ``text`` after (forward) or before
    (backward) it, and ``detail``, a few words on what changed ("5 → 4")."""

    kind: str
    text: str
    detail: str

    @property
    def name(self) -> str:
        """The slip class in words ("one digit changed")."""
        return NAMES[self.kind]


def misprints(text: str, *, counting_unit: bool = True) -> list[Slip]:
    """Every misprint a single slip makes of the figure ``text``, in class order, no duplicates.

    ``counting_unit`` allows the counting-unit class (false for percentages, ranks, minutes…).
    Rank words change into other rank words. Returns [] for a text without a number or rank
    word. Percent-for-points misprints need a base rate and are made by the network.
    """
    return _slips(text, counting_unit, forward=True)


def readings(printed: str, *, counting_unit: bool = True) -> list[Slip]:
    """Every figure that a single slip would have printed as ``printed``, in class order.

    The inverse of ``misprints``: a dropped digit is undone by inserting one, a doubled digit by
    removing one of a pair; the other classes are their own inverse.
    """
    return _slips(printed, counting_unit, forward=False)


def _slips(text: str, counting_unit: bool, *, forward: bool) -> list[Slip]:
    text = str(text)
    word = text.strip().lower()
    if word in _RANK_WORDS:
        rank = _RANK_WORDS.index(word) + 1
        return [
            Slip("digit", _RANK_WORDS[r - 1], f"{word} → {_RANK_WORDS[r - 1]}")
            for r in range(1, len(_RANK_WORDS) + 1)
            if r != rank
        ]
    match = _NUMBER.search(text)
    if not match:
        return []
    token = match.group()
    commas = "," in token
    plain = token.replace(",", "")
    found: dict[str, Slip] = {}

    def add(kind: str, number: str, detail: str) -> None:
        if not _valid(number) or number == plain:
            return
        new = (
            text[: match.start()]
            + (_with_commas(number) if commas else number)
            + text[match.end() :]
        )
        found.setdefault(new, Slip(kind, new, detail))

    for number, detail in _digit_changes(plain):
        add("digit", number, detail)
    for number, detail in _swaps(plain):
        add("swap", number, detail)
    for number, detail in _deletions(plain) if forward else _insertions(plain):
        add("drop", number, detail)
    for number, detail in _doublings(plain) if forward else _undoublings(plain):
        add("double", number, detail)
    for shift in DECIMAL_SHIFTS:
        add(
            "decimal",
            _shifted(plain, shift),
            f"point moved {abs(shift)} place{'s' if abs(shift) > 1 else ''} "
            f"{'right' if shift > 0 else 'left'}",
        )
    if counting_unit:
        for shift in UNIT_SHIFTS:
            factor = f"{10 ** abs(shift):,}"
            add("unit", _shifted(plain, shift), f"{'×' if shift > 0 else '÷'} {factor}")
    return list(found.values())


def _digit_positions(number: str) -> list[int]:
    return [i for i, ch in enumerate(number) if ch.isdigit()]


def _digit_changes(number: str):
    for i in _digit_positions(number):
        for d in "0123456789":
            if d != number[i]:
                yield number[:i] + d + number[i + 1 :], f"{number[i]} → {d}"


def _swaps(number: str):
    for i in range(len(number) - 1):
        a, b = number[i], number[i + 1]
        if a.isdigit() and b.isdigit() and a != b:
            yield number[:i] + b + a + number[i + 2 :], f"{a}{b} → {b}{a}"


def _deletions(number: str):
    for i in _digit_positions(number):
        yield number[:i] + number[i + 1 :], f"{number[i]} dropped"


def _insertions(number: str):
    for i in range(len(number) + 1):
        for d in "0123456789":
            yield number[:i] + d + number[i:], f"a {d} restored"


def _doublings(number: str):
    for i in _digit_positions(number):
        yield number[: i + 1] + number[i] + number[i + 1 :], f"{number[i]} doubled"


def _undoublings(number: str):
    for i in range(len(number) - 1):
        if number[i].isdigit() and number[i] == number[i + 1]:
            yield number[:i] + number[i + 1 :], f"{number[i]}{number[i]} → {number[i]}"


def _shifted(number: str, places: int) -> str:
    """The same digits with the decimal point ``places`` to the right (negative: left)."""
    return format(Decimal(number).scaleb(places), "f")


def _valid(number: str) -> bool:
    """A number as a person would print it: digits, at most one point, no leading zero
    before another integer digit, no point at either end."""
    if not re.fullmatch(r"\d+(?:\.\d+)?", number):
        return False
    integer = number.split(".")[0]
    return not (len(integer) > 1 and integer[0] == "0")


def _with_commas(number: str) -> str:
    integer, _, fraction = number.partition(".")
    grouped = f"{int(integer):,}"
    return grouped + ("." + fraction if fraction else "")
