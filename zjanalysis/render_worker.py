"""The execution half of the renderer: a pool of worker processes around Papermill.

Each worker imports Papermill once, keeps one kernel started ahead of time with pandas,
matplotlib and seaborn already imported (one fresh kernel per run, never reused), and writes
every result atomically; Papermill's save-after-every-cell is off (see `_engine`). The parent
hands out runs, records results in the cache as they come, enforces a wall-clock guard and, on
Ctrl-C, stops the workers without leaving partial files.
"""

from __future__ import annotations

import functools
import itertools
import multiprocessing
import os
import signal
import sys
import tempfile
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any

from zjanalysis import site
from zjanalysis.render import Outcome, Run, output_path, project_root, save_cache

WARM_MODULES = ("pandas", "matplotlib.pyplot", "seaborn")
_WARM_CODE = (
    "import importlib as _zj_i\n"
    f"for _zj_m in {WARM_MODULES!r}:\n"
    "    _zj_i.import_module(_zj_m)\n"
    "del _zj_i, _zj_m\n"
)
BANNER_TAG = "papermill-error-cell-tag"
# A worker that stops answering well after its own guard fired is killed by the parent.
_PARENT_GRACE = 60.0


def _bootstrap_command(*args: str) -> list[str]:
    """Return a command running `zjanalysis.zygote.main(args)` with this process's package."""
    folder = str(Path(__file__).resolve().parents[1])
    code = ("import sys; sys.path.insert(0, sys.argv.pop(1)); import zjanalysis.zygote as z; "
            "sys.path.pop(0); sys.exit(z.main())")
    return [sys.executable, "-c", code, folder, *args]


