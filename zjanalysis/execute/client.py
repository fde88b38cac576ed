"""The kernel clients jobs talk through: jupyter_client's clients, ready as soon as the kernel
has shown that both of its channels reach us (`ready_client()` for nbclient, hence a render;
`ready_blocking_client()` for a grading run).

jupyter_client decides a new kernel is ready once it has answered `kernel_info`, then empties
IOPub until IOPub has been silent for 0.2 s. Every run paid that silence: 0.2 s of a worker
doing nothing, about a tenth of a run. `wait_until_ready` ends the wait on an event instead: the
kernel publishes its "idle" status for a request after everything else that request caused,
so the idle status of our `kernel_info` request proves IOPub is subscribed and holds nothing
more from the start-up. (A zmq subscriber can miss what was published before it joined: if
that idle status does not come, the request is sent again, as jupyter_client does.)

Nothing here changes what a run does, only when it begins: nbclient and the grading runner read
messages by the request they answer, so an early message left unread would be skipped anyway.
"""

from __future__ import annotations

import functools
import time
from queue import Empty
from typing import Any

from jupyter_core.utils import ensure_async

_ROUND = 1.0  # seconds to wait for one kernel_info answer before asking again


async def wait_until_ready(client: Any, timeout: float | None = None) -> None:
    """Wait until the kernel behind `client` answers `kernel_info` on the shell channel and
    publishes its idle status for it on IOPub. Raises RuntimeError when the kernel dies first
    or when `timeout` seconds (None: no limit) pass. Works for asynchronous and blocking
    clients alike (the clients' `wait_for_ready`)."""
    deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
    asked: set[str] = set()
    answered = False
    while True:
        asked.add(client.kernel_info())
        round_end = min(time.monotonic() + _ROUND, deadline)
        while time.monotonic() < round_end:
            left = max(round_end - time.monotonic(), 0.001)
            if not answered:
                answered = await _reply(client, asked, left)
                continue
            if await _idle(client, asked, left):
                return
            break  # the reply came but IOPub missed the status: ask again
        if not await client._async_is_alive():
            raise RuntimeError("Kernel died before replying to kernel_info")
        if time.monotonic() >= deadline:
            raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")


@functools.cache
def ready_client() -> type:
    """jupyter_client's `AsyncKernelClient` with `wait_until_ready` as its `wait_for_ready`
    (the client nbclient, hence a render, talks through). Built on first use, so that importing
    this module imports no jupyter_client."""
    from jupyter_client.asynchronous import AsyncKernelClient

    class ReadyClient(AsyncKernelClient):
        async def wait_for_ready(self, timeout: float | None = None) -> None:
            await wait_until_ready(self, timeout)

    return ReadyClient


@functools.cache
def ready_blocking_client() -> type:
    """jupyter_client's `BlockingKernelClient` with `wait_until_ready` as its `wait_for_ready`
    (the client a grading run talks through)."""
    from jupyter_client.blocking import BlockingKernelClient
    from jupyter_client.utils import run_sync

    class ReadyBlockingClient(BlockingKernelClient):
        wait_for_ready = run_sync(wait_until_ready)

    return ReadyBlockingClient


async def _reply(client: Any, asked: set[str], wait: float) -> bool:
    """True once a kernel_info reply to one of `asked` arrived on the shell channel."""
    try:
        msg = await ensure_async(client.shell_channel.get_msg(timeout=wait))
    except Empty:
        return False
    if msg["msg_type"] != "kernel_info_reply" or _parent(msg) not in asked:
        return False
    client._handle_kernel_info_reply(msg)
    return True


async def _idle(client: Any, asked: set[str], wait: float) -> bool:
    """True once the idle status of one of `asked` arrived on IOPub (other messages, such as
    the kernel's "starting" status, are read and dropped on the way)."""
    end = time.monotonic() + wait
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return False
        try:
            msg = await ensure_async(client.iopub_channel.get_msg(timeout=left))
        except Empty:
            return False
        if (
            msg["msg_type"] == "status"
            and msg["content"].get("execution_state") == "idle"
            and _parent(msg) in asked
        ):
            return True


def _parent(msg: dict[str, Any]) -> str | None:
    return (msg.get("parent_header") or {}).get("msg_id")
