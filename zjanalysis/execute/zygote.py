"""A zygote for kernels: one process imports the kernel machinery and the heavy libraries once,
then forks a brand-new kernel process for each run.

    python -m zjanalysis.execute.zygote serve FD    # started by the engine, FD = listening socket
    python -m zjanalysis.execute.zygote connect SOCKET -f CONNECTION_FILE   # the kernel command
    python -m zjanalysis.execute.zygote exec -f CONNECTION_FILE   # a plain kernel, with limits

The local engine binds a Unix socket (SOCK_SEQPACKET) in a private temporary folder and starts
one zygote per batch; under Dask each worker process starts its own (with subprocess, never by
forking the threaded worker). Each run's KernelManager launches `connect` instead of
`ipykernel_launcher`:
the client sends its argv, environment, working folder and standard streams, the zygote forks a
child that becomes an ordinary IPython kernel with that connection file, and the client forwards
SIGINT/SIGTERM to it and exits with its exit status. Nothing is shared between runs: every kernel
is a new process forked from the same pristine, never-executing zygote.

Safety: before forking, the zygote only imports modules (the kernel machinery, the heavy
libraries and the package's own modules) and reads the data package into memory when it was
already validated (`zjanalysis.data.preload`: plain computation). No zmq context, event loop or
thread exists when it forks.
The kernel kills itself as soon as its client disappears (a thread polls a pidfd of the client),
and the zygote also kills a kernel whose client connection closes; the zygote exits when its
parent dies or on SIGTERM (killing the kernels it still has). If the zygote cannot be reached,
`connect` falls back to running `ipykernel_launcher` itself, so a run never depends on it.

Limits: a kernel whose environment holds $ZJANALYSIS_KERNEL_MEMORY_MB gets RLIMIT_AS set to that
many MiB before it starts (in the forked child, or by `exec` before it becomes
`ipykernel_launcher`). Address space counts what the process has mapped, libraries included.

Only the standard library is imported at module level: `connect` must start fast.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import struct
import sys
import threading

HEAVY_MODULES = ("pandas", "matplotlib", "matplotlib.pyplot", "seaborn")  # in this order
# What every notebook of the collection imports, then its data: read once here, not per kernel.
PACKAGE_MODULES = (
    "zjanalysis.data",
    "zjanalysis.figures",
    "zjanalysis.network",
    "zjanalysis.records",
    "zjanalysis.drawing",
    "zjanalysis.charts",
    "zjanalysis.notebook",
    "zjanalysis.params",
    "zjanalysis.teach",
)
# What every kernel imports while it starts (measured with ipykernel 7.4): imports only, no
# threads, sockets or event loops; imported here, they cost nothing per kernel.
KERNEL_MODULES = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.debugger",
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.core.logger",
    "IPython.core.oinspect",
    "IPython.extensions.storemagic",
    "IPython.utils.wildcard",
    "sqlite3",
    "pdb",
    "psutil",
    "tornado.platform.asyncio",
)
_MAX_MESSAGE = 1 << 20
MEMORY_ENV = "ZJANALYSIS_KERNEL_MEMORY_MB"


def available() -> bool:
    """True when this platform has what the zygote needs (fork, Unix sockets, fd passing)."""
    return (
        hasattr(os, "fork")
        and hasattr(socket, "AF_UNIX")
        and hasattr(socket, "SOCK_SEQPACKET")
        and hasattr(socket, "send_fds")
        and hasattr(socket, "SO_PEERCRED")
    )


def apply_limits(env: dict | None = None) -> None:
    """Set this process's RLIMIT_AS from $ZJANALYSIS_KERNEL_MEMORY_MB in `env` (default: ours)."""
    value = (os.environ if env is None else env).get(MEMORY_ENV)
    if not value:
        return
    import resource

    limit = int(value) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


# --- the client: the command a KernelManager launches -----------------------------------------


def _fallback(argv: list[str]) -> None:
    """Become a plain `ipykernel_launcher` with `argv`, under the limits of our environment."""
    apply_limits()
    os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *argv])