class _Zygote:
    """The batch's zygote process (see `zjanalysis.zygote`) and the socket it listens on."""

    def __init__(self, log_dir: Path) -> None:
        import socket
        import subprocess

        self.folder = tempfile.mkdtemp(prefix="zjanalysis-zygote-")
        self.socket = os.path.join(self.folder, "kernels.sock")
        self.process = None
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            listener.bind(self.socket)
            listener.listen(64)
            with open(log_dir / "zygote.log", "ab", buffering=0) as log:
                self.process = subprocess.Popen(
                    _bootstrap_command("serve", str(listener.fileno())),
                    pass_fds=[listener.fileno()], stdin=subprocess.DEVNULL, stdout=log,
                    stderr=log, start_new_session=True)
        except BaseException:
            self.stop()
            raise
        finally:
            listener.close()

    @classmethod
    def start(cls, log_dir: Path) -> "_Zygote | None":
        """Return a running zygote, or None when this platform cannot have one (then: no zygote)."""
        from zjanalysis import zygote

        if not zygote.available():
            return None
        try:
            return cls(log_dir)
        except (OSError, ValueError):
            return None

    def stop(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                self.process.terminate()
            try:
                self.process.wait(10)
            except Exception:  # noqa: BLE001 -- subprocess.TimeoutExpired
                self.process.kill()
                self.process.wait()
        for name in os.listdir(self.folder) if os.path.isdir(self.folder) else []:
            os.unlink(os.path.join(self.folder, name))
        if os.path.isdir(self.folder):
            os.rmdir(self.folder)


# A Unix socket path must fit in sockaddr_un (108 bytes on Linux) with its "-<n>" suffix.
_MAX_IPC_PREFIX = 96


def _manager(zygote_socket: str | None, ipc_prefix: str | None = None) -> Any:
    """Return a kernel manager for python3; with a zygote, its kernels are forked from it.

    With `ipc_prefix` the kernel listens on Unix sockets `<prefix>-1` … `<prefix>-5` instead of
    TCP ports. Over TCP, jupyter_client picks free ports and releases them for the kernel to
    bind; two workers starting kernels at once can pick the same port, and the loser dies with
    "Address already in use" (seen under load). Socket paths in a worker's private folder
    cannot collide. Elsewhere than POSIX, or for a path too long for a socket: TCP.
    """
    from jupyter_client.manager import AsyncKernelManager

    transport = {}
    if ipc_prefix is not None and os.name == "posix" and len(ipc_prefix) <= _MAX_IPC_PREFIX:
        transport = {"transport": "ipc", "ip": ipc_prefix}
    if zygote_socket is None:
        return AsyncKernelManager(kernel_name="python3", **transport)

    class ZygoteKernelManager(AsyncKernelManager):
        def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
            normal = super().format_kernel_cmd(extra_arguments)
            if normal[1:3] != ["-m", "ipykernel_launcher"]:
                return normal
            return _bootstrap_command("connect", zygote_socket, *normal[3:])

    return ZygoteKernelManager(kernel_name="python3", **transport)


class _Kernel:
    """A started kernel (AsyncKernelManager) plus the client used to warm it."""

    def __init__(self, warm: bool, zygote_socket: str | None = None,
                 ipc_prefix: str | None = None) -> None:
        from jupyter_client.blocking import BlockingKernelClient
        from jupyter_client.utils import run_sync

        self._run_sync = run_sync
        self.km = _manager(zygote_socket, ipc_prefix)
        run_sync(self.km.start_kernel)()
        self.kc = None
        # A kernel forked from the zygote has the libraries already: nothing to warm.
        if warm and zygote_socket is None:
            self.kc = BlockingKernelClient()
            self.kc.load_connection_info(self.km.get_connection_info())
            self.kc.start_channels()
            # Not awaited: the imports run while this worker is busy with the current run.
            self.kc.execute(_WARM_CODE, silent=True, store_history=False)

    def kill(self) -> None:
        process = getattr(self.km.provisioner, "process", None)
        if process is not None:
            process.kill()

    def close(self) -> None:
        if self.kc is not None:
            self.kc.stop_channels()
        try:
            self._run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:
            self.kill()


def merge_adjacent_streams(nb: Any) -> None:
    """Join each run of consecutive stream outputs with the same name into one output, in place.

    The kernel sends what a cell prints in chunks, cut wherever its flush timer happens to
    fire: the same print can arrive as one output or as two. Joining neighbours (never streams
    separated by another output, so the order of text and displays is kept) makes the written
    notebook independent of that timing.
    """
    for cell in nb.cells:
        merged: list = []
        for output in cell.get("outputs", []):
            last = merged[-1] if merged else {}
            if (output.get("output_type") == last.get("output_type") == "stream"
                    and output.get("name") == last.get("name")):
                last["text"] = "".join(last["text"]) + "".join(output["text"])
            else:
                merged.append(output)
        if "outputs" in cell:
            cell.outputs = merged


def _strip_times(nb: Any, source: Path, target: Path) -> None:
    """Make a rendered notebook deterministic: no times, durations or absolute paths, and
    printed text in one output however the kernel happened to chunk it."""
    merge_adjacent_streams(nb)
    meta = nb.metadata.get("papermill", {})
    for key in ("start_time", "end_time", "duration"):
        meta.pop(key, None)
    meta["input_path"] = os.path.relpath(source, target.parent)
    meta["output_path"] = target.name
    for index, cell in enumerate(nb.cells):
        # Cells Papermill adds (injected parameters, error banners) get random ids.
        tags = cell.metadata.get("tags", [])
        if "injected-parameters" in tags or BANNER_TAG in tags:
            cell.id = f"zjanalysis-added-{index}"
        cell.metadata.pop("execution", None)
        for key in ("start_time", "end_time", "duration"):
            cell.metadata.get("papermill", {}).pop(key, None)


_ENGINE = "zjanalysis"


@functools.cache
def _engine() -> Any:
    """Register, once per process, and return the Papermill engine the renderer runs with."""
    from papermill.engines import NBClientEngine, papermill_engines

    class LiveEngine(NBClientEngine):
        """Papermill's nbclient engine, keeping a handle on the notebook it is executing.

        The renderer turns off Papermill's save-after-every-cell (it re-serialises the whole
        notebook twice per cell: about a quarter of a run's time); this handle still gives a
        timed-out or crashed run the cells that ran before it stopped.
        """

        live = None

        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, **kwargs: Any) -> Any:
            cls.live = nb_man.nb
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

    papermill_engines.register(_ENGINE, LiveEngine)
    return LiveEngine


def skip_unused_iri_checker() -> None:
    """Keep jsonschema from importing `rfc3987_syntax` in this process (called in each worker).

    `import nbformat` imports jsonschema's format checkers; the non-GPL IRI checker,
    `rfc3987_syntax` 1.1, builds dozens of Lark parsers at import: about 1.1 s of CPU here, in
    every worker. No notebook schema uses the `iri` formats, so the renderer marks the module
    as absent (jsonschema then simply has no IRI checker). Upstream: python-jsonschema/jsonschema
    issue 1428. Does nothing when the module is already imported.
    """
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def _banner(nb: Any, text: str) -> None:
    import nbformat

    cell = nbformat.v4.new_markdown_cell(
        f'<span style="color:red; font-family:Helvetica Neue, Helvetica, Arial, sans-serif; '
        f'font-size:2em;">{text}</span>')
    cell.metadata["tags"] = [BANNER_TAG]
    nb.cells.insert(0, cell)


