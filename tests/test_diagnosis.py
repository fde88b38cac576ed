"""The diagnosis: which printed figure is wrong, and what it most likely read.

Every expected value below is worked out by hand in the comments, from the printed figures and
their rounding, not taken from the code's output.
"""

import pytest

from zjanalysis import diagnosis, figures, network, slips


def internet_users(total="45.537 million", increase="5.877 million"):
    """The internet-users relations, on figures given here (so the tests do not hang on data/)."""
    net = network.Network("test")
    t = net.figure("t.total_2018", total, unit="million persons")
    i = net.figure("t.increase_2018", increase, unit="million persons")
    r = net.figure("t.rate_2018", "79.2%", unit="percent")
    edition = net.figure(
        "t.edition_2017", "39.56", kind="reference", unit="million persons", source="s1"
    )
    population = net.figure(
        "t.population_2018", "57.37", kind="reference", unit="million persons", source="s2"
    )
    net.check("t.end_2017", t - i, edition, says="total minus increase is last year's count")
    net.check(
        "t.rate", figures.share_of(t, population), r, says="count over population is the rate"
    )
    return net


def test_one_figure_in_both_failing_checks_is_blamed_with_the_slip_that_repairs_both():
    net = internet_users()
    found = diagnosis.diagnose(net)
    # 45.537 − 5.877 = 39.660 ∉ [39.555, 39.565]; 45.537 / 57.37 = 79.37 % ∉ [79.15, 79.25]
    assert found.violated == ["t.end_2017", "t.rate"]
    best = found.hypotheses[0]
    assert best.figures == ("t.total_2018",)
    # 45.437 − 5.877 = 39.560 and 45.437 / 57.37 = 79.20 %: one digit, both checks
    assert best.changes[0].reading == "45.437 million" and best.changes[0].slip == "digit"
    assert best.strength == "likely"
    assert found.implicated == {"t.total_2018"} and found.leading is best


def test_a_figure_in_only_one_failing_check_cannot_be_the_single_culprit():
    found = diagnosis.diagnose(internet_users())
    singles = [h for h in found.hypotheses if len(h.changes) == 1]
    assert {h.figures for h in singles} == {("t.total_2018",)}
    assert all(len(h.changes) == 2 for h in found.hypotheses[1:])


def test_a_slip_that_repairs_one_check_is_only_possible():
    net = network.Network("test")
    a = net.figure("t.a_2018", "1,671.88 billion yuan", unit="billion yuan")
    g = net.figure("t.g_2018", "52.4%", unit="percent")
    prev = net.figure("t.prev_2017", "1333.67", kind="reference", unit="billion yuan", source="s")
    net.check(
        "t.base",
        figures.implied_base(a, g),
        prev,
        says="level over one plus growth is last year's level",
    )
    found = diagnosis.diagnose(net)
    # 1671.88 / 1.524 = 1097 ≠ 1333.67; 25.4 % gives 1671.88 / 1.254 = 1333.2: a swap 52.4 → 25.4
    growth = [h for h in found.hypotheses if h.figures == ("t.g_2018",)]
    assert [c.reading for h in growth for c in h.changes] == ["25.4%"]
    assert growth[0].changes[0].slip == "swap" and growth[0].strength == "possible"


def same_average(claim: str, reference: str) -> network.Network:
    """One like-for-like check between a claim and a reference figure, both in minutes."""
    net = network.Network("test")
    a = net.figure("t.a_2018", claim, unit="minutes")
    b = net.figure("t.b_2019", reference, kind="reference", unit="minutes", source="s")
    net.check("t.same", a, b, says="the same average")
    return net


def test_no_slip_fits_means_another_cause_with_the_range_the_checks_need():
    found = diagnosis.diagnose(same_average("8.21 minutes", "8.26"))
    first = next(h for h in found.hypotheses if h.figures == ("t.a_2018",))
    # 8.26 is one digit away from 8.21, the simplest slip that fits (a restored digit, 8.261,
    # fits too, so the slip is only possible); the claim has a slip. Give it none by comparing
    # 8.21 with 8.74 instead.
    assert first.changes[0].reading == "8.26 minutes" and first.strength == "possible"
    found2 = diagnosis.diagnose(same_average("8.21 minutes", "8.74"))
    claim = next(h for h in found2.hypotheses if h.figures == ("t.a_2018",))
    # 8.21 → 8.71 or 8.74? one digit: 8.71 misses [8.735, 8.745]; 8.74 needs two changes: none fits
    assert claim.strength == "another cause" and claim.changes[0].reading is None
    assert claim.changes[0].interval.lo == pytest.approx(8.735) and claim.changes[
        0
    ].interval.hi == pytest.approx(8.745)


