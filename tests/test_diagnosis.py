"""The diagnosis: which printed figure is wrong, and what it most likely read.

Every expected value below is worked out by hand in the comments, from the printed figures and
their rounding, not taken from the code's output.
"""

import pytest

from zjanalysis import diagnosis, figures, network


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
    assert change.interval.lo == pytest.approx(
        32.85 * 59.55 / 100
    ) and change.interval.hi == pytest.approx(32.95 * 59.65 / 100)


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
