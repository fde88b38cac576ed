"""One render per output folder: an exclusive lock on `DIR/.render-lock` for a whole render
(and for `zjanalysis site`), naming its holder to a render that has to wait."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from zjanalysis.render.plan import RenderError

LOCK_NAME = ".render-lock"


class OutputLock:
    """An exclusive lock on an output folder for a whole render (flock on DIR/.render-lock).

    A second render into the same folder waits, after saying why through `notify`, or with
    `wait=False` raises RenderError. The lock file names the holder (pid and start time); the
    kernel releases the lock when its process ends, however it ends. Without fcntl (not POSIX):
    no lock.
    """

    def __init__(
        self, out_dir: Path, *, wait: bool = True, notify: Callable[[str], None] | None = None
    ) -> None:
        self.out_dir = Path(out_dir)
        self.wait = wait
        self.notify = notify or (lambda text: print(text, file=sys.stderr, flush=True))
        self._fd: int | None = None
        self._times: os.stat_result | None = None

    def __enter__(self) -> OutputLock:
        try:
            import fcntl
        except ImportError:
            return self
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.out_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as err:
            raise RenderError(
                f"Cannot write to --out {self.out_dir}: {err.strerror or err}."
            ) from None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "pid unknown"
                if not self.wait:
                    raise RenderError(
                        f"Another render ({holder}) is writing into "
                        f"{self.out_dir}; not waiting because of --no-wait. Run "
                        "again when it has finished."
                    ) from None
                self.notify(
                    f"zjanalysis render: another render ({holder}) is writing into "
                    f"{self.out_dir}; waiting for it to finish (Ctrl-C stops; "
                    "--no-wait refuses instead of waiting)."
                )
                fcntl.flock(fd, fcntl.LOCK_EX)
            # The holder's name is there only while it holds the lock; afterwards the file is
            # empty again with the times it had, so a render that changes nothing changes no file.
            self._times = os.fstat(fd)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()}, started {time.strftime('%H:%M:%S')}\n".encode(), 0)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            if self._times is not None:
                os.utime(self._fd, ns=(self._times.st_atime_ns, self._times.st_mtime_ns))
            os.close(self._fd)  # closing the descriptor releases the flock
            self._fd = None
