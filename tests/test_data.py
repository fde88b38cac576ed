"""zjanalysis.data: typed loading, unit conversion, caching, and errors that name file, row and
column.

Corruption tests work on a copy of data/ (the ``data_copy`` fixture in conftest.py): they break
one thing, load, and check that the DataError points at it. Row N is the N-th data row, line N+1
of the file (the header is line 1).
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from zjanalysis import data, paths

REPO = Path(__file__).resolve().parents[1]


def edit_csv(path: Path, change) -> None:
    """Rewrite a CSV after ``change(rows)`` edits its rows in place (rows[0] is the header)."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    change(rows)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def set_cell(path: Path, row: int, column: str, value: str) -> None:
    def change(rows):
        rows[row][rows[0].index(column)] = value

    edit_csv(path, change)


def read_rows(path: Path) -> list[dict]:
    import csv

    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_all() -> None:
    data.claims()
    data.sources()
    data.reference()


def raised(*fragments: str) -> data.DataError:
    with pytest.raises(data.DataError) as info:
        load_all()
    for fragment in fragments:
        assert fragment in str(info.value), str(info.value)
    return info.value


# --- the real data -------------------------------------------------------------------------


@pytest.fixture
def fresh():
    data.clear_cache()
    yield
    data.clear_cache()


def test_data_dir_is_found_from_the_package_not_the_working_directory(fresh, tmp_path, monkeypatch):
    monkeypatch.delenv(data.ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    assert data.data_dir() == REPO / "data"
    assert (
        len(data.claims()) == 48
    )  # 38 figures of the English article, 10 only the Chinese release prints


def test_data_dir_env_var_must_be_a_folder(fresh, tmp_path, monkeypatch):
    monkeypatch.setenv(data.ENV_VAR, str(tmp_path / "nowhere"))
    with pytest.raises(
        data.DataError, match=r"\$ZJANALYSIS_DATA is set to .*nowhere.*not a folder"
    ):
        data.claims()


def test_tables_are_typed(fresh):
    claims = data.claims()
    assert claims.index.name == "claim_id"
    assert (str(claims["year"].dtype), str(claims["value"].dtype)) == ("int64", "float64")
    # A figure only the Chinese release prints has no paragraph: None, the others whole numbers.
    assert {type(p) for p in claims["paragraph"]} == {int, type(None)}
    assert all(isinstance(v, str) for v in claims["note"])
    ref = data.reference("gdp")
    assert (str(ref["year"].dtype), str(ref["value"].dtype)) == ("int64", "float64")
    # value_as_printed keeps the printed digits: "57.0" must not become 57.
    assert data.lookup("internet penetration rate", "Fujian", 2011)["value_as_printed"] == "57.0"


@pytest.mark.parametrize(
    ("indicator", "geography", "year", "period", "expected"),
    [
        # 10306.7 x 100 million yuan = 1,030,670 million yuan = 1030.67 billion yuan (divide by 10)
        ("online retail sales", "Zhejiang", 2016, None, 1030.67),
        # 5653 x 10 thousand persons = 56,530,000 persons = 56.53 million (divide by 100)
        ("netizens, increase on previous year-end", "China", 2018, None, 56.53),
        # 8.29 x 100 million persons = 829 million (multiply by 100)
        ("netizens", "China", 2018, "year-end", 829.0),
        # 5.54 trillion yuan = 5540 billion yuan (multiply by 1000)
        ("GDP (government work report)", "Zhejiang", 2018, None, 5540.0),
        # 190 x 100 million items = 19 billion items (divide by 10)
        ("public data items collected", "Zhejiang", 2019, None, 19.0),
        # printed "15%" for a gap between two rates: 15 percentage points, unchanged
        ("internet penetration rate, gap above the national rate", "Zhejiang", 2017, None, 15.0),
        # same unit: 59.6 percent stays 59.6
        ("internet penetration rate", "China", 2018, "year-end", 59.6),
    ],
)
def test_conversion_to_canonical_units(fresh, indicator, geography, year, period, expected):
    row = data.lookup(indicator, geography, year, period=period)
    assert row["value"] == expected


def test_every_reference_row_has_a_known_source(fresh):
    ref = data.reference()
    assert set(ref["source_id"]) <= set(data.sources().index)
    assert "article-2019-zj-report" in data.sources().index


def test_reference_all_tables_carry_their_name(fresh):
    ref = data.reference()
    assert list(ref.columns[:2]) == ["table", "geography"]
    assert len(ref) == sum(len(data.reference(t)) for t in ref["table"].unique())
    with pytest.raises(
        KeyError, match="reference table 'gpd' does not exist; tables: broadband, digital_economy"
    ):
        data.reference("gpd")


def test_lookup_says_what_exists(fresh):
    with pytest.raises(
        KeyError,
        match=r"2 reference rows match .*choose one with period= \('mid-year', 'year-end'\)",
    ):
        data.lookup("netizens", "China", 2018)
    with pytest.raises(KeyError, match="this indicator exists for: .*Zhejiang 2017 year-end"):
        data.lookup("netizens", "Zhejiang", 2018)
    with pytest.raises(KeyError, match="no such indicator; close indicators: 'netizens'"):
        data.lookup("netizen", "China", 2018)
    assert (
        data.lookup("online retail sales", "China", 2017, table="ecommerce")["table"] == "ecommerce"
    )


def test_claim_and_source_lookups(fresh):
    assert data.claim("netizens.total_2018")["figure_text"] == "45.537 million"
    with pytest.raises(KeyError, match="did you mean 'netizens.total_2018'"):
        data.claim("netizens.totl_2018")
    assert data.source_label("cnnic-2019-43rd-report") == (
        "CNNIC, 43rd Statistical Report on Internet Development in China (2019)"
    )
    with pytest.raises(KeyError, match="source id 'cnnic-2019' is not in sources.csv"):
        data.source_label("cnnic-2019")


def test_cache_returns_the_same_object_and_reloads_after_a_change(data_copy):
    first = data.claims()
    assert data.claims() is first
    set_cell(data_copy / "claims.csv", 1, "geography", "Zhejiang province")
    stamp = (data_copy / "claims.csv").stat()
    os.utime(data_copy / "claims.csv", ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 5_000_000_000))
    second = data.claims()
    assert second is not first
    assert second.loc["netizens.total_2018", "geography"] == "Zhejiang province"
    data.clear_cache()
    assert data.claims() is not second


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.stat().st_size)
        for p in sorted(folder.rglob("*"))
    }


