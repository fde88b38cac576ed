"""Kernels of the execution engine (zjanalysis.execute.kernels, .zygote, .notebooks): forked
from the zygote or started plain, on private Unix sockets, each brand-new, with the memory limit;
and what the render handler does to make notebooks deterministic.

Notebooks are generated here with nbformat; tests marked slow start Jupyter kernels.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from test_render import make_notebook, statuses

from zjanalysis import render

# --- zygote kernels: forked from one process that imported the libraries once ---------------

ZYGOTE_PROBE = (
    "import builtins, os, sys\n"
    "left_over = hasattr(builtins, 'zj_left_over')\n"
    "builtins.zj_left_over = True\n"
    "import pandas as pd\n"
    "pd.set_option('display.precision', 2)\n"
    "print('left over from another run:', left_over)\n"
    "pd.DataFrame({f'column_{i}': [i * 1.23456] for i in range(30)})"
)


@pytest.mark.slow
def test_zygote_kernels_are_fresh_and_render_as_plain_kernels_do(tmp_path):
    notebooks = [
        make_notebook(
            tmp_path / f"{n}.ipynb",
            ZYGOTE_PROBE,
            "import matplotlib.pyplot as plt\nplt.plot([1, 2]); plt.show()",
        )
        for n in ("a", "b")
    ]
    probe = make_notebook(
        tmp_path / "parent.ipynb",
        "import os\nparent = open(f'/proc/{os.getppid()}/cmdline').read()\n"
        "assert 'zjanalysis.execute.zygote' in parent and 'serve' in parent, parent",
    )
    runs = render.plan_runs(notebooks)
    for name, zygote in (("forked", True), ("plain", False)):
        result = render.render(
            runs, tmp_path / name, jobs=1, progress=False, formats=("ipynb",), zygote=zygote
        )
        assert statuses(result) == {"a": "ok", "b": "ok"}, render.summary_table(result)
    for run in ("a", "b"):
        forked = (tmp_path / "forked" / f"{run}.ipynb").read_bytes()
        assert forked == (tmp_path / "plain" / f"{run}.ipynb").read_bytes()
        assert b"left over from another run: False" in forked
    if Path("/proc/self/cmdline").exists():
        result = render.render(
            render.plan_runs([probe]),
            tmp_path / "probe",
            jobs=1,
            progress=False,
            formats=("ipynb",),
        )
        assert statuses(result) == {"parent": "ok"}, render.summary_table(result)


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _wait_for(condition, seconds: float = 60.0) -> bool:
    import time

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.slow
def test_zygote_kernel_dies_with_its_client_and_the_client_with_its_kernel(tmp_path):
    import os
    import signal
    import subprocess

    from jupyter_client.connect import write_connection_file

    from zjanalysis.execute import kernels, zygote

    if not zygote.available() or not Path("/proc/self/task").exists():
        pytest.skip("needs fork, Unix sockets and /proc")
    spawner = kernels.Zygote(tmp_path / "zygote.log")
    try:

        def start_client(name: str) -> tuple[subprocess.Popen, int]:
            known = set(_children(spawner.process.pid))
            connection, _ = write_connection_file(str(tmp_path / f"{name}.json"))
            client = subprocess.Popen(
                kernels.bootstrap_command("connect", spawner.socket, "-f", connection),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            assert _wait_for(lambda: set(_children(spawner.process.pid)) - known)
            (kernel,) = set(_children(spawner.process.pid)) - known
            return client, kernel

        client, kernel = start_client("one")
        client.kill()  # as the timeout guard and shutdown(now=True) do
        client.wait()
        assert _wait_for(lambda: kernel not in _children(spawner.process.pid), 10)

        client, kernel = start_client("two")
        os.kill(kernel, signal.SIGKILL)  # a kernel that kills itself
        assert client.wait(10) == 128 + signal.SIGKILL
    finally:
        spawner.stop()
    assert spawner.process.poll() is not None
    assert not Path(spawner.folder).exists()


def test_workers_skip_the_iri_checker_and_still_validate_notebooks():
    """The engine keeps jsonschema from importing rfc3987_syntax (execute.notebooks docstring);
    nbformat must still read, validate and refuse notebooks exactly as before."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from zjanalysis.execute import notebooks\n"
        "notebooks.skip_unused_iri_checker()\n"
        "import nbformat, papermill\n"
        "assert sys.modules['rfc3987_syntax'] is None\n"
        "nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1 + 1')])\n"
        "nbformat.validate(nbformat.reads(nbformat.writes(nb), as_version=4))\n"
        "nb.cells[0]['cell_type'] = 'no such type'\n"
        "try:\n"
        "    nbformat.validate(nb)\n"
        "except nbformat.ValidationError:\n"
        "    print('refused')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "refused"


