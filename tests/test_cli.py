"""The command line as a user types it: `python -m zjanalysis render|ledger ...` in a subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from zjanalysis import cli


def make_notebook(path: Path, *body: str) -> Path:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("tolerance: float = 0.0  # widening")
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell] + [nbformat.v4.new_code_cell(src) for src in body]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


def zj(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "zjanalysis", *args],
        cwd=cwd,
        text=True,
        capture_output=True,
        timeout=timeout,
    )


def test_help_lists_both_commands():
    with pytest.raises(SystemExit) as done:
        cli.main(["--help"])
    assert done.value.code == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["render", "x.ipynb", "--jobs", "0"], "--jobs must be 1 or more; got 0."),
        (
            ["render", "x.ipynb", "--timeout", "-1"],
            "--timeout must be a positive number of seconds; got -1.",
        ),
        (["render", "nowhere_nb"], "Notebook 'nowhere_nb' was not found"),
    ],
)
def test_bad_arguments_exit_2_with_a_sentence(tmp_path, capsys, args, message):
    make_notebook(tmp_path / "x.ipynb")
    args = [str(tmp_path / a) if a == "x.ipynb" else a for a in args]
    assert cli.main(args) == 2
    assert message in capsys.readouterr().err


def test_unknown_parameter_is_refused(tmp_path):
    make_notebook(tmp_path / "a.ipynb", "print(tolerance)")
    done = zj("render", "a.ipynb", "-p", "tolerence", "0.1", "--out", "out", cwd=tmp_path)
    assert done.returncode == 2
    assert (
        "Parameter 'tolerence' is not declared by a.ipynb; it declares: tolerance." in done.stderr
    )
    assert not (tmp_path / "out" / "a__tolerence-0.1.ipynb").exists()


def test_unwritable_out_is_a_clear_message(tmp_path):
    make_notebook(tmp_path / "a.ipynb")
    (tmp_path / "taken").write_text("a file, not a folder")
    done = zj("render", "a.ipynb", "--out", "taken/reports", cwd=tmp_path)
    assert done.returncode == 2
    assert "zjanalysis render: error: Cannot write to --out taken/reports:" in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_grid_names_file_key_reason(tmp_path):
    make_notebook(tmp_path / "a.ipynb")
    (tmp_path / "grid.yaml").write_text("a:\n  product: {tolerance: [{nested: 1}]}\n")
    done = zj("render", "a.ipynb", "--grid", "grid.yaml", cwd=tmp_path)
    assert done.returncode == 2
    assert "Grid file grid.yaml, key 'a.product.tolerance': {'nested': 1} is not" in done.stderr


def test_ledger_command_prints_table(tmp_path):
    rows = [
        {
            "claim_id": "netizens.total_2018",
            "verdict": "discrepancy",
            "evidence": "exact",
            "stated": "45.537 million",
            "likely_value": "45.437",
            "constraints": ["netizens.end_2017_count", "netizens.rate_from_population"],
            "reconstructed": "",
            "reference": "",
            "notebook": "01_x.ipynb",
        }
    ]
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "ledger.json").write_text(json.dumps(rows))
    done = zj("ledger", cwd=tmp_path)
    assert done.returncode == 0
    header, row = done.stdout.splitlines()[0], done.stdout.splitlines()[2]
    assert row.startswith("netizens.total_2018  discrepancy  exact     45.537 million  45.437")
    assert header.index("likely_value") == row.index("45.437")
    assert "netizens.end_2017_count; netizens.rate_…" in row  # long cells are cut to 40 characters
    assert done.stdout.splitlines()[-1] == "discrepancy: 1"
    missing = zj("ledger", "elsewhere", cwd=tmp_path)
    assert missing.returncode == 2 and "No ledger at elsewhere/ledger.json" in missing.stderr


@pytest.mark.slow
def test_failing_notebook_among_good_ones(tmp_path):
    make_notebook(tmp_path / "good.ipynb", "print('fine')")
    make_notebook(tmp_path / "bad.ipynb", "1 / 0")
    (tmp_path / "grid.yaml").write_text(
        "good:\n  runs: [{tolerance: 0.5}, {tolerance: 1}]\nbad:\n  runs: [{}]\n"
    )
    done = zj(
        "render",
        "good.ipynb",
        "bad.ipynb",
        "--grid",
        "grid.yaml",
        "--out",
        "out",
        "--format",
        "ipynb",
        cwd=tmp_path,
    )
    assert done.returncode == 1
    table = done.stdout.splitlines()
    assert table[0].split() == ["run", "status", "seconds"]
    assert [line.split()[:2] for line in table[2:5]] == [
        ["good__tolerance-0.5", "ok"],
        ["good__tolerance-1", "ok"],
        ["bad", "failed"],
    ]
    assert "bad: ZeroDivisionError: division by zero" in done.stdout
    assert "without encryption" not in done.stderr  # kernel noise is kept in the logs
    for name in ("good__tolerance-0.5", "good__tolerance-1", "bad"):
        assert (tmp_path / "out" / f"{name}.ipynb").exists()
    again = zj(
        "render",
        "good.ipynb",
        "--grid",
        "grid.yaml",
        "--out",
        "out",
        "--format",
        "ipynb",
        "--no-progress",
        cwd=tmp_path,
    )
    assert again.returncode == 0 and again.stdout.count("cached") == 2


@pytest.mark.slow
def test_ctrl_c_leaves_no_partial_file_and_the_next_render_resumes(tmp_path, ctrl_c_works):
    make_notebook(tmp_path / "a_fast.ipynb", "print('fast')")
    make_notebook(tmp_path / "b_slow.ipynb", "import time\ntime.sleep(60)")
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "zjanalysis",
            "render",
            "a_fast.ipynb",
            "b_slow.ipynb",
            "--jobs",
            "1",
            "--out",
            "out",
            "--no-progress",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=ctrl_c_works,
    )
    deadline = time.monotonic() + 60
    while not (out / "a_fast.html").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(2)  # b_slow is now sleeping in its kernel
    proc.send_signal(signal.SIGINT)
    stdout, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "a_fast" in stdout and "Interrupted" in stdout
    names = sorted(p.name for p in out.iterdir() if p.is_file())
    assert not any(n.endswith(".zjtmp") for n in names)
    assert "b_slow.ipynb" not in names and "b_slow.html" not in names
    resumed = zj("render", "a_fast.ipynb", "--out", "out", "--no-progress", cwd=tmp_path)
    assert resumed.returncode == 0 and "cached" in resumed.stdout


def test_a_data_variable_naming_no_folder_stops_the_render_before_any_kernel(tmp_path):
    make_notebook(tmp_path / "a.ipynb", "print('never run')")
    missing = tmp_path / "no-such-data"
    done = subprocess.run(
        [sys.executable, "-m", "zjanalysis", "render", "a.ipynb", "--out", "out"],
        cwd=tmp_path,
        text=True,
        capture_output=True,
        timeout=120,
        env={**os.environ, "ZJANALYSIS_DATA": str(missing)},
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith(
        f"zjanalysis render: error: $ZJANALYSIS_DATA is set to "
        f"{str(missing)!r}, which is not a folder;"
    ), done.stderr
    assert not (tmp_path / "out" / "a.ipynb").exists()
