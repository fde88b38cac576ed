"""Verdicts from the network: which verdict and evidence each kind of evidence may produce.

The rules under test (README, verdict table): non-comparable evidence never yields `discrepancy`
or `confirmed`; partial support is never a plain `confirmed`; a check that only bounds a figure
makes it `consistent`, not `confirmed`.
"""

import math

import pytest

from zjanalysis import figures, network, verdicts
from zjanalysis.figures import Interval
from zjanalysis.network import NetworkError

INF = math.inf


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


# --- what each verdict says, word for word --------------------------------------------------
# The ranges below are worked by hand: a figure printed to two decimals stands for ±0.005
# ("8.21" is 8.205 to 8.215), a whole number for ±0.5 ("60" is 59.5 to 60.5).


def test_a_confirmation_says_both_sides_and_keeps_the_reference():
    f = one(verdicts.derive(pair("8.21 minutes", "8.21")), "t.claim_2018")
    assert f.explanation == (
        "Agrees within rounding: the same figure (8.205 to 8.215 minutes vs 8.205 to 8.215 "
        "minutes)."
    )
    assert f.reconstructed == Interval(8.205, 8.215)
    assert f.references == (
        {
            "id": "t.ref_2019",
            "label": "t.ref_2019",
            "printed": "8.21",
            "unit": "minutes",
            "unit_as_printed": "",
            "value": 8.21,
            "qualifier": "exact",
            "shown": "8.21 minutes",
            "source_id": "s",
        },
    )
    assert (f.stated, f.unit, f.likely_value) == ("8.21 minutes", "minutes", "")


def test_a_partial_confirmation_says_which_part():
    net = pair("60 minutes", "60", partial="one city of 'a number of cities'")
    f = one(verdicts.derive(net), "t.claim_2018")
    assert f.explanation == (
        "Agrees within rounding: the same figure (59.5 to 60.5 minutes vs 59.5 to 60.5 minutes); "
        "supported only in part: one city of 'a number of cities'."
    )


def test_an_indirect_mismatch_says_why_it_is_no_evidence_and_what_would_settle_it():
    net = pair("8.21 minutes", "8.26", differs={"definition": "large city hospitals only"})
    f = one(verdicts.derive(net), "t.claim_2018")
    assert f.explanation == (
        "Not checkable like for like. The same figure (8.205 to 8.215 minutes vs 8.255 to 8.265 "
        "minutes), which does not fit; the two are not like for like (definition: large city "
        "hospitals only). A difference between figures of different scope or date is not evidence "
        "that the report is wrong. The health commission's report would settle it."
    )
    assert f.reconstructed is None and f.sources == ("s",)


def test_an_indirect_match_supports_without_confirming():
    net = pair("8.21 minutes", "8.21", differs={"date": "measured in 2019"}, partial="one city")
    f = one(verdicts.derive(net), "t.claim_2018")
    assert f.explanation == (
        "Not checkable like for like. The same figure (8.205 to 8.215 minutes vs 8.205 to 8.215 "
        "minutes), which fits; the two are not like for like (date: measured in 2019; and it "
        "covers only part of the claim: one city). A match with a figure of another scope or "
        "date supports the claim without confirming it."
    )


def test_a_bound_fits_but_says_it_only_bounds():
    net = pair("8 minutes", "10", relation="<=")
    f = one(verdicts.derive(net), "t.claim_2018")
    # 8 stands for 7.5 to 8.5; the check only says it is at most 10.5
    assert (f.verdict, f.evidence) == ("consistent", "bounds")
    assert f.explanation == (
        "Fits, but the checks only bound it (at most 10.5 minutes): the same figure "
        "(7.5 to 8.5 minutes ≤ 9.5 to 10.5 minutes)."
    )
    assert f.reconstructed == Interval(-INF, 10.5, True, False)


def test_a_figure_nothing_checks_names_what_would_settle_it():
    net = network.Network("test")
    net.figure("t.alone_2018", "12", unit="units")
    net.would_settle("t.alone_2018", "the ministry's count")
    f = one(verdicts.derive(net), "t.alone_2018")
    assert (f.verdict, f.evidence) == ("unverifiable", "none")
    assert f.explanation == (
        "Nothing here can check it: no check here can bound it. The ministry's count would "
        "settle it."
    )


def test_a_lower_bound_is_said_as_one():
    net = network.Network("test")
    a = net.figure("t.a_2018", "12", unit="units")
    b = net.figure("t.b", "1", kind="reference", unit="units", source="s")
    net.check("t.loose", a, b, relation=">=", says="a is at least b")
    f = one(verdicts.derive(net), "t.a_2018")
    # a ≥ b, with b anywhere in 0.5 to 1.5, leaves a at least 0.5
    assert (f.verdict, f.evidence) == ("consistent", "bounds")
    assert f.explanation == (
        "Fits, but the checks only bound it (at least 0.5 units): a is at least b "
        "(11.5 to 12.5 ≥ 0.5 to 1.5)."
    )


