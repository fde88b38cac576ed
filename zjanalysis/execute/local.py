"""The local engine: a pool of worker processes on this machine (the default).

Each worker is forked once per batch, imports Papermill once, and runs jobs through its own
`Runtime` (one fresh kernel per job, the next one started ahead). Kernels are forked from one
zygote per batch, started here with subprocess, where the platform allows. The parent hands out
jobs, yields results as they come, and kills a worker that outlives its job's run timeout by
a wide margin or dies (its job is then reported as failed or timed out).
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from zjanalysis.execute import handlers
from zjanalysis.execute.base import BaseEngine
from zjanalysis.execute.jobs import Job, Result
from zjanalysis.execute.kernels import Zygote, private_folder
from zjanalysis.execute.runner import Runtime

# A worker that stops answering well after its own guard fired is killed by the parent.
_PARENT_GRACE = 60.0


def _worker_main(
    conn: Any, number: int, root: str, prewarm: bool, zygote_socket: str | None
) -> None:
    """Serve jobs from `conn` until it closes; stray output of the process goes to a file that
    is read into each job's log."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(143)

    signal.signal(signal.SIGTERM, stop)
    stderr_path = Path(root) / f"worker-{number}.log"
    log = open(stderr_path, "ab", buffering=0)
    os.dup2(log.fileno(), 2)
    sys.stderr = open(2, "w", buffering=1, closefd=False)
    from zjanalysis.execute.notebooks import skip_unused_iri_checker

    skip_unused_iri_checker()  # before anything imports nbformat; this process only
    runtime = Runtime(prewarm=prewarm, zygote_socket=zygote_socket)
    seen = 0
    try:
        while True:
            try:
                message = conn.recv()
            except EOFError:
                break
            if message is None:
                break
            job, target, last = message
            result = runtime.run(job, target, last=last)
            sys.stderr.flush()
            with open(stderr_path, "rb") as handle:
                handle.seek(seen)
                stray = handle.read()
            seen += len(stray)
            if stray.strip():
                result.log += (
                    "--- worker output ---\n" + stray.decode("utf-8", "replace").rstrip() + "\n"
                )
            conn.send(result)
    finally:
        runtime.close()


class _Worker:
    def __init__(self, number: int, root: Path, prewarm: bool, zygote_socket: str | None) -> None:
        context = multiprocessing.get_context("fork")
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_worker_main,
            args=(child, number, str(root), prewarm, zygote_socket),
            daemon=True,
        )
        self.process.start()
        child.close()
        self.job: Job | None = None
        self.started = 0.0

    def stop(self, wait: float) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(wait)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


class LocalEngine(BaseEngine):
    """Worker processes on this machine (implements `zjanalysis.execute.Engine`)."""

    name = "local"

    def __init__(
        self, *, workers: int | None = None, zygote: bool = True, prewarm: bool = True
    ) -> None:
        self.workers = workers or os.cpu_count() or 1
        self.zygote = zygote
        self.prewarm = prewarm
        super().__init__()

    def _run(
        self, targets: list[tuple[Job, str]], started: Callable[[Job], None] | None
    ) -> Iterator[Result]:
        from multiprocessing.connection import wait

        if not targets:
            return
        pending = deque(targets)
        root = private_folder("zjanalysis-local-")
        workers: list[_Worker] = []
        spawner: Zygote | None = None
        try:
            count = max(1, min(self.workers, len(targets)))
            spawner = Zygote.start(root / "zygote.log") if self.zygote else None
            socket_path = spawner.socket if spawner else None
            # While the zygote imports, do here once what each worker would do on its first job.
            for target in dict.fromkeys(t for _, t in targets):
                handlers.warm(target)
            workers = [_Worker(i, root, self.prewarm, socket_path) for i in range(count)]
            while pending or any(w.job for w in workers):
                for worker in workers:
                    if worker.job is None and pending:
                        job, target = pending.popleft()
                        worker.job = job
                        worker.started = time.monotonic()
                        # No job left to hand out: the worker starts no kernel ahead for one.
                        worker.conn.send((job, target, not pending))
                        if started is not None:
                            started(job)
                busy = [w for w in workers if w.job]
                ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy], 1.0)
                for index, worker in enumerate(workers):
                    job = worker.job
                    if job is None:
                        continue
                    limit = job.limits.run_timeout
                    late = (
                        limit is not None
                        and time.monotonic() - worker.started > limit + _PARENT_GRACE
                    )
                    if worker.conn in ready:
                        try:
                            result = worker.conn.recv()
                        except EOFError:
                            pass
                        else:
                            worker.job = None
                            yield result
                            continue
                    if worker.process.sentinel in ready or worker.conn in ready or late:
                        worker.stop(5)
                        worker.job = None
                        workers[index] = _Worker(index, root, self.prewarm, socket_path)
                        yield Result(
                            job.name,
                            "timed out" if late else "failed",
                            "the worker process stopped without a result",
                            time.monotonic() - worker.started,
                        )
        finally:
            for worker in workers:
                try:
                    worker.conn.send(None)
                except OSError:
                    pass
            for worker in workers:
                if worker.job is not None:
                    worker.stop(10)
                else:
                    worker.process.join(10)
                    worker.stop(5)
            if spawner is not None:
                spawner.stop()
            shutil.rmtree(root, ignore_errors=True)
