"""Findings: their fields, the verdict and evidence scales, the recorded table, the round trip."""
import json

import pytest

from zjanalysis import checks, figures as f
from zjanalysis.figures import INF, Interval


def finding(claim_id="netizens.total_2018", verdict="discrepancy", explanation="checks fail", **extra):
    return checks.Finding((claim_id,), verdict, explanation, "45.537 million", **extra)


@pytest.mark.parametrize("kwargs, message", [
    (dict(claim_ids=(), verdict="confirmed", explanation="x", stated="1"), "at least one claim"),
    (dict(claim_ids=("a",), verdict="probably", explanation="x", stated="1"), "not one of"),
    (dict(claim_ids=("a",), verdict="confirmed", explanation=" ", stated="1"), "explanation"),
    (dict(claim_ids=("a",), verdict="confirmed", explanation="x", stated="1", evidence="strong"), "evidence 'strong'"),
    (dict(claim_ids=("a", ""), verdict="confirmed", explanation="x", stated="1"), "non-empty strings"),
])
def test_a_finding_refuses_bad_fields(kwargs, message):
    with pytest.raises(ValueError, match=message):
        checks.Finding(**kwargs)


def test_every_verdict_and_evidence_level_has_a_meaning():
    assert tuple(checks.VERDICT_MEANINGS) == checks.VERDICTS
    assert tuple(checks.EVIDENCE_MEANINGS) == checks.EVIDENCE


def test_records_carry_the_network_columns_as_plain_json():
    rows = finding(evidence="exact", likely_value="45.437", constraints=("netizens.end_2017_count",)).records()
    assert rows[0]["theme"] == "internet_users"        # from the registry, not from the finding
    assert (rows[0]["evidence"], rows[0]["likely_value"], rows[0]["constraints"]) == (
        "exact", "45.437", ["netizens.end_2017_count"])
    assert set(rows[0]) == {"claim_id", "claim_ids", "theme", "verdict", "stated", "reconstructed", "reference",
                            "explanation", "sources", "evidence", "likely_value", "constraints"}
    assert json.loads(json.dumps(rows)) == rows


def test_unknown_claim_ids_get_close_matches():
    with pytest.raises(KeyError, match="did you mean 'netizens.total_2018'"):
        finding("netizens.total_2108").records()


def _bundle(monkeypatch, findings, **kwargs):
    shown = []
    monkeypatch.setattr("IPython.get_ipython", lambda: object())
    monkeypatch.setattr("IPython.display.display", lambda bundle, raw: shown.append((bundle, raw)))
    assert checks.record(findings, **kwargs) is None
    assert len(shown) == 1 and shown[0][1] is True
    return shown[0][0]


def test_record_is_deterministic_escapes_html_and_carries_extra_data(monkeypatch):
    item = finding(explanation="points <b>not</b> percent")
    first = _bundle(monkeypatch, [item], title="Gap & wording", extra={"application/x-test": {"a": 1}})
    second = _bundle(monkeypatch, [item], title="Gap & wording", extra={"application/x-test": {"a": 1}})
    assert first == second
    assert first["text/html"].startswith('<table class="zj-findings"><caption>Gap &amp; wording</caption>')
    assert "points &lt;b&gt;not&lt;/b&gt; percent" in first["text/html"]
    assert first["text/plain"].splitlines()[0] == "Gap & wording"
    assert first[checks.MIME]["version"] == 1 and len(first[checks.MIME]["findings"]) == 1
    assert first["application/x-test"] == {"a": 1}


def test_record_text_table_is_aligned(monkeypatch):
    findings = [finding(verdict="unverifiable", evidence="none"),
                checks.Finding(("netizens.penetration_gap_2018",), "misleading", "points", "19.6%", evidence="exact")]
    lines = _bundle(monkeypatch, findings)["text/plain"].splitlines()
    header, row1, row2 = lines[0], lines[1], lines[3]
    for column, value1, value2 in (("verdict", "unverifiable", "misleading"), ("evidence", "none", "exact"),
                                   ("stated", "45.537 million", "19.6%")):
        assert header.index(column) == row1.index(value1) == row2.index(value2)


def test_record_outside_ipython_prints_the_table(capsys):
    assert checks.record(finding(explanation="the CNNIC report would settle it")) is None
    out = capsys.readouterr().out
    assert out.startswith("claim_id") and "netizens.total_2018" in out and "the CNNIC report would settle it" in out


@pytest.mark.parametrize("call, error, message", [
    (lambda: checks.record([]), ValueError, "at least one Finding"),
    (lambda: checks.record(["confirmed"]), TypeError, "takes Finding objects"),
])
def test_bad_calls_are_explained(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_findings_from_notebook_reads_plain_dicts_and_refuses_unknown_versions():
    payload = {"version": 1, "findings": [{"claim_id": "a.b_1"}]}
    nb = {"cells": [
        {"cell_type": "markdown", "source": "x"},
        {"cell_type": "code", "outputs": [{"output_type": "stream", "text": "x"},
                                          {"output_type": "execute_result", "data": {checks.MIME: json.dumps(payload)}}]},
        {"cell_type": "code", "outputs": [{"output_type": "display_data", "data": {checks.MIME: payload}}]},
    ]}
    assert checks.findings_from_notebook(nb) == [{"claim_id": "a.b_1"}, {"claim_id": "a.b_1"}]
    nb["cells"][2]["outputs"][0]["data"][checks.MIME] = {"version": 2, "findings": []}
    with pytest.raises(ValueError, match="version 2 is not understood"):
        checks.findings_from_notebook(nb)


def test_fmt_interval_readably():
    assert checks.fmt_interval(Interval(1671.875, 1671.885), "billion yuan") == "1,671.875 to 1,671.885 billion yuan"
    assert checks.fmt_interval(f.stated("more than 500", qualifier="more_than")) == "more than 500"
    assert checks.fmt_interval(Interval(500, INF)) == "at least 500"
    assert checks.fmt_interval(Interval(-INF, 9), "minutes") == "at most 9 minutes"
    assert checks.fmt_interval(Interval(-INF, INF)) == "any value"
    assert checks.fmt_interval(3) == "3"


def test_show_table_aligns_text_and_escapes_html(capsys):
    checks.show_table(("a", "long header"), [("x<y", "1"), ("zz", "22")], "t")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].index("long header") == lines[1].index("1") == lines[2].index("22")
