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