def test_loading_never_writes_into_data(fresh, monkeypatch):
    monkeypatch.delenv(data.ENV_VAR, raising=False)
    before = snapshot(REPO / "data")
    load_all()
    data.lookup("online retail sales", "Zhejiang", 2016)
    data.source_label("cnnic-2019-43rd-report")
    assert snapshot(REPO / "data") == before


# --- corrupted copies: every file, every kind of damage -------------------------------------


def test_claims_missing_column(data_copy):
    edit_csv(data_copy / "claims.csv", lambda rows: [r.pop(5) for r in rows])  # column 6 is 'unit'
    error = raised("data/claims.csv, header (line 1), column 'unit': column is missing")
    assert (error.path, error.row, error.column) == (data_copy / "claims.csv", None, "unit")


def test_claims_value_not_a_number(data_copy):
    set_cell(data_copy / "claims.csv", 12, "value", "lots")
    error = raised("data/claims.csv, row 12 (line 13), column 'value': 'lots' is not a number")
    assert (error.row, error.column) == (12, "value")


def test_claims_unit_not_allowed(data_copy):
    set_cell(data_copy / "claims.csv", 12, "unit", "furlongs")
    error = raised(
        "data/claims.csv, row 12 (line 13), column 'unit': 'furlongs' is not an allowed unit; "
        "allowed: million persons, million users"
    )
    assert (error.row, error.column) == (12, "unit")


def test_claims_duplicate_claim_id(data_copy):
    set_cell(data_copy / "claims.csv", 3, "claim_id", "netizens.total_2018")
    error = raised(
        "data/claims.csv, row 3 (line 4), column 'claim_id': duplicate claim_id "
        "'netizens.total_2018' already used in row 1"
    )
    assert (error.row, error.column) == (3, "claim_id")


def test_claims_theme_and_qualifier_outside_their_lists(data_copy):
    set_cell(data_copy / "claims.csv", 2, "qualifier", "roughly")
    raised(
        "data/claims.csv, row 2 (line 3), column 'qualifier': 'roughly' is not an allowed "
        "qualifier; "
        "allowed: exact, more_than, at_least, about, rank, multiple"
    )


