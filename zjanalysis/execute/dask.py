"""The Dask engine (`--engine dask`, optional extra `pip install -e '.[dask]'`): one task per job
on a Dask cluster, whatever started it (`dask scheduler` + `dask worker`, dask-jobqueue on SLURM,
Kubernetes), or on a LocalCluster of worker processes, one thread each.

- Nothing here imports `distributed` at import time; `open_dask_engine` does, and turns a missing
  extra or an unreachable scheduler into one sentence (EngineError).
- Before any job, the versions of Python, zjanalysis (and a digest of its source), Papermill,
  pandas, matplotlib, seaborn, ipykernel, nbconvert and nbformat on every worker are compared
  with this machine's; each task checks again, for workers that join later.
- One task per job: `Client.submit(run_task, ..., key=zjanalysis-<kind>-<batch>-<name>,
  pure=False)` (the key's prefix makes a batch one Dask task group, which the scheduler queues
  and hands out one per free worker thread on the LocalCluster, where worker-saturation is 1).
  The task runs the job in the worker's `Runtime`, the same code as the local engine's; its
  run timeout is enforced inside the task (Dask has no task timeout, and cancelling a running
  future does not stop it). The client also gives up on a job 60 s after its timeout.
- Data travels as bytes: each distinct DataBundle is sent once, as the result of a small task
  the jobs depend on (unlike scattered data, a task is run again when the worker holding its
  result dies), and checked by its hash on the worker before it is unpacked. Workers get the
  code by installation.
- A worker that dies takes its task with it; the scheduler runs it again elsewhere, up to its
  `allowed-failures` (1 on the LocalCluster started here), then the job is reported failed.
  Each start is logged as an event, so a result says how many times its job was started.
- Kernels are never forked from the Dask worker (threaded and daemonic): with the zygote on,
  each worker process of a cluster given by address starts its own zygote with subprocess
  (fork + exec) on its first job, and kernels fork from that single-threaded process; the
  workers of the LocalCluster started here share one zygote started by this process, as the
  local engine's do. `--no-zygote` starts plain kernels. At the end of a batch every worker's
  zygote and pre-started kernel are stopped.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from zjanalysis.execute.base import BaseEngine
from zjanalysis.execute.jobs import EngineError, Job, Result

CONNECT_TIMEOUT = 10.0
WORKER_WAIT = 30.0
# On the LocalCluster this engine starts: a job whose worker dies is tried once more.
ALLOWED_FAILURES = 1
# The client stops waiting for a job this long after its run timeout.
_CLIENT_GRACE = 60.0

_runtime: Any = None
_runtime_lock = threading.Lock()  # one job at a time per worker process (see run_task)


# --- the worker side ----------------------------------------------------------------------------


def run_task(
    job: Job, data: Any, target: str, settings: dict, expected: dict, topic: str
) -> Result:
    """Run `job` on this Dask worker (the task body). `data` is the job's DataBundle, sent
    separately so that it travels once per worker; `expected` the client's fingerprint."""
    global _runtime
    try:
        from distributed import get_worker

        worker = get_worker()
        worker.log_event(topic, {"job": job.name, "worker": worker.address})
    except (ImportError, ValueError):
        pass
    if data is not None:
        job = dataclasses.replace(job, data=data)
    # The runtime (kernel pool, LiveEngine handle, papermill's process-wide state) serves one
    # job at a time: on a worker with several threads, jobs of this process queue here.
    with _runtime_lock:
        if _runtime is None:
            from zjanalysis.execute.notebooks import skip_unused_iri_checker
            from zjanalysis.execute.runner import Runtime

            skip_unused_iri_checker()
            shared = settings.get("zygote_socket")
            if shared and not os.path.exists(shared):
                shared = None  # not on this machine: start one of our own
            _runtime = Runtime(
                prewarm=settings["prewarm"],
                zygote_socket=shared,
                own_zygote=settings["zygote"] and not shared,
            )
        return _runtime.run(job, target, expected)


def hold(bundle: Any) -> Any:
    """Return `bundle` (a task whose result the jobs of a batch share)."""
    return bundle


def release_runtime() -> bool:
    """Stop this worker's zygote and pre-started kernel and remove its folder (end of a batch)."""
    global _runtime
    with _runtime_lock:
        runtime, _runtime = _runtime, None
    if runtime is not None:
        runtime.close()
    return runtime is not None


def worker_fingerprint() -> dict[str, str]:
    """Return this worker's fingerprint (what `runner.fingerprint` says here)."""
    from zjanalysis.execute.runner import fingerprint

    return dict(fingerprint())