def test_with_one_check_between_a_claim_and_a_source_both_are_implicated():
    found = diagnosis.diagnose(same_average("8.21 minutes", "8.74"))
    # one conflict {a, b}: either figure alone explains it, neither by a likely slip
    assert found.implicated == {"t.a_2018", "t.b_2019"} and found.leading is None


def test_a_source_is_blamed_first_when_that_explains_more():
    net2 = network.Network("test")
    x2 = net2.figure("t.x_2018", "100", unit="items")
    y2 = net2.figure("t.y_2018", "90", unit="items")
    base2 = net2.figure("t.base_2017", "60", kind="reference", unit="items", source="s")
    net2.check("t.x_double", x2, base2 * 2, says="x is twice the base")  # 100 vs [119, 121]
    net2.check("t.y_plus", y2, base2 + 40, says="y is the base plus 40")  # 90 vs [99.5, 100.5]
    found = diagnosis.diagnose(net2)
    # base 50 makes both hold (x: [99, 101] ∋ 100; y: [89.5, 90.5] ∋ 90): one digit, two checks
    assert found.hypotheses[0].figures == ("t.base_2017",)
    assert (
        found.hypotheses[0].changes[0].reading == "50" and found.hypotheses[0].strength == "likely"
    )
    assert found.implicated == {"t.base_2017"}


def test_percent_printed_for_points_is_found_through_the_base_rate():
    net = network.Network("test")
    rate = net.figure("t.rate_2018", "79.2%", unit="percent")
    national = net.figure("t.national_2018", "59.6", kind="reference", unit="percent", source="s")
    gap = net.figure("t.gap_2018", "32.9%", unit="percentage points")
    net.check("t.points", gap, figures.points_gap(rate, national), says="gap in points")
    found = diagnosis.diagnose(net)
    change = next(c for h in found.hypotheses for c in h.changes if c.slip == "percent_points")
    # 32.9 % of a 59.6 % base is [32.85, 32.95] × [59.55, 59.65] / 100 = [19.56, 19.65] points
    assert change.quantity == "t.gap_2018"
    assert change.detail == "printed as percent of the base rate where points were meant"
    assert change.interval.lo == pytest.approx(
        32.85 * 59.55 / 100
    ) and change.interval.hi == pytest.approx(32.95 * 59.65 / 100)


def test_points_printed_for_percent_are_found_through_the_base_rate():
    net = network.Network("test")
    rate = net.figure("t.rate_2018", "79.2%", unit="percent")
    national = net.figure("t.national_2018", "59.6", kind="reference", unit="percent", source="s")
    gap = net.figure("t.gap_2018", "19.6%", unit="percent")
    net.check("t.relative", gap, figures.relative_gap(rate, national), says="gap in percent")
    found = diagnosis.diagnose(net)
    assert found.violated == ["t.relative"]  # 79.2 / 59.6 − 1 = 32.9 %, not 19.6 %
    change = next(c for h in found.hypotheses for c in h.changes if c.slip == "percent_points")
    # 19.6 points of a 59.6 % base are [19.55, 19.65] / [59.55, 59.65] × 100 percent of it
    assert change.quantity == "t.gap_2018" and change.printed == "19.6%"
    assert change.interval.lo == pytest.approx(19.55 / 59.65 * 100)
    assert change.interval.hi == pytest.approx(19.65 / 59.55 * 100)
    assert change.detail == "printed in points where percent of the base rate was meant"
    assert diagnosis.percent_bases(net, "t.gap_2018")[0][1] == "relative"
    assert diagnosis.percent_bases(net, "t.rate_2018") == []  # the rate is not the gap


def test_checks_that_are_not_like_for_like_blame_nobody():
    net = same_average("8.21 minutes", "8.74")
    net.constraints["t.same"].differs = {"definition": "large city hospitals only"}
    found = diagnosis.diagnose(net)
    assert found.violated == [] and found.weakening == ["t.same"] and found.hypotheses == []


def test_everything_holding_means_no_hypothesis():
    found = diagnosis.diagnose(internet_users(total="45.437 million"))
    assert found.violated == [] and found.hypotheses == [] and found.implicated == set()


