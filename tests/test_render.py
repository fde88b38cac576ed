"""The renderer's planning, cache and execution (zjanalysis.render through the local engine).

Notebooks are generated here with nbformat, so these tests do not depend on the real collection.
Tests marked slow start Jupyter kernels.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from zjanalysis import paths, records, render
from zjanalysis.render import RenderError, Run


def make_notebook(
    path: Path, *body: str, params: str = "tolerance: float = 0.0  # widening"
) -> Path:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# A test notebook"), cell]
    nb.cells += [nbformat.v4.new_code_cell(src) for src in body]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


# --- parameters typed like papermill ------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("True", True),
        ("False", False),
        ("None", None),
        ("3", 3),
        ("-2", -2),
        ("0.01", 0.01),
        ("1e3", 1000.0),
        ("true", "true"),
        ("year_end", "year_end"),
        ("", ""),
    ],
)
def test_parse_value_types_like_papermill(text, expected):
    value = render.parse_value(text)
    assert value == expected and type(value) is type(expected)


def test_parse_value_agrees_with_papermills_own_parser():
    from papermill.cli import _resolve_type

    for text in ["True", "None", "7", "7.5", "nan", "0x10", "abc", "1_000", " 4 "]:
        assert render.parse_value(text) == _resolve_type(text) or text == "nan"


# --- output names -----------------------------------------------------------------------


def test_output_name_sorts_keys_and_reads_well():
    # keys sorted: population_basis before tolerance; values printed as given
    name = render.output_name(
        "01_internet_users", {"tolerance": 0.01, "population_basis": "previous_year_end"}
    )
    assert name == "01_internet_users__population_basis-previous_year_end__tolerance-0.01"


def test_output_name_sanitizes_unsafe_characters():
    # '/' and ' ' are outside [A-Za-z0-9._-] and become '_'; booleans print lower-case
    assert (
        render.output_name("nb", {"region": "../../etc x", "on": True})
        == "nb__on-true__region-.._.._etc_x"
    )


def test_long_output_names_stay_distinct():
    a = render.output_name("nb", {"x": "a" * 300})
    b = render.output_name("nb", {"x": "a" * 299 + "b"})
    assert a != b and len(a) < 200


def test_output_path_cannot_escape_out(tmp_path):
    with pytest.raises(RenderError, match=r"outside --out"):
        render.output_path(tmp_path / "out", "../evil.ipynb")
    assert (
        render.output_path(tmp_path / "out", "ok.ipynb")
        == (tmp_path / "out" / "ok.ipynb").resolve()
    )


def test_planned_names_from_hostile_parameters_stay_inside_out(tmp_path):
    nb = make_notebook(tmp_path / "nb.ipynb")
    runs = render.plan_runs([nb], {"tolerance": "../../../tmp/x"})
    target = render.output_path(tmp_path / "out", runs[0].name + ".ipynb")
    assert target.parent == (tmp_path / "out").resolve()


# --- grids --------------------------------------------------------------------------------


def write_grid(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "grid.yaml"
    path.write_text(text)
    return path


def test_grid_product_and_runs(tmp_path):
    grid = render.load_grid(
        write_grid(
            tmp_path,
            (
                "01_a:\n  product: {tolerance: [0, 0.01], basis: [x, y]}\n"
                "02_b:\n  runs: [{tolerance: 0.02}]\n"
            ),
        )
    )
    # product over sorted keys (basis, tolerance): 2 x 2 = 4 sets, basis varying slowest
    assert grid["01_a"] == [
        {"basis": "x", "tolerance": 0},
        {"basis": "x", "tolerance": 0.01},
        {"basis": "y", "tolerance": 0},
        {"basis": "y", "tolerance": 0.01},
    ]
    assert grid["02_b"] == [{"tolerance": 0.02}]


@pytest.mark.parametrize(
    "text, key, reason",
    [
        ("01_a:\n  runs: [{day: 2018-01-01}]\n", "01_a.runs[0].day", "not a number"),
        ("01_a:\n  product: {tolerance: [{a: 1}]}\n", "01_a.product.tolerance", "not a number"),
        ("01_a:\n  product: {tolerance: 0.1}\n", "01_a.product.tolerance", "non-empty list"),
        ("01_a:\n  product: {tolerance: []}\n", "01_a.product.tolerance", "non-empty list"),
        ("01_a:\n  runs: [[1, [2]]]\n", "01_a.runs", "list of parameter mappings"),
        ("01_a: [1, 2]\n", "01_a", "'runs' and/or 'product'"),
        ("01_a:\n  sweep: {}\n", "01_a", "'runs' and/or 'product'"),
    ],
)
def test_grid_with_bad_values_names_file_key_and_reason(tmp_path, text, key, reason):
    path = write_grid(tmp_path, text)
    with pytest.raises(RenderError) as err:
        render.load_grid(path)
    message = str(err.value)
    assert str(path) in message and repr(key) in message and reason in message


def test_grid_that_is_not_yaml_is_refused(tmp_path):
    with pytest.raises(RenderError, match="could not be read"):
        render.load_grid(write_grid(tmp_path, "a: [unclosed\n"))


def test_grid_key_without_notebook_is_refused(tmp_path, monkeypatch):
    nb = make_notebook(tmp_path / "01_a.ipynb")
    # With no notebook named on the command line the grid's keys are looked up in notebooks/.
    monkeypatch.setattr(render.plan, "default_notebooks", lambda: [nb])
    with pytest.raises(RenderError, match=r"Grid key '09_zz' names no notebook; known: 01_a\."):
        render.plan_runs([], grid={"09_zz": [{}]})
    assert [r.name for r in render.plan_runs([], grid={"01_a": [{"tolerance": 1}]})] == [
        "01_a__tolerance-1"
    ]


def test_plan_rejects_unknown_edition(tmp_path):
    with pytest.raises(
        RenderError, match=r"Edition 'teacher' is unknown; allowed: instructor, student"
    ):
        render.plan_runs([make_notebook(tmp_path / "a.ipynb")], edition="teacher")


def test_student_runs_go_to_student_folder(tmp_path):
    runs = render.plan_runs([make_notebook(tmp_path / "a.ipynb")], edition="student")
    assert runs[0].name == "student/a"


def test_unknown_parameter_is_refused_naming_notebook_and_declared(tmp_path):
    nb = make_notebook(tmp_path / "a.ipynb", params="tolerance: float = 0.0\nbasis: str = 'x'")
    with pytest.raises(RenderError) as err:
        render.check_parameters(render.plan_runs([nb], {"tolerence": 0.1}))
    assert str(err.value) == (
        "Parameter 'tolerence' is not declared by a.ipynb; it declares: basis, tolerance."
    )
    render.check_parameters(render.plan_runs([nb], {"tolerance": 0.1}))


def test_resolve_notebook_unknown_name(tmp_path):
    with pytest.raises(RenderError, match=r"Notebook 'no_such_thing' was not found"):
        render.resolve_notebook("no_such_thing")


# --- cache keys ---------------------------------------------------------------------------


def test_run_key_depends_on_cells_tags_and_parameters_not_outputs(tmp_path):
    path = make_notebook(tmp_path / "a.ipynb", "x = 1")
    run = Run(path, {"tolerance": 0.1}, "a")
    key = render.run_key(run, "shared")
    nb = nbformat.read(path, as_version=4)
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", text="noise")]
    nb.cells[2].execution_count = 9
    nbformat.write(nb, path)
    assert render.run_key(run, "shared") == key
    assert render.run_key(Run(path, {"tolerance": 0.2}, "a"), "shared") != key
    assert render.run_key(run, "other shared") != key
    nb.cells[2].metadata["tags"] = ["solution"]
    nbformat.write(nb, path)
    assert render.run_key(run, "shared") != key


def test_shared_digest_tracks_data_package_and_versions(tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    (data / "claims.csv").write_text("claim_id\nx\n")
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "m.py").write_text("A = 1\n")
    monkeypatch.setenv("ZJANALYSIS_DATA", str(data))
    monkeypatch.setattr(render.cache.paths, "package_dir", lambda: package)
    monkeypatch.setattr(render.cache, "library_versions", lambda: {"pandas": "3.1.1"})
    first = render.shared_inputs_digest()
    assert render.shared_inputs_digest() == first
    (data / "claims.csv").write_text("claim_id\ny\n")
    second = render.shared_inputs_digest()
    (package / "m.py").write_text("A = 2\n")
    third = render.shared_inputs_digest()
    monkeypatch.setattr(render.cache, "library_versions", lambda: {"pandas": "3.2.0"})
    fourth = render.shared_inputs_digest()
    assert len({first, second, third, fourth}) == 4


def test_library_versions_lists_python_and_libraries():
    versions = render.library_versions()
    assert set(versions) == {"python", *render.VERSIONED}


def test_unwritable_out_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(RenderError, match=r"^Cannot write to --out .*file/sub: "):
        render.prepare_out(blocker / "sub")


def test_unknown_format_is_refused(tmp_path):
    with pytest.raises(RenderError, match=r"Format pdf is unknown; allowed: ipynb, html"):
        render.render([], tmp_path / "out", formats=("ipynb", "pdf"))


# --- execution (kernels) -------------------------------------------------------------------


@pytest.fixture
def isolated_inputs(tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    (data / "facts.csv").write_text("a,b\n1,2\n")
    package = tmp_path / "pkg"
    shutil.copytree(paths.package_dir(), package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setenv("ZJANALYSIS_DATA", str(data))
    monkeypatch.setattr(render.cache.paths, "package_dir", lambda: package)
    return data, package


def statuses(result) -> dict[str, str]:
    return {o.name: o.status for o in result.outcomes}


@pytest.mark.slow
def test_skip_when_unchanged_and_rerun_for_each_input_kind(tmp_path, monkeypatch, isolated_inputs):
    data, package = isolated_inputs
    nb = make_notebook(tmp_path / "a.ipynb", "import os\nprint(tolerance)")
    other = make_notebook(tmp_path / "b.ipynb", "print('b')")
    out = tmp_path / "out"

    def go(parameters=None, **kw):
        runs = render.plan_runs([nb, other], parameters)
        return statuses(render.render(runs, out, jobs=2, progress=False, formats=("ipynb",), **kw))

    assert go() == {"a": "ok", "b": "ok"}
    assert go() == {"a": "cached", "b": "cached"}
    assert go(force=True) == {"a": "ok", "b": "ok"}

    make_notebook(nb, "import os\nprint(tolerance, 'edited')")
    assert go() == {"a": "ok", "b": "cached"}  # notebook cell changed: only a re-runs

    assert go({"tolerance": 0.5}) == {"a__tolerance-0.5": "ok", "b__tolerance-0.5": "ok"}
    assert go({"tolerance": 0.5}) == {"a__tolerance-0.5": "cached", "b__tolerance-0.5": "cached"}

    (data / "facts.csv").write_text("a,b\n1,3\n")
    assert go() == {"a": "ok", "b": "ok"}  # data file changed

    (package / "units.py").write_text((package / "units.py").read_text() + "\n# touched\n")
    assert go() == {"a": "ok", "b": "ok"}  # package source changed

    real = render.library_versions()
    monkeypatch.setattr(render.cache, "library_versions", lambda: {**real, "pandas": "99.0"})
    assert go() == {"a": "ok", "b": "ok"}  # a library version changed

    (out / "a.ipynb").unlink()
    assert go() == {"a": "ok", "b": "cached"}  # an output went missing


@pytest.mark.slow
def test_failing_and_timed_out_runs_are_written_and_others_survive(tmp_path, isolated_inputs):
    good = make_notebook(tmp_path / "good.ipynb", "print('fine')")
    bad = make_notebook(tmp_path / "bad.ipynb", "raise ValueError('broken on purpose')")
    slow = make_notebook(tmp_path / "slow.ipynb", "import time\ntime.sleep(60)")
    out = tmp_path / "out"
    result = render.render(
        render.plan_runs([good, bad, slow]), out, jobs=2, timeout=4, progress=False
    )
    assert statuses(result) == {"good": "ok", "bad": "failed", "slow": "timed out"}
    assert not result.ok
    slow_outcome = [o for o in result.outcomes if o.name == "slow"][0]
    assert slow_outcome.seconds < 30
    failed = nbformat.read(out / "bad.ipynb", as_version=4)
    assert "broken on purpose" in json.dumps(failed.cells[-1].outputs)
    assert "broken on purpose" in (out / "bad.html").read_text()
    timed = nbformat.read(out / "slow.ipynb", as_version=4)
    assert "timed out" in timed.cells[0].source and "4 seconds" in timed.cells[0].source
    assert "timed out" in (out / "slow.html").read_text()
    table = render.summary_table(result)
    assert "bad: ValueError: broken on purpose" in table
    # failed runs are not cached: they run again
    again = render.render(
        render.plan_runs([good, bad]), out, jobs=1, progress=False, formats=("ipynb",)
    )
    assert statuses(again) == {"good": "cached", "bad": "failed"}


@pytest.mark.slow
def test_rerender_is_byte_identical_and_paths_relative(tmp_path):
    nb = make_notebook(
        tmp_path / "a.ipynb",
        "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3]); plt.show()",
        "print(tolerance)",
    )
    out = tmp_path / "out"
    runs = render.plan_runs([nb], {"tolerance": 0.25})
    render.render(runs, out, jobs=1, progress=False, formats=("ipynb",))
    first = (out / "a__tolerance-0.25.ipynb").read_bytes()
    render.render(runs, out, jobs=1, progress=False, formats=("ipynb",), force=True)
    assert (out / "a__tolerance-0.25.ipynb").read_bytes() == first
    text = first.decode()
    assert str(tmp_path) not in text and "start_time" not in text and "duration" not in text
    meta = json.loads(text)["metadata"]["papermill"]
    assert meta["input_path"] == "../a.ipynb" and meta["parameters"] == {"tolerance": 0.25}
    assert "image/png" in text


@pytest.mark.slow
def test_the_run_record_is_stored_beside_the_run_and_the_cache_points_at_it(tmp_path):
    record = {
        "schema": records.SCHEMA,
        "version": records.VERSION,
        "theme": "internet_users",
        "parameters": {"tolerance": 0.0},
        "sources": {},
        "network": None,
        "diagnosis": None,
        "claims": [
            {
                "claim_id": "netizens.total_2018",
                "theme": "internet_users",
                "verdict": "confirmed",
                "evidence": "exact",
                "stated": "45.537 million",
                "unit": "million persons",
                "likely_value": "",
                "reconstructed": None,
                "references": [],
                "explanation": "agrees",
                "sources": ["cnnic-2019-43rd-report"],
                "constraints": [],
            }
        ],
    }
    nb = make_notebook(
        tmp_path / "f.ipynb",
        "from IPython.display import display\n"
        f"display({{{records.MIME!r}: {record!r}, 'text/plain': 'x'}}, raw=True)",
    )
    out = tmp_path / "out"
    render.render(render.plan_runs([nb], {"tolerance": 0.5}), out, jobs=1, progress=False)
    name = "f__tolerance-0.5"
    stored = records.load(out / f"{name}{records.SUFFIX}")
    # what the kernel decided, untouched, and what only the renderer knows, beside it
    assert {k: stored[k] for k in record} == record
    assert stored["run"]["name"] == name and stored["run"]["parameters"] == {"tolerance": 0.5}
    assert stored["run"]["outputs"] == {
        "ipynb": f"{name}.ipynb",
        "html": f"{name}.html",
        "reader": f"reader/{name}.html",
    }
    assert (
        set(stored["inputs"]) == {"notebook", "data", "package"}
        and "papermill" in stored["versions"]
    )
    entry = render.load_cache(out)["runs"][name]
    assert entry["outputs"]["record"] == f"{name}{records.SUFFIX}" and "claims" not in json.dumps(
        entry
    )
    ledger = json.loads((out / "ledger.json").read_text())
    assert [row["claim_id"] for row in ledger] == ["netizens.total_2018"]
    assert ledger[0]["notebook"] == f"{name}.ipynb" and ledger[0]["parameters"] == {
        "tolerance": 0.5
    }
    assert f'href="{name}.html"' in (out / "index.html").read_text()


@pytest.mark.slow
def test_every_run_gets_a_page_without_code_and_the_two_pages_link(tmp_path):
    nb = make_notebook(
        tmp_path / "g.ipynb", "secret_name = 6 * 7\nprint('the answer is', secret_name)"
    )
    out = tmp_path / "out"
    render.render(render.plan_runs([nb]), out, jobs=1, progress=False)
    analysis, reader = (out / "g.html").read_text(), (out / "reader" / "g.html").read_text()
    assert "secret_name" in analysis and "secret_name" not in reader  # the code is left out
    assert "the answer is 42" in reader  # its output stays
    assert '<a href="reader/g.html">' in analysis and '<a href="../g.html">' in reader
    (out / "reader" / "g.html").unlink()  # a lost page is made again
    result = render.render(render.plan_runs([nb]), out, jobs=1, progress=False)
    assert statuses(result) == {"g": "ok"} and (out / "reader" / "g.html").exists()


@pytest.mark.slow
def test_student_edition_applies_teach_before_execution(tmp_path, monkeypatch):
    import sys
    import types

    calls = []

    def student_edition(nb):
        calls.append(len(nb.cells))
        nb.cells = [c for c in nb.cells if "solution" not in c.metadata.get("tags", [])]
        return nb

    stub = types.ModuleType("zjanalysis.teach")
    stub.student_edition = student_edition
    monkeypatch.setitem(sys.modules, "zjanalysis.teach", stub)
    path = make_notebook(tmp_path / "t.ipynb", "answer = 1", "print('SOLUTION TEXT')")
    nb = nbformat.read(path, as_version=4)
    nb.cells[-1].metadata["tags"] = ["solution"]
    nbformat.write(nb, path)
    out = tmp_path / "out"
    result = render.render(
        render.plan_runs([path], edition="student"), out, jobs=1, progress=False, formats=("ipynb",)
    )
    assert statuses(result) == {"student/t": "ok"}
    written = (out / "student" / "t.ipynb").read_text()
    assert "SOLUTION TEXT" not in written and "answer = 1" in written


def test_declared_parameters_survive_an_equals_sign_in_the_comment(tmp_path):
    # Papermill's own reader drops this line ("0 = rounding only"); ours must not.
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(
        'tolerance: float = 0.0  # slack (0 = rounding only; 0 to 0.5)\nbasis: str = "year_end"  '
        "# a = b\n"
    )
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    nbformat.write(nb, tmp_path / "n.ipynb")
    assert render.declared_parameters(tmp_path / "n.ipynb") == {
        "tolerance": 0.0,
        "basis": "year_end",
    }
    render.check_parameters([Run(notebook=tmp_path / "n.ipynb", parameters={"tolerance": 0.1})])
    with pytest.raises(
        RenderError,
        match="Parameter 'colour' is not declared by n.ipynb; it declares: basis, tolerance.",
    ):
        render.check_parameters([Run(notebook=tmp_path / "n.ipynb", parameters={"colour": 1})])


def test_a_notebook_without_parameters_cell_is_named(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1")]
    nbformat.write(nb, tmp_path / "plain.ipynb")
    with pytest.raises(RenderError, match="plain.ipynb has no cell tagged 'parameters'"):
        render.declared_parameters(tmp_path / "plain.ipynb")
