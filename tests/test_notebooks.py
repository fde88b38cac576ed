"""The notebook collection as a whole: structure, claim coverage, parameters under Papermill.

nbval (run by `make test` over notebooks/) re-executes each notebook and compares its outputs
with the committed ones; these tests check what nbval cannot: that the collection covers the
registry exactly once, that every notebook is parameterised the same way, and that Papermill
runs with non-default and with bad values behave as the README promises.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from zjanalysis import data, records
from zjanalysis.render import declared_parameters

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
THEME_NOTEBOOKS = [p for p in NOTEBOOKS if not p.name.startswith("00_")]

# A non-default value for every parameter any notebook declares. A notebook that declares a
# parameter missing here fails test_every_parameter_has_a_non_default_test_value, so a new
# parameter cannot go untested.
NON_DEFAULT = {
    "tolerance": 0.05,
    "population_basis": "previous_year_end",
    "gdp_basis": "gwr_estimate",
    "national_basis": "cnnic",
    "growth_basis": "commerce_department",
    "multiple_reading": "fold_increase",
}


def test_the_collection_has_the_overview_and_a_notebook_per_theme():
    assert [p.stem.split("_", 1)[1] for p in THEME_NOTEBOOKS] == list(data.THEMES)
    assert NOTEBOOKS[0].name == "00_overview.ipynb"


def read(path: Path):
    return nbformat.read(path, as_version=4)


def parameters_cell(nb):
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    return tagged[0] if len(tagged) == 1 else None


def declared(path: Path) -> dict[str, object]:
    """name -> default of the notebook's parameters (the renderer's reader)."""
    return declared_parameters(path)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_has_one_commented_parameters_cell(path):
    nb = read(path)
    cell = parameters_cell(nb)
    assert cell is not None, f"{path.name}: exactly one cell must be tagged 'parameters'"
    lines = [line for line in cell.source.splitlines() if line.strip() and not line.startswith("#")]
    for line in lines:
        assert re.fullmatch(r"\w+: \w+ = .+  # .+", line), (
            f"{path.name}: parameter line {line!r} should read 'name: type = default  # meaning'"
        )
    assert "tolerance" in declared(path), f"{path.name}: every notebook takes a tolerance"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_executed_and_clean(path):
    nb = read(path)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code), f"{path.name}: not fully executed"
    for cell in code:
        assert "def " not in cell.source, f"{path.name}: functions belong in zjanalysis/"
        for out in cell.outputs:
            assert out.output_type != "error", f"{path.name}: committed output is an error"
            assert out.get("name") != "stderr", (
                f"{path.name}: committed stderr: {out.get('text')!r}"
            )
            # Base64 image data can hold any four letters ("0x7f" turned up in a chart), so
            # only text is scanned for paths and addresses.
            text = json.dumps(
                {k: v for k, v in out.get("data", {}).items() if not k.startswith("image/")}
            )
            assert "/work/" not in text and "0x7f" not in text, f"{path.name}: volatile output"


def recorded_claims(nb) -> list[dict]:
    """The claim entries of the run record a notebook emitted (none for the overview)."""
    record = records.from_notebook(nb)
    return record["claims"] if record else []


def test_every_claim_is_recorded_in_exactly_one_notebook():
    seen: dict[str, list[str]] = {}
    for path in THEME_NOTEBOOKS:
        for finding in recorded_claims(read(path)):
            seen.setdefault(finding["claim_id"], []).append(path.name)
    registry = set(data.claims().index)
    assert registry - seen.keys() == set(), "claims no notebook records"
    assert seen.keys() - registry == set(), "recorded ids not in the registry"
    twice = {cid: where for cid, where in seen.items() if len(where) > 1}
    assert twice == {}, "claims recorded more than once"


def test_each_theme_notebook_records_only_its_own_theme():
    claims = data.claims()
    for path in THEME_NOTEBOOKS:
        theme = path.stem.split("_", 1)[1]
        for finding in recorded_claims(read(path)):
            assert claims.loc[finding["claim_id"], "theme"] == theme, (
                path.name,
                finding["claim_id"],
            )


def test_every_parameter_has_a_non_default_test_value():
    for path in NOTEBOOKS:
        for name, default in declared(path).items():
            assert name in NON_DEFAULT, f"{path.name}: add a non-default value for {name!r} here"
            assert NON_DEFAULT[name] != default, (
                f"{path.name}: {name} test value equals the default"
            )


def papermill(path: Path, out: Path, *params: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "papermill",
            str(path),
            str(out),
            "--cwd",
            str(path.parent),
            *params,
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_papermill_runs_with_non_default_parameters(path, tmp_path):
    names = declared(path)
    args = [arg for name in names for arg in ("-p", name, str(NON_DEFAULT[name]))]
    result = papermill(path, tmp_path / path.name, *args)
    assert result.returncode == 0, result.stderr[-2000:]
    assert recorded_claims(read(tmp_path / path.name)) or path.name.startswith("00_")


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS[:2], ids=lambda p: p.stem)
def test_papermill_bad_value_fails_with_the_validators_sentence(path, tmp_path):
    result = papermill(path, tmp_path / path.name, "-p", "tolerance", "lots")
    assert result.returncode != 0
    errors = [
        out
        for cell in read(tmp_path / path.name).cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error"
    ]
    assert errors, "the bad value should leave an error output in the notebook"
    assert errors[0].ename == "ParameterError"
    assert "tolerance" in errors[0].evalue and "lots" in errors[0].evalue


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_papermill_sees_every_declared_parameter(path):
    # `papermill --help-notebook` and papermill's own checks skip a line it cannot parse
    # (e.g. a comment holding "="): then a user would not see the parameter at all.
    from papermill import inspect_notebook

    assert set(inspect_notebook(str(path))) == set(declared(path))


@pytest.mark.slow
def test_student_edition_of_the_collection_runs_and_its_ledger_covers_the_registry(tmp_path):
    out = tmp_path / "site"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "zjanalysis",
            "render",
            "--edition",
            "student",
            "--no-progress",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    rendered = sorted((out / "student").glob("*.ipynb"))
    assert [p.name for p in rendered] == [p.name for p in NOTEBOOKS]
    for path in rendered:
        nb = read(path)
        assert not [c for c in nb.cells if "solution" in c.metadata.get("tags", [])], path.name
        if path.name.startswith("00_"):
            continue
        printed = json.dumps([c.get("outputs", []) for c in nb.cells if c.cell_type == "code"])
        assert "No answer yet" in printed, (
            f"{path.name}: the answer placeholders should run and say so"
        )
    ledger = json.loads((out / "ledger.json").read_text(encoding="utf-8"))
    assert {row["claim_id"] for row in ledger} == set(data.claims().index)


def test_no_discrepancy_rests_on_a_comparison_that_is_not_like_for_like():
    """Issue 14's rule, on the collection as committed: a discrepancy needs a failing like-for-like
    check, and a plain `confirmed` needs a full (not partial) one."""
    for path in THEME_NOTEBOOKS:
        nb = read(path)
        for body in [records.from_notebook(nb)["network"]]:
            constraints = {c["id"]: c for c in body["constraints"]}
            for row in recorded_claims(nb):
                mine = [
                    constraints[c] for c in row["constraints"] if constraints[c]["role"] == "check"
                ]
                if row["verdict"] == "discrepancy":
                    assert any(c["status"] == "violated" and not c["differs"] for c in mine), row[
                        "claim_id"
                    ]
                if row["verdict"] == "confirmed" and row["evidence"] == "exact":
                    assert any(
                        c["status"] == "holds" and not c["differs"] and not c["partial"]
                        for c in mine
                    ), row["claim_id"]


# What the notebooks' markdown says a parameter does to a verdict (05 on the 9.2% share, 07 on the
# hospital queue and the settlement rate), checked against what a render records. The default
# run's verdicts are read from the prose itself (tests/test_prose.py); these are the sentences
# about other parameters, written here as the prose words them.
PROSE_VERDICTS = {
    ("05_innovation_talent", "national_basis-unknown__tolerance-0"): {
        "talent.listed_internet_share_2018": ("unverifiable", "none")
    },
    ("05_innovation_talent", "national_basis-cnnic__tolerance-0"): {
        "talent.listed_internet_share_2018": ("unverifiable", "indirect")
    },
    ("05_innovation_talent", "national_basis-cnnic__tolerance-0.02"): {
        "talent.listed_internet_share_2018": ("consistent", "indirect")
    },
    ("07_public_services", "tolerance-0"): {
        "services.queue_before_2018": ("unverifiable", "indirect"),
        "services.settlement_after_2018": ("unverifiable", "indirect"),
    },
    ("07_public_services", "tolerance-0.005"): {
        "services.queue_before_2018": ("consistent", "indirect"),
        "services.settlement_after_2018": ("consistent", "indirect"),
    },
}


@pytest.mark.slow
def test_what_the_prose_says_parameters_do_is_what_the_notebooks_record(tmp_path):
    (tmp_path / "grid.yaml").write_text(
        "05_innovation_talent:\n"
        "  runs: [{national_basis: unknown, tolerance: 0}, {national_basis: cnnic, tolerance: 0},\n"
        "         {national_basis: cnnic, tolerance: 0.02}]\n"
        "07_public_services:\n"
        "  product: {tolerance: [0, 0.005]}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "zjanalysis",
            "render",
            "--grid",
            "grid.yaml",
            "--out",
            "out",
            "--format",
            "ipynb",
            "--no-progress",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    ledger = json.loads((tmp_path / "out" / "ledger.json").read_text(encoding="utf-8"))
    recorded = {
        (row["notebook"].removesuffix(".ipynb"), row["claim_id"]): (row["verdict"], row["evidence"])
        for row in ledger
    }
    for (stem, params), expected in PROSE_VERDICTS.items():
        for claim_id, verdict in expected.items():
            assert recorded[(f"{stem}__{params}", claim_id)] == verdict, (stem, params, claim_id)


# One exercise layout in every notebook: a markdown cell "**Exercise NN-exK.** …", an answer cell
# of two lines (the placeholder with its unit, then the self-check), and a solution cell that
# computes the answer and ends with the same self-check.
_ANSWER = re.compile(
    r"answer_(\d\d)_ex(\d) = \.\.\.  # your answer[,:] .+\n"
    r"teach\.check\(\"\1-ex\2\", answer_\1_ex\2\)"
)


@pytest.mark.parametrize("path", THEME_NOTEBOOKS, ids=lambda p: p.stem)
def test_every_exercise_has_the_same_layout(path):
    cells = read(path).cells
    starts = [
        i for i, c in enumerate(cells) if re.match(r"\*\*Exercise \d\d-ex\d\.\*\* ", c.source)
    ]
    assert starts, f"{path.name} has no exercise"
    for i in starts:
        exercise = re.match(r"\*\*Exercise (\d\d)-ex(\d)\.\*\*", cells[i].source).groups()
        answer, solution = cells[i + 1], cells[i + 2]
        assert answer.metadata.get("tags") == ["answer"], (path.name, exercise)
        match = _ANSWER.fullmatch(answer.source)
        assert match and match.groups()[:2] == exercise, (path.name, answer.source)
        assert solution.metadata.get("tags") == ["solution"], (path.name, exercise)
        check = (
            f'teach.check("{exercise[0]}-ex{exercise[1]}", answer_{exercise[0]}_ex{exercise[1]})'
        )
        assert solution.source.rstrip().endswith(check), (path.name, solution.source)
    headings = [c.source for c in cells if c.cell_type == "markdown" and "## Exercises" in c.source]
    assert len(headings) == 1 and "Each exercise has an answer cell for you" in headings[0]
