"""A stand-in engine for grading while `zjanalysis.execute` has no engine of its own yet.

It matches the announced contract (`execute.Session`, `execute.Kernel`, `Engine.run`) with plain
jupyter_client kernels started from scratch, one process pool on this machine. Nothing else
uses it; it goes away when `execute.local` exists.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from zjanalysis.execute import Job, Result
from zjanalysis.execute.handlers import load, target


class PlainKernel:
    """A kernel started from scratch with the job's environment and working folder."""

    forked = False

    def __init__(self, env: dict, cwd: str) -> None:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_client.utils import run_sync

        self._run_sync = run_sync
        self.km = AsyncKernelManager(kernel_name="python3", transport="ipc",
                                     ip=os.path.join(cwd, ".k"))
        run_sync(self.km.start_kernel)(env=env, cwd=cwd)
        self._client = None

    def client(self) -> Any:
        from jupyter_client.blocking import BlockingKernelClient

        if self._client is None:
            self._client = BlockingKernelClient()
            self._client.load_connection_info(self.km.get_connection_info())
            self._client.start_channels()
        return self._client

    def alive(self) -> bool:
        process = getattr(self.km.provisioner, "process", None)
        return process is not None and process.poll() is None

    def kill(self) -> None:
        process = getattr(self.km.provisioner, "process", None)
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()

    def close(self) -> None:
        if self._client is not None:
            self._client.stop_channels()
            self._client = None
        try:
            self._run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001
            self.kill()
        self._run_sync(self.km._async_cleanup_resources)()


class PlainSession:
    """The Session a handler gets, for one job, with its run timeout enforced by a timer."""

    def __init__(self, job: Job, work: Path, data_dir: Path | None) -> None:
        self.job, self.work, self.data_dir = job, work, data_dir
        self._kernel: PlainKernel | None = None
        self._started = time.monotonic()
        self._expired = threading.Event()
        self._log: list[str] = []
        self._timer = None
        if job.limits.run_timeout:
            self._timer = threading.Timer(job.limits.run_timeout, self._expire)
            self._timer.daemon = True
            self._timer.start()

    def _expire(self) -> None:
        self._expired.set()
        if self._kernel is not None:
            self._kernel.kill()

    def _env(self) -> dict:
        env = dict(os.environ)
        env.update(self.job.env)
        if self.data_dir is not None:
            env["ZJANALYSIS_DATA"] = str(self.data_dir)
        return env

    def kernel(self) -> PlainKernel:
        if self._kernel is None:
            self._kernel = PlainKernel(self._env(), str(self.job.cwd or self.work))
        return self._kernel

    def restart_kernel(self) -> PlainKernel:
        if self._kernel is not None:
            self._kernel.close()
            self._kernel = None
        return self.kernel()

    @property
    def timed_out(self) -> bool:
        return self._expired.is_set()

    def remaining(self) -> float | None:
        if not self.job.limits.run_timeout:
            return None
        return max(0.0, self.job.limits.run_timeout - (time.monotonic() - self._started))

    def log(self, text: str) -> None:
        self._log.append(text)

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self._kernel is not None:
            self._kernel.close()
            self._kernel = None


def run_job(job: Job, handler_target: str) -> Result:
    """Run one job in this process: private folder, data unpacked, handler, clean up."""
    started = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="zjanalysis-grade-"))
    session = None
    try:
        work = scratch / "work"
        work.mkdir()
        data_dir = job.data.materialize(scratch / "data") if job.data is not None else None
        session = PlainSession(job, work, data_dir)
        result = load(handler_target)(job, session)
        result.log = "\n".join(session._log)
        return result
    except Exception as err:  # noqa: BLE001 -- a job that breaks is a failed Result
        return Result(job.name, "failed", f"{type(err).__name__}: {err}", time.monotonic() - started)
    finally:
        if session is not None:
            session.close()
        shutil.rmtree(scratch, ignore_errors=True)


class PlainEngine:
    """A pool of worker processes, each running jobs with `run_job`."""

    name = "plain"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None

    def run(self, jobs: Sequence[Job], started: Callable[[Job], None] | None = None) -> Iterator[Result]:
        if self._pool is None:
            self._pool = concurrent.futures.ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("fork"))
        futures = {}
        for job in jobs:
            futures[self._pool.submit(run_job, job, target(job.kind))] = job
            if started is not None:
                started(job)
        for future in concurrent.futures.as_completed(futures):
            try:
                yield future.result()
            except Exception as err:  # noqa: BLE001 -- a lost worker
                yield Result(futures[future].name, "failed", f"the worker was lost: {err}")

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> "PlainEngine":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
