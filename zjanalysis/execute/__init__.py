"""The execution engine: run jobs (one notebook each) and hand back results, on this machine or
on a Dask cluster. `render`, `refresh` and `grade` all go through it.

    from zjanalysis import execute

    jobs = [execute.Job("01_internet_users", notebook=raw_bytes, outputs=("ipynb", "html"),
                        limits=execute.Limits(cell_timeout=600, run_timeout=600),
                        data=execute.DataBundle.from_folder(data_folder))]
    with execute.open_engine("local", workers=2) as engine:
        for result in engine.run(jobs):
            ...  # the caller writes result.notebook / result.html, its cache and its ledger

Contract (docs/architecture.md says the same):
- An engine takes `Job`s and yields one `Result` per job, in the order they finish. A job that
  fails, times out or loses its kernel is a Result with that status, never an exception.
- `EngineError` (one sentence) is raised when the engine itself cannot work: unknown engine, the
  dask extra missing, a scheduler that cannot be reached, client and worker versions that
  differ. KeyboardInterrupt stops the workers and propagates; unfinished jobs yield nothing.
- Engines never write into the caller's folders and never import the planner (`render`), the
  cache or the site; the caller never imports an engine's internals (only this package).
- Each kind of job is run by a handler (`handlers.register`), which gets a `Session` with fresh
  kernels that respect the job's `Limits`.

Importing this package is cheap: the engines, Papermill and Dask load only when used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Protocol

from zjanalysis.execute.handlers import Kernel, Session, kinds, register, target
from zjanalysis.execute.jobs import (
    FORMATS,
    STATUSES,
    DataBundle,
    DataMismatch,
    EngineError,
    Job,
    Limits,
    Result,
)

ENGINES = ("local", "dask")


def check_engine(name: str, scheduler: str | None = None) -> None:
    """Refuse engine options that cannot go together, before any work starts: an unknown
    engine, or a scheduler address for an engine other than dask. Raises EngineError (one
    sentence); returns None when they are fine."""
    if name not in ENGINES:
        raise EngineError(f"Engine {name!r} is unknown; allowed: {', '.join(ENGINES)}.")
    if scheduler is not None and name != "dask":
        raise EngineError(
            "--scheduler needs --engine dask; the local engine runs on this machine only."
        )


__all__ = [
    "ENGINES",
    "FORMATS",
    "STATUSES",
    "DataBundle",
    "DataMismatch",
    "Engine",
    "EngineError",
    "Job",
    "Kernel",
    "Limits",
    "Result",
    "Session",
    "check_engine",
    "kinds",
    "open_engine",
    "register",
    "target",
]


class Engine(Protocol):
    """A running engine. Use it as a context manager; `close` releases its workers."""

    name: str

    def run(
        self, jobs: Sequence[Job], started: Callable[[Job], None] | None = None
    ) -> Iterator[Result]:
        """Run `jobs`; yield one Result per job as each finishes.

        `started(job)` is called (in the caller's thread) when a job is handed to a worker,
        for progress displays. Raises EngineError when the engine fails as a whole.
        """

    def close(self) -> None:
        """Stop the workers (and a cluster the engine started); safe to call twice."""

    def __enter__(self) -> Engine: ...

    def __exit__(self, *exc: object) -> None: ...


def open_engine(
    name: str = "local",
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    zygote: bool = True,
    prewarm: bool = True,
) -> Engine:
    """Return a ready engine.

    name:      "local" (worker processes on this machine) or "dask".
    workers:   local: worker processes (default: CPUs). dask without `scheduler`: worker
               processes of the LocalCluster it starts, one thread each (default: CPUs).
    scheduler: dask only: the address of an existing scheduler ("tcp://host:8786"); the
               engine connects to it and compares versions with its workers before any job.
    zygote:    fork kernels from a zygote process that imported the libraries once (where the
               platform allows; under Dask the zygote is a separate process per worker, never a
               fork of the worker itself). False: every kernel starts from scratch.
    prewarm:   start each worker's next kernel while the current job runs.

    Raises EngineError for an unknown name, a scheduler given to the local engine, a missing
    dask extra, an unreachable scheduler or mismatched versions.
    """
    check_engine(name, scheduler)
    if workers is not None and workers < 1:
        raise EngineError(f"The number of workers must be 1 or more; got {workers}.")
    if name == "local":
        from zjanalysis.execute.local import LocalEngine

        return LocalEngine(workers=workers, zygote=zygote, prewarm=prewarm)
    from zjanalysis.execute.dask import open_dask_engine

    return open_dask_engine(workers=workers, scheduler=scheduler, zygote=zygote, prewarm=prewarm)