def _execute(task: dict, kernel: _Kernel, work: Path) -> dict:
    """Run one notebook on `kernel`; write its outputs; return status, message, findings."""
    import nbformat
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    run: Run = task["run"]
    out_dir = Path(task["out_dir"])
    target = output_path(out_dir, run.name + ".ipynb")
    nb = nbformat.read(run.notebook, as_version=4)
    if run.edition == "student":
        from zjanalysis import teach

        nb = teach.student_edition(nb)
    scratch = work / "run.ipynb"
    scratch.unlink(missing_ok=True)
    engine = _engine()
    engine.live = None
    guard_fired = threading.Event()

    def guard() -> None:
        guard_fired.set()
        kernel.kill()

    timer = threading.Timer(task["timeout"], guard)
    timer.daemon = True
    status, message = "ok", ""
    timer.start()
    try:
        nb = papermill.execute_notebook(
            nb, str(scratch), parameters=run.parameters, km=kernel.km, progress_bar=False,
            execution_timeout=task["timeout"], kernel_name="python3", engine_name=_ENGINE,
            request_save_on_cell_execute=False)
    except papermill.PapermillExecutionError as err:
        status, message = "failed", f"{err.ename}: {err.evalue} (cell {err.exec_count})"
    except (CellTimeoutError, DeadKernelError) as err:
        if guard_fired.is_set() or isinstance(err, CellTimeoutError):
            status, message = "timed out", f"stopped after {task['timeout']:g} s"
        else:
            status, message = "failed", f"the kernel died: {err}"
    except Exception as err:
        status, message = "failed", f"{type(err).__name__}: {err}"
    finally:
        timer.cancel()
    if status != "ok":
        # A failed cell: Papermill wrote the notebook with its error banner to `scratch`.
        # A timeout or a dead kernel: keep what ran, from the engine's live notebook.
        if scratch.exists():
            nb = nbformat.read(scratch, as_version=4)
        elif engine.live is not None:
            nb = engine.live
        if status == "timed out":
            _banner(nb, f"This run timed out: it was stopped after {task['timeout']:g} seconds. "
                        "The cells below show how far it got.")
        elif not any(BANNER_TAG in c.metadata.get("tags", []) for c in nb.cells):
            _banner(nb, f"This run failed: {message}")
    _strip_times(nb, run.notebook, target)
    target.parent.mkdir(exist_ok=True)
    outputs = {"ipynb": target.relative_to(out_dir.resolve()).as_posix()}
    site.write_atomic(target, nbformat.writes(nb) + "\n")
    if "html" in task["formats"]:
        page = target.with_suffix(".html")
        site.write_atomic(page, site.export_html(nb))
        outputs["html"] = page.relative_to(out_dir.resolve()).as_posix()
    try:
        findings = site.findings_from_notebook(nb)
    except ValueError as err:
        findings = []
        status, message = "failed", str(err)
    return {"status": status, "message": message, "findings": findings,
            "network": site.network_from_notebook(nb), "outputs": outputs}


