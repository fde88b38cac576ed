"""Fault injection: every slip of every checked claim, replayed on the recorded networks.

The README's detection table is what `python -m zjanalysis.faults` prints; these tests hold the
collection to it and check each outcome against what the injection should give.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from zjanalysis import data, faults, figures, slips

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def outcomes():
    return faults.run()


def test_every_checked_claim_is_corrupted_by_every_slip_class_that_applies(outcomes):
    claims = {o.injection.claim_id for o in outcomes}
    bodies = faults.recorded_networks()
    checked = {q for b in bodies for q in faults.checked_claims(faults.from_payload(b))}
    assert claims == checked and "netizens.total_2018" in claims
    kinds = {o.injection.kind for o in outcomes if o.injection.claim_id == "netizens.total_2018"}
    assert kinds == {"digit", "swap", "drop", "double", "decimal", "unit"}
    assert any(
        o.injection.kind == "percent_points"
        for o in outcomes
        if o.injection.claim_id == "netizens.penetration_gap_2018"
    )


def test_the_experiment_starts_from_the_report_as_the_diagnosis_reads_it(outcomes):
    originals = {o.injection.claim_id: o.injection.original for o in outcomes}
    assert originals["netizens.total_2018"] == "45.437 million"  # the diagnosed reading, not 45.537
    assert originals["netizens.increase_2018"] == "5.877 million"


def test_every_misprint_a_check_sees_makes_the_claim_a_discrepancy(outcomes):
    seen = [o for o in outcomes if o.seen]
    assert seen and all(o.flagged for o in seen), [o.injection for o in seen if not o.flagged][:5]


def stated_as_registry(injection) -> figures.Stated:
    """The injected claim's original text read as the registry reads it (its qualifier, and the
    conversion from its printed number to its unit: 4498.3万人 is 44.983 million persons)."""
    return figures.reprinted(figures.from_claim(injection.claim_id), injection.original)


def test_the_original_figure_is_always_among_the_readings_and_only_simpler_ones_come_first(
    outcomes,
):
    for o in (o for o in outcomes if o.seen):
        original = stated_as_registry(o.injection)
        # the original is back among the readings: the same value, to the original's rounding
        position = next(
            (
                i
                for i, c in enumerate(o.readings)
                if abs(c.interval.mid - original.interval.mid) <= original.interval.width / 2 + 1e-9
            ),
            None,
        )
        assert position is not None, o.injection
        back = slips.COST[o.readings[position].slip]
        assert all(slips.COST[c.slip] <= back for c in o.readings[:position]), o.injection


def test_misprints_no_check_sees_are_inside_rounding_or_inside_what_the_checks_resolve(outcomes):
    for o in (o for o in outcomes if not o.seen):
        assert o.reason in ("inside rounding", "inside what the checks resolve"), o
        original = stated_as_registry(o.injection)
        misprint = figures.reprinted(original, o.injection.misprint)
        assert (o.reason == "inside rounding") == misprint.interval.overlaps(original.interval), o


def test_the_readme_carries_the_current_detection_table(outcomes):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(
        r"<!-- detection table:[^\n]*-->\n(.*?)<!-- end of detection table -->", readme, re.S
    )
    assert found, "README.md lost its detection table markers"
    assert found.group(1) == faults.table(outcomes), (
        "run `python -m zjanalysis.faults` and copy its table into README.md"
    )


def test_a_corrupted_copy_of_the_data_changes_one_figure_and_still_validates(tmp_path, monkeypatch):
    copy = faults.write_copy(
        data.data_dir(), tmp_path / "data", {"netizens.total_2018": "45.637 million"}
    )
    monkeypatch.setenv("ZJANALYSIS_DATA", str(copy))
    data.clear_cache()
    try:
        row = data.claim("netizens.total_2018")
        assert (row["figure_text"], float(row["value"])) == ("45.637 million", 45.637)
        assert figures.from_claim("netizens.total_2018").interval.lo == pytest.approx(45.6365)
    finally:
        monkeypatch.delenv("ZJANALYSIS_DATA")
        data.clear_cache()
    with pytest.raises(KeyError, match="no claim netizens.nothing_2018"):
        faults.write_copy(data.data_dir(), tmp_path / "other", {"netizens.nothing_2018": "1"})


@pytest.mark.slow
def test_renders_against_corrupted_data_reach_the_verdicts_the_replay_predicts(outcomes, tmp_path):
    """End to end: for every checked claim and every slip class a check sees in it, one such
    misprint is written into a copy of data/ (from the report as the diagnosis reads it), the
    claim's notebook is rendered by the engine with that copy as its $ZJANALYSIS_DATA, and the
    ledger row must be what the in-process replay predicts: `discrepancy`, the same evidence,
    the same likely value. (The replay above covers all 439 misprints; rendering each would take
    several minutes, one per claim and class takes about one and a half.)"""
    from zjanalysis import execute, render, verdicts

    assert render.run  # importing the renderer registers the `render` job kind with the engine
    chosen = {}
    for o in outcomes:
        if o.seen:
            chosen.setdefault((o.injection.claim_id, o.injection.kind), o)
    assert (
        {kind for _, kind in chosen}
        == {o.injection.kind for o in outcomes if o.seen}
        == set(slips.CLASSES)
    )
    assert {claim for claim, _ in chosen} == {o.injection.claim_id for o in outcomes}
    base = faults.printed_corrections()
    bodies = {b["theme"]: b for b in faults.recorded_networks()}
    jobs, expected = [], {}
    for number, ((claim_id, kind), o) in enumerate(sorted(chosen.items())):
        folder = faults.write_copy(
            data.data_dir(), tmp_path / f"data-{number}", {**base, claim_id: o.injection.misprint}
        )
        name = f"{claim_id}__{kind}"
        jobs.append(
            execute.Job(
                name,
                notebook=faults.notebook_of(claim_id).read_bytes(),
                limits=execute.Limits(cell_timeout=300, run_timeout=300),
                data=execute.DataBundle.from_folder(folder),
            )
        )
        net = faults.corrected(faults.from_payload(bodies[str(data.claim(claim_id)["theme"])]))
        net.quantities[claim_id].stated = net.quantities[claim_id].reprinted(o.injection.misprint)
        expected[name] = next(f for f in verdicts.derive(net) if f.claim_id == claim_id)
    with execute.open_engine("local", workers=2) as engine:
        results = {r.name: r for r in engine.run(jobs)}
    for name, want in expected.items():
        result = results[name]
        assert result.status == "ok", (name, result.message)
        row = next(r for r in result.record["claims"] if r["claim_id"] == want.claim_id)
        assert (row["verdict"], row["evidence"], row["likely_value"]) == (
            "discrepancy",
            want.evidence,
            want.likely_value,
        ), name


# --- hand-worked cases on a small network ------------------------------------------------------


def _small_network():
    """One printed total and four reference figures, two checks that both use the total:
    total − increase = last year's count, and total ÷ population × 100 = the rate."""
    from zjanalysis import network

    net = network.Network("test")
    total = net.figure("t.total_2018", "45.437 million", unit="million persons")
    increase = net.figure(
        "t.increase", "5.877", kind="reference", unit="million persons", source="s"
    )
    last = net.figure("t.last", "39.56", kind="reference", unit="million persons", source="s")
    rate = net.figure("t.rate", "79.2", kind="reference", unit="percent", source="s")
    people = net.figure("t.people", "57.37", kind="reference", unit="million persons", source="s")
    net.check("t.count", total - increase, last, says="last year's count")
    net.check("t.share", total / people * 100, rate, says="the rate")
    return net


