"""The execution engines end to end: the local engine against an expected ledger written by hand,
the Dask engine against the local one, and failures each reported as they are.

The fixture notebooks (tests/fixtures/engine/, written by make_fixtures.py) are small and
self-contained: they do not change when the real notebooks or data/ do.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import nbformat
import pytest

from zjanalysis import execute, paths, records

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "engine"
sys.path.insert(0, str(FIXTURES))
import make_fixtures  # noqa: E402

sys.path.pop(0)


def copy_fixtures(tmp_path: Path) -> Path:
    """Copy the fixture notebooks to tmp_path/src."""
    src = tmp_path / "src"
    shutil.copytree(FIXTURES, src, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return src


# What a render of make_fixtures.GOLDEN_RUNS must record, written by hand from the fixtures (not
# from a render): the ok fixture emits one claim whose range is 45.5 to 45.6 million persons and
# whose reference figure is printed 4554 (in 10 thousand persons); the others emit no record and
# fail, time out or die as their cells say. Nothing here depends on a library's version. When a
# fixture changes, edit this by hand; `python tests/fixtures/engine/make_fixtures.py ledger`
# prints what a render gives, to review the difference.
EXPECTED_RUNS = {
    "ok": ("ok", ""),
    "ok__tolerance-0.25": ("ok", ""),
    "fails": ("failed", "ValueError: broken on purpose at tolerance 0.0 (cell 3)"),
    "slow": ("timed out", "stopped after 10 s"),
    "dies": ("failed", "the kernel died: Kernel died"),
    "student/student": ("ok", ""),
}
EXPECTED_ROW = {
    "claim_id": "fixture.total_2018",
    "theme": "fixture",
    "verdict": "consistent",
    "evidence": "bounds",
    "stated": "45.537 million",
    "likely_value": "",
    "reconstructed": "45.5 to 45.6 million people",
    # 4554 in units of 10 thousand persons is 45,540,000 people: 45.54 million
    "reference": "a fixture count: 45.54 million people (printed 4554, in 10 thousand persons)",
    "explanation": "a fixture finding",
    "sources": ["fixture-source"],
    "constraints": ["fixture.check"],
    "translation": "",  # the fixture's record says nothing of a translation
}
EXPECTED_LEDGER = [
    {**EXPECTED_ROW, "notebook": "ok.ipynb", "parameters": {}},
    {**EXPECTED_ROW, "notebook": "ok__tolerance-0.25.ipynb", "parameters": {"tolerance": 0.25}},
]


@pytest.mark.slow
def test_the_local_engine_records_what_the_fixtures_decide(tmp_path):
    src = copy_fixtures(tmp_path)
    out = tmp_path / "out"
    result = make_fixtures.render_goldens(src, out)
    assert {o.name: (o.status, o.message) for o in result.outcomes} == EXPECTED_RUNS
    assert json.loads((out / "ledger.json").read_text(encoding="utf-8")) == EXPECTED_LEDGER
    for name, (status, message) in EXPECTED_RUNS.items():
        stored = records.load(out / f"{name}{records.SUFFIX}")
        assert (stored["run"]["status"], stored["run"]["message"]) == (status, message), name
        assert (stored["claims"] != []) == name.startswith("ok"), name
    # the student edition ran without its solution cell
    assert "SOLUTION TEXT" not in (out / "student" / "student.ipynb").read_text(encoding="utf-8")
    assert "SOLUTION TEXT" in (src / "student.ipynb").read_text(encoding="utf-8")


# --- the command line, as a user types it ----------------------------------------------------


def zj(
    *args: str, cwd: Path, env: dict | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "zjanalysis", *args],
        cwd=cwd,
        text=True,
        capture_output=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def table(stdout: str) -> dict[str, list[str]]:
    """The closing table's rows: run name -> [status words..., seconds]."""
    lines = stdout.splitlines()
    end = next((i for i, line in enumerate(lines) if not line.strip() or ": " in line), len(lines))
    return {line.split()[0]: line.split()[1:] for line in lines[2:end]}


