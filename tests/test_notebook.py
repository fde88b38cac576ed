"""The generated overview tables of zjanalysis.notebook, checked against the registry read
independently."""

import csv
from collections import Counter
from pathlib import Path

import pytest

from zjanalysis import notebook

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def shown(monkeypatch):
    bundles = []
    monkeypatch.setattr(notebook.display, "show", bundles.append)
    return bundles


def test_theme_overview_counts_match_the_csv(shown):
    # Count themes straight from the CSV with the csv module, not through the loader.
    with open(ROOT / "data" / "claims.csv", encoding="utf-8") as fh:
        expected = Counter(row["theme"] for row in csv.DictReader(fh))
    notebook.theme_overview()
    lines = shown[0]["text/plain"].splitlines()[1:]
    counted = {
        line.split()[1]: int(line.split()[2]) for line in lines if not line.startswith("all")
    }
    assert counted == dict(expected)
    assert lines[-1].split()[-1] == str(sum(expected.values()))


def test_verdict_table_lists_the_five_verdicts_in_order(shown):
    notebook.verdict_table()
    first_words = [line.split()[0] for line in shown[0]["text/plain"].splitlines()[1:]]
    assert first_words == ["confirmed", "consistent", "discrepancy", "misleading", "unverifiable"]
    assert "<table" in shown[0]["text/html"] and "0x" not in shown[0]["text/html"]