def connect(path: str, argv: list[str]) -> int:
    """Ask the zygote at `path` for a kernel with `argv`; wait for it; return its exit status."""
    try:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        sock.connect(path)
        request = json.dumps({"argv": argv, "env": dict(os.environ), "cwd": os.getcwd()})
        socket.send_fds(sock, [request.encode()], [0, 1, 2])
        reply = sock.recv(_MAX_MESSAGE)
        kernel = json.loads(reply)["pid"]
    except (OSError, ValueError, KeyError, TypeError):
        _fallback(argv)
        return 1  # not reached

    def forward(signum: int, frame: object) -> None:
        try:
            os.kill(kernel, signum)
        except OSError:
            pass

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, forward)
    try:
        # The zygote answers once more when the kernel has exited (or closes: it is gone).
        message = sock.recv(_MAX_MESSAGE)
    except OSError:
        message = b""
    if not message:
        forward(signal.SIGKILL, None)
        return 1
    return int(json.loads(message).get("status", 1))


# --- the zygote ---------------------------------------------------------------------------------


def _exit_status(status: int) -> int:
    if os.WIFEXITED(status):
        return os.WEXITSTATUS(status)
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return 1


def _watch_client(client_pid: int, pidfd: int | None) -> None:
    """In the kernel: die at once when the client process that stands for it is gone."""

    def watch() -> None:
        if pidfd is not None:
            select.select([pidfd], [], [])
        else:
            import time

            while True:
                try:
                    os.kill(client_pid, 0)
                except ProcessLookupError:
                    break
                except PermissionError:
                    pass
                time.sleep(0.2)
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="zjanalysis-client-watch", daemon=True).start()