def test_the_table_reads_like_the_hypotheses():
    net = internet_users()
    rows = diagnosis.table(diagnosis.to_json(net, diagnosis.diagnose(net)))
    assert rows[0]["figure"] == "t.total_2018" and rows[0]["likely read"] == "45.437 million"
    assert rows[0]["strength"] == "likely" and rows[0]["slip"].startswith("one digit changed")


# --- the slip network of notebook 01, worked by hand ------------------------------------------
# total 45.537 million (45.5365 to 45.5375), increase 5.877 (5.8765 to 5.8775), rate 79.2%
# (79.15 to 79.25), last year's count 39.56 (39.555 to 39.565), population 57.37 (57.365 to
# 57.375). total − increase = 39.659 to 39.661: not 39.56. total / population = 79.366% to
# 79.382%: not 79.2%. Read the total as 45.437: 39.559 to 39.561 and 79.192% to 79.208%, both
# hold. Read instead the increase as 5.977 and the rate as 79.4: both hold too, with two changes.


def slip_network():
    from zjanalysis import figures, network

    net = network.Network("test")
    t = net.figure("t.total_2018", "45.537 million", unit="million persons")
    i = net.figure("t.increase_2018", "5.877 million", unit="million persons")
    r = net.figure("t.rate_2018", "79.2%", unit="percent")
    e = net.figure("t.edition_2017", "39.56", kind="reference", unit="million persons", source="s")
    p = net.figure(
        "t.population_2018", "57.37", kind="reference", unit="million persons", source="s2"
    )
    net.check("t.end_2017", t - i, e, says="last year's count", unit="million persons")
    net.check("t.rate", figures.share_of(t, p), r, says="the rate", unit="percent")
    return net


def _change(quantity, printed, reading, detail, lo, hi):
    return {
        "quantity": quantity,
        "figure": quantity,
        "printed": printed,
        "reading": reading,
        "slip": "digit",
        "detail": detail,
        "range": {"lo": lo, "hi": hi, "lo_open": False, "hi_open": False},
        "shown": printed,
        "read": reading,
        "how": f"one digit changed ({detail})",
    }


def test_the_recorded_diagnosis_of_the_slip_network():
    net = slip_network()
    found = diagnosis.diagnose(net)
    first = (
        "t.total_2018, printed 45.537 million, read 45.437 million (one digit changed: 5 → 4): "
        "that makes t.end_2017, t.rate hold (likely)"
    )
    second = (
        "t.increase_2018, printed 5.877 million, read 5.977 million (one digit changed: 8 → 9); "
        "t.rate_2018, printed 79.2%, read 79.4% (one digit changed: 2 → 4): that makes "
        "t.end_2017, t.rate hold (possible)"
    )
    assert diagnosis.to_json(net, found, limit=2) == {
        "violated": ["t.end_2017", "t.rate"],
        "weakening": [],
        "implicated": ["t.total_2018"],
        "hypotheses": [
            {
                "rank": 1,
                "strength": "likely",
                "repairs": ["t.end_2017", "t.rate"],
                "changes": [
                    _change(
                        "t.total_2018",
                        "45.537 million",
                        "45.437 million",
                        "5 → 4",
                        45.4365,
                        45.4375,
                    )
                ],
                "sentence": first,
            },
            {
                "rank": 2,
                "strength": "possible",
                "repairs": ["t.end_2017", "t.rate"],
                "changes": [
                    _change(
                        "t.increase_2018", "5.877 million", "5.977 million", "8 → 9", 5.9765, 5.9775
                    ),
                    _change("t.rate_2018", "79.2%", "79.4%", "2 → 4", 79.35, 79.45),
                ],
                "sentence": second,
            },
        ],
    }
    assert diagnosis.summary(net, found) == first
    rows = diagnosis.table(diagnosis.to_json(net, found, limit=2))
    assert [(r["rank"], r["figures changed"], r["figure"], r["likely read"]) for r in rows] == [
        (1, 1, "t.total_2018", "45.437 million"),
        (2, 2, "t.increase_2018", "5.977 million"),
        (2, 2, "t.rate_2018", "79.4%"),
    ]
    assert (
        rows[0]["slip"] == "one digit changed (5 → 4)"
        and rows[0]["repairs"] == "t.end_2017, t.rate"
    )


