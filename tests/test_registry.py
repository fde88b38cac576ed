"""The claim registry (data/claims.csv) against the article it records.

The article is read from the shared project folder; tests that need it skip with a reason when it
is absent (e.g. on a machine with only the repository).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest

from zjanalysis import data, notebook

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
ARTICLE = SHARED / "source" / "zhejiang-internet-report-2018-article.txt"
COVERAGE_TOOL = SHARED / "tools" / "claim_coverage.py"

needs_article = pytest.mark.skipif(not ARTICLE.is_file(), reason=f"the article is not at {ARTICLE}")

RANK_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5}
QUALIFIERS = {"exact", "more_than", "at_least", "about", "rank", "multiple"}


@pytest.fixture(scope="module")
def registry():
    data.clear_cache()
    return data.claims()


def words(text: str) -> list[str]:
    """Lower-case word tokens; a number keeps its commas, point and percent sign."""
    return re.findall(r"[a-z0-9]+(?:[.,'][a-z0-9]+)*%?", text.lower().replace("\u2019", "'"))


def shared_runs(text: str, source: str, n: int = 6) -> set[tuple[str, ...]]:
    """Every run of n consecutive words that ``text`` has in common with ``source``."""
    grams = lambda ws: {tuple(ws[i : i + n]) for i in range(len(ws) - n + 1)}  # noqa: E731
    return grams(words(text)) & grams(words(source))


@needs_article
@pytest.mark.skipif(
    not COVERAGE_TOOL.is_file(), reason=f"the coverage tool is not at {COVERAGE_TOOL}"
)
def test_coverage_tool_finds_every_printed_figure():
    result = subprocess.run(
        [sys.executable, str(COVERAGE_TOOL), "data/claims.csv", str(ARTICLE)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout
    # 38 figures: paragraphs 7 (4), 8 (2), 9 (7), 10 (2), 11 (3), 13 (3), 14 (1), 15 (7), 16 (6), 19
    # (3).
    assert result.stdout.strip().splitlines()[-1] == "covered 38/38 figures of the article"


def test_every_row_has_unit_year_and_qualifier(registry):
    descriptor = json.loads((REPO / "data" / "datapackage.json").read_text(encoding="utf-8"))
    fields = {f["name"]: f for f in descriptor["resources"][0]["schema"]["fields"]}
    allowed_units = set(fields["unit"]["constraints"]["enum"])
    for claim_id, row in registry.iterrows():
        assert row["unit"] in allowed_units, claim_id
        assert 2000 <= row["year"] <= 2030, claim_id
        assert row["qualifier"] in QUALIFIERS, claim_id


def test_ids_are_unique_well_formed_and_name_their_theme_and_year(registry):
    assert registry.index.is_unique
    for claim_id, row in registry.iterrows():
        assert re.fullmatch(r"[a-z][a-z0-9_]*\.[a-z0-9_]+_[0-9]{4}", claim_id), claim_id
        prefix = claim_id.split(".", 1)[0]
        assert prefix in data.SHORT_THEMES[row["theme"]], claim_id
        assert claim_id.endswith(f"_{row['year']}"), claim_id


def test_themes_are_the_report_themes_and_each_has_claims(registry):
    assert set(registry["theme"]) == set(data.THEMES)


def test_theme_follows_the_paragraph(registry):
    # docs/architecture.md: which paragraphs each theme covers (paragraph 9 is split in two); a
    # figure only the Chinese release prints has no paragraph of the English article.
    paragraphs = {
        "internet_users": {7},
        "broadband": {8},
        "digital_economy": {9},
        "ecommerce": {9},
        "innovation_talent": {10, 11},
        "digital_government": {13, 14, 15},
        "public_services": {16},
        "cyberspace_security": {19},
    }
    for claim_id, row in registry.iterrows():
        if row["origin"] == "chinese-release":
            assert row["paragraph"] is None, claim_id
        else:
            assert row["paragraph"] in paragraphs[row["theme"]], claim_id


def test_the_figures_only_the_chinese_release_prints_are_its_figures_as_printed(registry):
    """The ten figures the English article leaves out (issue 20), each with its own row of the
    Chinese release, printed the same way, and converted by hand: 4498.3万 = 44.983 million,
    593.7万 = 5.937 million, 1 Gbps = 1,000 Mbps."""
    chinese = registry[registry["origin"] == "chinese-release"]
    assert sorted(chinese.index) == sorted(
        [
            "netizens.mobile_2018",
            "netizens.mobile_share_2018",
            "netizens.mobile_increase_2018",
            "broadband.hz5g_stations_2018",
            "broadband.hz5g_area_2018",
            "broadband.hz5g_download_2018",
            "broadband.hz5g_peak_2018",
            "digecon.core_growth_2018",
            "innovation.national_bases_2018",
            "innovation.state_key_labs_2018",
        ]
    )
    by_hand = {
        "netizens.mobile_2018": 44.983,
        "netizens.mobile_increase_2018": 5.937,
        "broadband.hz5g_peak_2018": 1000.0,
        "innovation.state_key_labs_2018": 11.0,
    }
    for claim_id, value in by_hand.items():
        assert chinese.loc[claim_id, "value"] == value, claim_id
    release = data.chinese_release()
    for claim_id, row in chinese.iterrows():
        figure = release.loc[claim_id, "figure_as_printed"]
        assert figure in row["figure_text"], claim_id
    assert len(registry) - len(chinese) == 38


def test_value_is_the_printed_number(registry):
    for claim_id, row in registry[registry["origin"] == "english-article"].iterrows():
        text = row["figure_text"]
        if text in RANK_WORDS:
            assert (row["qualifier"], row["value"], row["unit"]) == (
                "rank",
                RANK_WORDS[text],
                "rank",
            ), claim_id
            continue
        number = float(re.search(r"\d[\d,]*(?:\.\d+)?", text).group().replace(",", ""))
        assert row["value"] == number, claim_id
        if text.startswith("more than"):
            assert row["qualifier"] == "more_than", claim_id


def test_hand_checked_rows(registry):
    # Three rows read off the article by hand: the figure, its unit and how it is qualified.
    assert tuple(
        registry.loc["ecommerce.online_retail_2018", ["figure_text", "value", "unit"]]
    ) == ("1,671.88 billion yuan", 1671.88, "billion yuan")
    assert tuple(registry.loc["netizens.penetration_gap_2018", ["figure_text", "unit"]]) == (
        "19.6%",
        "percentage points",
    )
    assert tuple(registry.loc["security.enterprises_2018", ["value", "qualifier"]]) == (
        500,
        "more_than",
    )


def test_shared_run_check_can_fail():
    article = "By the end of 2018, the number of netizens in our province reached 45.537 million."
    assert shared_runs("Indeed the number of netizens in our province reached a peak.", article)
    assert not shared_runs(
        "Zhejiang counted 45.537 million people online when 2018 closed.", article
    )


@needs_article
def test_no_statement_copies_six_words_of_the_article(registry):
    article = ARTICLE.read_text(encoding="utf-8")
    copied = {cid: shared_runs(s, article) for cid, s in registry["statement"].items()}
    assert {cid: runs for cid, runs in copied.items() if runs} == {}


def test_claims_table_shows_the_themes_claims_in_article_order():
    data.clear_cache()
    with mock.patch("zjanalysis.display.show") as display:
        assert notebook.claims_table("broadband") is None
    bundle = display.call_args.args[0]
    lines = bundle["text/plain"].splitlines()
    assert lines[0].split() == ["claim_id", "statement", "figure", "as", "printed", "paragraph"]
    # the article's two figures in its order, then the four only the Chinese release prints
    assert [ln.split()[0] for ln in lines[1:]] == [
        "broadband.fibre_households_rank_2018",
        "broadband.share_100m_2018",
        "broadband.hz5g_stations_2018",
        "broadband.hz5g_area_2018",
        "broadband.hz5g_download_2018",
        "broadband.hz5g_peak_2018",
    ]
    assert lines[3].endswith("Chinese release only")
    assert bundle["text/html"].count("<tr>") == 7 and "uuid" not in bundle["text/html"]


def test_claims_table_rejects_an_unknown_theme():
    with pytest.raises(
        ValueError, match=r"theme 'netizens' is not a theme .*allowed: internet_users, broadband"
    ):
        notebook.claims_table("netizens")


def test_navigation_links_neighbours_and_overview(tmp_path):
    with (
        mock.patch("zjanalysis.display.show") as display,
        mock.patch.object(
            notebook, "notebook_order", lambda: ["00_overview", "01_internet_users", "02_broadband"]
        ),
    ):
        notebook.navigation("01_internet_users.ipynb")
        middle = display.call_args.args[0]["text/markdown"]
        notebook.navigation("broadband")
        last = display.call_args.args[0]["text/markdown"]
    assert middle == (
        "[← 00 · Overview](00_overview.ipynb) | [Overview](00_overview.ipynb) | "
        "[02 · Broadband →](02_broadband.ipynb)"
    )
    assert (
        last == "[← 01 · Internet users](01_internet_users.ipynb) | [Overview](00_overview.ipynb)"
    )
    with pytest.raises(
        ValueError, match="notebook '09_nothing' is not in the collection; known: 00_overview"
    ):
        notebook.navigation("09_nothing")


def test_notebook_order_follows_the_theme_list_whatever_files_exist():
    # Built from data.THEMES so that adding a notebook never changes another's committed navigation.
    assert notebook.notebook_order() == ["00_overview"] + [
        f"{n:02d}_{t}" for n, t in enumerate(data.THEMES, start=1)
    ]