def free_port() -> int:
    """A TCP port nobody listens on (asked of the OS, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


FIXTURE_ARGS = [
    "ok.ipynb",
    "fails.ipynb",
    "slow.ipynb",
    "dies.ipynb",
    "--timeout",
    "10",
    "--jobs",
    "2",
    "--no-progress",
]
FIXTURE_STATUSES = {"ok": ["ok"], "fails": ["failed"], "slow": ["timed", "out"], "dies": ["failed"]}


@pytest.mark.slow
def test_dask_engine_on_a_local_cluster_reports_each_run_and_writes_the_same_bytes(tmp_path):
    src = copy_fixtures(tmp_path)
    done = {}
    for engine in ("local", "dask"):
        done[engine] = zj(
            "render", *FIXTURE_ARGS, "--engine", engine, "--out", f"out-{engine}", cwd=src
        )
        assert done[engine].returncode == 1, done[engine].stderr[-3000:]
        rows = table(done[engine].stdout)
        assert {name: row[:-1] for name, row in rows.items()} == FIXTURE_STATUSES, done[
            engine
        ].stdout
        assert "Traceback" not in done[engine].stderr and done[engine].stderr.strip() == "", done[
            engine
        ].stderr[-3000:]
    notes = [line for line in done["dask"].stdout.splitlines() if ": " in line]
    assert notes == [
        "fails: ValueError: broken on purpose at tolerance 0.0 (cell 3)",
        "slow: stopped after 10 s",
        "dies: the kernel died: Kernel died",
    ], done["dask"].stdout
    assert notes == [line for line in done["local"].stdout.splitlines() if ": " in line]
    for name in ("ok", "fails", "slow", "dies"):
        for suffix in (".ipynb", ".html"):
            local = (src / "out-local" / f"{name}{suffix}").read_bytes()
            assert local == (src / "out-dask" / f"{name}{suffix}").read_bytes(), name + suffix
    for ledger in ("ledger.json", "ledger.csv", "index.html"):
        assert (src / "out-local" / ledger).read_bytes() == (src / "out-dask" / ledger).read_bytes()
    assert (
        json.loads((src / "out-dask" / "ledger.json").read_text())[0]["claim_id"]
        == "fixture.total_2018"
    )


@pytest.mark.slow
def test_a_job_that_kills_its_dask_worker_fails_after_one_retry_and_the_others_finish(tmp_path):
    src = copy_fixtures(tmp_path)
    # jupyter_client tells every kernel the process that started it: the Dask worker.
    killer = make_fixtures.notebook(
        "import os, signal\nos.kill(int(os.environ['JPY_PARENT_PID']), signal.SIGKILL)"
    )
    nbformat.write(killer, src / "kills_worker.ipynb")
    done = zj(
        "render",
        "kills_worker.ipynb",
        "ok.ipynb",
        "--engine",
        "dask",
        "--jobs",
        "2",
        "--out",
        "out",
        "--no-progress",
        "--format",
        "ipynb",
        cwd=src,
    )
    assert done.returncode == 1, done.stdout + done.stderr[-3000:]
    assert table(done.stdout)["kills_worker"][0] == "failed", done.stdout
    note = [line for line in done.stdout.splitlines() if line.startswith("kills_worker: ")]
    assert len(note) == 1 and "the Dask worker running it died, 2 times" in note[0], done.stdout
    assert "Traceback" not in done.stderr
    # The other job ends too. It normally runs untouched on the other worker; Dask counts a
    # worker's death against every job that worker held, so had the scheduler put both jobs on
    # one worker twice, it would be reported failed the same way, never left hanging.
    ok = [line for line in done.stdout.splitlines() if line.startswith("ok: ")]
    assert table(done.stdout)["ok"][0] == "ok" or (
        len(ok) == 1 and "the Dask worker running it died" in ok[0]
    ), done.stdout


@pytest.mark.slow
def test_data_travels_in_the_job_and_a_noop_render_contacts_no_cluster(tmp_path):
    data = tmp_path / "private-data"
    data.mkdir()
    (data / "claims.csv").write_text("claim_id\nshipped.as_bytes\n")
    reads = make_fixtures.notebook(
        "import os, pathlib\n"
        "folder = pathlib.Path(os.environ['ZJANALYSIS_DATA'])\n"
        "print(folder.name, (folder / 'claims.csv').read_text().split()[1])"
    )
    nbformat.write(reads, tmp_path / "reads.ipynb")
    env = {"ZJANALYSIS_DATA": str(data)}
    done = zj(
        "render",
        "reads.ipynb",
        "--engine",
        "dask",
        "--jobs",
        "1",
        "--out",
        "out",
        "--no-progress",
        cwd=tmp_path,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    written = nbformat.read(tmp_path / "out" / "reads.ipynb", as_version=4)
    # The kernel read an unpacked copy (named data/), not the folder on this side.
    assert written.cells[-1].outputs[0]["text"] == "data shipped.as_bytes\n"
    # Nothing changed: the cache answers, and no scheduler is contacted (there is none there).
    port = free_port()
    again = zj(
        "render",
        "reads.ipynb",
        "--engine",
        "dask",
        "--scheduler",
        f"tcp://127.0.0.1:{port}",
        "--out",
        "out",
        "--no-progress",
        cwd=tmp_path,
        env=env,
    )
    assert again.returncode == 0 and table(again.stdout) == {"reads": ["cached", "0.0"]}, (
        again.stdout + again.stderr
    )


@pytest.mark.parametrize(
    "address, reason",
    [
        ("tcp://127.0.0.1:{port}", "connection refused"),
        ("not an address:::", "not an address"),
    ],
)
def test_a_bad_scheduler_address_is_one_sentence(tmp_path, address, reason):
    shutil.copyfile(FIXTURES / "ok.ipynb", tmp_path / "ok.ipynb")
    address = address.format(port=free_port())
    done = zj(
        "render",
        "ok.ipynb",
        "--engine",
        "dask",
        "--scheduler",
        address,
        "--out",
        "out",
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith(
        f"zjanalysis render: error: Cannot reach the Dask scheduler at {address} ({reason}"
    ), done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    assert not (tmp_path / "out" / "ok.ipynb").exists()


def test_scheduler_without_the_dask_engine_is_refused(tmp_path):
    shutil.copyfile(FIXTURES / "ok.ipynb", tmp_path / "ok.ipynb")
    done = zj("render", "ok.ipynb", "--scheduler", "tcp://127.0.0.1:8786", cwd=tmp_path)
    assert done.returncode == 2
    assert "--scheduler needs --engine dask" in done.stderr


def test_the_missing_dask_extra_is_one_sentence_saying_what_to_install(tmp_path):
    # A `distributed` that cannot be imported stands for an environment without the extra.
    shadow = tmp_path / "shadow" / "distributed"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError(\"No module named 'distributed'\")\n")
    shutil.copyfile(FIXTURES / "ok.ipynb", tmp_path / "ok.ipynb")
    done = zj(
        "render",
        "ok.ipynb",
        "--engine",
        "dask",
        "--out",
        "out",
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path / "shadow")},
    )
    assert done.returncode == 2
    assert done.stderr == (
        "zjanalysis render: error: --engine dask needs the Dask extra, which is "
        "not installed here: run pip install -e '.[dask]' in the checkout "
        "(or pip install 'zjanalysis[dask]').\n"
    )
    # The local engine does not need it.
    local = zj(
        "render",
        "ok.ipynb",
        "--out",
        "out",
        "--no-progress",
        "--format",
        "ipynb",
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path / "shadow")},
    )
    assert local.returncode == 0, local.stderr[-2000:]


# --- a real `dask scheduler` and `dask worker` processes on 127.0.0.1 --------------------------

DASK = Path(sys.executable).parent / "dask"


class Cluster:
    """`dask scheduler` and `dask worker` subprocesses on 127.0.0.1 (ports chosen by the OS),
    stopped by PID."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.processes: list[subprocess.Popen] = []
        self.workers: list[subprocess.Popen] = []
        info = folder / "scheduler.json"
        self.scheduler = self.start(
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--no-dashboard",
            "--scheduler-file",
            str(info),
        )
        deadline = time.monotonic() + 60
        while not info.exists() or not info.read_text().strip():
            assert time.monotonic() < deadline and self.scheduler.poll() is None, (
                folder / "scheduler.log"
            ).read_text()
            time.sleep(0.2)
        self.address = json.loads(info.read_text())["address"]

    def start(self, kind: str, *args: str, env: dict | None = None) -> subprocess.Popen:
        log = open(self.folder / f"{kind}-{len(self.processes)}.log", "wb")
        process = subprocess.Popen(
            [str(DASK), kind, *args],
            cwd=self.folder,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
        log.close()
        self.processes.append(process)
        return process

    def add_worker(self, env: dict | None = None) -> subprocess.Popen:
        # --no-nanny: the worker is this very process, so killing it loses it for good.
        worker = self.start(
            "worker",
            self.address,
            "--nthreads",
            "1",
            "--no-nanny",
            "--no-dashboard",
            "--host",
            "127.0.0.1",
            env=env,
        )
        self.workers.append(worker)
        return worker

    def wait_for_workers(self, count: int) -> None:
        code = (
            "import sys; from distributed import Client\n"
            f"with Client({self.address!r}, timeout=30) as c:\n"
            f"    c.wait_for_workers({count}, timeout=60)\n"
        )
        subprocess.run([sys.executable, "-c", code], check=True, timeout=120, capture_output=True)

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def cluster(tmp_path):
    folder = tmp_path / "cluster"
    folder.mkdir()
    running = Cluster(folder)
    try:
        yield running
    finally:
        running.stop()
        # A worker killed by a test leaves its folders; a later engine would sweep them.
        from zjanalysis.execute import kernels

        for prefix in ("zjanalysis-engine-", "zjanalysis-zygote-"):
            kernels.sweep(prefix)


def marking_notebook(folder: Path, seconds: float) -> nbformat.NotebookNode:
    """A notebook that leaves a file in `folder` when it starts, then works for `seconds`."""
    return make_fixtures.notebook(
        f"import os, time, pathlib\n"
        f"pathlib.Path({str(folder)!r}, f'{{os.getpid()}}').write_text('started')\n"
        f"time.sleep({seconds})\nprint('done after', {seconds})"
    )


@pytest.mark.slow
def test_a_real_scheduler_and_two_workers_finish_a_batch_when_one_worker_is_killed(
    tmp_path, cluster
):
    for _ in range(2):
        cluster.add_worker()
    cluster.wait_for_workers(2)
    marks = tmp_path / "marks"
    marks.mkdir()
    names = [f"n{i}" for i in range(4)]
    for name in names:
        nbformat.write(marking_notebook(marks, 4), tmp_path / f"{name}.ipynb")
    render = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "zjanalysis",
            "render",
            *(f"{n}.ipynb" for n in names),
            "--engine",
            "dask",
            "--scheduler",
            cluster.address,
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
        deadline = time.monotonic() + 120
        while len(list(marks.iterdir())) < 2:  # both workers are inside a run
            assert time.monotonic() < deadline and render.poll() is None, render.communicate()
            time.sleep(0.1)
        cluster.workers[0].kill()
        stdout, stderr = render.communicate(timeout=300)
    finally:
        if render.poll() is None:
            render.kill()
    assert render.returncode == 0, stdout + stderr[-3000:]
    rows = table(stdout)
    assert {name: row[0] for name, row in rows.items()} == {name: "ok" for name in names}, stdout
    notes = [line for line in stdout.splitlines() if ": started 2 times" in line]
    assert len(notes) == 1, stdout  # the run the killed worker had
    assert notes[0].endswith("started 2 times: a worker was lost while running it")
    for name in names:
        written = nbformat.read(tmp_path / "out" / f"{name}.ipynb", as_version=4)
        assert written.cells[-1].outputs[0]["text"] == "done after 4\n"


@pytest.mark.slow
def test_a_worker_running_other_zjanalysis_code_is_named_before_any_run(tmp_path, cluster):
    # The same version number, one changed file: an editable checkout someone edited.
    other = tmp_path / "other"
    shutil.copytree(
        paths.package_dir(), other / "zjanalysis", ignore=shutil.ignore_patterns("__pycache__")
    )
    with open(other / "zjanalysis" / "figures.py", "a") as handle:
        handle.write("\n# edited on the worker\n")
    cluster.add_worker(env={"PYTHONPATH": str(other)})
    cluster.wait_for_workers(1)
    shutil.copyfile(FIXTURES / "ok.ipynb", tmp_path / "ok.ipynb")
    done = zj(
        "render",
        "ok.ipynb",
        "--engine",
        "dask",
        "--scheduler",
        cluster.address,
        "--out",
        "out",
        cwd=tmp_path,
    )
    assert done.returncode == 2, done.stdout + done.stderr[-3000:]
    assert done.stderr.startswith("zjanalysis render: error: Dask worker tcp://127.0.0.1:"), (
        done.stderr
    )
    version = metadata.version("zjanalysis")
    assert done.stderr.rstrip().endswith(
        f"runs other zjanalysis source files than this machine (same version, {version}, "
        "different code): install this checkout there too."
    ), done.stderr
    assert not (tmp_path / "out" / "ok.ipynb").exists()


# --- the handler contract: what a handler (e.g. grading's) can rely on -----------------------

PROBE = (
    "import os, json, resource\n"
    "print(json.dumps({'pid': os.getpid(), 'cwd': os.getcwd(),"
    " 'data': os.environ.get('ZJANALYSIS_DATA'), 'extra': os.environ.get('ZJ_TEST'),"
    " 'memory': resource.getrlimit(resource.RLIMIT_AS)[0]}))"
)


def _run_code(kernel, code: str, timeout: float = 60) -> str:
    printed: list[str] = []

    def hook(message: dict) -> None:
        if message["msg_type"] == "stream":
            printed.append(message["content"]["text"])

    kernel.client().execute_interactive(code, output_hook=hook, timeout=timeout)
    return "".join(printed)


def restart_handler(job, session):
    """Probe a kernel, let it die, restart it and probe again (run in a worker process)."""
    from zjanalysis import execute

    first = session.kernel()
    before = json.loads(_run_code(first, PROBE))
    first.client().execute("import os; os._exit(3)")
    deadline = time.monotonic() + 30
    while first.alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    dead = not first.alive()
    second = session.restart_kernel()
    after = json.loads(_run_code(second, PROBE))
    return execute.Result(
        job.name,
        "ok",
        extra={
            "before": before,
            "after": after,
            "dead": dead,
            "forked": [first.forked, second.forked],
            "work": str(session.work),
            "data_dir": str(session.data_dir),
        },
    )


def sleepy_handler(job, session):
    """Run a cell longer than the job's run timeout; report what the session says."""
    from zjanalysis import execute

    kernel = session.kernel()
    try:
        # A client waiting on a kernel cannot tell it was killed: bound the wait as well.
        _run_code(kernel, "import time; time.sleep(60)", timeout=session.remaining() + 5)
        status = "ok"
    except Exception as err:  # noqa: BLE001 -- the kernel was killed under the client
        status = type(err).__name__
    return execute.Result(
        job.name,
        "timed out" if session.timed_out else "failed",
        status,
        extra={"remaining": session.remaining(), "alive": kernel.alive()},
    )


@pytest.fixture
def test_kinds():
    from zjanalysis.execute import handlers

    execute.register("test-restart", f"{__name__}:restart_handler")
    execute.register("test-sleepy", f"{__name__}:sleepy_handler")
    yield
    handlers._TARGETS.pop("test-restart")
    handlers._TARGETS.pop("test-sleepy")


@pytest.mark.slow
@pytest.mark.parametrize("zygote", [True, False], ids=["forked", "plain"])
def test_a_handler_restarts_a_dead_kernel_with_the_same_setup(tmp_path, test_kinds, zygote):
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.csv").write_text("x\n1\n")
    job = execute.Job(
        "probe",
        kind="test-restart",
        data=execute.DataBundle.from_folder(data),
        env={"ZJ_TEST": "passed through"},
        limits=execute.Limits(memory_mb=2048),
    )
    with execute.open_engine("local", workers=1, zygote=zygote) as engine:
        (result,) = list(engine.run([job]))
    assert result.status == "ok", result.message + result.log
    before, after = result.extra["before"], result.extra["after"]
    assert result.extra["dead"] and before["pid"] != after["pid"]
    for probe in (before, after):
        assert probe["cwd"] == result.extra["work"]  # the job's private folder
        assert probe["data"] == result.extra["data_dir"] and probe["data"].endswith("/data")
        assert probe["extra"] == "passed through"
        assert probe["memory"] == 2048 * 1024 * 1024
    assert result.extra["forked"] == [zygote, zygote]
    assert not Path(result.extra["work"]).exists()  # removed after the job


@pytest.mark.slow
def test_the_run_timeout_kills_the_kernel_inside_the_task(test_kinds):
    job = execute.Job("sleepy", kind="test-sleepy", limits=execute.Limits(run_timeout=3))
    started = time.monotonic()
    with execute.open_engine("local", workers=1) as engine:
        (result,) = list(engine.run([job]))
    assert time.monotonic() - started < 40
    assert result.status == "timed out", (result.message, result.extra, result.log)
    assert result.extra["remaining"] == 0.0
    assert result.extra["alive"] is False and result.message != "ok"


@pytest.mark.slow
def test_a_memory_limit_turns_a_memory_bomb_into_a_memoryerror(tmp_path):
    # About 1 GB of address space is the kernel with pandas and matplotlib; 3 GB more is refused.
    bomb = make_fixtures.notebook(
        "print('before')", "hog = bytearray(3 * 1024 ** 3)", "print('never')"
    )
    job = execute.Job(
        "bomb",
        notebook=nbformat.writes(bomb).encode(),
        limits=execute.Limits(memory_mb=2048, cell_timeout=60),
    )
    with execute.open_engine("local", workers=1) as engine:
        (result,) = list(engine.run([job]))
    assert result.status == "failed" and result.message == "MemoryError:  (cell 3)"
    written = nbformat.reads(result.notebook.decode(), as_version=4)
    assert "before" in json.dumps(written.cells[3].outputs)
