"""What every engine does the same way: context management and keeping hold of the batch
that is running, so `close` can stop it. Subclasses write `_run`, and extend `close` when they
hold more (the Dask engine's client and cluster)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from zjanalysis.execute import handlers
from zjanalysis.execute.jobs import Job, Result


class BaseEngine:
    def __init__(self) -> None:
        self._active: Iterator[Result] | None = None

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(
        self, jobs: Sequence[Job], started: Callable[[Job], None] | None = None
    ) -> Iterator[Result]:
        # Resolve every job's handler before anything starts: an unknown kind fails the batch
        # at once, not after the first results.
        targets = [(job, handlers.target(job.kind)) for job in jobs]
        self._active = self._run(targets, started)
        return self._active

    def _run(
        self, targets: list[tuple[Job, str]], started: Callable[[Job], None] | None
    ) -> Iterator[Result]:
        raise NotImplementedError

    def _stop_active(self) -> None:
        """Close the generator of the batch still running (its `finally` releases workers)."""
        if self._active is not None:
            self._active.close()  # type: ignore[attr-defined]
            self._active = None

    def close(self) -> None:
        self._stop_active()