def test_a_figure_of_the_english_article_names_its_paragraph_and_a_chinese_only_one_does_not(
    data_copy,
):
    set_cell(data_copy / "claims.csv", 1, "paragraph", "")
    raised(
        "data/claims.csv, row 1 (line 2), column 'paragraph': is empty; a figure of the English "
        "article names its paragraph"
    )
    data.clear_cache()
    set_cell(data_copy / "claims.csv", 1, "paragraph", "7")
    row = next(
        i
        for i, r in enumerate(read_rows(data_copy / "claims.csv"), start=1)
        if r["claim_id"] == "netizens.mobile_2018"
    )
    set_cell(data_copy / "claims.csv", row, "paragraph", "7")
    raised(
        f"data/claims.csv, row {row} (line {row + 1}), column 'paragraph': is 7, but the English "
        "article does not print this figure (origin chinese-release): leave it empty"
    )


@pytest.mark.parametrize(
    "column, value, message",
    [
        ("unit_as_printed", "千人", "'千人' is not an allowed unit; allowed: 万人, 亿元"),
        (
            "qualifier_as_printed",
            "大约",
            "'大约' is not an allowed qualifier_as_printed; allowed: 约, 超过, 以上, 余",
        ),
        ("times_printed", "twice", "'twice' is not a whole number"),
        ("measure", "ratio", "'ratio' is not an allowed measure; allowed: count"),
        (
            "claim_id",
            "netizens.nowhere_2018",
            "'netizens.nowhere_2018' is not a claim_id listed in claims.csv",
        ),
        (
            "source_id",
            "nobody-2019-nothing",
            "'nobody-2019-nothing' is not a source_id listed in sources.csv",
        ),
    ],
)
def test_a_malformed_row_of_the_chinese_release_names_file_row_and_column(
    data_copy, column, value, message
):
    set_cell(data_copy / "chinese_release.csv", 2, column, value)
    with pytest.raises(data.DataError) as caught:
        data.chinese_release()
    text = str(caught.value)
    assert text.startswith(f"data/chinese_release.csv, row 2 (line 3), column '{column}': "), text
    assert message in text


def test_the_chinese_release_is_read_as_printed():
    release = data.chinese_release()
    total = release.loc["netizens.total_2018"]
    assert (
        total["figure_as_printed"],
        total["unit_as_printed"],
        total["qualifier_as_printed"],
    ) == ("4543.7", "万人", "")
    assert release.loc["netizens.increase_2018", "qualifier_as_printed"] == "约"
    assert release.loc["digecon.total_rank_2018", "figure_as_printed"] == "第四"
    assert int(total["times_printed"]) == 2


def test_claims_truncated(data_copy):
    path = data_copy / "claims.csv"
    text = path.read_text(encoding="utf-8")
    cut = text.index("netizens.penetration_2018")
    path.write_text(
        text[: cut + len("netizens.penetration_2018,internet_users,7")], encoding="utf-8"
    )
    error = raised(
        "data/claims.csv, row 3 (line 4), column 'figure_text': the row ends before this column"
    )
    assert (error.row, error.column) == (3, "figure_text")


def test_claims_empty_and_missing(data_copy):
    (data_copy / "claims.csv").write_text("", encoding="utf-8")
    raised("data/claims.csv: file is empty; expected a header row")
    (data_copy / "claims.csv").unlink()
    error = raised("data/claims.csv: file is missing; datapackage.json lists it")
    assert error.path == data_copy / "claims.csv"


def test_sources_missing_column(data_copy):
    edit_csv(data_copy / "sources.csv", lambda rows: [r.pop(1) for r in rows])
    raised("data/sources.csv, header (line 1), column 'publisher': column is missing")


def test_sources_duplicate_source_id(data_copy):
    set_cell(data_copy / "sources.csv", 4, "source_id", "cnnic-2009-23rd-report")
    raised(
        "data/sources.csv, row 4 (line 5), column 'source_id': duplicate source_id "
        "'cnnic-2009-23rd-report' already used in row 2"
    )


