"""Running one job inside a worker process: the same code under every engine.

A `Runtime` lives once per worker process (a local pool worker, or a Dask worker). It keeps the
process's private folder, the data bundles it has unpacked, its kernel pool and (optionally) its
zygote. `Runtime.run(job, target)` gives the job a `JobSession`, enforces its run timeout by
killing its kernel, calls the handler and returns a Result with the log attached. Nothing is
written outside the runtime's private folder.
"""

from __future__ import annotations

import functools
import logging
import os
import platform
import shutil
import threading
import time
from pathlib import Path
from typing import Any

from zjanalysis import paths
from zjanalysis.execute import handlers
from zjanalysis.execute.jobs import DataBundle, DataMismatch, Job, Result
from zjanalysis.execute.kernels import KernelPool, KernelSpec, StartedKernel, Zygote, private_folder
from zjanalysis.versions import package_versions, tree_sha256

# Compared between the caller and every worker before a batch (and again inside each task).
FINGERPRINT_PACKAGES = (
    "zjanalysis",
    "papermill",
    "pandas",
    "matplotlib",
    "seaborn",
    "ipykernel",
    "nbconvert",
    "nbformat",
)
_MAX_LOG = 200_000


@functools.cache
def fingerprint() -> dict[str, str]:
    """Return the versions that shape a job's output here: Python, the packages above, and a
    digest of the zjanalysis source actually imported (an editable install can differ from
    its version number)."""
    versions = package_versions(FINGERPRINT_PACKAGES)
    versions["zjanalysis source"] = tree_sha256(paths.package_dir())[:16]
    return versions


def fingerprint_mismatch(ours: dict[str, str], theirs: dict[str, str], where: str) -> str | None:
    """Return one sentence naming the first difference between two fingerprints, or None."""
    for name in ours:
        if ours[name] == theirs.get(name):
            continue
        if name == "zjanalysis source":
            return (
                f"{where} runs other zjanalysis source files than this machine (same "
                f"version, {theirs.get('zjanalysis')}, different code): install this "
                "checkout there too."
            )
        return (
            f"{where} has {name} {theirs.get(name, 'absent')}, this machine has "
            f"{name} {ours[name]}: install the same versions everywhere."
        )
    return None


class _Capture(logging.Handler):
    """Collects the log records of one thread (the job's) while a job runs."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.lines = lines
        self.thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.lines.append(f"{record.levelname} {record.name}: {record.getMessage()}")


class JobSession:
    """What a handler gets for one job (implements `zjanalysis.execute.Session`)."""

    def __init__(
        self,
        runtime: Runtime,
        job: Job,
        spec: KernelSpec,
        data_dir: Path | None,
        *,
        ahead: bool = True,
    ) -> None:
        self.job = job
        self._ahead = ahead
        self.data_dir = data_dir
        self._runtime = runtime
        self._spec = spec
        self._kernel, self.work = runtime.pool.take(spec)
        self._kernels: list[StartedKernel] = [self._kernel] if self._kernel else []
        self._lines: list[str] = []
        self._asked = False
        self._expired = threading.Event()
        self._lock = threading.Lock()
        limit = job.limits.run_timeout
        self._deadline = time.monotonic() + limit if limit else None

    # -- the Session protocol
    def kernel(self) -> StartedKernel:
        with self._lock:
            first, self._asked = not self._asked, True
            if self._kernel is None:
                self._kernel = self._runtime.pool.start(self._spec, self.work)
                self._kernels.append(self._kernel)
            kernel = self._kernel
        if first and self._ahead:
            # The job has its kernel: start the next job's now, to overlap with this one.
            self._runtime.pool.ahead(self._spec)
        return kernel

    def restart_kernel(self) -> StartedKernel:
        with self._lock:
            if self._kernel is not None:
                self._kernel.close()
                self._kernel = None
        return self.kernel()

    @property
    def timed_out(self) -> bool:
        return self._expired.is_set()

    def remaining(self) -> float | None:
        return None if self._deadline is None else max(0.0, self._deadline - time.monotonic())

    def log(self, text: str) -> None:
        self._lines.append(str(text))

    # -- for the runtime
    def expire(self) -> None:
        """The run timeout passed: mark it and kill the current kernel."""
        self._expired.set()
        with self._lock:
            if self._kernel is not None:
                self._kernel.kill()

    def close(self) -> str:
        """Close the job's kernels, remove its folder; return its log."""
        parts = []
        for number, kernel in enumerate(self._kernels):
            text = kernel.log_text()
            kernel.close()
            if text.strip():
                title = "kernel" if len(self._kernels) == 1 else f"kernel {number + 1}"
                parts.append(f"--- {title} output ---\n{text.rstrip()}\n")
        if self._lines:
            parts.insert(0, "\n".join(self._lines) + "\n")
        shutil.rmtree(self.work, ignore_errors=True)
        log = "".join(parts)
        return log if len(log) <= _MAX_LOG else "[… cut …]\n" + log[-_MAX_LOG:]