def _worker_main(conn: Any, number: int, log_dir: str, prewarm: bool,
                 formats: tuple[str, ...], zygote_socket: str | None = None) -> None:
    """Serve runs from `conn` until it closes; kernel and library noise go to a log file."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(143)

    signal.signal(signal.SIGTERM, stop)
    log = open(Path(log_dir) / f"worker-{number}.log", "ab", buffering=0)
    os.dup2(log.fileno(), 2)
    sys.stderr = open(2, "w", buffering=1, closefd=False)
    import logging

    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    skip_unused_iri_checker()  # before papermill imports nbformat; this process only
    work = Path(tempfile.mkdtemp(prefix="zjanalysis-render-"))
    sockets = (str(work / f"k{n}") for n in itertools.count())
    kernel = None
    try:
        # The first kernel starts before the heavy imports so that both proceed at once.
        kernel = _Kernel(prewarm, zygote_socket, next(sockets))
        import papermill  # noqa: F401  -- imported once per worker, the point of the pool

        _engine()

        if "html" in formats:
            import nbconvert  # noqa: F401
        while True:
            try:
                task = conn.recv()
            except EOFError:
                break
            if task is None:
                break
            current, kernel = kernel, None
            started = time.perf_counter()
            try:
                # Start the next run's kernel now so its imports overlap this run.
                kernel = _Kernel(prewarm, zygote_socket, next(sockets))
                result = _execute(task, current, work)
            except Exception as err:
                result = {"status": "failed", "message": f"{type(err).__name__}: {err}",
                          "findings": [], "outputs": {}}
            finally:
                current.close()
            result["seconds"] = time.perf_counter() - started
            conn.send(result)
    finally:
        if kernel is not None:
            kernel.close()
        for leftover in work.iterdir():
            leftover.unlink()
        work.rmdir()


class _Worker:
    def __init__(self, number: int, log_dir: Path, prewarm: bool,
                 formats: tuple[str, ...], zygote_socket: str | None = None) -> None:
        context = multiprocessing.get_context("fork")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, number, str(log_dir),
                                                                  prewarm, formats, zygote_socket),
                                       daemon=True)
        self.process.start()
        child.close()
        self.task: dict | None = None
        self.started = 0.0

    def stop(self, wait: float) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(wait)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


def execute_all(runs: list[Run], keys: dict[str, str], out_dir: Path, cache: dict,
                outcomes: dict[str, Outcome], *, jobs: int, timeout: float,
                formats: tuple[str, ...], progress: bool, prewarm: bool = True,
                zygote: bool = True) -> bool:
    """Execute `runs` on `jobs` workers, filling `outcomes` and `cache` as runs finish.

    Returns True when Ctrl-C interrupted the batch (finished runs stay recorded and cached;
    unfinished ones leave no file behind). With `zygote`, kernels are forked from one process
    that imported the libraries once (`zjanalysis.zygote`); without it, or where the platform
    has no fork or Unix sockets, each kernel is started from scratch.
    """
    from multiprocessing.connection import wait
    from tqdm import tqdm

    log_dir = out_dir / ".render-logs"
    log_dir.mkdir(exist_ok=True)
    pending = deque(runs)
    bar = tqdm(total=len(runs), file=sys.stderr, unit="run", disable=not progress,
               desc="render", dynamic_ncols=True)
    workers: list[_Worker] = []
    spawner: _Zygote | None = None

    def finish(worker: _Worker, result: dict) -> None:
        run: Run = worker.task["run"]
        outcomes[run.name] = Outcome(run.name, result["status"], result.get("seconds", 0.0),
                                     result.get("message", ""))
        if result.get("outputs"):
            cache["runs"][run.name] = {
                "key": keys[run.name], "status": result["status"],
                "notebook": os.path.relpath(run.notebook, project_root()),
                "parameters": run.parameters, "edition": run.edition,
                "findings": result.get("findings", []), "network": result.get("network", []),
                "outputs": result["outputs"]}
            save_cache(out_dir, cache)
        worker.task = None
        bar.update(1)

    try:
        count = max(1, min(jobs, len(runs)))
        spawner = _Zygote.start(log_dir) if zygote else None
        socket_path = spawner.socket if spawner else None
        workers = [_Worker(i, log_dir, prewarm, formats, socket_path) for i in range(count)]
        while pending or any(w.task for w in workers):
            for worker in workers:
                if worker.task is None and pending:
                    run = pending.popleft()
                    worker.task = {"run": run, "out_dir": str(out_dir.resolve()),
                                   "timeout": timeout, "formats": formats}
                    worker.started = time.monotonic()
                    worker.conn.send(worker.task)
            bar.set_postfix_str(", ".join(w.task["run"].name for w in workers if w.task))
            busy = [w for w in workers if w.task]
            ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy], 1.0)
            for index, worker in enumerate(workers):
                if not worker.task:
                    continue
                late = time.monotonic() - worker.started > timeout + _PARENT_GRACE
                if worker.conn in ready:
                    try:
                        finish(worker, worker.conn.recv())
                        continue
                    except EOFError:
                        pass
                if worker.process.sentinel in ready or worker.conn in ready or late:
                    worker.stop(5)
                    status = "timed out" if late else "failed"
                    finish(worker, {"status": status, "seconds": time.monotonic() - worker.started,
                                    "message": "the worker process stopped without a result"})
                    workers[index] = _Worker(index, log_dir, prewarm, formats, socket_path)
        return False
    except KeyboardInterrupt:
        return True
    finally:
        for worker in workers:
            try:
                worker.conn.send(None)
            except OSError:
                pass
        for worker in workers:
            if worker.task is not None:
                worker.stop(10)
            else:
                worker.process.join(10)
                worker.stop(5)
        if spawner is not None:
            spawner.stop()
        site.remove_temp_files(out_dir)
        bar.close()
