"""Kernels for jobs: started fresh for every job (forked from the zygote where there is one),
on Unix sockets in a private folder, with the job's environment, working folder and memory
limit, their output kept in a log file per kernel.

`KernelPool` hands a job its kernel and, with pre-warming, starts the next job's kernel while
the current one runs; a started kernel is never given to a second job.
"""

from __future__ import annotations

import itertools
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zjanalysis import paths
from zjanalysis.execute import zygote as zygote_module

WARM_MODULES = ("pandas", "matplotlib.pyplot", "seaborn")
_WARM_CODE = (
    "import importlib as _zj_i\n"
    f"for _zj_m in {WARM_MODULES!r}:\n"
    "    _zj_i.import_module(_zj_m)\n"
    "del _zj_i, _zj_m\n"
)
READY_TIMEOUT = 60.0
# A Unix socket path must fit in sockaddr_un (108 bytes on Linux) with its "-<n>" suffix.
_MAX_IPC_PREFIX = 96


def private_folder(prefix: str) -> Path:
    """Create a folder only this user can enter, named `<prefix><pid>-<random>` in the temp
    folder, after removing folders of the same prefix left by processes that no longer exist
    (a Dask worker killed with SIGKILL cannot clean up after itself)."""
    sweep(prefix)
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-"))


def sweep(prefix: str) -> None:
    """Remove this user's `<prefix><pid>-*` temp folders whose process no longer exists."""
    import re
    import shutil

    root = Path(tempfile.gettempdir())
    pattern = re.compile(re.escape(prefix) + r"(\d+)-")
    for leftover in root.glob(f"{prefix}*"):
        match = pattern.match(leftover.name)
        if not match or not leftover.is_dir() or leftover.owner() != _user():
            continue
        try:
            os.kill(int(match.group(1)), 0)
        except ProcessLookupError:
            shutil.rmtree(leftover, ignore_errors=True)
        except (PermissionError, OverflowError):
            pass


def _user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 -- no name for this uid: compare nothing
        return ""


def bootstrap_command(*args: str) -> list[str]:
    """A command running `zjanalysis.execute.zygote.main(args)` with this process's package."""
    folder = str(paths.project_root())
    code = (
        "import sys; sys.path.insert(0, sys.argv.pop(1)); "
        "import zjanalysis.execute.zygote as z; sys.path.pop(0); sys.exit(z.main())"
    )
    return [sys.executable, "-c", code, folder, *args]


class Zygote:
    """A zygote process (see `zjanalysis.execute.zygote`) and the socket it listens on.

    Started with subprocess (fork + exec), so it is safe to start from a threaded process such
    as a Dask worker: the zygote itself is single-threaded and forks the kernels.
    """

    def __init__(self, log_path: Path) -> None:
        import socket
        import subprocess

        self.folder = str(private_folder("zjanalysis-zygote-"))
        self.socket = os.path.join(self.folder, "kernels.sock")
        self.process = None
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            listener.bind(self.socket)
            listener.listen(64)
            with open(log_path, "ab", buffering=0) as log:
                self.process = subprocess.Popen(
                    bootstrap_command("serve", str(listener.fileno())),
                    pass_fds=[listener.fileno()],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                    start_new_session=True,
                )
        except BaseException:
            self.stop()
            raise
        finally:
            listener.close()

    @classmethod
    def start(cls, log_path: Path) -> Zygote | None:
        """Return a running zygote, or None when this platform cannot have one (then: no zygote)."""
        if not zygote_module.available():
            return None
        try:
            return cls(log_path)
        except (OSError, ValueError):
            return None

    def stop(self) -> None:
        """Stop the zygote (it kills the kernels it still has) and remove its socket."""
        if self.process is not None:
            if self.process.poll() is None:
                self.process.terminate()
            try:
                self.process.wait(10)
            except Exception:  # noqa: BLE001 -- subprocess.TimeoutExpired
                self.process.kill()
                self.process.wait()
        if os.path.isdir(self.folder):
            for name in os.listdir(self.folder):
                os.unlink(os.path.join(self.folder, name))
            os.rmdir(self.folder)


def manager(zygote_socket: str | None, ipc_prefix: str | None = None, limited: bool = False) -> Any:
    """Return a kernel manager for python3; with a zygote, its kernels are forked from it.

    With `ipc_prefix` the kernel listens on Unix sockets `<prefix>-1` … `<prefix>-5` instead of
    TCP ports. Over TCP, jupyter_client picks free ports and releases them for the kernel to
    bind; two workers starting kernels at once can pick the same port, and the loser dies with
    "Address already in use" (seen under load). Socket paths in a worker's private folder
    cannot collide. Elsewhere than POSIX, or for a path too long for a socket: TCP.
    `limited`: the kernel's environment holds a memory limit, so a plain kernel is started
    through `zygote exec`, which applies it before becoming `ipykernel_launcher`.
    """
    from jupyter_client.manager import AsyncKernelManager

    from zjanalysis.execute import client

    # Its clients (nbclient's for a render) are ready without jupyter_client's 0.2 s wait.
    options: dict[str, Any] = {"kernel_name": "python3", "client_factory": client.ready_client()}
    if ipc_prefix is not None and os.name == "posix" and len(ipc_prefix) <= _MAX_IPC_PREFIX:
        options.update(transport="ipc", ip=ipc_prefix)
    if zygote_socket is None and not limited:
        return AsyncKernelManager(**options)

    class ZygoteKernelManager(AsyncKernelManager):
        def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
            normal = super().format_kernel_cmd(extra_arguments)
            if normal[1:3] != ["-m", "ipykernel_launcher"]:
                return normal
            if zygote_socket is None:
                return bootstrap_command("exec", *normal[3:])
            return bootstrap_command("connect", zygote_socket, *normal[3:])

    return ZygoteKernelManager(**options)


