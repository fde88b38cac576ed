"""Interval arithmetic and stated figures, against hand-worked examples from the article."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zjanalysis import figures
from zjanalysis import figures as f
from zjanalysis.figures import INF, Interval


def close(iv, lo, hi, tol=1e-9):
    return math.isclose(iv.lo, lo, abs_tol=tol) and math.isclose(iv.hi, hi, abs_tol=tol)


@pytest.mark.parametrize(
    "printed, lo, hi",
    [
        ("45.537", 45.5365, 45.5375),  # three decimals: ± 0.0005
        ("79.2%", 79.15, 79.25),  # one decimal: ± 0.05
        ("1,671.88", 1671.875, 1671.885),  # commas ignored
        ("14", 13.5, 14.5),  # a whole number: ± 0.5
    ],
)
def test_rounding_interval(printed, lo, hi):
    assert close(f.rounding_interval(printed), lo, hi)


def test_implied_2017_netizens():
    # 45.537 − 5.877 = 39.660; ends: 45.5365 − 5.8775 = 39.659 and 45.5375 − 5.8765 = 39.661
    implied = f.stated("45.537 million").interval - f.stated("5.877 million").interval
    assert close(implied, 39.659, 39.661)
    assert not implied.contains(39.56)  # the 2017 report's 39.56 million is outside


def test_implied_2017_online_retail():
    # 1671.88 / 1.254 = 1333.24; ends 1671.875/1.2545 = 1332.702 and 1671.885/1.2535 = 1333.773
    base = f.implied_base(f.stated("1,671.88 billion yuan"), f.stated("25.4%"))
    assert close(base, 1671.875 / 1.2545, 1671.885 / 1.2535)
    assert base.contains(1333.24)


def test_points_versus_percent_for_the_penetration_gap():
    zj, cn = f.stated("79.2%"), f.stated("59.6%")
    # 79.2 − 59.6 = 19.6 percentage points (ends 79.15 − 59.65 = 19.5, 79.25 − 59.55 = 19.7)
    assert close(f.points_gap(zj, cn), 19.5, 19.7)
    # relative: 79.2 / 59.6 − 1 = 32.89 % (ends 79.15/59.65 − 1 = 32.69 %, 79.25/59.55 − 1 = 33.08
    # %)
    rel = f.relative_gap(zj, cn)
    assert close(rel, (79.15 / 59.65 - 1) * 100, (79.25 / 59.55 - 1) * 100)
    assert not rel.contains(19.6)


def test_implied_population_behind_a_penetration_rate():
    # 45.537 million / 0.792 = 57.496 million; ends 45.5365/0.7925 = 57.459, 45.5375/0.7915 = 57.533
    pop = f.implied_denominator(f.stated("45.537 million"), f.stated("79.2%"))
    assert close(pop, 45.5365 / 0.7925, 45.5375 / 0.7915)
    assert pop.contains(57.37) is False and pop.contains(57.5)


def test_growth_share_cagr_contribution():
    assert close(f.growth(100, 125), 25, 25)  # 125/100 − 1 = 25 %
    assert close(f.share_of(554.77, 5540), 554.77 / 5540 * 100, 554.77 / 5540 * 100)  # 10.01 %
    assert close(f.cagr(100, 121, 2), 10, 10)  # 1.1² = 1.21
    # part grows 10 → 13, total 100 → 110: 3 / 10 = 30 % of the growth
    assert close(f.contribution_to_growth(10, 13, 100, 110), 30, 30)
    assert close(f.ratio(180, Interval(12.5, 13.5)), 180 / 13.5, 180 / 12.5)


def test_qualifiers():
    assert str(f.stated("more than 500", qualifier="more_than").interval) == "(500, ∞)"
    assert f.stated("third").interval == Interval.point(3)
    assert close(f.stated("14 times", qualifier="multiple").interval, 13.5, 14.5)
    # "about": half a unit of the last non-zero digit; trailing zeros of a round number are not
    # precision
    assert close(f.stated("about 60", qualifier="about").interval, 55, 65)
    assert close(f.stated("1700", qualifier="about").interval, 1650, 1750)
    assert close(f.stated("1702", qualifier="about").interval, 1701.5, 1702.5)


def test_open_bounds_overlap_rules():
    above = Interval(500, math.inf, lo_open=True)
    assert not above.overlaps(500) and above.overlaps(500.1)
    assert Interval(1, 2).overlaps(Interval(2, 3))
    assert not Interval(1, 2, hi_open=True).overlaps(Interval(2, 3))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: Interval(1, 2) / Interval(-1, 1), "contains zero"),
        (lambda: Interval(1, 2).widen(-0.1), "0 or more"),
        (lambda: f.stated("n/a"), r"the printed figure 'n/a' holds no number; expected digits"),
        (lambda: f.rounding_interval("about"), "holds no number"),
        (lambda: f.stated("top", qualifier="rank"), "holds no rank"),
        (lambda: Interval(1, 2).widen(float("nan")), "0 or more"),
        (lambda: Interval(1, 1, lo_open=True), "must be closed on both sides"),
        (lambda: Interval(float("nan"), 1), "not NaN"),
        (lambda: f.cagr(-1, 2, 3), r"same sign; got start \[-1, -1\] and end \[2, 2\]"),
        (lambda: f.contribution_to_growth(1, 2, 5, 5), "contains zero"),
        (lambda: f.stated("5", qualifier="roughly"), "not one of"),
        (lambda: Interval(2, 1), "must not exceed"),
        (lambda: f.cagr(1, 2, 0), "positive number of years"),
    ],
)
def test_bad_input_is_explained(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_from_claim_uses_the_registry():
    s = f.from_claim("netizens.total_2018")
    assert s.text == "45.537 million" and close(s.interval, 45.5365, 45.5375)


def test_intervals_print_cleanly():
    # Decimal construction: 45.537 − 0.0005 is 45.5365 exactly, not 45.536500000000004
    assert str(f.rounding_interval("45.537")) == "[45.5365, 45.5375]"
    assert str(f.rounding_interval("1,671.88")) == "[1,671.875, 1,671.885]"
    assert f.rounding_interval("45.537").lo == 45.5365
    assert str(Interval(500, math.inf, lo_open=True)) == "(500, ∞)"
    assert str(Interval(-math.inf, 9)) == "(−∞, 9]"


def test_trailing_zeros_are_printed_precision():
    # "25.0%" was printed to one decimal, so it stands for [24.95, 25.05], not [24.5, 25.5]
    assert close(f.rounding_interval("25.0%"), 24.95, 25.05)
    assert close(f.rounding_interval("−3.5%"), -3.55, -3.45)  # typographic minus sign


def test_unit_words_are_kept_not_multiplied():
    assert (
        f.stated("45.537 million").unit == "million" and f.stated("45.537 million").value == 45.537
    )
    assert f.stated("1,671.88 billion yuan").unit == "billion yuan"
    assert f.stated("79.2%").unit == "%"
    assert f.stated("79.2%", unit="percent").unit == "percent"
    assert f.stated("first").unit == "rank" and f.stated("tenth").value == 10


def test_explicit_scale_converts_exactly():
    # 10,306.7 (100 million yuan) × 0.1 = 1,030.67 billion yuan; ends 10306.65 × 0.1 = 1030.665,
    # 10306.75 × 0.1 = 1030.675
    s = f.stated("10306.7", scale=0.1, unit="billion yuan")
    assert (s.interval.lo, s.interval.hi, s.value) == (1030.665, 1030.675, 1030.67)
    with pytest.raises(ValueError, match="scale must be a positive number"):
        f.stated("5", scale=0)


def test_stated_figures_take_part_in_arithmetic():
    # the same 45.537 − 5.877 as above, written on Stated figures directly
    implied = f.stated("45.537 million") - f.stated("5.877 million")
    assert isinstance(implied, Interval) and close(implied, 39.659, 39.661)
    assert close(100 * f.stated("9.2%") / 100, 9.15, 9.25)


def test_from_reference_uses_the_printed_decimals_and_converts_the_unit():
    # 5657 (10 thousand persons) is [5656.5, 5657.5] × 0.01 = [56.565, 56.575] million, exactly
    row = {
        "indicator": "resident population",
        "geography": "Zhejiang",
        "year": 2017,
        "value_as_printed": "5657",
        "unit_as_printed": "10 thousand persons",
        "unit": "million persons",
        "value": 56.57,
        "qualifier": "exact",
    }
    s = f.from_reference(row)
    assert (s.interval.lo, s.interval.hi, s.unit) == (56.565, 56.575, "million persons")
    # without the printed unit the factor is value / printed = 56.57 / 5657, snapped to 0.01
    s = f.from_reference({k: v for k, v in row.items() if k != "unit_as_printed"})
    assert (s.interval.lo, s.interval.hi) == (56.565, 56.575)
    # "no more than 9 minutes" bounds from above only
    capped = f.from_reference(
        {"value_as_printed": "9", "unit": "minutes", "value": 9.0, "qualifier": "at_most"}
    )
    assert capped.interval == Interval(-math.inf, 9)


@pytest.mark.parametrize(
    "row, message",
    [
        (
            {
                "indicator": "netizens",
                "geography": "China",
                "year": 2018,
                "value_as_printed": "n/a",
                "unit": "x",
                "value": 1.0,
            },
            r"reference row 'netizens' \(China, 2018\) has value_as_printed 'n/a', which holds "
            r"no number",
        ),
        (
            {
                "indicator": "netizens",
                "value_as_printed": "5",
                "unit": "x",
                "value": 5.0,
                "qualifier": "roughly",
            },
            "has qualifier 'roughly'; allowed: exact, more_than",
        ),
    ],
)
def test_from_reference_bad_rows(row, message):
    with pytest.raises(ValueError, match=message):
        f.from_reference(row)


def test_every_registry_claim_reads_as_an_interval_holding_its_value():
    from zjanalysis import data

    claims = data.claims()
    assert len(claims) > 0
    for claim_id, row in claims.iterrows():
        s = f.from_claim(claim_id)
        if row["qualifier"] == "more_than":
            assert (
                s.interval.lo == row["value"] and s.interval.lo_open and math.isinf(s.interval.hi)
            ), claim_id
        else:
            assert s.interval.contains(row["value"]), claim_id
        assert s.unit == row["unit"], claim_id


def test_division_near_zero_and_by_unbounded_intervals():
    # 1 / (0, 4] runs from 1/4 up without bound; [1, 2] / (0, 4] likewise from 1/4
    assert str(Interval(1, 2) / Interval(0, 4, lo_open=True)) == "[0.25, ∞)"
    # [1, 2] / (500, ∞): from just above 0 (huge divisors) to just below 2/500 = 0.004
    assert str(Interval(1, 2) / Interval(500, math.inf, lo_open=True)) == "(0, 0.004)"
    # negative over negative touching zero: [−2, −1] / [−4, 0) = [1/4, ∞)
    assert str(Interval(-2, -1) / Interval(-4, 0, hi_open=True)) == "[0.25, ∞)"
    with pytest.raises(
        ValueError, match=r"cannot divide by the interval \[0, 4\]: it contains zero"
    ):
        Interval(1, 2) / Interval(0, 4)
    with pytest.raises(ValueError, match="contains zero"):
        f.growth(0, 5)


def test_open_ends_in_products():
    # 0 is reached by 0 × anything, so [0, 1] × (2, 3] is closed at 0; 1 × 3 = 3 is reached too
    assert Interval(0, 1) * Interval(2, 3, lo_open=True) == Interval(0, 3)
    # (1, 2] × [2, 3]: 1 × 2 = 2 is not reached (1 is excluded)
    assert Interval(1, 2, lo_open=True) * Interval(2, 3) == Interval(2, 6, lo_open=True)
    assert (-Interval(1, 2, lo_open=True)) == Interval(-2, -1, hi_open=True)


def test_measures_and_widening():
    iv = Interval(79.15, 79.25)
    assert math.isclose(iv.mid, 79.2) and math.isclose(iv.width, 0.1)
    # 1 % relative: 79.15 × 0.99 = 78.3585 and 79.25 × 1.01 = 80.0425
    assert close(iv.widen(0.01), 78.3585, 80.0425)
    # a negative end moves outwards too: −10 − 0.1 × 10 = −11
    assert close(Interval(-10, 10).widen(0.1), -11, 11)
    assert Interval(500, math.inf, lo_open=True).widen(0.1) == Interval(450, math.inf, lo_open=True)
    assert Interval(500, math.inf, lo_open=True).mid == 500
    assert Interval(1, 2).distance(Interval(3.5, 4)) == 1.5 and Interval(1, 2).distance(1.5) == 0


def test_interval_point_and_numbers_mix():
    assert Interval.point(3) == Interval(3.0, 3.0)
    assert 1 + Interval(1, 2) == Interval(2, 3) and 10 - Interval(1, 2) == Interval(8, 9)
    assert 6 / Interval(2, 3) == Interval(2, 3)
    with pytest.raises(
        TypeError, match="expected an Interval, a Stated figure or a number; got '5'"
    ):
        Interval(1, 2) + "5"


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


nonzero = st.one_of(
    st.floats(min_value=1e-3, max_value=1e6), st.floats(min_value=-1e6, max_value=-1e-3)
)


@st.composite
def same_sign_interval_and_point(draw):
    # A divisor away from zero, negative or positive: checks the corner rule, not just lo/lo and
    # hi/hi.
    sign = draw(st.sampled_from((-1, 1)))
    iv, y = draw(interval_and_point(positive))
    return (Interval(iv.lo, iv.hi) if sign > 0 else -iv), sign * y


@given(interval_and_point(), same_sign_interval_and_point())
def test_division_by_either_sign_contains_point_results(p, q):
    (a, x), (b, y) = p, q
    assert inside(a / b, x / y) and inside(f.ratio(a, b), x / y)


@given(
    interval_and_point(positive),
    st.floats(min_value=1e-3, max_value=1e3),
    st.floats(min_value=0, max_value=1),
)
def test_division_by_an_interval_open_at_zero_contains_point_results(p, hi, t):
    (a, x) = p
    divisor = Interval(0, hi, lo_open=True)
    y = hi * t if hi * t > 0 else hi  # any y in (0, hi]; a subnormal t underflows hi * t to 0
    assert inside(a / divisor, x / y)


@given(interval_and_point(), interval_and_point())
def test_points_gap_contains_point_results(p, q):
    (a, x), (b, y) = p, q
    assert inside(f.points_gap(a, b), x - y)


@given(interval_and_point(positive), interval_and_point(positive))
def test_relative_gap_contains_point_results(p, q):
    (a, x), (b, y) = p, q
    assert inside(f.relative_gap(a, b), (x / y - 1) * 100)


@given(interval_and_point(positive), interval_and_point(st.floats(min_value=-99, max_value=1e3)))
def test_implied_base_with_falls_and_rises_contains_point_results(p, g):
    (level, x), (rate, r) = p, g
    assert inside(f.implied_base(level, rate), x / (1 + r / 100))


@given(
    interval_and_point(),
    interval_and_point(),
    interval_and_point(positive),
    interval_and_point(positive),
)
def test_contribution_to_growth_contains_point_results(pp, pc, tp, dt):
    (part_prev, a), (part_cur, b), (total_prev, c), (delta, d) = pp, pc, tp, dt
    # the current total lies wholly above the previous one, so the total's change is never zero
    total_cur, e = delta + total_prev.hi, d + total_prev.hi
    assert inside(
        f.contribution_to_growth(part_prev, part_cur, total_prev, total_cur),
        (b - a) / (e - c) * 100,
    )


# --- JSON, reciprocals, powers, the derived figures and conversions, by hand ---------------


def test_an_interval_reads_back_from_json_with_its_open_and_infinite_ends():
    for x in (Interval(1.5, 2.5), Interval(0.0, INF, True, True), Interval(-INF, 3.0, True, False)):
        assert Interval.from_json(x.to_json()) == x
    assert Interval(0.0, INF, True, True).to_json() == {
        "lo": 0.0,
        "hi": None,
        "lo_open": True,
        "hi_open": True,
    }
    assert Interval.from_json({"lo": 1, "hi": 2}) == Interval(1.0, 2.0, False, False)
    with pytest.raises(KeyError):
        Interval.from_json({"lo": 1})


def test_dividing_by_an_interval_that_touches_zero_at_an_open_end():
    # 1 / (0, 4] = [0.25, ∞), so [1, 2] / (0, 4] = [0.25, ∞)
    assert Interval(1.0, 2.0) / Interval(0.0, 4.0, True, False) == Interval(0.25, INF, False, True)
    # 1 / [−4, 0) = (−∞, −0.25], so [1, 2] / [−4, 0) = (−∞, −0.25]
    assert Interval(1.0, 2.0) / Interval(-4.0, 0.0, False, True) == Interval(
        -INF, -0.25, True, False
    )
    # 1 / [2, ∞) = (0, 0.5]
    assert Interval(1.0, 1.0) / Interval(2.0, INF) == Interval(0.0, 0.5, True, False)
    with pytest.raises(ValueError, match="cannot divide by the interval .* it contains zero"):
        Interval(1.0, 2.0) / Interval(-1.0, 1.0)


def test_powers_of_intervals():
    assert Interval(2.0, 3.0) ** 2 == Interval(4.0, 9.0)
    assert Interval(4.0, 9.0, True, False) ** 0.5 == Interval(2.0, 3.0, True, False)
    with pytest.raises(ValueError, match="it holds negative numbers"):
        Interval(-1.0, 2.0) ** 2
    for bad in (0, -2, True):
        with pytest.raises(ValueError, match="raised only to a positive number"):
            Interval(1.0, 2.0) ** bad


@pytest.mark.parametrize(
    "make, expected",
    [
        # (121 / 100 − 1) × 100 = 21
        (lambda: figures.growth(100, 121), 21.0),
        # 121 / (1 + 21 / 100) = 100
        (lambda: figures.implied_base(121, 21), 100.0),
        # 110 × (1 − 100 / 110) = 10
        (lambda: figures.increase_from_growth(110, 10), 10.0),
        # ((121 / 100)^(1/2) − 1) × 100 = 10
        (lambda: figures.cagr(100, 121, 2), 10.0),
        # 79.2 − 59.6 = 19.6
        (lambda: figures.points_gap(79.2, 59.6), 19.6),
        # (79.2 / 59.6 − 1) × 100 = 32.886
        (lambda: figures.relative_gap(79.2, 59.6), 32.886),
        # 45 / 60 × 100 = 75
        (lambda: figures.share_of(45, 60), 75.0),
        # 180 / 12 = 15
        (lambda: figures.ratio(180, 12), 15.0),
        # (30 − 20) / (150 − 100) × 100 = 20
        (lambda: figures.contribution_to_growth(20, 30, 100, 150), 20.0),
        # 45.437 / 79.2 × 100 = 57.370
        (lambda: figures.implied_denominator(45.437, 79.2), 57.370),
    ],
)
def test_the_derived_figures_on_exact_numbers(make, expected):
    result = make()
    assert result.lo == pytest.approx(expected, abs=5e-4)
    assert result.hi == pytest.approx(expected, abs=5e-4)


def test_the_derived_figures_name_themselves_in_a_network():
    from zjanalysis import network

    net = network.Network("test")
    a = net.figure("t.a_2018", "10", unit="units")
    b = net.figure("t.b_2018", "4", unit="units")
    label = {"t.a_2018": "A", "t.b_2018": "B"}
    named = {
        "growth(A, B)": figures.growth(a, b),
        "implied base(A, B)": figures.implied_base(a, b),
        "increase(A, B)": figures.increase_from_growth(a, b),
        "average growth(A, B)": figures.cagr(a, b, 2),
        "points gap(A, B)": figures.points_gap(a, b),
        "relative gap(A, B)": figures.relative_gap(a, b),
        "share(A, B)": figures.share_of(a, b),
        "ratio(A, B)": figures.ratio(a, b),
        "implied denominator(A, B)": figures.implied_denominator(a, b),
    }
    for words, expr in named.items():
        assert expr.formula(label) == words
    # growth(a, b): (4 / 10 − 1) × 100 over a = 9.5 to 10.5 and b = 3.5 to 4.5
    assert net.value(figures.growth(a, b)).lo == pytest.approx((3.5 / 10.5 - 1) * 100)


def test_cagr_refuses_what_has_no_average_growth():
    with pytest.raises(ValueError, match="positive number of years; got 0"):
        figures.cagr(100, 121, 0)
    with pytest.raises(ValueError, match="start and end of the same sign"):
        figures.cagr(-100, 121, 2)


def test_a_reference_printed_in_ten_thousands_is_converted_exactly():
    row = {
        "indicator": "netizens",
        "geography": "Zhejiang",
        "year": 2017,
        "value_as_printed": "3956",
        "unit_as_printed": "10 thousand persons",
        "unit": "million persons",
        "value": 39.56,
    }
    s = figures.from_reference(row)
    # 3956 ± 0.5 in units of 10 thousand: 3955.5 to 3956.5 × 0.01 = 39.555 to 39.565 million
    assert (s.value, s.unit) == (39.56, "million persons")
    assert s.interval.lo == pytest.approx(39.555) and s.interval.hi == pytest.approx(39.565)


def test_a_reference_without_its_printed_unit_is_scaled_by_its_value():
    row = {"value_as_printed": "5547.7", "unit": "billion yuan", "value": 554.77}
    s = figures.from_reference(row)
    # 5547.65 to 5547.75 × 0.1
    assert s.interval.lo == pytest.approx(554.765) and s.interval.hi == pytest.approx(554.775)


def test_a_reference_bound_and_bad_rows():
    at_most = figures.from_reference(
        {"value_as_printed": "80", "unit": "percent", "value": 80, "qualifier": "at_most"}
    )
    assert at_most.interval == Interval(-INF, 80.0) and at_most.qualifier == "at_most"
    with pytest.raises(ValueError, match=r"reference row 'x' \(G, 2018\) has qualifier 'roughly'"):
        figures.from_reference(
            {
                "indicator": "x",
                "geography": "G",
                "year": 2018,
                "value_as_printed": "8",
                "unit": "u",
                "qualifier": "roughly",
            }
        )
    with pytest.raises(ValueError, match=r"has value_as_printed 'n/a', which holds no number"):
        figures.from_reference({"value_as_printed": "n/a", "unit": "u"})


def test_a_reprinted_figure_keeps_the_original_conversion_and_qualifier():
    original = figures.from_claim("netizens.mobile_2018")  # 4498.3万人 = 44.983 million persons
    again = figures.reprinted(original, "4499.3万人")
    # 4499.25 to 4499.35 × 0.01
    assert again.value == pytest.approx(44.993)
    assert again.interval.lo == pytest.approx(44.9925) and again.interval.hi == pytest.approx(
        44.9935
    )
    assert (again.unit, again.qualifier) == (original.unit, original.qualifier)
    bound = figures.Stated("80", 80.0, "percent", "at_most", Interval(-INF, 80.0))
    assert figures.reprinted(bound, "90").interval == Interval(-INF, 90.0)
    with pytest.raises(ValueError):
        figures.reprinted(original, "many")


def test_a_reprinted_rank_stays_a_rank_in_its_unit():
    third = figures.stated("third", unit="place among provinces")
    # a rank is a point, whichever way it is printed: "2" reads as second, not as 1.5 to 2.5
    again = figures.reprinted(third, "2")
    assert (again.qualifier, again.unit, again.text) == ("rank", "place among provinces", "2")
    assert again.interval == Interval(2.0, 2.0)
    assert figures.reprinted(third, "fifth").interval == Interval(5.0, 5.0)
    with pytest.raises(ValueError, match="holds no rank"):
        figures.reprinted(third, "many")


def test_a_reference_row_without_its_names_is_named_with_question_marks():
    # The error names the row as well as the data can: '?' for what the row does not carry.
    with pytest.raises(ValueError) as caught:
        figures.from_reference({"unit": "u"})
    assert (
        str(caught.value)
        == "reference row '?' (?, ?) has value_as_printed '', which holds no number"
    )


def test_a_reference_converts_by_its_printed_unit_even_without_its_value():
    # 3956 in units of 10 thousand persons: 3955.5 to 3956.5 × 0.01 = 39.555 to 39.565 million;
    # the conversion comes from the printed unit alone, with no value to scale by.
    row = {"value_as_printed": "3956", "unit_as_printed": "10 thousand persons"}
    s = figures.from_reference({**row, "unit": "million persons", "qualifier": None})
    assert s.interval.lo == pytest.approx(39.555) and s.interval.hi == pytest.approx(39.565)
    assert (s.qualifier, s.unit, s.text) == ("exact", "million persons", "3956")
    # an upper bound is converted the same way: at most 5000 × 10 thousand = 50 million
    cap = figures.from_reference({**row, "value_as_printed": "5000", "unit": "million persons",
                                  "qualifier": "at_most"})  # fmt: skip
    assert (cap.value, cap.unit, cap.text) == (50.0, "million persons", "5000")
    assert cap.interval == Interval(-INF, 50.0)


def test_a_power_of_an_interval_from_zero_starts_at_zero():
    # x ↦ x² is increasing on [0, ∞): [0, 2]² = [0, 4]; a bool is no exponent for widen either
    assert Interval(0.0, 2.0) ** 2 == Interval(0.0, 4.0)
    with pytest.raises(ValueError):
        Interval(1.0, 2.0).widen(True)


def test_arithmetic_on_a_printed_figure_works_on_its_interval():
    # 45.537 million is 45.5365 to 45.5375; 5.877 is 5.8765 to 5.8775
    total, increase = f.stated("45.537 million"), f.stated("5.877")
    assert close(total - increase, 45.5365 - 5.8775, 45.5375 - 5.8765)
    assert close(total + increase, 45.5365 + 5.8765, 45.5375 + 5.8775)
    assert close(total + 1, 46.5365, 46.5375) and close(1 + total, 46.5365, 46.5375)
    assert close(100 - increase, 94.1225, 94.1235)
    assert close(increase * 2, 11.753, 11.755) and close(2 * increase, 11.753, 11.755)
    assert close(total / 2, 22.76825, 22.76875)
    assert close(1 / f.stated("2.5"), 1 / 2.55, 1 / 2.45)
    assert close(-increase, -5.8775, -5.8765)