def test_a_misprint_both_checks_see_is_flagged_and_read_back_first():
    # 45.537 − 5.877 = 39.660, not 39.56 (rounding allows 39.555 to 39.565); 45.537 / 57.37 =
    # 79.37 %, not 79.2 (79.15 to 79.25): both checks fail, the total is the one figure in both,
    # and changing its 5 back to 4 makes both hold.
    injection = faults.Injection(
        "t.total_2018", "digit", "45.437 million", "45.537 million", "4 → 5"
    )
    outcome = faults.evaluate(_small_network(), injection)
    assert (outcome.seen, outcome.flagged, outcome.first, outcome.top) == (True, True, True, True)
    assert outcome.readings[0].reading == "45.437 million"


def test_a_misprint_inside_rounding_is_not_seen_and_says_why():
    # 45.4370 and 45.437 stand for the same range: no check can see the difference.
    injection = faults.Injection("t.total_2018", "digit", "45.437 million", "45.4370 million", "")
    outcome = faults.evaluate(_small_network(), injection)
    assert (outcome.seen, outcome.reason) == (False, "inside rounding")


def test_a_misprint_the_checks_cannot_resolve_is_not_seen_and_says_why():
    # 45.438 (45.4375 to 45.4385) no longer overlaps 45.437 (45.4365 to 45.4375) ... at one
    # point only; 45.439: 45.439 − 5.877 = 39.562 (inside 39.555 to 39.565) and 45.439 / 57.37 =
    # 79.20 %: both checks still hold, so nothing sees it though it is not the same figure.
    injection = faults.Injection(
        "t.total_2018", "digit", "45.437 million", "45.439 million", "7 → 9"
    )
    outcome = faults.evaluate(_small_network(), injection)
    assert (outcome.seen, outcome.reason) == (False, "inside what the checks resolve")


def test_the_detection_table_counts_by_hand():
    def outcome(kind, seen, flagged=False, first=False, top=False):
        return faults.Outcome(
            faults.Injection("t.x_2018", kind, "1", "2", ""), seen, flagged, first, top
        )

    rows = [
        outcome("digit", True, True, True, True),
        outcome("digit", True, True, False, True),
        outcome("digit", False),
        outcome("swap", True, False),
    ]
    table = faults.table(rows).splitlines()
    # digits: 3 misprints, 2 seen (67 %), both flagged (100 %), one first (50 %), both top (100 %)
    assert (
        table[2]
        == f"| {slips.NAMES['digit']} | 3 | 2/3 (67 %) | 2/2 (100 %) | 1/2 (50 %) | 2/2 (100 %) |"
    )
    # all: 4 misprints, 3 seen, 2 of them flagged, 1 first, 2 top
    assert table[-1] == "| **all** | 4 | 3/4 (75 %) | 2/3 (67 %) | 1/3 (33 %) | 2/3 (67 %) |"
