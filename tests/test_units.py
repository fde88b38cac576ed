"""Figures in a reader's units, each expected value worked out by hand."""

from decimal import Decimal

import pytest

from zjanalysis import units
from zjanalysis.figures import INF, Interval


@pytest.mark.parametrize(
    "printed, as_printed, unit, qualifier, expected",
    [
        (
            "3956",
            "10 thousand persons",
            "million persons",
            "exact",
            "39.56 million people",
        ),  # 3956 x 10^4 = 39.56 x 10^6
        ("5737", "10 thousand persons", "million persons", "exact", "57.37 million people"),
        (
            "5547.7",
            "100 million yuan",
            "billion yuan",
            "exact",
            "554.77 billion yuan",
        ),  # 5547.7 x 10^8 = 554.77 x 10^9
        (
            "2.86",
            "100 million subscribers",
            "million subscribers",
            "exact",
            "286 million subscribers",
        ),
        ("19.6", "percent", "percentage points", "exact", "19.6 percentage points"),
        ("1,671.88", "billion yuan", "billion yuan", "exact", "1,671.88 billion yuan"),
        ("80", "percent", "percent", "at_most", "at most 80%"),
        ("500", "enterprises", "enterprises", "more_than", "more than 500 enterprises"),
        ("4", "rank", "rank", "rank", "fourth"),
        ("57.0", "percent", "percent", "exact", "57.0%"),  # printed digits are kept
        ("1.8", "100 million calls", "million calls", "exact", "180 million calls"),
    ],
)
def test_a_printed_figure_in_a_readers_units(printed, as_printed, unit, qualifier, expected):
    assert units.printed_amount(printed, as_printed, unit, qualifier) == expected


def test_amount_has_no_float_noise_and_groups_thousands():
    assert units.amount(39.56, "million persons") == "39.56 million people"
    assert units.amount(Decimal("-5.2"), "percent") == "-5.2%"
    assert units.amount("20658", "billion yuan") == "20,658 billion yuan"
    assert units.amount(12, "rank") == "12"  # no ordinal word past tenth


def test_unknown_conversions_and_non_numbers_are_refused():
    with pytest.raises(ValueError, match="no conversion from 'dozen' to 'items'"):
        units.printed_amount("3", "dozen", "items")
    with pytest.raises(ValueError, match="'many' is not a number"):
        units.amount("many", "items")


@pytest.mark.parametrize(
    "x, expected",
    [
        (45.5365, "45.5365"),  # the end of a rounding range keeps its fourth decimal
        (79.366487, "79.366"),
        (1671.875, "1,671.875"),
        (-0.0001, "-0.0001"),
        (3.0, "3"),
    ],
)
def test_fmt(x, expected):
    assert units.fmt(x) == expected


def test_fmt_interval_names_open_and_closed_ends():
    assert (
        units.fmt_interval(Interval(500, INF, lo_open=True), "enterprises")
        == "more than 500 enterprises"
    )
    assert units.fmt_interval(Interval(500, INF)) == "at least 500"
    assert units.fmt_interval(Interval(-INF, 9, hi_open=True)) == "less than 9"
    assert units.fmt_interval(Interval(45.5365, 45.5375), "million") == "45.5365 to 45.5375 million"