def _become_kernel(request: dict, fds: list[int], client_pid: int, pidfd: int | None) -> None:
    """In the forked child: turn into an ordinary kernel; never returns."""
    code = 1
    try:
        os.setsid()
        for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, signal.SIG_DFL)
        for target, fd in zip((0, 1, 2), fds, strict=True):
            os.dup2(fd, target)
        for fd in fds:
            if fd > 2:
                os.close(fd)
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        apply_limits()
        sys.stdin = open(0, closefd=False)
        sys.stdout = open(1, "w", buffering=1, closefd=False)
        sys.stderr = open(2, "w", buffering=1, closefd=False)
        sys.__stdin__, sys.__stdout__, sys.__stderr__ = sys.stdin, sys.stdout, sys.stderr
        # A fresh process seeds numpy's global generator from the OS: so must a forked one.
        numpy = sys.modules.get("numpy")
        if numpy is not None:
            numpy.random.seed()
        _watch_client(client_pid, pidfd)
        sys.argv = [sys.argv[0], *request["argv"]]
        from ipykernel import kernelapp

        # These traits take their defaults from the environment when ipykernel is imported,
        # which happened in the zygote: give them the values this kernel's environment holds.
        kernelapp.launch_new_instance(
            argv=request["argv"],
            parent_handle=int(os.environ.get("JPY_PARENT_PID") or 0),
            interrupt=int(os.environ.get("JPY_INTERRUPT_EVENT") or 0),
        )
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        try:
            import atexit

            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def serve(listen_fd: int) -> int:
    """Import the kernel and heavy libraries, then fork a kernel per request until told to stop."""
    parent = os.getppid()
    listener = socket.socket(fileno=listen_fd)
    # As ipykernel_launcher does: no working folder on sys.path while importing.
    if sys.path and (sys.path[0] == "" or os.path.abspath(sys.path[0]) == os.getcwd()):
        del sys.path[0]
    # Kernels import zjanalysis themselves, from their own sys.path, as a fresh kernel would.
    for name in [m for m in sys.modules if m == "zjanalysis" or m.startswith("zjanalysis.")]:
        del sys.modules[name]
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    import importlib

    import ipykernel.kernelapp  # noqa: F401  -- the point: imported once, before forking

    for name in KERNEL_MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 -- optional: the kernel imports what it needs
            pass

    import builtins

    class KernelShell:
        """What pandas asks at import time (`get_ipython().kernel`): the answer in a kernel."""

        kernel = True

    for name in HEAVY_MODULES:
        # pandas picks the default of display.max_columns at import: 20 inside a Jupyter
        # kernel, 0 (fit the terminal) elsewhere. Answer as the kernel will, then stop lying.
        if name == "pandas":
            builtins.get_ipython = KernelShell  # type: ignore[attr-defined]
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 -- a missing library is the kernel's business
            pass
        finally:
            builtins.__dict__.pop("get_ipython", None)
    for name in PACKAGE_MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 -- the kernel imports what it needs, and says why not
            pass
    if "zjanalysis.data" in sys.modules:
        sys.modules["zjanalysis.data"].preload()

    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    os.set_blocking(wake_read, False)
    signal.set_wakeup_fd(wake_write)
    stopping = []
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, lambda *_: stopping.append(True))

    kernels: dict[int, socket.socket] = {}  # kernel pid -> its client's connection

    def reap() -> None:
        while kernels:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            conn = kernels.pop(pid, None)
            if conn is not None:
                try:
                    conn.send(json.dumps({"status": _exit_status(status)}).encode())
                except OSError:
                    pass
                conn.close()

    def spawn(conn: socket.socket) -> None:
        conn.settimeout(10)
        try:
            data, fds, _flags, _addr = socket.recv_fds(conn, _MAX_MESSAGE, 3)
            request = json.loads(data)
            client_pid = struct.unpack(
                "3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
            )[0]
        except (OSError, ValueError):
            conn.close()
            return
        if len(fds) != 3:
            for fd in fds:
                os.close(fd)
            conn.close()
            return
        try:
            pidfd = os.pidfd_open(client_pid) if hasattr(os, "pidfd_open") else None
        except OSError:
            pidfd = None
        pid = os.fork()
        if pid == 0:
            for fd in (
                listener.fileno(),
                wake_read,
                wake_write,
                conn.fileno(),
                *(c.fileno() for c in kernels.values()),
            ):
                try:
                    os.close(fd)
                except OSError:
                    pass
            signal.set_wakeup_fd(-1)
            _become_kernel(request, fds, client_pid, pidfd)
        for fd in fds:
            os.close(fd)
        if pidfd is not None:
            os.close(pidfd)
        conn.settimeout(None)
        try:
            conn.send(json.dumps({"pid": pid}).encode())
        except OSError:
            pass
        kernels[pid] = conn

    try:
        while not stopping:
            if os.getppid() != parent:
                break
            watched = [listener, wake_read, *kernels.values()]
            try:
                ready, _, _ = select.select(watched, [], [], 1.0)
            except InterruptedError:
                ready = []
            if wake_read in ready:
                try:
                    while os.read(wake_read, 512):
                        pass
                except BlockingIOError:
                    pass
            reap()
            for pid, conn in list(kernels.items()):
                if conn in ready:
                    # The client went away (killed, or its run is over): so goes its kernel.
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
            if listener in ready:
                try:
                    conn, _ = listener.accept()
                except OSError:
                    continue
                spawn(conn)
    finally:
        for pid in list(kernels):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        for pid, conn in list(kernels.items()):
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
            conn.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) >= 2 and args[0] == "serve":
        status = serve(int(args[1]))
        # Tearing down pandas, matplotlib and seaborn at interpreter exit took about half a
        # second, which every batch waited for at its end; the zygote holds nothing to save.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    if len(args) >= 2 and args[0] == "connect":
        return connect(args[1], args[2:])
    if args and args[0] == "exec":
        _fallback(args[1:])
    print(
        "usage: python -m zjanalysis.execute.zygote serve FD | connect SOCKET -f "
        "CONNECTION_FILE | exec -f CONNECTION_FILE",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main())
