"""Slips in both directions: what a slip makes of a figure, and what a misprint may have read."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zjanalysis import slips


def texts(found, kind=None):
    return [s.text for s in found if kind is None or s.kind == kind]


def test_one_digit_changed_reaches_every_other_digit_but_a_leading_zero():
    found = slips.readings("45.537 million")
    # five digits, nine other values each, less "05.537" (a leading zero nobody prints)
    assert len(texts(found, "digit")) == 5 * 9 - 1
    assert "45.437 million" in texts(found, "digit") and "05.537 million" not in texts(found)
    detail = next(s.detail for s in found if s.text == "45.437 million")
    assert detail == "5 → 4"


def test_swaps_are_of_adjacent_digits_only():
    assert texts(slips.readings("45.537 million"), "swap") == [
        "54.537 million",
        "45.357 million",
        "45.573 million",
    ]


def test_a_dropped_digit_is_undone_by_inserting_one_and_a_doubled_by_removing_one():
    assert "4.537" in texts(slips.misprints("45.537"), "drop")
    assert "45.537" in texts(slips.readings("4.537"), "drop")
    assert "455.537" in texts(slips.misprints("45.537"), "double")
    assert texts(slips.readings("1,671.88 billion yuan"), "double") == ["1,671.8 billion yuan"]


def test_decimal_point_and_counting_unit_slips():
    assert set(texts(slips.readings("45.537"), "decimal")) == {
        "0.45537",
        "4.5537",
        "455.37",
        "4553.7",
    }
    assert set(texts(slips.readings("45.537"), "unit")) == {
        "0.0045537",
        "0.045537",
        "45537",
        "455370",
    }
    assert texts(slips.readings("79.2%", counting_unit=False), "unit") == []


def test_commas_and_surrounding_words_are_kept():
    found = texts(slips.readings("1,671.88 billion yuan"), "swap")
    assert "1,761.88 billion yuan" in found
    assert "more than 50" in texts(slips.readings("more than 500"), "double")


def test_rank_words_change_into_other_rank_words():
    found = slips.readings("fourth")
    assert [s.kind for s in found] == ["digit"] * 9
    assert "third" in texts(found) and "fourth" not in texts(found)


def test_no_number_no_slips():
    assert slips.readings("none printed") == [] and slips.misprints("") == []


def test_no_text_appears_twice_and_classes_come_in_order():
    found = slips.readings("5.877 million")
    assert len(texts(found)) == len(set(texts(found)))
    order = [slips.COST[s.kind] for s in found]
    assert order == sorted(order)


numbers = st.builds(
    lambda whole, frac: f"{whole}.{frac}" if frac else str(whole),
    st.integers(min_value=1, max_value=99999),
    st.one_of(st.just(""), st.from_regex(r"[0-9]{1,3}", fullmatch=True)),
)


@settings(max_examples=60, deadline=None)
@given(numbers)
def test_every_misprint_reads_back_to_its_figure(figure):
    """The two directions are inverses: a figure's value is among the readings of each of its
    misprints, under a slip class no more complex than the one that made it. (Moving the point
    right in "1" prints "10", whose reading back is "1.0": the same value, printed with one more
    digit, so values are compared, not texts.)"""
    for slip in slips.misprints(figure):
        back = {}
        for s in slips.readings(slip.text):
            back.setdefault(Decimal(s.text), s.kind)
        assert Decimal(figure) in back, (figure, slip)
        assert slips.COST[back[Decimal(figure)]] <= slips.COST[slip.kind]


@pytest.mark.parametrize("kind", slips.CLASSES)
def test_every_class_has_a_name(kind):
    assert slips.NAMES[kind]