class Runtime:
    """One per worker process: its private folder, unpacked data, kernel pool and zygote.

    zygote_socket: a zygote someone else started (the local engine's, shared by its workers);
    own_zygote: start one for this process (under Dask); neither: plain kernels.
    """

    def __init__(
        self, *, prewarm: bool = True, zygote_socket: str | None = None, own_zygote: bool = False
    ) -> None:
        self.root = private_folder("zjanalysis-engine-")
        self.zygote = Zygote.start(self.root / "zygote.log") if own_zygote else None
        socket = self.zygote.socket if self.zygote else zygote_socket
        self.pool = KernelPool(self.root, socket, prewarm)
        self._data: dict[str, Path] = {}
        self._handlers: dict[str, Any] = {}

    def data_dir(self, bundle: DataBundle | None) -> Path | None:
        if bundle is None:
            return None
        if bundle.digest not in self._data:
            self._data[bundle.digest] = bundle.materialize(self.root / "data")
        return self._data[bundle.digest]

    def handler(self, target: str) -> Any:
        if target not in self._handlers:
            self._handlers[target] = handlers.load(target)
        return self._handlers[target]

    def run(
        self, job: Job, target: str, expected: dict[str, str] | None = None, *, last: bool = False
    ) -> Result:
        """Run `job` with the handler `target`; never raises for the job's own failures. `last`:
        no job will follow on this worker, so no kernel is started ahead for one."""
        started = time.perf_counter()
        if expected is not None:
            problem = fingerprint_mismatch(
                expected, fingerprint(), f"The worker on {platform.node()}"
            )
            if problem:
                return Result(job.name, "failed", problem)
        try:
            function = self.handler(target)
            data_dir = self.data_dir(job.data)
        except DataMismatch as err:
            return Result(job.name, "failed", str(err), time.perf_counter() - started)
        except Exception as err:  # noqa: BLE001 -- an import error in a handler, a full disk
            return Result(
                job.name, "failed", f"{type(err).__name__}: {err}", time.perf_counter() - started
            )
        if job.cwd is not None and not os.path.isdir(job.cwd):
            return Result(
                job.name,
                "failed",
                f"The working folder {job.cwd} does not exist on {platform.node()}.",
                time.perf_counter() - started,
            )
        env = dict(job.env)
        if data_dir is not None:
            env["ZJANALYSIS_DATA"] = str(data_dir)
        # Kernels read IPython's folder at start: the user's startup files and kernel
        # configuration would run in every job, unseen by the render cache, and every cell would
        # go into the user's input history. A job gets the project's own IPython folder (in its
        # cache folder, kept between batches: creating one costs each batch's first kernels)
        # unless it names its own, as grading does.
        env.setdefault("IPYTHONDIR", str(paths.cache_dir() / "ipython"))
        spec = KernelSpec(tuple(sorted(env.items())), job.cwd, job.limits.memory_mb)
        capture = _Capture([])
        logging.getLogger().addHandler(capture)
        session = None
        timer = None
        try:
            session = JobSession(self, job, spec, data_dir, ahead=not last)
            if job.limits.run_timeout:
                timer = threading.Timer(job.limits.run_timeout, session.expire)
                timer.daemon = True
                timer.start()
            result = function(job, session)
        except Exception as err:  # noqa: BLE001 -- a handler's bug is that job's failure
            result = Result(job.name, "failed", f"{type(err).__name__}: {err}")
        finally:
            if timer is not None:
                timer.cancel()
            logging.getLogger().removeHandler(capture)
        log = session.close() if session is not None else ""
        if capture.lines:
            log = "\n".join(capture.lines) + "\n" + log
        result.log = log + result.log
        result.seconds = time.perf_counter() - started
        return result

    def close(self) -> None:
        self.pool.close()
        if self.zygote is not None:
            self.zygote.stop()
            self.zygote = None
        shutil.rmtree(self.root, ignore_errors=True)
