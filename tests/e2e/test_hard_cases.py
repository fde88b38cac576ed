"""Hard cases seen the way a user meets them: `python -m zjanalysis render ...` in a subprocess.

Only what tests/test_render.py, test_cli.py, test_data.py and test_notebooks.py do not already
cover: bad parameter values through `render -p` on a real notebook, grid files that are not YAML
or smuggle Python objects, broken data files seen through a render, a kernel that dies among
good runs, a timeout through the command line, a notebook that is not one, and two renders
into one --out. (Unknown parameter names, an unwritable --out and Ctrl-C are covered by
tests/test_cli.py.) Each test checks the message or the outcome.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from .conftest import REPO, make_notebook

pytestmark = pytest.mark.slow

RENDER_S = 180


def zj(
    *args: str, cwd: Path, env: dict | None = None, timeout: float = RENDER_S
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "zjanalysis", *args, "--no-progress"]
        if args and args[0] == "render"
        else [sys.executable, "-m", "zjanalysis", *args],
        cwd=cwd,
        text=True,
        capture_output=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def errors_in(path: Path) -> list[tuple[str, str]]:
    """Return (ename, evalue) of every error output in the notebook at `path`."""
    nb = nbformat.read(path, as_version=4)
    return [
        (o.ename, o.evalue)
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]


def first_real() -> Path:
    """notebooks/01_internet_users.ipynb: the bounds and choices below are its own."""
    path = REPO / "notebooks" / "01_internet_users.ipynb"
    assert path.exists(), f"{path} is missing"
    return path


# --- a parameter of the wrong type or out of range, via `zjanalysis render -p` ----------------

VALIDATES = (
    "from zjanalysis import params\n"
    "tolerance = params.check('tolerance', tolerance, float, minimum=0, maximum=0.5)"
)
# What params.check says: "Parameter '<name>' must be <allowed>; got <value!r>." with the kind
# of value added in brackets when the type is the problem. Allowed, for a float in [0, 0.5]:
# "a number from 0 to 0.5"; for choices: "one of 'a', 'b'".
WRONG_TYPE = "Parameter 'tolerance' must be a number from 0 to 0.5; got 'lots' (a string)."
OUT_OF_RANGE = "Parameter 'tolerance' must be a number from 0 to 0.5; got 0.9."


def bad_parameter_run(tmp_path: Path, notebook: str, name: str, value: str, expected: str) -> None:
    """Render `notebook` with `-p name value`; the run must fail with the sentence `expected`."""
    done = zj("render", notebook, "-p", name, value, "--out", "out", cwd=tmp_path)
    run = f"{Path(notebook).stem}__{name}-{value}"
    assert done.returncode == 1, done.stderr[-2000:]
    # Summary table: the run is listed as failed, and its note quotes the validator.
    assert f"{run}: ParameterError: {expected}" in done.stdout
    assert ("ParameterError", expected) in errors_in(tmp_path / "out" / f"{run}.ipynb")
    assert expected in (tmp_path / "out" / f"{run}.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("value, expected", [("lots", WRONG_TYPE), ("0.9", OUT_OF_RANGE)])
def test_render_p_bad_value_fails_the_run_with_the_validators_sentence(tmp_path, value, expected):
    # 'lots' stays a string under Papermill's typing; 0.9 is a float above the maximum.
    make_notebook(
        tmp_path / "checked.ipynb",
        VALIDATES,
        "print(tolerance)",
        params="tolerance: float = 0.0  # widening, 0 to 0.5",
    )
    bad_parameter_run(tmp_path, "checked.ipynb", "tolerance", value, expected)


@pytest.mark.parametrize("value, expected", [("lots", WRONG_TYPE), ("0.9", OUT_OF_RANGE)])
def test_render_p_bad_value_on_the_real_notebook(tmp_path, value, expected):
    notebook = first_real()
    bad_parameter_run(tmp_path, notebook.stem, "tolerance", value, expected)


def test_render_p_value_outside_the_choices_fails_the_run(tmp_path):
    notebook = first_real()
    bad_parameter_run(
        tmp_path,
        notebook.stem,
        "population_basis",
        "midyear",
        "Parameter 'population_basis' must be one of 'year_end', "
        "'previous_year_end'; got 'midyear'.",
    )


# --- grid files -------------------------------------------------------------------------------


def test_grid_that_is_not_yaml_names_the_file_and_the_line(tmp_path):
    make_notebook(tmp_path / "a.ipynb", "print(tolerance)")
    # Line 2 opens a flow sequence that never closes.
    (tmp_path / "grid.yaml").write_text("a:\n  runs: [{tolerance: 0.1}\n")
    done = zj("render", "a.ipynb", "--grid", "grid.yaml", "--out", "out", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("zjanalysis render: error: Grid file grid.yaml could not be read")
    assert "line 3" in done.stderr or "line 2" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_grid_with_a_python_object_tag_is_refused_and_never_run(tmp_path):
    make_notebook(tmp_path / "a.ipynb", "print(tolerance)")
    marker = tmp_path / "pwned"
    # A non-literal value: yaml.load (not safe_load) would run this command.
    (tmp_path / "grid.yaml").write_text(
        f"a:\n  runs:\n    - tolerance: !!python/object/apply:os.system ['touch {marker}']\n"
    )
    done = zj("render", "a.ipynb", "--grid", "grid.yaml", "--out", "out", cwd=tmp_path)
    assert done.returncode == 2
    assert "Grid file grid.yaml could not be read" in done.stderr
    assert "python/object/apply:os.system" in done.stderr
    assert not marker.exists()


# --- broken data files, seen through a render ------------------------------------------------

LOADS_DATA = (
    "from zjanalysis import data\n"
    "print(len(data.claims()), 'claims,', len(data.reference()), 'reference rows')"
)


@pytest.fixture
def data_notebook_copy(tmp_path: Path) -> tuple[Path, Path]:
    """A notebook that loads every table, and a private copy of data/ for it to read."""
    copy = tmp_path / "data"
    shutil.copytree(REPO / "data", copy)
    make_notebook(tmp_path / "loads.ipynb", LOADS_DATA)
    return tmp_path / "loads.ipynb", copy


def set_cell(path: Path, row: int, column: str, value: str) -> None:
    """Set data row `row` (1-based, after the header) of CSV `path`, column `column`."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    rows[row][rows[0].index(column)] = value
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def truncate_mid_row(path: Path) -> None:
    # Cut after the third field of data row 2: the file ends inside that row.
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:2]) + ",".join(lines[2].split(",")[:3]), encoding="utf-8")


