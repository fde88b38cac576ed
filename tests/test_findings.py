"""Findings: their fields, the verdict and evidence scales, plain data and back, the table."""

import json
import math

import pytest

from zjanalysis import display, findings, units
from zjanalysis import figures as f
from zjanalysis.figures import INF, Interval


def finding(
    claim_id="netizens.total_2018", verdict="discrepancy", explanation="checks fail", **extra
):
    return findings.Finding(
        claim_id, verdict, explanation, "45.537 million", unit="million persons", **extra
    )


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(claim_id="", verdict="confirmed", explanation="x", stated="1"), "non-empty string"),
        (dict(claim_id="a", verdict="probably", explanation="x", stated="1"), "not one of"),
        (dict(claim_id="a", verdict="confirmed", explanation=" ", stated="1"), "explanation"),
        (
            dict(claim_id="a", verdict="confirmed", explanation="x", stated="1", evidence="strong"),
            "evidence 'strong'",
        ),
        (
            dict(claim_id=("a",), verdict="confirmed", explanation="x", stated="1"),
            "non-empty string",
        ),
    ],
)
def test_a_finding_refuses_bad_fields(kwargs, message):
    with pytest.raises(ValueError, match=message):
        findings.Finding(**kwargs)


def test_every_verdict_and_evidence_level_has_a_meaning():
    assert tuple(findings.VERDICT_MEANINGS) == findings.VERDICTS
    assert tuple(findings.EVIDENCE_MEANINGS) == findings.EVIDENCE


def test_a_finding_survives_plain_json_and_back_with_an_open_ended_range():
    reference = {
        "id": "ref:x",
        "label": "the 2017 edition",
        "printed": "3956",
        "unit": "million persons",
        "unit_as_printed": "10 thousand persons",
        "value": 39.56,
        "source_id": "s",
    }
    item = finding(
        evidence="bounds",
        likely_value="45.437",
        reconstructed=Interval(500, INF, lo_open=True),
        references=(reference,),
        sources=("s",),
        constraints=("netizens.end_2017_count",),
    )
    data = json.loads(json.dumps(item.to_json()))
    assert data["reconstructed"] == {"lo": 500, "hi": None, "lo_open": True, "hi_open": False}
    back = findings.Finding.from_json(data)
    assert back == item and math.isinf(back.reconstructed.hi)


def test_the_texts_of_a_claim_entry_are_written_from_its_structured_fields():
    entry = finding(
        reconstructed=Interval(45.43123, 45.44268),
        references=(
            {
                "id": "r1",
                "label": "the 2017 edition",
                "printed": "3956",
                "unit": "million persons",
                "unit_as_printed": "10 thousand persons",
            },
            {
                "id": "r2",
                "label": "population",
                "printed": "57.37",
                "unit": "million persons",
                "unit_as_printed": "million persons",
            },
            {
                "id": "r3",
                "label": "a cap",
                "printed": "9",
                "unit": "minutes",
                "qualifier": "at_most",
            },
        ),
    ).to_json()
    assert (
        findings.reconstructed_text(entry) == "45.431 to 45.443 million people"
    )  # three decimals at most
    # 3956 in units of 10 thousand is 39.56 million (never "3956 million persons")
    assert findings.reference_text(entry) == (
        "the 2017 edition: 39.56 million people (printed 3956, in 10 "
        "thousand persons); population: 57.37 million people; "
        "a cap: at most 9 minutes"
    )
    assert findings.reconstructed_text(finding().to_json()) == ""


def test_the_findings_table_is_aligned_and_escaped():
    rows = [
        finding(
            verdict="unverifiable", evidence="none", explanation="points <b>not</b> percent"
        ).to_json(),
        findings.Finding(
            "netizens.penetration_gap_2018", "misleading", "points", "19.6%", evidence="exact"
        ).to_json(),
    ]
    bundle = findings.table_bundle(rows, "Gap & wording")
    lines = bundle["text/plain"].splitlines()
    assert lines[0] == "Gap & wording"
    header, row1, row2 = lines[1], lines[2], lines[4]
    for column, value1, value2 in (
        ("verdict", "unverifiable", "misleading"),
        ("evidence", "none", "exact"),
        ("stated", "45.537 million", "19.6%"),
    ):
        assert header.index(column) == row1.index(value1) == row2.index(value2)
    assert bundle["text/html"].startswith(
        '<table class="zj-findings"><caption>Gap &amp; wording</caption>'
    )
    assert "points &lt;b&gt;not&lt;/b&gt; percent" in bundle["text/html"]


def test_fmt_interval_readably():
    assert (
        units.fmt_interval(Interval(1671.875, 1671.885), "billion yuan")
        == "1,671.875 to 1,671.885 billion yuan"
    )
    assert units.fmt_interval(f.stated("more than 500", qualifier="more_than")) == "more than 500"
    assert units.fmt_interval(Interval(500, INF)) == "at least 500"
    assert units.fmt_interval(Interval(-INF, 9), "minutes") == "at most 9 minutes"
    assert units.fmt_interval(Interval(-INF, INF)) == "any value"
    assert units.fmt_interval(3) == "3"


def test_show_table_aligns_text_and_escapes_html(capsys):
    display.show_table(("a", "long header"), [("x<y", "1"), ("zz", "22")], "t")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].index("long header") == lines[1].index("1") == lines[2].index("22")
    html = display.table_bundle(("a",), [("x<y",)], "t")["text/html"]
    assert "<td>x&lt;y</td>" in html
