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


# --- every slip of a two-digit figure, worked by hand ----------------------------------------


def test_every_forward_slip_of_45():
    found = {(s.kind, s.text, s.detail) for s in slips.misprints("45", counting_unit=False)}
    digits = {("digit", f"{d}5", f"4 → {d}") for d in "12356789"}  # 05 has a leading zero
    digits |= {("digit", f"4{d}", f"5 → {d}") for d in "01234678" + "9"}
    expected = digits | {
        ("swap", "54", "45 → 54"),
        ("drop", "5", "4 dropped"),
        ("drop", "4", "5 dropped"),
        ("double", "445", "4 doubled"),
        ("double", "455", "5 doubled"),
        ("decimal", "0.45", "point moved 2 places left"),
        ("decimal", "4.5", "point moved 1 place left"),
        ("decimal", "450", "point moved 1 place right"),
        ("decimal", "4500", "point moved 2 places right"),
    }
    assert found == expected
    assert len(slips.misprints("45", counting_unit=False)) == 17 + 1 + 2 + 2 + 4
    units = {
        (s.text, s.detail) for s in slips.misprints("45", counting_unit=True) if s.kind == "unit"
    }
    assert units == {
        ("0.0045", "÷ 10,000"),
        ("0.045", "÷ 1,000"),
        ("45000", "× 1,000"),
        ("450000", "× 10,000"),
    }


def test_the_backward_readings_of_45_undo_drops_and_doublings():
    found = {(s.kind, s.text, s.detail) for s in slips.readings("45")}
    assert ("drop", "405", "a 0 restored") in found  # a 0 dropped from 405 prints 45
    # 450 is both a restored 0 and the point moved; the first class in order names it
    assert ("drop", "450", "a 0 restored") in found
    assert ("decimal", "450", "point moved 1 place right") not in found
    assert ("decimal", "4500", "point moved 2 places right") in found
    assert not any(kind == "double" for kind, _, _ in found)  # 45 has no doubled digit
    assert ("double", "4", "44 → 4") in {(s.kind, s.text, s.detail) for s in slips.readings("44")}


def test_slips_keep_the_words_and_commas_around_the_number():
    texts = {s.text for s in slips.readings("1,671.88 billion yuan")}
    assert "1,681.88 billion yuan" in texts  # one digit changed, commas kept
    assert "16,718.8 billion yuan" in texts  # the point moved one place right
    assert "45.437 million" in {s.text for s in slips.readings("45.537 million")}


def test_a_rank_word_slips_to_every_other_rank():
    found = slips.readings("third")
    assert [s.text for s in found] == [
        "first",
        "second",
        "fourth",
        "fifth",
        "sixth",
        "seventh",
        "eighth",
        "ninth",
        "tenth",
    ]
    assert found[0] == slips.Slip("digit", "first", "third → first")
    assert slips.readings("many") == []