def test_sources_confidence_not_allowed(data_copy):
    set_cell(data_copy / "sources.csv", 2, "confidence", "certain")
    raised(
        "data/sources.csv, row 2 (line 3), column 'confidence': 'certain' is not an allowed "
        "confidence; "
        "allowed: high, medium, low"
    )


def test_sources_truncated_and_missing(data_copy):
    path = data_copy / "sources.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:5]) + "cnnic-2013-31st-report,CNNIC", encoding="utf-8")
    raised("data/sources.csv, row 5 (line 6), column 'title': the row ends before this column")
    path.unlink()
    raised("data/sources.csv: file is missing")


def test_reference_unknown_source_id(data_copy):
    set_cell(data_copy / "reference" / "gdp.csv", 2, "source_id", "nobody-2019-nothing")
    error = raised(
        "data/reference/gdp.csv, row 2 (line 3), column 'source_id': 'nobody-2019-nothing' "
        "is not a source_id listed in sources.csv"
    )
    assert (error.path, error.row, error.column) == (
        data_copy / "reference" / "gdp.csv",
        2,
        "source_id",
    )


def test_reference_value_not_a_number(data_copy):
    set_cell(data_copy / "reference" / "population.csv", 3, "value_as_printed", "about 5737")
    raised(
        "data/reference/population.csv, row 3 (line 4), column 'value_as_printed': 'about 5737' "
        "does not have the required form"
    )


def test_reference_year_not_an_integer(data_copy):
    set_cell(data_copy / "reference" / "population.csv", 1, "year", "2017.5")
    raised(
        "data/reference/population.csv, row 1 (line 2), column 'year': '2017.5' is not a whole "
        "number"
    )


def test_reference_unit_not_allowed(data_copy):
    set_cell(data_copy / "reference" / "gdp.csv", 1, "unit", "furlongs")
    raised(
        "data/reference/gdp.csv, row 1 (line 2), column 'unit': 'furlongs' is not an allowed unit"
    )


def test_reference_unknown_conversion(data_copy):
    # Both units are allowed on their own, but nothing converts trillion yuan into persons.
    set_cell(data_copy / "reference" / "gdp.csv", 1, "unit", "million persons")
    error = raised(
        "data/reference/gdp.csv, row 1 (line 2), column 'unit': no conversion from "
        "'trillion yuan' to 'million persons'; known conversions: 10 thousand persons -> million "
        "persons"
    )
    assert (error.row, error.column) == (1, "unit")


def test_reference_duplicate_key(data_copy):
    def duplicate(rows):
        rows.append(list(rows[2]))

    edit_csv(data_copy / "reference" / "gdp.csv", duplicate)
    raised(
        "data/reference/gdp.csv, row 7 (line 8), column 'geography': duplicate "
        "geography/year/period/indicator/source_id 'Zhejiang', '2017', 'year', 'GDP growth', "
        "'zjgov-2018-gdp-2017' "
        "already used in row 2"
    )


def test_reference_missing_column_truncated_and_missing_file(data_copy):
    path = data_copy / "reference" / "talent.csv"
    edit_csv(path, lambda rows: [r.pop(7) for r in rows])  # column 8 is 'source_id'
    raised("data/reference/talent.csv, header (line 1), column 'source_id': column is missing")
    data.clear_cache()
    path.write_text("geography,year,per", encoding="utf-8")
    raised("data/reference/talent.csv, header (line 1), column 'period': column is missing")
    path.unlink()
    raised("data/reference/talent.csv: file is missing; datapackage.json lists it as a resource")


def test_descriptor_missing_or_broken(data_copy):
    path = data_copy / "datapackage.json"
    path.write_text(path.read_text(encoding="utf-8")[:200], encoding="utf-8")
    raised("data/datapackage.json: is not valid JSON")
    path.unlink()
    raised("data/datapackage.json: file is missing")


# --- the validation cache: Frictionless runs once per distinct set of inputs -----------------


@pytest.fixture
def counted(monkeypatch, tmp_path):
    """Point the validation cache at an empty folder and count real validations."""
    monkeypatch.setenv(paths.CACHE_ENV_VAR, str(tmp_path / "cache"))
    calls = []
    real = data._validate_package

    def counting(root, descriptor):
        calls.append(root)
        return real(root, descriptor)

    monkeypatch.setattr(data, "_validate_package", counting)
    return calls


