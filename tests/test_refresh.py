"""`python -m zjanalysis.refresh`: re-executing committed notebooks in place."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest


def notebook(path: Path, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


def refresh(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "zjanalysis.refresh", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_refresh_writes_outputs_in_place_runs_in_the_notebooks_folder_and_keeps_permissions(
    tmp_path,
):
    path = notebook(
        tmp_path / "a.ipynb", "import os\nprint(os.path.basename(os.getcwd()))", "6 * 7"
    )
    umask = os.umask(0o022)
    try:
        done = refresh(path)
    finally:
        os.umask(umask)
    assert done.returncode == 0, done.stderr
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[0].outputs[0]["text"] == f"{tmp_path.name}\n"
    assert nb.cells[1].outputs[0]["data"]["text/plain"] == "42"
    assert "execution" not in nb.cells[0].metadata  # no timing metadata
    assert stat.S_IMODE(path.stat().st_mode) == 0o644  # not the temp file's 0600
    assert path.read_text(encoding="utf-8").endswith("}\n")
    assert [p.name for p in tmp_path.iterdir()] == ["a.ipynb"]  # no temp file left


@pytest.mark.slow
def test_a_failing_notebook_is_left_unchanged_and_named(tmp_path):
    path = notebook(tmp_path / "broken.ipynb", "print('ran')", "raise ValueError('on purpose')")
    before = path.read_bytes()
    done = refresh(path)
    assert done.returncode == 1
    assert "broken.ipynb: a cell raised, file left unchanged" in done.stderr
    assert "on purpose" in done.stderr
    assert path.read_bytes() == before
