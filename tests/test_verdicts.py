"""Verdicts from the network: which verdict and evidence each kind of evidence may produce.

The rules under test (README, verdict table): non-comparable evidence never yields `discrepancy`
or `confirmed`; partial support is never a plain `confirmed`; a check that only bounds a figure
makes it `consistent`, not `confirmed`.
"""

import pytest

from zjanalysis import figures, network, verdicts
from zjanalysis.network import NetworkError


def one(findings, claim_id):
    return next(f for f in findings if f.claim_id == claim_id)


def pair(claim_text, reference_text, **check):
    net = network.Network("test")
    claim = net.figure("t.claim_2018", claim_text, unit="minutes")
    ref = net.figure("t.ref_2019", reference_text, kind="reference", unit="minutes", source="s")
    net.check("t.compare", claim, ref, says="the same figure", unit="minutes", **check)
    net.would_settle("t.claim_2018", "the health commission's report")
    return net


def test_a_like_for_like_match_confirms_exactly():
    f = one(verdicts.derive(pair("8.21 minutes", "8.21")), "t.claim_2018")
    assert (f.verdict, f.evidence) == ("confirmed", "exact")
    assert f.constraints == ("t.compare",) and f.sources == ("s",)


def test_a_non_comparable_mismatch_is_not_a_discrepancy():
    net = pair(
        "8.21 minutes",
        "8.26",
        differs={"definition": "large city hospitals only", "date": "measured in 2019"},
    )
    f = one(verdicts.derive(net), "t.claim_2018")
    assert f.verdict == "unverifiable" and f.evidence == "indirect"
    assert "large city hospitals only" in f.explanation and "measured in 2019" in f.explanation
    assert "does not fit" in f.explanation


def test_a_non_comparable_match_is_not_a_confirmation():
    net = pair("8.21 minutes", "8.21", differs={"date": "measured in 2019"})
    f = one(verdicts.derive(net), "t.claim_2018")
    assert (f.verdict, f.evidence) == ("consistent", "indirect")


def test_a_partial_match_is_not_a_plain_confirmation():
    net = pair("60 minutes", "60", partial="one city of 'a number of cities'")
    f = one(verdicts.derive(net), "t.claim_2018")
    assert (f.verdict, f.evidence) == ("confirmed", "partial")
    assert "supported only in part: one city of 'a number of cities'" in f.explanation


def test_a_like_for_like_mismatch_is_a_discrepancy():
    f = one(verdicts.derive(pair("8.21 minutes", "8.74")), "t.claim_2018")
    assert f.verdict == "discrepancy" and f.evidence == "exact"
    # no single slip of 8.21 lands in [8.735, 8.745]: no likely value is named
    assert f.likely_value == ""


def test_a_slip_names_the_likely_value_in_the_claims_unit():
    net = network.Network("test")
    t = net.figure("t.total_2018", "45.537 million", unit="million persons")
    i = net.figure("t.increase_2018", "5.877 million", unit="million persons")
    r = net.figure("t.rate_2018", "79.2%", unit="percent")
    edition = net.figure(
        "t.edition_2017", "39.56", kind="reference", unit="million persons", source="s1"
    )
    population = net.figure(
        "t.population_2018", "57.37", kind="reference", unit="million persons", source="s2"
    )
    net.check("t.end_2017", t - i, edition, says="last year's count")
    net.check("t.rate", figures.share_of(t, population), r, says="the rate")
    found = {f.claim_id: f for f in verdicts.derive(net)}
    assert (found["t.total_2018"].verdict, found["t.total_2018"].likely_value) == (
        "discrepancy",
        "45.437",
    )
    # with the total read as 45.437, 45.437 − 5.877 = 39.560 and 45.437 / 57.37 = 79.20 %
    assert found["t.increase_2018"].verdict == "confirmed"
    assert "once t.total_2018 is read as 45.437 million" in found["t.increase_2018"].explanation
    assert found["t.rate_2018"].verdict == "confirmed"