CORRUPTIONS = {
    "missing": (
        lambda d: (d / "claims.csv").unlink(),
        "data/claims.csv: file is missing; datapackage.json lists it",
    ),
    "truncated": (
        lambda d: truncate_mid_row(d / "claims.csv"),
        "data/claims.csv, row 2 (line 3), column 'figure_text': the row ends before this column",
    ),
    "malformed": (
        lambda d: set_cell(d / "claims.csv", 4, "value", "forty-two"),
        "data/claims.csv, row 4 (line 5), column 'value': 'forty-two'",
    ),
    "unknown unit": (
        lambda d: set_cell(d / "claims.csv", 5, "unit", "furlongs"),
        "data/claims.csv, row 5 (line 6), column 'unit': 'furlongs' is not an allowed unit",
    ),
}


@pytest.mark.parametrize("case", sorted(CORRUPTIONS))
def test_broken_data_fails_the_run_and_says_where(case, data_notebook_copy, tmp_path):
    notebook, copy = data_notebook_copy
    corrupt, expected = CORRUPTIONS[case]
    corrupt(copy)
    done = zj(
        "render", str(notebook), "--out", "out", cwd=tmp_path, env={"ZJANALYSIS_DATA": str(copy)}
    )
    assert done.returncode == 1, done.stderr[-2000:]
    note = [line for line in done.stdout.splitlines() if line.startswith("loads: ")]
    assert len(note) == 1 and note[0].startswith("loads: DataError: "), done.stdout
    assert expected in note[0]
    errors = errors_in(tmp_path / "out" / "loads.ipynb")
    assert [e[0] for e in errors] == ["DataError"] and expected in errors[0][1]
    # The failed run is written with a visible error but never cached: a fixed file re-runs it.
    shutil.rmtree(copy)
    shutil.copytree(REPO / "data", copy)
    again = zj(
        "render", str(notebook), "--out", "out", cwd=tmp_path, env={"ZJANALYSIS_DATA": str(copy)}
    )
    assert again.returncode == 0 and errors_in(tmp_path / "out" / "loads.ipynb") == []


