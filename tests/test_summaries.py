"""The readers' sentences, against sentences worked out by hand from small records."""

from __future__ import annotations

import pytest

from zjanalysis import summaries


def claim(claim_id="t.total_2018", verdict="discrepancy", evidence="exact", **more):
    return {
        "claim_id": claim_id,
        "verdict": verdict,
        "evidence": evidence,
        "stated": "45.537 million",
        "unit": "million persons",
        "statement": "Zhejiang had 45.537 million internet users.",
        **more,
    }


def misprint(strength="likely", repairs=("a", "b", "c")):
    """A diagnosis: t.total_2018 printed 45.537 million, most likely read 45.437 million."""
    return {
        "diagnosis": {
            "hypotheses": [
                {
                    "strength": strength,
                    "repairs": list(repairs),
                    "sentence": "",
                    "changes": [{"quantity": "t.total_2018", "reading": "45.437 million"}],
                }
            ]
        }
    }


def test_a_likely_misprint_names_the_value_it_should_read():
    assert summaries.sentence(claim(), misprint()) == (
        "The printed “45.537 million” is most likely a misprint for 45.437 million: that one "
        "change makes "
        "three checks agree."
    )


def test_one_repaired_check_is_singular():
    text = summaries.sentence(claim(), misprint(repairs=("a",)))
    assert text.endswith("makes one check agree.")


def test_a_possible_misprint_says_one_check_cannot_tell():
    assert summaries.sentence(claim(), misprint(strength="possible", repairs=("a",))) == (
        "The printed “45.537 million” fails a check; it may be a misprint for 45.437 million, "
        "but one check "
        "alone cannot tell."
    )


def test_a_discrepancy_no_slip_explains():
    assert summaries.sentence(claim(), {}) == (
        "The printed “45.537 million” fails the checks that test it, and no misprint explains "
        "it: a revision "
        "or another definition is more likely."
    )


def test_misleading_gives_the_reason_from_the_wording_check():
    record = {
        "network": {"wordings": [{"claim_id": "t.total_2018", "why": "19.6 is a gap in points"}]}
    }
    assert summaries.sentence(claim(verdict="misleading"), record) == (
        "The number holds, but the wording misleads: 19.6 is a gap in points."
    )


def test_misleading_without_a_recorded_reason():
    assert summaries.sentence(claim(verdict="misleading"), {}) == (
        "The number 45.537 million holds, but its wording invites a reading on which it fails."
    )


@pytest.mark.parametrize(
    "evidence, expected",
    [
        (
            "exact",
            "The report's own figures agree with the printed “45.537 million”, but no "
            "independent source "
            "confirms it.",
        ),
        (
            "bounds",
            "The printed “45.537 million” fits what the sources show, but they only bound it.",
        ),
        (
            "indirect",
            "The printed “45.537 million” fits figures of another scope or date, which support it "
            "without confirming it.",
        ),
    ],
)
def test_consistent_says_how_strong_the_support_is(evidence, expected):
    assert summaries.sentence(claim(verdict="consistent", evidence=evidence), {}) == expected


def test_confirmed_and_partly_confirmed():
    assert summaries.sentence(claim(verdict="confirmed"), {}) == (
        "An independent source agrees with the printed “45.537 million” to within rounding."
    )
    record = {"network": {"constraints": [{"id": "k", "partial": "it covers mobile users only"}]}}
    assert summaries.sentence(
        claim(verdict="confirmed", evidence="partial", constraints=["k"]), record
    ) == (
        "An independent source supports only part of the printed “45.537 million”: it covers "
        "mobile users only."
    )


def test_unverifiable_says_what_would_settle_it():
    record = {"network": {"settle": {"t.total_2018": "a count of users by county"}}}
    assert summaries.sentence(claim(verdict="unverifiable", evidence="none"), record) == (
        "Nothing available can check the printed “45.537 million”: a count of users by county "
        "would settle it."
    )
    assert summaries.sentence(claim(verdict="unverifiable", evidence="none"), {}) == (
        "Nothing available can check the printed “45.537 million”."
    )


def test_a_long_reason_falls_back_to_a_shorter_sentence_within_the_limit():
    record = {"network": {"settle": {"t.total_2018": " ".join(["word"] * 40)}}}
    text = summaries.sentence(claim(verdict="unverifiable", evidence="none"), record)
    assert text == "Nothing available can check the printed “45.537 million”."
    assert len(text.split()) <= summaries.MAX_WORDS


def test_a_figure_only_the_chinese_release_prints_is_shown_in_a_readers_units():
    # The record holds the number in the registry's unit: 4498.3 × 10 000 = 44 983 000 = 44.983
    # million.
    chinese = claim(stated="4498.3万人", value=44.983, origin="chinese-release")
    assert summaries.figure(chinese) == "4498.3万人 (44.983 million people)"
    about = claim(stated="约593.7万人", value=5.937, qualifier="about", origin="chinese-release")
    assert summaries.figure(about) == "约593.7万人 (about 5.937 million people)"
    assert summaries.figure(claim()) == "45.537 million"


def test_an_unknown_verdict_is_named():
    with pytest.raises(
        ValueError, match=r"verdict 'wrong' has no plain sentence; known: confirmed"
    ):
        summaries.sentence(claim(verdict="wrong"), {})


def test_findings_count_and_name_the_misprint():
    records = [
        {
            **misprint(),
            "claims": [
                claim(),
                claim("t.gap_2018", verdict="misleading", stated="19.6%"),
                claim("t.rate_2018", verdict="confirmed"),
                claim("t.mobile_2018", verdict="consistent", origin="chinese-release"),
                claim("t.other_2018", verdict="unverifiable", evidence="none"),
            ],
        }
    ]
    assert summaries.findings(records) == [
        "We checked 5 figures: the 4 the English summary of the report prints, and 1 that only "
        "the report's "
        "Chinese release prints.",
        "One figure is most likely a misprint: Zhejiang had 45.537 million internet users. The "
        "printed "
        "“45.537 million” should most likely read 45.437 million.",
        "One figure is right but worded in a way that misleads: “19.6%”.",
        "One figure is confirmed by an independent source, and one more fits what is known "
        "without being "
        "confirmed.",
        "One figure cannot be checked with what is available: each card says what would settle it.",
    ]


def test_findings_report_what_the_translation_changed():
    records = [
        {
            "claims": [
                claim(verdict="confirmed", translation={"value": "slip"}),
                claim("t.b_2018", verdict="confirmed", translation={"value": "unit-changed"}),
                claim("t.c_2018", verdict="confirmed", translation={"value": "slip"}),
            ]
        }
    ]
    assert summaries.findings(records)[-1] == (
        "Compared with the Chinese release, the English translation changed two figures (a digit "
        "slipped), "
        "one figure (the unit changed)."
    )


def test_findings_leave_out_what_is_not_there():
    records = [{"claims": [claim(verdict="confirmed"), claim("t.b_2018", verdict="confirmed")]}]
    assert summaries.findings(records) == [
        "We checked 2 figures: the 2 the English summary of the report prints.",
        "Two figures are confirmed by an independent source.",
    ]


def test_findings_with_nothing_checked():
    assert summaries.findings([]) == ["No figure has been checked yet."]