def test_a_loose_check_only_bounds_the_figure():
    net = network.Network("test")
    level = net.figure("t.level_2018", "1,671.88 billion yuan", unit="billion yuan")
    growth = net.figure("t.growth_2018", "25.4%", unit="percent")
    prev = net.figure(
        "t.prev_2017", "1.3", kind="reference", qualifier="about", unit="trillion yuan", source="s"
    )
    net.check("t.base", figures.implied_base(level, growth), prev * 1000, says="last year's level")
    found = {f.claim_id: f for f in verdicts.derive(net)}
    # 1671.88 / 1.254 = 1333.2 ∈ [1250, 1350]; the growth could be anything from 23.8 % to 33.8 %
    assert (found["t.growth_2018"].verdict, found["t.growth_2018"].evidence) == (
        "consistent",
        "bounds",
    )
    assert (found["t.level_2018"].verdict, found["t.level_2018"].evidence) == (
        "consistent",
        "bounds",
    )


def test_checks_among_the_reports_own_figures_make_it_consistent():
    net = network.Network("test")
    a = net.figure("t.a_2018", "168", unit="items")
    b = net.figure("t.b_2018", "452", unit="items")
    total = net.figure("t.total_2018", "620", unit="items")
    net.check("t.sum", a + b, total, says="the parts add up")
    found = {f.claim_id: f for f in verdicts.derive(net)}
    assert (found["t.total_2018"].verdict, found["t.total_2018"].evidence) == (
        "consistent",
        "exact",
    )


def test_a_wording_that_invites_the_wrong_reading_is_misleading():
    net = network.Network("test")
    rate = net.figure("t.rate_2018", "79.2%", unit="percent")
    national = net.figure("t.national_2018", "59.6", kind="reference", unit="percent", source="s")
    gap = net.figure("t.gap_2018", "19.6%", unit="percentage points")
    points = net.check("t.points", gap, figures.points_gap(rate, national), says="gap in points")
    percent = net.reading(
        "t.percent", gap, figures.relative_gap(rate, national), says="gap in percent"
    )
    net.wording("t.gap_2018", intended=points, literal=percent, why="points printed as percent")
    net.would_settle("t.rate_2018", "x")
    found = {f.claim_id: f for f in verdicts.derive(net)}
    assert found["t.gap_2018"].verdict == "misleading"
    assert found["t.gap_2018"].explanation.startswith("points printed as percent")


def test_a_check_that_cannot_fail_is_no_evidence():
    net = network.Network("test")
    users = net.figure(
        "t.users_2018", "more than 20.21 million", qualifier="more_than", unit="million users"
    )
    later = net.figure(
        "t.users_2019",
        "more than 22 million",
        qualifier="more_than",
        kind="reference",
        unit="million users",
        source="s",
    )
    net.check("t.later_floor", users, later, relation="<=", says="the count did not fall by 2019")
    net.would_settle("t.users_2018", "the operator's end-2018 statistics")
    f = one(verdicts.derive(net), "t.users_2018")
    # (20.21, ∞) ≤ (22, ∞) holds for every value of the 2018 count: it bounds nothing
    assert (f.verdict, f.evidence) == ("unverifiable", "none")
    assert "would hold whatever the figure were" in f.explanation
    assert "The operator's end-2018 statistics would settle it" in f.explanation


def test_a_claim_without_checks_must_say_what_would_settle_it():
    net = network.Network("test")
    net.figure("t.alone_2018", "61", unit="items")
    with pytest.raises(NetworkError, match="would_settle"):
        verdicts.derive(net)


def test_a_claim_whose_checks_bound_nothing_still_says_what_would_settle_it():
    net = network.Network("test", tolerance=0.5)
    a = net.figure("t.a_2018", "100", unit="items")
    b = net.figure("t.b_2018", "10", kind="reference", source="s")
    c = net.figure("t.c_2018", "9", kind="reference", source="s")
    # widened by half, b − c = [4.5, 15] − [4.5, 13.5] holds zero: a / (b − c) bounds nothing
    net.check("t.ratio", a / (b - c), 10, says="a over the difference")
    f = one(verdicts.derive(net), "t.a_2018")
    assert (f.verdict, f.evidence) == (
        "unverifiable",
        "none",
    ) and "would settle it" in f.explanation


def test_every_evidence_value_is_documented():
    from zjanalysis import findings

    assert set(findings.EVIDENCE) == set(findings.EVIDENCE_MEANINGS)