def test_a_check_that_bounds_nothing_is_named_as_such():
    net = network.Network("test")
    a = net.figure("t.a_2018", "12", unit="units")
    net.check("t.loose", a * 0, 0, says="nothing")
    f = one(verdicts.derive(net), "t.a_2018")
    # a × 0 = 0 holds whatever a is: solving it for a divides by zero, so nothing bounds a
    assert (f.verdict, f.evidence) == ("unverifiable", "none")
    assert f.explanation == (
        "Nothing here can check it: its only check (t.loose) would hold whatever the figure were, "
        "or cannot be evaluated with these figures. A source that measures the same figure, on "
        "the same definition and date, would settle it."
    )
    assert f.constraints == ("t.loose",)


def test_agreement_with_the_same_publisher_is_consistent_and_says_so():
    net = network.Network("test")
    a = net.figure("t.a_2018", "8.21 minutes", unit="minutes")
    same = net.figure(
        "t.b", "8.21", kind="reference", unit="minutes", source="s", label="last year"
    )
    same.same_publisher = "comes from the report's own earlier edition"
    net.check("t.same", a, same, says="the same figure", unit="minutes")
    f = one(verdicts.derive(net), "t.a_2018")
    assert (f.verdict, f.evidence) == ("consistent", "exact")
    assert f.explanation.endswith(
        " Not an independent check: last year comes from the report's own earlier edition."
    )


def test_other_checks_that_are_not_like_for_like_are_listed_after_the_support():
    net = pair("8.21 minutes", "8.21")
    claim, ref = net.quantities["t.claim_2018"], net.quantities["t.ref_2019"]
    other = net.figure("t.other", "9", kind="reference", unit="minutes", source="s2")
    net.check("t.fits", claim, ref, says="it fits elsewhere", differs={"date": "2019"})
    net.check("t.fails", claim, other, says="it fails elsewhere", differs={"geography": "Hangzhou"})
    f = one(verdicts.derive(net), "t.claim_2018")
    assert f.explanation.endswith(
        " Checks that are not like for like also hold: it fits elsewhere [date: 2019]. Checks "
        "that are not like for like fail, which is no evidence either way: it fails elsewhere "
        "[geography: Hangzhou]."
    )
    assert f.verdict == "confirmed" and f.sources == ("s",)


def test_failures_no_one_or_two_figures_explain_leave_each_claim_unverifiable():
    # Three checks fail on six different figures: no change of one or two figures repairs them
    # all, so the diagnosis offers no hypothesis and blames no figure. Each claim is unverifiable
    # and names its failing check; 7 is 6.5 to 7.5 as printed, 12 is 11.5 to 12.5.
    net = network.Network("test")
    for i, (claim, ref) in enumerate([("7", "12"), ("30", "41"), ("5", "88")]):
        x = net.figure(f"t.x{i}_2018", claim, unit="units")
        r = net.figure(f"t.r{i}_2018", ref, kind="reference", unit="units", source=f"s{i}")
        net.check(f"t.c{i}", x, r, says=f"check {i}")
    found = verdicts.derive(net)
    assert [(f.verdict, f.evidence) for f in found] == [("unverifiable", "none")] * 3
    f = one(found, "t.x0_2018")
    assert f.explanation == (
        "t.c0 fails: check 0 — 6.5 to 7.5 vs 11.5 to 12.5. The diagnosis cannot tell which of "
        "its figures is wrong, and does not single out this one."
    )
    assert (f.sources, f.constraints, f.likely_value) == (("s0",), ("t.c0",), "")


def test_two_checks_that_bound_nothing_are_both_named():
    net = network.Network("test")
    a = net.figure("t.a_2018", "12", unit="units")
    net.check("t.loose", a * 0, 0, says="nothing")
    net.check("t.looser", a * 0, 0, says="nothing again")
    f = one(verdicts.derive(net), "t.a_2018")
    assert f.explanation.startswith(
        "Nothing here can check it: its only checks (t.loose, t.looser) would hold whatever"
    )


def test_a_misleading_wording_checked_only_indirectly_says_so():
    net = network.Network("test")
    rate = net.figure("t.rate_2018", "79.2%", unit="percent")
    national = net.figure("t.national_2017", "59.6", kind="reference", unit="percent", source="s")
    gap = net.figure("t.gap_2018", "19.6%", unit="percentage points")
    points = net.check(
        "t.points",
        gap,
        figures.points_gap(rate, national),
        says="gap in points",
        differs={"date": "the national rate is a year older"},
    )
    percent = net.reading(
        "t.percent", gap, figures.relative_gap(rate, national), says="gap in percent"
    )
    net.wording("t.gap_2018", intended=points, literal=percent, why="points printed as percent")
    net.would_settle("t.rate_2018", "x")
    f = one(verdicts.derive(net), "t.gap_2018")
    # 79.2 − 59.6 = 19.6 points holds; read as percent, 79.2 / 59.6 − 1 = 32.9 % does not
    assert (f.verdict, f.evidence) == ("misleading", "indirect")
    assert f.constraints == ("t.points", "t.percent")