@pytest.mark.slow
@pytest.mark.parametrize("zygote", [True, False], ids=["forked", "plain"])
def test_kernels_listen_on_private_unix_sockets_not_tcp_ports(tmp_path, zygote):
    # Two workers picking free TCP ports at once can pick the same one; the kernel that loses
    # dies before it starts. Unix sockets in each worker's own temp folder cannot collide.
    printed = render_probe(
        tmp_path,
        "import json, os, ipykernel\n"
        "info = json.loads(ipykernel.get_connection_info())\n"
        "folder = os.path.dirname(info['ip'])\n"
        "print(info['transport'], "
        "os.path.basename(os.path.dirname(folder)).startswith('zjanalysis-engine-'),\n"
        "      oct(os.stat(folder).st_mode & 0o777))",
        zygote,
    )
    assert printed == "ipc True 0o700\n"


def render_probe(tmp_path: Path, code: str, zygote: bool) -> str:
    """Render a notebook whose one cell is `code` (one job, .ipynb only, with or without the
    zygote) and return what that cell printed."""
    probe = make_notebook(tmp_path / "probe.ipynb", code)
    runs = render.plan_runs([probe])
    result = render.render(
        runs, tmp_path / "out", jobs=1, progress=False, formats=("ipynb",), zygote=zygote
    )
    assert statuses(result) == {"probe": "ok"}, render.summary_table(result)
    written = nbformat.read(tmp_path / "out" / "probe.ipynb", as_version=4)
    return written.cells[-1].outputs[0]["text"]


def test_a_socket_prefix_too_long_for_a_unix_socket_falls_back_to_tcp():
    from zjanalysis.execute import kernels

    assert kernels.manager(None, "/tmp/zjanalysis-engine-x/k0/k").transport == "ipc"
    assert kernels.manager(None, "/tmp/" + "x" * 120 + "/k0").transport == "tcp"
    assert kernels.manager(None, None).transport == "tcp"


def test_merge_adjacent_streams_joins_neighbours_only():
    from zjanalysis.execute.notebooks import merge_adjacent_streams

    out = nbformat.v4.new_output
    cell = nbformat.v4.new_code_cell("...")
    cell.outputs = [
        out("stream", name="stdout", text="2018 GDP:"),
        out("stream", name="stdout", text=" 5,541.7\n"),
        out("stream", name="stderr", text="warning\n"),
        out("stream", name="stdout", text="after stderr\n"),
        out("execute_result", data={"text/plain": "1"}, execution_count=1),
        out("stream", name="stdout", text="after a display\n"),
    ]
    nb = nbformat.v4.new_notebook(cells=[cell, nbformat.v4.new_markdown_cell("text")])
    merge_adjacent_streams(nb)
    assert [(o.output_type, o.get("name"), o.get("text")) for o in nb.cells[0].outputs] == [
        ("stream", "stdout", "2018 GDP: 5,541.7\n"),
        ("stream", "stderr", "warning\n"),
        ("stream", "stdout", "after stderr\n"),
        ("execute_result", None, None),
        ("stream", "stdout", "after a display\n"),
    ]
    nbformat.validate(nb)


@pytest.mark.slow
def test_a_print_the_kernel_sends_in_two_chunks_is_written_as_one_output(tmp_path):
    nb = make_notebook(
        tmp_path / "chunks.ipynb",
        "import sys, time\nprint('first half,', end='')\nsys.stdout.flush()\n"
        "time.sleep(0.5)\nprint(' second half')",
    )
    out = tmp_path / "out"
    result = render.render(render.plan_runs([nb]), out, jobs=1, progress=False, formats=("ipynb",))
    assert statuses(result) == {"chunks": "ok"}, render.summary_table(result)
    written = nbformat.read(out / "chunks.ipynb", as_version=4)
    assert [o.get("text") for o in written.cells[-1].outputs] == ["first half, second half\n"]


@pytest.mark.slow
@pytest.mark.parametrize("zygote", [True, False], ids=["forked", "plain"])
def test_a_user_s_ipython_profile_never_reaches_a_render(tmp_path, monkeypatch, zygote):
    # A startup file and a kernel configuration in the user's IPython folder would run in every
    # kernel, unseen by the render cache: the engine gives its kernels a folder of their own.
    profile = tmp_path / "home-ipython" / "profile_default"
    (profile / "startup").mkdir(parents=True)
    (profile / "startup" / "00-mine.py").write_text("ZJ_MINE = 'my startup file ran'\n")
    (profile / "ipython_kernel_config.py").write_text(
        "c.InteractiveShellApp.exec_lines = ['ZJ_CONFIG = \"my kernel config ran\"']\n"
    )
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "home-ipython"))
    printed = render_probe(
        tmp_path,
        "import os\n"
        "print(globals().get('ZJ_MINE', 'clean'), globals().get('ZJ_CONFIG', 'clean'),\n"
        "      os.path.basename(os.environ['IPYTHONDIR']))",
        zygote,
    )
    assert printed == "clean clean ipython\n"
    history = tmp_path / "home-ipython" / "profile_default" / "history.sqlite"
    assert not history.exists(), "the render wrote into the user's input history"