@dataclass(frozen=True)
class KernelSpec:
    """How a job's kernels are set up: extra environment, working folder (None: the job's
    private folder) and memory limit. Two jobs with equal specs can use each other's
    pre-started kernel."""

    env: tuple[tuple[str, str], ...] = ()
    cwd: str | None = None
    memory_mb: int | None = None

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(self.env)
        env.pop(zygote_module.MEMORY_ENV, None)
        if self.memory_mb:
            env[zygote_module.MEMORY_ENV] = str(int(self.memory_mb))
        return env


@dataclass(eq=False)
class StartedKernel:
    """A running kernel for one job (implements `zjanalysis.execute.Kernel`)."""

    km: Any
    forked: bool
    folder: Path  # sockets and the log: removed with the kernel
    log_path: Path
    _client: Any = None
    _warm: Any = None
    _closed: bool = field(default=False)

    @classmethod
    def start(
        cls, spec: KernelSpec, cwd: Path, folder: Path, zygote_socket: str | None, warm: bool
    ) -> StartedKernel:
        from jupyter_client.utils import run_sync

        folder.mkdir(mode=0o700)
        log_path = folder / "kernel.log"
        km = manager(zygote_socket, str(folder / "k"), limited=bool(spec.memory_mb))
        with open(log_path, "ab", buffering=0) as log:
            run_sync(km.start_kernel)(env=spec.environment(), cwd=str(cwd), stdout=log, stderr=log)
        kernel = cls(km, zygote_socket is not None, folder, log_path)
        # A kernel forked from the zygote has the libraries already: nothing to warm.
        if warm and zygote_socket is None:
            from jupyter_client.blocking import BlockingKernelClient

            kernel._warm = BlockingKernelClient()
            kernel._warm.load_connection_info(km.get_connection_info())
            kernel._warm.start_channels()
            # Not awaited: the imports run while the worker is busy with the current job.
            kernel._warm.execute(_WARM_CODE, silent=True, store_history=False)
        return kernel

    def client(self) -> Any:
        if self._client is None:
            from zjanalysis.execute import client

            # With the manager as parent, "is the kernel alive" asks the process, not the
            # heartbeat (which a kernel that has just started may not answer yet).
            self._client = client.ready_blocking_client()(parent=self.km)
            self._client.load_connection_info(self.km.get_connection_info())
            self._client.start_channels()
            # Until the kernel answers, what it prints could be published before this client
            # listens.
            self._client.wait_for_ready(timeout=READY_TIMEOUT)
        return self._client

    def alive(self) -> bool:
        process = getattr(self.km.provisioner, "process", None)
        return process is not None and process.poll() is None

    def kill(self) -> None:
        process = getattr(self.km.provisioner, "process", None)
        if process is not None:
            try:
                process.kill()
            except OSError:
                pass

    def log_text(self) -> str:
        try:
            return self.log_path.read_bytes().decode("utf-8", "replace")
        except OSError:
            return ""

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        from jupyter_client.utils import run_sync

        for client in (self._warm, self._client):
            if client is not None:
                client.stop_channels()
        try:
            run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001 -- a kernel already dead or half started
            self.kill()
        import shutil

        shutil.rmtree(self.folder, ignore_errors=True)


class KernelPool:
    """Fresh kernels for the jobs of one worker process, each in its own folder under `root`.

    `take(spec)` returns (kernel, work folder) for a job: the kernel started ahead of time when
    its spec matches, else a new one. With `prewarm`, `ahead(spec)` starts the next job's
    kernel now, so that its start (and, without the zygote, its imports) overlaps the job.
    """

    def __init__(self, root: Path, zygote_socket: str | None, prewarm: bool) -> None:
        self.root = Path(root)
        self.zygote_socket = zygote_socket
        self.prewarm = prewarm
        self._numbers = itertools.count()
        self._next: tuple[KernelSpec, StartedKernel, Path] | None = None

    def new_folder(self, prefix: str) -> Path:
        path = self.root / f"{prefix}{next(self._numbers)}"
        path.mkdir(mode=0o700)
        return path

    def start(self, spec: KernelSpec, work: Path) -> StartedKernel:
        """Start a new kernel for a job whose private folder is `work`."""
        cwd = Path(spec.cwd) if spec.cwd else work
        return StartedKernel.start(
            spec, cwd, self.root / f"k{next(self._numbers)}", self.zygote_socket, self.prewarm
        )

    def take(self, spec: KernelSpec) -> tuple[StartedKernel | None, Path]:
        """Return the kernel started ahead for `spec` (or None) and the job's work folder."""
        if self._next is not None:
            ready_spec, kernel, work = self._next
            self._next = None
            if ready_spec == spec and kernel.alive():
                return kernel, work
            kernel.close()
            import shutil

            shutil.rmtree(work, ignore_errors=True)
        return None, self.new_folder("job")

    def ahead(self, spec: KernelSpec) -> None:
        """Start the next job's kernel now (with pre-warming on); failures wait for `take`."""
        if not self.prewarm or self._next is not None:
            return
        work = self.new_folder("job")
        try:
            self._next = (spec, self.start(spec, work), work)
        except Exception:  # noqa: BLE001 -- the next job starts its own and reports why
            import shutil

            shutil.rmtree(work, ignore_errors=True)

    def close(self) -> None:
        if self._next is not None:
            _, kernel, work = self._next
            self._next = None
            kernel.close()
            import shutil

            shutil.rmtree(work, ignore_errors=True)
