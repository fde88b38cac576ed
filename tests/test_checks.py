"""Verdicts decided from intervals, explanations, and findings that survive a notebook round trip."""
import json

import nbformat
import pytest

from zjanalysis import checks, figures as f
from zjanalysis.figures import Interval


def test_overlap_confirms_and_a_gap_is_a_discrepancy_with_its_size():
    stated = f.stated("79.2%")                                   # [79.15, 79.25]
    ok = checks.against_reference("netizens.penetration_2018", stated, Interval(79.2, 79.3), sources=["s"])
    assert ok.verdict == "confirmed"
    bad = checks.against_reference("netizens.penetration_2018", stated, Interval(80.0, 80.1), sources=["s"], unit="%")
    assert bad.verdict == "discrepancy"
    # gap = 80.0 − 79.25 = 0.75; 0.75 / 80.05 = 0.937 %
    assert "0.75 %" in bad.explanation and "0.937 %" in bad.explanation


def test_tolerance_only_widens():
    stated = f.stated("100")                                     # [99.5, 100.5]
    ref = Interval.point(102)
    assert checks.against_reference("x.y_2018", stated, ref, sources=["s"]).verdict == "discrepancy"
    # 100.5 × 1.01 = 101.505 and 102 × 0.99 = 100.98 overlap
    widened = checks.against_reference("x.y_2018", stated, ref, sources=["s"], tolerance=0.01)
    assert widened.verdict == "confirmed" and "widened by 1 %" in widened.explanation


def test_internal_consistency():
    total, increase = f.stated("45.537"), f.stated("5.877")
    rebuilt = total.interval - increase.interval                  # [39.659, 39.661]
    assert checks.internal_consistency("a.b_1", f.stated("39.66"), rebuilt, how="t − i").verdict == "consistent"
    assert checks.internal_consistency("a.b_1", f.stated("39.56"), rebuilt, how="t − i").verdict == "discrepancy"


@pytest.mark.parametrize("kwargs, message", [
    (dict(claim_ids=(), verdict="confirmed", explanation="x", stated="1"), "at least one claim"),
    (dict(claim_ids=("a",), verdict="probably", explanation="x", stated="1"), "not one of"),
    (dict(claim_ids=("a",), verdict="confirmed", explanation=" ", stated="1"), "explanation"),
])
def test_a_finding_refuses_bad_fields(kwargs, message):
    with pytest.raises(ValueError, match=message):
        checks.Finding(**kwargs)


def test_records_need_registry_ids():
    finding = checks.unverifiable("no.such_claim", "5", would_settle="a document")
    with pytest.raises(KeyError, match="no.such_claim"):
        finding.records()