# --- the client side ----------------------------------------------------------------------------


def _reason(err: BaseException) -> str:
    text = str(err).strip().rstrip(".") or type(err).__name__
    return text.splitlines()[0]


def _unreachable(address: str, reason: str) -> EngineError:
    return EngineError(
        f"Cannot reach the Dask scheduler at {address} ({reason}): check the "
        "address (tcp://HOST:8786) and that `dask scheduler` runs there."
    )


def _probe(address: str) -> None:
    """Refuse a malformed address, and fail fast on a TCP port nobody listens on, before a
    Client retries for CONNECT_TIMEOUT (a half-built Client also hangs on exit)."""
    import socket

    from distributed.comm import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        if scheme not in ("tcp", "tls"):
            return
        host, port = parse_host_port(location)
    except (ValueError, TypeError) as err:
        raise _unreachable(address, f"not an address: {_reason(err)}") from None
    try:
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT).close()
    except OSError as err:
        raise _unreachable(address, (err.strerror or _reason(err)).lower()) from None


def open_dask_engine(
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    zygote: bool = True,
    prewarm: bool = True,
) -> DaskEngine:
    """Connect to `scheduler` (or start a LocalCluster of `workers` processes), check versions
    and return the engine. Raises EngineError with one sentence when any of that fails."""
    try:
        import dask
        import distributed
    except ImportError:
        raise EngineError(
            "--engine dask needs the Dask extra, which is not installed here: run "
            "pip install -e '.[dask]' in the checkout (or pip install "
            "'zjanalysis[dask]')."
        ) from None
    cluster = None
    shared_zygote = None
    if scheduler:
        _probe(scheduler)
    elif zygote:
        # The LocalCluster's workers run on this machine: like the local engine's, they share
        # one zygote, started here first (its imports overlap the cluster's start), a separate
        # process and never a fork of a worker, instead of each starting its own.
        from zjanalysis.execute.kernels import Zygote

        shared_zygote = Zygote.start(Path(os.devnull))
    try:
        if scheduler:
            client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
        else:
            # One job per single-threaded worker at a time: a worker then holds no queued job
            # that its death would count against (and could fail after ALLOWED_FAILURES).
            with dask.config.set(
                {
                    "distributed.scheduler.allowed-failures": ALLOWED_FAILURES,
                    "distributed.scheduler.worker-saturation": 1.0,
                }
            ):
                cluster = distributed.LocalCluster(
                    n_workers=workers or os.cpu_count() or 1,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                    silence_logs=logging.CRITICAL,
                )
            client = distributed.Client(cluster, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as err:
        if cluster is not None:
            cluster.close()
        if shared_zygote is not None:
            shared_zygote.stop()
        if scheduler:
            raise _unreachable(scheduler, _reason(err)) from None
        raise EngineError(f"Could not start a local Dask cluster: {_reason(err)}.") from None
    engine = DaskEngine(
        client,
        cluster,
        scheduler=scheduler,
        zygote=zygote,
        prewarm=prewarm,
        shared_zygote=shared_zygote,
    )
    try:
        engine.check_workers()
    except BaseException:
        engine.close()
        raise
    return engine


class DaskEngine(BaseEngine):
    """Jobs as Dask tasks (implements `zjanalysis.execute.Engine`)."""

    name = "dask"

    def __init__(
        self,
        client: Any,
        cluster: Any,
        *,
        scheduler: str | None,
        zygote: bool,
        prewarm: bool,
        shared_zygote: Any = None,
    ) -> None:
        self.client = client
        self.cluster = cluster
        self.where = scheduler or "the local Dask cluster"
        self.settings = {"zygote": zygote, "prewarm": prewarm}
        super().__init__()
        self._closed = False
        self._zygote = shared_zygote
        if shared_zygote is not None:
            self.settings["zygote_socket"] = shared_zygote.socket

    def check_workers(self) -> None:
        """Wait for a worker, then compare every worker's fingerprint with this machine's."""
        from zjanalysis.execute.runner import fingerprint, fingerprint_mismatch

        try:
            self.client.wait_for_workers(1, timeout=WORKER_WAIT)
        except (TimeoutError, OSError):
            raise EngineError(
                f"The Dask scheduler at {self.where} has no workers (waited "
                f"{WORKER_WAIT:g} s): start some with `dask worker "
                f"{self.where}`."
            ) from None
        try:
            theirs = self.client.run(worker_fingerprint)
        except Exception as err:  # noqa: BLE001 -- e.g. zjanalysis missing on a worker
            raise EngineError(
                f"The Dask workers at {self.where} cannot run zjanalysis "
                f"({type(err).__name__}: {_reason(err)}): install this checkout "
                "on every worker (pip install -e .)."
            ) from None
        ours = fingerprint()
        for address in sorted(theirs):
            problem = fingerprint_mismatch(ours, theirs[address], f"Dask worker {address}")
            if problem:
                raise EngineError(problem)

    def _run(
        self, targets: list[tuple[Job, str]], started: Callable[[Job], None] | None
    ) -> Iterator[Result]:
        from distributed import as_completed

        from zjanalysis.execute.runner import fingerprint

        client = self.client
        batch = uuid.uuid4().hex[:10]
        topic = f"zjanalysis-{batch}"
        events: queue.SimpleQueue = queue.SimpleQueue()
        client.subscribe_topic(topic, events.put)
        expected = dict(fingerprint())
        bundles: dict[str, Any] = {}
        futures: dict[Any, Job] = {}
        starts: dict[str, int] = {}
        began: dict[str, float] = {}
        pending: set = set()
        try:
            for job, target in targets:
                data = None
                if job.data is not None:
                    if job.data.digest not in bundles:
                        # A task, not scattered data: the scheduler keeps its bytes and can
                        # run it again when the only worker holding the result dies.
                        bundles[job.data.digest] = client.submit(
                            hold,
                            job.data,
                            pure=False,
                            key=f"zjanalysis-data-{batch}-{job.data.digest[:16]}",
                        )
                    data = bundles[job.data.digest]
                    job_sent = dataclasses.replace(job, data=None)
                else:
                    job_sent = job
                future = client.submit(
                    run_task,
                    job_sent,
                    data,
                    target,
                    self.settings,
                    expected,
                    topic,
                    pure=False,
                    retries=0,
                    key=f"zjanalysis-{job.kind}-{batch}-{job.name}",
                )
                futures[future] = job
            pending = set(futures)
            by_name = {job.name: job for job in futures.values()}
            finished = as_completed(list(futures), loop=client.loop, raise_errors=False)
            while pending:
                if not finished.has_ready():
                    with finished.thread_condition:
                        finished.thread_condition.wait(timeout=0.5)
                done = finished.next_batch(block=False) if finished.has_ready() else []
                while not events.empty():
                    _, message = events.get()
                    name = message.get("job") if isinstance(message, dict) else None
                    if name not in by_name:
                        continue
                    starts[name] = starts.get(name, 0) + 1
                    began[name] = time.monotonic()
                    if starts[name] == 1 and started is not None:
                        started(by_name[name])
                for future in done:
                    if future in pending:
                        pending.discard(future)
                        yield self._result(future, futures[future], starts)
                now = time.monotonic()
                for future in list(pending):
                    job = futures[future]
                    limit = job.limits.run_timeout
                    if (
                        limit
                        and job.name in began
                        and now - began[job.name] > limit + _CLIENT_GRACE
                    ):
                        pending.discard(future)
                        future.cancel()
                        yield Result(
                            job.name,
                            "timed out",
                            f"no result {_CLIENT_GRACE:g} s "
                            "after its timeout: its Dask worker seems stuck",
                            now - began[job.name],
                            attempts=starts.get(job.name, 1),
                        )
        finally:
            if pending:
                client.cancel(list(pending), force=True)
            try:
                client.unsubscribe_topic(topic)
            except Exception:  # noqa: BLE001 -- the connection may be gone
                pass
            for bundle in bundles.values():
                bundle.release()

    @staticmethod
    def _result(future: Any, job: Job, starts: dict[str, int]) -> Result:
        from distributed import KilledWorker

        try:
            result = future.result()
        except KilledWorker as err:
            result = Result(
                job.name,
                "failed",
                f"the Dask worker running it died, "
                f"{err.allowed_failures + 1} times (last: {err.last_worker.address}); "
                "it was not tried again",
            )
        except Exception as err:  # noqa: BLE001 -- reported as this job's failure
            result = Result(job.name, "failed", f"{type(err).__name__}: {_reason(err)}")
        result.attempts = max(1, starts.get(job.name, 1))
        return result

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._stop_active()
        try:
            # Workers (of a cluster that outlives the batch, too) keep no zygote, idle kernel
            # or folder of ours.
            self.client.run(release_runtime)
        except Exception:  # noqa: BLE001 -- workers that are gone hold nothing
            pass
        finally:
            self.client.close()
            if self.cluster is not None:
                self.cluster.close()
            if self._zygote is not None:
                self._zygote.stop()