def test_valid_data_is_validated_once_then_served_from_the_marker(data_copy, counted, tmp_path):
    load_all()
    assert len(counted) == 1
    markers = list((tmp_path / "cache" / "validated").iterdir())
    assert len(markers) == 1 and not markers[0].name.startswith(".tmp-")
    data.clear_cache()
    load_all()
    assert len(counted) == 1
    assert not any(p.name.startswith(".tmp-") for p in (tmp_path / "cache").rglob("*"))


def test_a_changed_file_is_validated_again(data_copy, counted):
    load_all()
    set_cell(data_copy / "claims.csv", 1, "geography", "Zhejiang province")
    data.clear_cache()
    load_all()
    assert len(counted) == 2


def test_an_invalid_file_leaves_no_marker_and_is_caught_every_time(data_copy, counted, tmp_path):
    set_cell(data_copy / "claims.csv", 2, "value", "lots")
    for _ in range(2):
        data.clear_cache()
        raised("claims.csv, row 2", "'value'")
    assert len(counted) == 2
    assert not (tmp_path / "cache" / "validated").exists() or not any(
        (tmp_path / "cache" / "validated").iterdir()
    )


def test_an_unwritable_cache_still_loads(data_copy, counted, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv(paths.CACHE_ENV_VAR, str(blocker / "cache"))
    load_all()
    data.clear_cache()
    load_all()
    assert len(counted) == 2
    assert blocker.read_text() == "a file where the cache folder should be"


def test_a_damaged_marker_means_validate_again(data_copy, counted, tmp_path):
    load_all()
    (marker,) = (tmp_path / "cache" / "validated").iterdir()
    marker.write_text("garbage")
    data.clear_cache()
    load_all()
    assert len(counted) == 2


def test_a_copy_of_the_same_bytes_is_not_read_again_and_a_changed_copy_is(
    data_copy, counted, tmp_path, monkeypatch
):
    """What lets kernels forked from the zygote use the tables it read: the cache also matches
    a data folder with the same bytes at another place (and only then)."""
    reads = []
    real = data._read_table
    monkeypatch.setattr(
        data, "_read_table", lambda root, resource: reads.append(root) or real(root, resource)
    )
    assert data.preload() is False  # not validated yet: nothing is read ahead
    first = data.claims()
    tables = len(reads)
    other = tmp_path / "elsewhere"
    shutil.copytree(data_copy, other)
    monkeypatch.setenv(data.ENV_VAR, str(other))
    assert data.claims() is first and len(reads) == tables
    set_cell(other / "claims.csv", 1, "geography", "Zhejiang province")
    assert data.claims().loc["netizens.total_2018", "geography"] == "Zhejiang province"
    assert len(reads) == 2 * tables
    data.clear_cache()
    monkeypatch.setenv(data.ENV_VAR, str(data_copy))
    assert data.preload() is True  # validated by the first load: read ahead
    assert len(reads) == 3 * tables and len(counted) == 2


def test_cache_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(paths.CACHE_ENV_VAR, str(tmp_path / "a"))
    assert paths.cache_dir() == tmp_path / "a"
    monkeypatch.delenv(paths.CACHE_ENV_VAR)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert paths.cache_dir() == tmp_path / "xdg" / "zjanalysis"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert paths.cache_dir() == tmp_path / "home" / ".cache" / "zjanalysis"


# --- source hygiene: every source can be reopened, or says why not ---------------------------


def source_row(path: Path, source_id: str) -> int:
    """The 1-based data row of ``source_id`` in sources.csv (as DataError counts rows)."""
    with open(path, encoding="utf-8", newline="") as handle:
        ids = [row["source_id"] for row in csv.DictReader(handle)]
    return ids.index(source_id) + 1


def test_a_web_source_without_an_address_fails_naming_file_row_and_column(data_copy):
    sources_csv = data_copy / "sources.csv"
    row = source_row(sources_csv, "cnnic-2019-43rd-report")
    set_cell(sources_csv, row, "url", "")
    error = raised(
        f"data/sources.csv, row {row} (line {row + 1}), column 'url': is empty; a web source needs "
        "the address it was read at, or, when no address can be found, a reason in locator_missing"
    )
    assert (error.path, error.row, error.column) == (sources_csv, row, "url")


def test_the_missing_locator_is_what_a_user_sees(data_copy):
    # The same failure as a user meets it: a script that loads the data dies with one line naming
    # the place.
    sources_csv = data_copy / "sources.csv"
    row = source_row(sources_csv, "cnnic-2019-43rd-report")
    set_cell(sources_csv, row, "url", "")
    done = subprocess.run(
        [sys.executable, "-c", "from zjanalysis import data; data.sources()"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ},
    )
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(
        f"zjanalysis.data.DataError: data/sources.csv, row {row} (line {row + 1}), column 'url': "
        "is empty"
    ), done.stderr


def test_an_explicit_locator_missing_reason_passes_and_becomes_a_warning(data_copy):
    sources_csv = data_copy / "sources.csv"
    row = source_row(sources_csv, "cnnic-2019-43rd-report")
    set_cell(sources_csv, row, "url", "")
    set_cell(
        sources_csv,
        row,
        "locator_missing",
        "The page was read in a library copy that has since gone.",
    )
    assert data.sources().loc["cnnic-2019-43rd-report", "url"] == ""
    assert data.source_warnings(
        ["cnnic-2019-43rd-report", "cnnic-2018-41st-report", "cnnic-2019-43rd-report"]
    ) == [
        "CNNIC, 43rd Statistical Report on Internet Development in China (2019) cannot be "
        "reopened by a reader: "
        "the page was read in a library copy that has since gone."
    ]
    assert data.source_warnings("cnnic-2018-41st-report") == []


def test_a_reason_next_to_an_address_is_refused(data_copy):
    sources_csv = data_copy / "sources.csv"
    row = source_row(sources_csv, "cnnic-2019-43rd-report")
    set_cell(sources_csv, row, "locator_missing", "lost")
    error = raised(
        f"data/sources.csv, row {row} (line {row + 1}), column 'locator_missing': must be empty "
        "when "
        "the source has a url"
    )
    assert error.column == "locator_missing"


@pytest.mark.parametrize(
    ("locator", "passes"),
    [
        ("p. 12", True),
        ("pages 3-5, table 2", True),
        ("section 2.1", True),
        ("chapter IV", True),
        ("§ 3", True),
        ("first paragraph", False),
        ("the whole book", False),
    ],
)
def test_a_print_source_needs_a_page_or_section(data_copy, locator, passes):
    sources_csv = data_copy / "sources.csv"
    row = source_row(sources_csv, "book-2020-zj-digital-economy")
    set_cell(sources_csv, row, "url", "")
    set_cell(sources_csv, row, "medium", "print")
    set_cell(sources_csv, row, "locator", locator)
    if passes:
        load_all()
        assert data.source_warnings(["book-2020-zj-digital-economy"]) == []
    else:
        error = raised(
            f"data/sources.csv, row {row} (line {row + 1}), column 'locator': {locator!r} names no "
            "page or section"
        )
        assert error.column == "locator"


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("read_on", "29 Nov 2026", "'29 Nov 2026' is not a date written YYYY-MM-DD"),
        ("read_on", "", "is empty; a value is required"),
        (
            "read_from",
            "memory",
            "'memory' is not an allowed read_from; allowed: shared-facts, stored-page, "
            "project-copy",
        ),
        ("medium", "radio", "'radio' is not an allowed medium; allowed: web, print"),
        ("url", "www.cnnic.cn/report", "'www.cnnic.cn/report' does not have the required form"),
    ],
)
def test_source_columns_are_checked(data_copy, column, value, message):
    set_cell(data_copy / "sources.csv", 3, column, value)
    error = raised(f"data/sources.csv, row 3 (line 4), column '{column}': {message}")
    assert (error.row, error.column) == (3, column)