def test_record_round_trips_through_a_notebook(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.get_ipython", lambda: object())
    monkeypatch.setattr("IPython.display.display", lambda bundle, raw: shown.append(bundle))
    finding = checks.misleading(("netizens.penetration_gap_2018",), f.from_claim("netizens.penetration_gap_2018"),
                                why="a difference of rates is in percentage points")
    checks.record([finding])
    bundle = shown[0]
    assert "netizens.penetration_gap_2018" in bundle["text/plain"] and "misleading" in bundle["text/plain"]
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [nbformat.v4.new_output("display_data", data=bundle)]
    nb.cells = [cell]
    back = checks.findings_from_notebook(json.loads(nbformat.writes(nb)))
    assert [r["claim_id"] for r in back] == ["netizens.penetration_gap_2018"]
    assert back[0]["theme"] == "internet_users" and back[0]["verdict"] == "misleading"


def test_fmt_is_readable():
    assert checks.fmt(1671.88) == "1,671.88" and checks.fmt(39.6600001) == "39.66" and checks.fmt(-0.0001) == "0"


def test_the_article_example_as_an_internal_check():
    # 45.537 − 5.877 = 39.660 million (interval 39.659 to 39.661); the 2017 edition printed 39.56
    rebuilt = f.stated("45.537 million") - f.stated("5.877 million")
    finding = checks.internal_consistency(("netizens.total_2018", "netizens.increase_2018"), f.stated("39.56 million"),
                                          rebuilt, how="45.537 − 5.877", unit="million")
    assert finding.verdict == "discrepancy"
    assert finding.explanation == "45.537 − 5.877 gives 39.659 to 39.661 million, which does not match the printed 39.56 million"
    assert finding.reconstructed == "39.659 to 39.661 million"


def test_a_discrepancy_states_the_absolute_and_relative_gap():
    # stated [99.5, 100.5] vs source [110, 110]: gap 110 − 100.5 = 9.5, and 9.5 / 110 = 8.636 %
    bad = checks.against_reference("x.y_2018", f.stated("100"), 110, sources=["s"], what="level", unit="yuan")
    assert bad.explanation == ("level: the report's 99.5 to 100.5 yuan lies 9.5 yuan (8.636 %) from the source's 110 yuan")
    assert bad.reference == "110 yuan" and bad.sources == ("s",)


def test_a_reconstructed_figure_is_compared_in_place_of_the_stated_one():
    # stated 25.4 % growth; rebuilt growth [24, 26] overlaps the source's 25.0
    finding = checks.against_reference("x.y_2018", f.stated("25.4%"), 25.0, sources=["s"],
                                       reconstructed=Interval(24, 26))
    assert finding.verdict == "confirmed" and finding.stated == "25.4%" and finding.reconstructed == "24 to 26"


def test_open_bounds_decide_verdicts():
    # "more than 500" is (500, ∞): a source's exactly 500 does not confirm it, 501 does
    more = f.stated("more than 500", qualifier="more_than")
    assert checks.against_reference("x.y_2018", more, 500, sources=["s"]).verdict == "discrepancy"
    assert checks.against_reference("x.y_2018", more, 501, sources=["s"]).verdict == "confirmed"


@pytest.mark.parametrize("call, error, message", [
    (lambda: checks.against_reference("a.b_1", 1, 1, sources=[]), ValueError, "source ids"),
    (lambda: checks.against_reference("a.b_1", 1, 1, sources="s"), ValueError, "list of the reference"),
    (lambda: checks.against_reference("a.b_1", 1, 1, sources=["s"], tolerance=-0.01), ValueError,
     r"tolerance must be a relative slack of 0 or more .*; got -0.01"),
    (lambda: checks.internal_consistency("a.b_1", 1, 1, how=""), ValueError, "needs 'how'"),
    (lambda: checks.internal_consistency("a.b_1", 1, 1, how="x", tolerance="1%"), ValueError, "got '1%'"),
    (lambda: checks.misleading("a.b_1", "5", why=""), ValueError, "explanation"),
    (lambda: checks.unverifiable("a.b_1", "5", would_settle=" "), ValueError, "needs 'would_settle'"),
    (lambda: checks.Finding(("a", ""), "confirmed", "x", "1"), ValueError, "non-empty strings"),
    (lambda: checks.record([]), ValueError, "at least one Finding"),
    (lambda: checks.record(["confirmed"]), TypeError, "takes Finding objects"),
])
def test_bad_calls_are_explained(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_unknown_claim_ids_get_close_matches():
    finding = checks.unverifiable("netizens.total_2108", "45.537 million", would_settle="the CNNIC report")
    with pytest.raises(KeyError, match="did you mean 'netizens.total_2018'"):
        finding.records()


def test_records_one_row_per_claim_id():
    finding = checks.internal_consistency(("netizens.total_2018", "netizens.increase_2018"), f.stated("39.66"),
                                          Interval(39.659, 39.661), how="t − i")
    rows = finding.records()
    assert [r["claim_id"] for r in rows] == ["netizens.total_2018", "netizens.increase_2018"]
    assert all(r["claim_ids"] == ["netizens.total_2018", "netizens.increase_2018"] for r in rows)
    assert set(rows[0]) == {"claim_id", "claim_ids", "theme", "verdict", "stated", "reconstructed", "reference",
                            "explanation", "sources", "evidence", "likely_value", "constraints"}
    assert json.loads(json.dumps(rows)) == rows          # plain JSON values only


def _bundle(monkeypatch, findings, **kwargs):
    shown = []
    monkeypatch.setattr("IPython.get_ipython", lambda: object())
    monkeypatch.setattr("IPython.display.display", lambda bundle, raw: shown.append((bundle, raw)))
    assert checks.record(findings, **kwargs) is None
    assert len(shown) == 1 and shown[0][1] is True
    return shown[0][0]


def test_record_is_deterministic_and_escapes_html(monkeypatch):
    finding = checks.misleading("netizens.penetration_gap_2018", "19.6%", why="points <b>not</b> percent")
    first = _bundle(monkeypatch, [finding], title="Gap & wording")
    second = _bundle(monkeypatch, [finding], title="Gap & wording")
    assert first == second
    assert first["text/html"].startswith('<table class="zj-findings"><caption>Gap &amp; wording</caption>')
    assert "points &lt;b&gt;not&lt;/b&gt; percent" in first["text/html"]
    assert first["text/plain"].splitlines()[0] == "Gap & wording"
    assert first[checks.MIME]["version"] == 1 and len(first[checks.MIME]["findings"]) == 1


def test_record_text_table_is_aligned(monkeypatch):
    findings = [checks.unverifiable("netizens.total_2018", "45.537 million", would_settle="the CNNIC report"),
                checks.misleading("netizens.penetration_gap_2018", "19.6%", why="points, not percent")]
    lines = _bundle(monkeypatch, findings)["text/plain"].splitlines()
    header, row1, row2 = lines[0], lines[1], lines[3]
    # every column starts at the same offset in the header and in each row
    for column, value1, value2 in (("verdict", "unverifiable", "misleading"), ("stated", "45.537 million", "19.6%")):
        assert header.index(column) == row1.index(value1) == row2.index(value2)


def test_record_outside_ipython_prints_the_table(capsys):
    finding = checks.unverifiable("netizens.total_2018", "45.537 million", would_settle="the CNNIC report")
    assert checks.record(finding) is None
    out = capsys.readouterr().out
    assert out.startswith("claim_id") and "netizens.total_2018" in out and "the CNNIC report would settle it" in out


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
    assert checks.fmt_interval(3) == "3"
