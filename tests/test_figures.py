"""Interval arithmetic and stated figures, against hand-worked examples from the article."""
import math

import pytest
from hypothesis import given, strategies as st

from zjanalysis import figures as f
from zjanalysis.figures import Interval


def close(iv, lo, hi, tol=1e-9):
    return math.isclose(iv.lo, lo, abs_tol=tol) and math.isclose(iv.hi, hi, abs_tol=tol)


@pytest.mark.parametrize("printed, lo, hi", [
    ("45.537", 45.5365, 45.5375),          # three decimals: ± 0.0005
    ("79.2%", 79.15, 79.25),               # one decimal: ± 0.05
    ("1,671.88", 1671.875, 1671.885),      # commas ignored
    ("14", 13.5, 14.5),                    # a whole number: ± 0.5
])
def test_rounding_interval(printed, lo, hi):
    assert close(f.rounding_interval(printed), lo, hi)


def test_implied_2017_netizens():
    # 45.537 − 5.877 = 39.660; ends: 45.5365 − 5.8775 = 39.659 and 45.5375 − 5.8765 = 39.661
    implied = f.stated("45.537 million").interval - f.stated("5.877 million").interval
    assert close(implied, 39.659, 39.661)
    assert not implied.contains(39.56)      # the 2017 report's 39.56 million is outside


def test_implied_2017_online_retail():
    # 1671.88 / 1.254 = 1333.24; ends 1671.875/1.2545 = 1332.702 and 1671.885/1.2535 = 1333.773
    base = f.implied_base(f.stated("1,671.88 billion yuan"), f.stated("25.4%"))
    assert close(base, 1671.875 / 1.2545, 1671.885 / 1.2535)
    assert base.contains(1333.24)


def test_points_versus_percent_for_the_penetration_gap():
    zj, cn = f.stated("79.2%"), f.stated("59.6%")
    # 79.2 − 59.6 = 19.6 percentage points (ends 79.15 − 59.65 = 19.5, 79.25 − 59.55 = 19.7)
    assert close(f.points_gap(zj, cn), 19.5, 19.7)
    # relative: 79.2 / 59.6 − 1 = 32.89 % (ends 79.15/59.65 − 1 = 32.69 %, 79.25/59.55 − 1 = 33.08 %)
    rel = f.relative_gap(zj, cn)
    assert close(rel, (79.15 / 59.65 - 1) * 100, (79.25 / 59.55 - 1) * 100)
    assert not rel.contains(19.6)


def test_implied_population_behind_a_penetration_rate():
    # 45.537 million / 0.792 = 57.496 million; ends 45.5365/0.7925 = 57.459, 45.5375/0.7915 = 57.533
    pop = f.implied_denominator(f.stated("45.537 million"), f.stated("79.2%"))
    assert close(pop, 45.5365 / 0.7925, 45.5375 / 0.7915)
    assert pop.contains(57.37) is False and pop.contains(57.5)


def test_growth_share_cagr_contribution():
    assert close(f.growth(100, 125), 25, 25)                       # 125/100 − 1 = 25 %
    assert close(f.share_of(554.77, 5540), 554.77 / 5540 * 100, 554.77 / 5540 * 100)   # 10.01 %
    assert close(f.cagr(100, 121, 2), 10, 10)                      # 1.1² = 1.21
    # part grows 10 → 13, total 100 → 110: 3 / 10 = 30 % of the growth
    assert close(f.contribution_to_growth(10, 13, 100, 110), 30, 30)
    assert close(f.ratio(180, Interval(12.5, 13.5)), 180 / 13.5, 180 / 12.5)


def test_qualifiers():
    assert str(f.stated("more than 500", qualifier="more_than").interval) == "(500, ∞)"
    assert f.stated("third").interval == Interval.point(3)
    assert close(f.stated("14 times", qualifier="multiple").interval, 13.5, 14.5)
    # "about": half a unit of the last non-zero digit; trailing zeros of a round number are not precision
    assert close(f.stated("about 60", qualifier="about").interval, 55, 65)
    assert close(f.stated("1700", qualifier="about").interval, 1650, 1750)
    assert close(f.stated("1702", qualifier="about").interval, 1701.5, 1702.5)


def test_open_bounds_overlap_rules():
    above = Interval(500, math.inf, lo_open=True)
    assert not above.overlaps(500) and above.overlaps(500.1)
    assert Interval(1, 2).overlaps(Interval(2, 3))
    assert not Interval(1, 2, hi_open=True).overlaps(Interval(2, 3))


@pytest.mark.parametrize("call, message", [
    (lambda: Interval(1, 2) / Interval(-1, 1), "contains zero"),
    (lambda: Interval(1, 2).widen(-0.1), "0 or more"),
    (lambda: f.stated("n/a"), "no number"),
    (lambda: f.stated("5", qualifier="roughly"), "not one of"),
    (lambda: Interval(2, 1), "must not exceed"),
    (lambda: f.cagr(1, 2, 0), "positive number of years"),
])
def test_bad_input_is_explained(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_from_claim_uses_the_registry():
    s = f.from_claim("netizens.total_2018")
    assert s.text == "45.537 million" and close(s.interval, 45.5365, 45.5375)


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
positive = st.floats(min_value=1e-3, max_value=1e6, allow_nan=False)


@st.composite
def interval_and_point(draw, values=finite):
    a, b = sorted((draw(values), draw(values)))
    t = draw(st.floats(min_value=0, max_value=1))
    return Interval(a, b), a + (b - a) * t


def inside(iv, x):
    return iv.lo - 1e-9 * (1 + abs(x)) <= x <= iv.hi + 1e-9 * (1 + abs(x))


@given(interval_and_point(), interval_and_point())
def test_sum_difference_product_contain_point_results(p, q):
    (a, x), (b, y) = p, q
    assert inside(a + b, x + y) and inside(a - b, x - y) and inside(a * b, x * y)


@given(interval_and_point(positive), interval_and_point(positive))
def test_division_and_derived_quantities_contain_point_results(p, q):
    (a, x), (b, y) = p, q
    assert inside(a / b, x / y)
    assert inside(f.growth(b, a), (x / y - 1) * 100)
    assert inside(f.share_of(a, b), x / y * 100)
    assert inside(f.implied_denominator(a, b), x / (y / 100))
    assert inside(f.implied_base(a, b), x / (1 + y / 100))
    assert inside(f.cagr(b, a, 3), ((x / y) ** (1 / 3) - 1) * 100)