def test_in_the_real_data_only_the_2017_edition_cannot_be_reopened(fresh):
    # Every source but one was found at an address; the 2017 edition's figures were not (see
    # data/AUDIT.md).
    table = data.sources()
    assert set(table.index[table["url"] == ""]) == {"zjcac-2018-zj-internet-report-2017"}
    (warning,) = data.source_warnings(list(table.index))
    assert warning.startswith(
        "Zhejiang Cyberspace Administration, Zhejiang Internet Development Report 2017"
    )
    assert "cannot be reopened by a reader" in warning
    with pytest.raises(KeyError, match="source id 'cnnic-2019' is not in sources.csv"):
        data.source_warnings(["cnnic-2019"])


# --- two witnesses of one observation, and the audit columns --------------------------------


def test_lookup_chooses_between_witnesses_by_source(fresh):
    # The rounded Xinhua Silk Road total (2 trillion) and the two-decimal China Daily total (2.33
    # trillion).
    with pytest.raises(
        KeyError,
        match=r"4 reference rows match .*one per source; choose one with source= "
        r"\('xinhua-2019-yangtze-digital-economy', 'chinadaily-2019-zj-digital-economy-2018'",
    ):
        data.lookup("digital economy total size", "Zhejiang", 2018)
    rounded = data.lookup(
        "digital economy total size", "Zhejiang", 2018, source="xinhua-2019-yangtze-digital-economy"
    )
    precise = data.lookup(
        "digital economy total size",
        "Zhejiang",
        2018,
        source="chinadaily-2019-zj-digital-economy-2018",
    )
    # 2 trillion yuan = 2000 billion yuan; 2.33 trillion yuan = 2330 billion yuan
    assert (rounded["value"], precise["value"]) == (2000.0, 2330.0)
    with pytest.raises(
        KeyError,
        match=r"no reference row matches .*source='nobody'; this indicator exists for: "
        r".*Zhejiang 2018 year \(chinadaily-2019-zj-digital-economy-2018\)",
    ):
        data.lookup("digital economy total size", "Zhejiang", 2018, source="nobody")
    # a call that matched one row before still does
    assert data.lookup("online retail sales", "Zhejiang", 2016)["value"] == 1030.67