def test_the_real_data_loads_through_a_render(data_notebook_copy, tmp_path):
    # The control for the cases above: the same notebook on an untouched copy succeeds.
    notebook, copy = data_notebook_copy
    done = zj(
        "render",
        str(notebook),
        "--out",
        "out",
        "--format",
        "ipynb",
        cwd=tmp_path,
        env={"ZJANALYSIS_DATA": str(copy)},
    )
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    out = nbformat.read(tmp_path / "out" / "loads.ipynb", as_version=4)
    assert "claims," in json.dumps(out.cells[-1].outputs)


# --- faults --------------------------------------------------------------------------------------


def test_a_kernel_that_dies_mid_run_fails_alone(tmp_path):
    make_notebook(tmp_path / "a_good.ipynb", "print('good a')")
    make_notebook(
        tmp_path / "b_dies.ipynb",
        "print('before the crash')",
        "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)",
        "print('never')",
    )
    make_notebook(tmp_path / "c_good.ipynb", "print('good c')")
    done = zj(
        "render",
        "a_good.ipynb",
        "b_dies.ipynb",
        "c_good.ipynb",
        "--jobs",
        "2",
        "--out",
        "out",
        cwd=tmp_path,
    )
    assert done.returncode == 1
    rows = {line.split()[0]: line.split()[1] for line in done.stdout.splitlines()[2:5]}
    assert rows == {"a_good": "ok", "b_dies": "failed", "c_good": "ok"}, done.stdout
    note = [line for line in done.stdout.splitlines() if line.startswith("b_dies: ")]
    assert len(note) == 1 and "kernel died" in note[0], done.stdout
    dead = nbformat.read(tmp_path / "out" / "b_dies.ipynb", as_version=4)
    # The written notebook says what happened at its top and keeps what ran before the crash.
    assert "failed" in dead.cells[0].source and "kernel died" in dead.cells[0].source
    assert "before the crash" in json.dumps([c.get("outputs", []) for c in dead.cells])
    assert "never" not in json.dumps([c.get("outputs", []) for c in dead.cells])
    for name in ("a_good", "c_good"):
        assert (tmp_path / "out" / f"{name}.html").is_file()
    ledger = json.loads((tmp_path / "out" / "ledger.json").read_text())
    assert ledger == []  # these notebooks record no findings; the ledger is still written


def test_a_run_over_its_timeout_is_stopped_and_reported(tmp_path):
    make_notebook(tmp_path / "slow.ipynb", "print('started')", "import time\ntime.sleep(120)")
    make_notebook(tmp_path / "quick.ipynb", "print('quick')")
    done = zj(
        "render",
        "slow.ipynb",
        "quick.ipynb",
        "--timeout",
        "5",
        "--jobs",
        "2",
        "--out",
        "out",
        cwd=tmp_path,
        timeout=90,
    )
    assert done.returncode == 1
    rows = {line.split()[0]: line.split()[1:] for line in done.stdout.splitlines()[2:4]}
    assert rows["quick"][0] == "ok"
    assert rows["slow"][:2] == ["timed", "out"] and float(rows["slow"][2]) < 60
    assert "slow: stopped after 5 s" in done.stdout
    written = nbformat.read(tmp_path / "out" / "slow.ipynb", as_version=4)
    assert "timed out" in written.cells[0].source and "5 seconds" in written.cells[0].source
    assert "started" in json.dumps([c.get("outputs", []) for c in written.cells])
    assert not list((tmp_path / "out").rglob("*.zjtmp"))


# --- a notebook that is not one ---------------------------------------------------------------