def test_the_verdicts_of_the_slip_network():
    from zjanalysis import verdicts

    found = {f.claim_id: f for f in verdicts.derive(slip_network())}
    total = found["t.total_2018"]
    assert (total.verdict, total.evidence, total.likely_value) == ("discrepancy", "exact", "45.437")
    # the range both checks leave for the total: 39.555 + 5.8765 to 39.565 + 5.8775 from the
    # first, 79.15% × 57.365 to 79.25% × 57.375 (45.404 to 45.470) from the second
    assert total.reconstructed.lo == pytest.approx(45.4315)
    assert total.reconstructed.hi == pytest.approx(45.4425)
    assert total.explanation == (
        "These like-for-like checks fail and this figure enters them all: t.end_2017 fails: "
        "last year's count — 39.659 to 39.661 million people vs 39.555 to 39.565 million people; "
        "t.rate fails: the rate — 79.366% to 79.382% vs 79.15% to 79.25%. Diagnosis: "
        "t.total_2018, printed 45.537 million, read 45.437 million (one digit changed: 5 → 4): "
        "that makes t.end_2017, t.rate hold (likely)."
    )
    increase = found["t.increase_2018"]
    # with the total read as 45.437: 45.4365 − 39.565 to 45.4375 − 39.555
    assert (increase.verdict, increase.evidence) == ("confirmed", "exact")
    assert increase.reconstructed.lo == pytest.approx(5.8715)
    assert increase.reconstructed.hi == pytest.approx(5.8825)
    assert increase.explanation == (
        "Agrees within rounding: last year's count (39.559 to 39.561 million people vs 39.555 to "
        "39.565 million people) (once t.total_2018 is read as 45.437 million)."
    )
    rate = found["t.rate_2018"]
    assert rate.explanation == (
        "Agrees within rounding: the rate (79.192% to 79.208% vs 79.15% to 79.25%) (once "
        "t.total_2018 is read as 45.437 million)."
    )
    assert rate.reconstructed.lo == pytest.approx(45.4365 / 57.375 * 100)
    assert rate.reconstructed.hi == pytest.approx(45.4375 / 57.365 * 100)


def test_a_network_whose_checks_hold_blames_nothing():
    from zjanalysis import network

    net = network.Network("test")
    a = net.figure("t.a_2018", "10", unit="units")
    b = net.figure("t.b", "10", kind="reference", unit="units", source="s")
    net.check("t.same", a, b, says="the same")
    assert diagnosis.summary(net) == "Every like-for-like check holds: no printed figure is blamed."
    found = diagnosis.diagnose(net)
    assert diagnosis.to_json(net, found) == {
        "violated": [],
        "weakening": [],
        "implicated": [],
        "hypotheses": [],
    }


def test_a_figure_no_slip_fits_is_given_the_range_the_checks_require():
    # x + 12 = total and total / 2 = half, printed 7, 29 and 9.5: both checks fail (19 ≠ 29,
    # 14.5 ≠ 9.5). Reading the total as 19 mends both (likely). Of the pairs, x read as 17 (a 1
    # restored) mends the sum, and no slip of 9.5 lands in what half must then be: 28.5 / 2 to
    # 29.5 / 2 = 14.25 to 14.75, so that change is the range, with no reading.
    net = network.Network("test")
    x = net.figure("t.x_2018", "7", unit="units")
    total = net.figure("t.total_2018", "29", unit="units")
    ref = net.figure("t.ref_2018", "12", kind="reference", unit="units", source="s")
    half = net.figure("t.half_2018", "9.5", kind="reference", unit="units", source="s2")
    net.check("t.sum", x + ref, total, says="x and the reference make the total")
    net.check("t.half", total / 2, half, says="the total is twice the half")
    found = diagnosis.diagnose(net)
    assert found.hypotheses[0].figures == ("t.total_2018",)
    assert found.hypotheses[0].changes[0].reading == "19"
    pair = next(h for h in found.hypotheses if h.figures == ("t.half_2018", "t.x_2018"))
    free, slip = pair.changes
    assert (free.quantity, free.printed, free.reading, free.slip, free.detail) == (
        "t.half_2018",
        "9.5",
        None,
        None,
        "",
    )
    assert free.interval == figures.Interval(14.25, 14.75) and not free.is_slip
    assert (slip.reading, slip.slip, slip.detail) == ("17", "drop", "a 1 restored")
    assert set(pair.repairs) == {"t.sum", "t.half"} and pair.strength == "another cause"
    assert pair.cost == slips.COST["drop"]  # only the slip costs; the free range costs nothing
