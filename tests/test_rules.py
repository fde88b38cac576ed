"""The checks every claim gets from the registry: its domain, and its Chinese original.

The networks are small and worked by hand: a share cannot exceed 100 %, a count cannot be
negative, a rank among China's 31 mainland provincial-level regions cannot be 32nd, and 60
minutes at the fastest fits 2 working days (at least 1.5 days after rounding: 720 minutes at eight
hours a day), 1,300 minutes does not.
"""

import pytest

from zjanalysis import diagnosis, faults, network, rules, verdicts


def net_with(claim_id, printed, measure, unit="percent", settle=True):
    """A network holding one figure with the registry fields the rules read."""
    net = network.Network("test")
    q = net.figure(claim_id, printed, unit=unit)
    q.key.update(theme="test", paragraph=1, measure=measure)
    rules.declare(
        net,
        q,
        {
            "measure": measure,
            "origin": "english-article",
            "figure_text": printed,
            "unit": unit,
            "qualifier": "exact",
            "value": 0.0,
        },
        None,
    )
    if settle:
        net.would_settle(claim_id, "a source")
    return net


def finding(net, claim_id):
    return next(f for f in verdicts.derive(net) if f.claim_id == claim_id)


@pytest.mark.parametrize(
    "printed, measure, unit, broken",
    [
        ("110%", "share", "percent", True),
        ("100%", "share", "percent", False),
        ("-5", "count", "items", True),
        ("32", "rank among provinces", "rank", True),
        ("31", "rank among provinces", "rank", False),
        ("-101%", "growth", "percent", True),
        ("-99%", "growth", "percent", False),
    ],
)
def test_a_figure_outside_its_kinds_domain_is_a_discrepancy_with_the_reason(
    printed, measure, unit, broken
):
    net = net_with("t.figure_2018", printed, measure, unit)
    found = finding(net, "t.figure_2018")
    if broken:
        assert found.verdict == "discrepancy"
        assert rules.DOMAINS[measure][1] in found.explanation
        assert "t.figure_2018_domain" in found.constraints
    else:
        # a domain that holds is no evidence for the figure: nothing checks it
        assert (found.verdict, found.evidence) == ("unverifiable", "none")
        assert "t.figure_2018_domain" not in found.constraints


def test_the_fastest_time_is_no_slower_than_the_time_printed_for_the_procedure():
    for fastest, holds in (("60 minutes", True), ("1,300 minutes", False)):
        net = network.Network("test")
        days = net.figure("t.days_2018", "2 working days", unit="working days")
        days.key.update(theme="test", measure="processing time")
        rules.declare(
            net,
            days,
            {
                "measure": "processing time",
                "origin": "english-article",
                "figure_text": "2",
                "unit": "working days",
                "qualifier": "exact",
                "value": 2.0,
            },
            None,
        )
        quick = net.figure("t.fastest_2018", fastest, unit="minutes")
        quick.key.update(theme="test", measure="fastest processing time")
        rules.declare(
            net,
            quick,
            {
                "measure": "fastest processing time",
                "origin": "english-article",
                "figure_text": fastest,
                "unit": "minutes",
                "qualifier": "exact",
                "value": 0.0,
            },
            None,
        )
        # 2 working days are at least 1.5 x 8 x 60 = 720 minutes, at most 2.5 x 8 x 60 = 1,200
        assert net.evaluate("t.fastest_2018_no_slower").holds is holds, fastest


def test_a_coverage_misprinted_as_110_percent_is_caught():
    """The fault probe of issue 20: the one-visit coverage printed 110% (from 100%)."""
    body = next(b for b in faults.recorded_networks() if b["theme"] == "digital_government")
    net = faults.corrected(faults.from_payload(body))
    coverage = net.quantities["gov.one_visit_coverage_2018"]
    coverage.stated = coverage.reprinted("110%")
    found = finding(net, "gov.one_visit_coverage_2018")
    assert found.verdict == "discrepancy" and "a share lies within 0-100 %" in found.explanation


def test_the_chinese_original_is_a_witness_the_diagnosis_weighs():
    """45.537 million against 4543.7万 (45.437 million): one failing check between two texts. The
    diagnosis names the English figure first (the report's figure before another text's) and
    reads it as 45.437; with one check only, that reading is possible, not likely."""
    net = network.Network("test")
    net.claim("netizens.total_2018")
    net.would_settle("netizens.total_2018", "a source")
    original = net.constraints["netizens.total_2018_original"]
    assert original.role == "translation" and original.evaluate(net.values()).violated
    assert net.quantities["zh:netizens.total_2018"].printed == "4543.7万人"
    found = diagnosis.diagnose(net)
    first = found.hypotheses[0]
    assert [c.quantity for c in first.changes] == ["netizens.total_2018"]
    assert first.changes[0].reading == "45.437 million" and first.strength == "possible"
    assert finding(net, "netizens.total_2018").likely_value == "45.437"


def test_an_original_that_agrees_supports_nothing():
    net = network.Network("test")
    net.claim("netizens.penetration_2018")
    net.would_settle("netizens.penetration_2018", "a source")
    assert net.evaluate("netizens.penetration_2018_original").holds
    found = finding(net, "netizens.penetration_2018")
    assert (found.verdict, found.evidence) == ("unverifiable", "none")


def test_a_changed_scope_never_blames_either_text():
    net = network.Network("test")
    net.claim("digecon.core_share_gdp_2018")
    assert not net.constraints["digecon.core_share_gdp_2018_original"].comparable