def truncated(path: Path) -> bytes:
    """The notebook's bytes cut in the middle, as an interrupted copy leaves it."""
    raw = path.read_bytes()
    return raw[: len(raw) // 2]


MALFORMED = {
    "truncated": (truncated, "is not valid JSON at line"),
    "a script": (
        lambda p: b"print('hello')\n",
        "is not valid JSON at line 1, column 1: Expecting value.",
    ),
    "JSON, not a notebook": (
        lambda p: b'{"metadata": {}}',
        "is JSON but not a Jupyter notebook: it has no list of 'cells'.",
    ),
    "empty": (lambda p: b"", "is empty; a Jupyter notebook is a JSON document."),
    "not text": (
        lambda p: b"\x89PNG\r\n\x1a\n\x00\x00",
        "is not UTF-8 text (byte 0); it is not a Jupyter notebook.",
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_notebook_is_one_sentence_and_exit_2(tmp_path, case):
    make_notebook(tmp_path / "good.ipynb", "print('good')")
    make_notebook(tmp_path / "bad.ipynb", "print('bad')")
    damage, expected = MALFORMED[case]
    (tmp_path / "bad.ipynb").write_bytes(damage(tmp_path / "bad.ipynb"))
    done = zj("render", "good.ipynb", "bad.ipynb", "--out", "out", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith("zjanalysis render: error: Notebook bad.ipynb "), done.stderr
    assert expected in done.stderr and done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out" / "good.ipynb").exists()  # nothing ran


def test_a_truncated_notebook_is_called_truncated(tmp_path):
    make_notebook(tmp_path / "cut.ipynb", "print('a long enough cell to cut in two')")
    raw = (tmp_path / "cut.ipynb").read_bytes()
    (tmp_path / "cut.ipynb").write_bytes(raw[:-40])
    done = zj("render", "cut.ipynb", "--out", "out", cwd=tmp_path)
    assert done.returncode == 2
    assert "(the file ends early: truncated?)" in done.stderr, done.stderr


# --- two renders into one --out ----------------------------------------------------------------


def test_two_renders_into_one_folder_wait_or_refuse_and_the_cache_keeps_every_run(tmp_path):
    make_notebook(tmp_path / "a_slow.ipynb", "import time\ntime.sleep(8)\nprint('slow done')")
    make_notebook(tmp_path / "b_quick.ipynb", "print('quick done')")
    out = tmp_path / "out"
    first = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "zjanalysis",
            "render",
            "a_slow.ipynb",
            "--out",
            "out",
            "--no-progress",
            "--format",
            "ipynb",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lock = out / ".render-lock"
        deadline = time.monotonic() + 60
        while not (lock.exists() and lock.read_text().startswith(f"pid {first.pid},")):
            assert time.monotonic() < deadline and first.poll() is None, first.communicate()
            time.sleep(0.05)
        refused = zj(
            "render",
            "b_quick.ipynb",
            "--out",
            "out",
            "--no-wait",
            "--format",
            "ipynb",
            cwd=tmp_path,
        )
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert refused.stderr.startswith(
            f"zjanalysis render: error: Another render (pid {first.pid}, started "
        ), refused.stderr
        assert refused.stderr.rstrip().endswith(
            "is writing into out; not waiting because of --no-wait. Run again when it has finished."
        ), refused.stderr
        waited = zj("render", "b_quick.ipynb", "--out", "out", "--format", "ipynb", cwd=tmp_path)
        assert first.wait(120) == 0, first.communicate()
    finally:
        if first.poll() is None:
            first.kill()
    assert waited.returncode == 0, waited.stdout + waited.stderr
    assert f"another render (pid {first.pid}, started " in waited.stderr
    assert "waiting for it to finish" in waited.stderr
    cache = json.loads((out / ".render-cache.json").read_text())
    assert {name: entry["status"] for name, entry in cache["runs"].items()} == {
        "a_slow": "ok",
        "b_quick": "ok",
    }
    again = zj(
        "render", "a_slow.ipynb", "b_quick.ipynb", "--out", "out", "--format", "ipynb", cwd=tmp_path
    )
    assert again.returncode == 0 and again.stdout.count(" cached ") == 2, again.stdout
