"""Handlers: the code that runs one job of a given kind inside a worker, and how to find it.

A handler is a plain function `handler(job, session) -> Result`, importable on every worker
(workers get the project by installation, so it lives in the zjanalysis package). The engine
gives it a `Session`: the job's private folder, its unpacked data, and fresh kernels with the
job's limits. A handler never writes outside `session.work`; the caller writes the files.

Kinds map to "module:function" targets, and each client registers its own, beside its code,
in a module the caller imports before it opens the engine: `render` (a Papermill run, in
`zjanalysis.render.handler`), `refresh` (nbclient, no parameters, for the committed notebooks,
in `zjanalysis.refresh`) and `grade` (in `zjanalysis.grading.runner`):

    from zjanalysis import execute
    execute.register("grade", "zjanalysis.grading.runner:execute_submission")

The engine resolves the target in the caller's process and sends it with the job, so a
registration need not happen on the workers.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from zjanalysis.execute.jobs import Job, Result

if TYPE_CHECKING:
    from jupyter_client.blocking import BlockingKernelClient
    from jupyter_client.manager import AsyncKernelManager

_TARGET = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")
_TARGETS: dict[str, str] = {}


class Kernel(Protocol):
    """A started Jupyter kernel that belongs to one job.

    km:     the started AsyncKernelManager: pass it to Papermill or nbclient as `km=`.
    forked: True when the process was forked from the zygote (same behaviour, faster start).
    """

    km: AsyncKernelManager
    forked: bool

    def client(self) -> BlockingKernelClient:
        """Return a blocking client with its channels started, once the kernel answers
        (RuntimeError if it does not within 60 s); stopped when the kernel closes."""

    def alive(self) -> bool:
        """True while the kernel process runs."""

    def kill(self) -> None:
        """Kill the kernel process at once (SIGKILL); what runs in it fails with a dead kernel."""

    def close(self) -> None:
        """Shut the kernel down and release its sockets; safe to call twice."""


class Session(Protocol):
    """What a handler gets from the engine for one job.

    job:      the job being run.
    work:     an empty folder private to this job, deleted afterwards; kernels start here
              unless the job names a `cwd`.
    data_dir: the job's data unpacked after its digest was checked (None when the job carries
              none); every kernel of the job gets it as $ZJANALYSIS_DATA.
    """

    job: Job
    work: Path
    data_dir: Path | None

    def kernel(self) -> Kernel:
        """Return the job's current kernel, starting it if needed: a brand-new process (forked
        from the zygote where the engine has one, started from scratch otherwise), with
        $ZJANALYSIS_DATA, the job's env and cwd, and RLIMIT_AS set to limits.memory_mb. The
        engine may have started it before the job began (it is still unused)."""

    def restart_kernel(self) -> Kernel:
        """Close the current kernel (dead or alive) and return a fresh one, set up the same way."""

    @property
    def timed_out(self) -> bool:
        """True once limits.run_timeout has passed; the engine then killed the current kernel."""

    def remaining(self) -> float | None:
        """Seconds left before limits.run_timeout (None without a run timeout). A handler
        that waits on a kernel client itself should bound its waits with it: a client does not
        notice that its kernel was killed."""

    def log(self, text: str) -> None:
        """Add a line to the result's log."""


Handler = Callable[[Job, Session], Result]


def register(kind: str, target: str) -> None:
    """Make jobs of `kind` run `target`, a "package.module:function" importable on the workers.

    Raises ValueError for a malformed target, or when `kind` is already bound to another one.
    """
    if not _TARGET.match(target):
        raise ValueError(f"Handler target {target!r} must look like 'package.module:function'.")
    if _TARGETS.get(kind, target) != target:
        raise ValueError(f"Job kind {kind!r} is already handled by {_TARGETS[kind]}.")
    _TARGETS[kind] = target


def target(kind: str) -> str:
    """Return the "module:function" registered for `kind`; ValueError says what to import and
    lists the known kinds."""
    try:
        return _TARGETS[kind]
    except KeyError:
        raise ValueError(
            f"Job kind {kind!r} has no handler; known: {', '.join(sorted(_TARGETS)) or 'none'}. "
            f"Import the module that calls execute.register({kind!r}, ...) in this process "
            "before running the job."
        ) from None


def kinds() -> dict[str, str]:
    """Return a copy of kind -> target."""
    return dict(_TARGETS)


def warm(target_path: str) -> None:
    """Run the `warm()` function of a handler's module, when it has one: what every process
    that runs the handler's jobs would otherwise do on its first job (imports, compiled
    templates). The local engine calls it once in its own process before it forks its workers,
    which then start with it done. Failing to warm only costs time: errors are ignored."""
    module = target_path.partition(":")[0]
    try:
        function = getattr(importlib.import_module(module), "warm", None)
        if function is not None:
            function()
    except Exception:  # noqa: BLE001 -- the job itself will report what is wrong
        pass


def load(target_path: str) -> Handler:
    """Import and return the handler function named by a "module:function" target."""
    module, _, name = target_path.partition(":")
    function: Any = getattr(importlib.import_module(module), name)
    return function
