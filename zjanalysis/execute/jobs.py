"""What goes into an execution engine and what comes back: jobs, limits, data, results.

Everything here is plain data (standard library only, picklable), so a job can travel to a
worker process on this machine or to a Dask worker on another one, and a result can travel back.
Only the caller writes files: a result carries bytes, never a path to something already written.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zjanalysis.versions import files_sha256, tree_files

STATUSES = ("ok", "failed", "timed out")
FORMATS = ("ipynb", "html")


class EngineError(RuntimeError):
    """The engine itself cannot run the batch (bad scheduler address, missing extra, version
    mismatch, ...). The message is one sentence saying what to do."""


class DataMismatch(ValueError):
    """Data bytes that do not hash to the digest they travelled with."""


@dataclass(frozen=True)
class Limits:
    """What one job may use. None means no limit.

    cell_timeout: seconds one cell may run; run_timeout: seconds the whole job may run (enforced
    inside the task by killing its kernel); memory_mb: the address-space limit (RLIMIT_AS) of
    every kernel process the job starts.
    """

    cell_timeout: float | None = None
    run_timeout: float | None = None
    memory_mb: int | None = None

    def __post_init__(self) -> None:
        for name in ("cell_timeout", "run_timeout", "memory_mb"):
            value = getattr(self, name)
            if value is not None and not (isinstance(value, (int, float)) and value > 0):
                raise ValueError(f"Limit {name} must be a positive number or None; got {value!r}.")


@dataclass(frozen=True, eq=False)
class DataBundle:
    """A folder's files as bytes, with their digest: how data reaches a worker without a shared
    filesystem. The worker checks the digest before unpacking (`verify`, `materialize`)."""

    files: tuple[tuple[str, bytes], ...]
    digest: str

    @classmethod
    def from_folder(cls, folder: Path) -> DataBundle:
        """Read every file under `folder` (except __pycache__), sorted by relative POSIX path."""
        files = tree_files(folder)
        return cls(files, files_sha256(files))

    @property
    def size(self) -> int:
        """Total bytes of the files."""
        return sum(len(content) for _, content in self.files)

    def verify(self) -> None:
        """Raise DataMismatch unless the bytes hash to `digest` and every path stays inside."""
        for relative, _ in self.files:
            parts = relative.split("/")
            if relative.startswith("/") or ".." in parts or "" in parts:
                raise DataMismatch(f"Data file name {relative!r} would leave the data folder.")
        actual = files_sha256(self.files)
        if actual != self.digest:
            raise DataMismatch(
                f"The data arrived with digest {actual[:12]}, not the "
                f"{self.digest[:12]} it was sent with."
            )

    def materialize(self, parent: Path) -> Path:
        """Check the bytes, then unpack them once into `parent/<digest>/data`; return that folder.

        The folder is named `data` so that messages naming a file read as they do on the
        caller's machine ("data/claims.csv, row 4"). Unpacking goes through a temporary folder
        and a rename: a folder that exists is complete.
        """
        final = Path(parent) / self.digest[:24] / "data"
        if final.is_dir():
            return final
        self.verify()
        final.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=final.parent))
        for relative, content in self.files:
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        try:
            os.rename(staging, final)
        except OSError:
            if not final.is_dir():
                raise
            import shutil

            shutil.rmtree(staging, ignore_errors=True)
        return final


@dataclass(frozen=True, eq=False)
class Job:
    """One unit of work for an engine: run one notebook once.

    name:       unique in the batch; the task key and what messages call the job.
    kind:       which handler runs it ("render", "refresh", or one registered by `register`).
    notebook:   the notebook's bytes (.ipynb JSON), never a path.
    parameters: plain values (numbers, strings, booleans, lists of them) for the notebook.
    edition:    "instructor" or "student"; the handler decides what it means.
    limits:     timeouts and the kernel memory limit (`Limits`).
    outputs:    requested formats, a subset of FORMATS ("ipynb", "html").
    data:       the data folder as bytes with its hash, unpacked on the worker and handed to
                kernels as $ZJANALYSIS_DATA; None: kernels read what their environment says.
    cwd:        a folder kernels start in; None: the job's private temporary folder. A folder
                that does not exist where the job runs fails the job (there is no shared disk).
    env:        extra environment variables for the job's kernels.
    options:    handler-specific plain data (e.g. render: input_path and output_path recorded
                in Papermill's metadata).
    """

    name: str
    kind: str = "render"
    notebook: bytes = b""
    parameters: Mapping[str, Any] = field(default_factory=dict)
    edition: str = "instructor"
    limits: Limits = Limits()
    outputs: tuple[str, ...] = ("ipynb",)
    data: DataBundle | None = None
    cwd: str | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("A job needs a name.")
        unknown = sorted(set(self.outputs) - set(FORMATS))
        if unknown:
            raise ValueError(
                f"Job {self.name}: output format {', '.join(unknown)} is unknown; "
                f"allowed: {', '.join(FORMATS)}."
            )


@dataclass(eq=False)
class Result:
    """What became of one job.

    status:   "ok", "failed" or "timed out" (STATUSES).
    message:  one sentence when the status is not ok ("ValueError: ... (cell 4)").
    seconds:  wall time of the job inside the worker.
    notebook: the executed notebook's bytes (b"" when nothing could be executed).
    html:     the HTML page's bytes when "html" was requested and a notebook exists.
    reader:   the page for readers (no code) beside it, when the handler makes one.
    record:   the run record the notebook emitted (`records.from_notebook`), or None.
    log:      what the kernel and the libraries printed while the job ran.
    phases:   seconds spent in each step of the job, by name ("kernel", "cells", "export" …),
              as the handler measured them: where a run's time goes.
    extra:    handler-specific plain data (JSON-able), e.g. answers read out of a kernel.
    attempts: how many times the engine started the job (more than 1 after a worker was lost).
    """

    name: str
    status: str
    message: str = ""
    seconds: float = 0.0
    notebook: bytes = b""
    html: bytes = b""
    reader: bytes = b""
    record: dict | None = None
    log: str = ""
    phases: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
    attempts: int = 1

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(
                f"Result status {self.status!r} is unknown; allowed: {', '.join(STATUSES)}."
            )