def test_the_same_observation_from_two_sources_is_allowed_but_not_twice_from_one(data_copy):
    path = data_copy / "reference" / "gdp.csv"

    def second_witness(rows):
        twin = list(rows[2])
        twin[rows[0].index("source_id")] = "xinhua-2019-zj-growth-2018"
        rows.append(twin)

    edit_csv(path, second_witness)
    assert len(data.reference("gdp")) == 7


def test_every_reference_row_records_its_last_check(fresh):
    ref = data.reference()
    assert ref["checked_on"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert (ref["check_note"].str.len() > 0).all()


def test_a_reference_row_without_a_check_date_fails(data_copy):
    set_cell(data_copy / "reference" / "population.csv", 2, "checked_on", "")
    error = raised(
        "data/reference/population.csv, row 2 (line 3), column 'checked_on': is empty; a value "
        "is required"
    )
    assert error.column == "checked_on"


# How a source was looked for is a note for the people who looked, not for readers: no data file,
# notebook (its outputs included) or page template speaks of searches.
SEARCH_WORDING = re.compile(r"\bsearch(?:es|ed|ing)?\b|\bfound no other\b|\blooked for\b", re.I)


def test_no_data_file_notebook_or_page_template_speaks_of_searches():
    files = [
        *sorted((REPO / "data").iterdir()),
        *sorted((REPO / "notebooks").glob("*.ipynb")),
        *sorted((REPO / "zjanalysis" / "templates").glob("*.html")),
    ]
    found = [
        f"{p.relative_to(REPO)}:{n}: {m.group(0)!r}"
        for p in files
        if p.is_file()
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        for m in [SEARCH_WORDING.search(line)]
        if m
    ]
    assert found == []


@pytest.mark.parametrize(
    "text",
    [
        "searches of the portal on 2 December found no other",
        "We searched twice",
        "a search of CNKI",
        "the page we looked for",
    ],
)
def test_the_search_wording_check_catches_what_it_means_to(text):
    assert SEARCH_WORDING.search(text)


def test_row_value_reads_a_column_or_gives_the_default_for_nothing_there():
    import pandas as pd

    row = pd.Series({"unit": "percent", "note": float("nan"), "qualifier": None})
    assert data.row_value(row, "unit") == "percent"
    assert data.row_value(row, "note", "") == "" and data.row_value(row, "qualifier", "x") == "x"
    assert data.row_value(row, "absent") is None and data.row_value(None, "unit", 0) == 0
    assert data.row_value({"year": 2018}, "year") == 2018
