"""The kernel client a run talks through: jupyter_client's asynchronous client, ready as soon as
the kernel has shown that both of its channels reach us.

jupyter_client decides a new kernel is ready once it has answered `kernel_info`, then empties
IOPub until IOPub has been silent for 0.2 s. Every run paid that silence: 0.2 s of a worker
doing nothing, about a tenth of a run. `ReadyClient` ends its wait on an event instead: the
kernel publishes its "idle" status for a request after everything else that request caused,
so the idle status of our `kernel_info` request proves IOPub is subscribed and holds nothing
more from the start-up. (A zmq subscriber can miss what was published before it joined: if
that idle status does not come, the request is sent again, as jupyter_client does.)

Nothing here changes what a run does, only when it begins: nbclient reads IOPub messages by
the request they answer, so an early message it has not consumed would be skipped anyway.
"""

from __future__ import annotations

import functools
import time
from queue import Empty
from typing import Any

_ROUND = 1.0  # seconds to wait for one kernel_info answer before asking again


@functools.cache
def ready_client() -> type:
    """The `ReadyClient` class: an `AsyncKernelClient` whose `wait_for_ready` returns once the
    idle status of its `kernel_info` request has come through IOPub (see the module's
    docstring). Built on first use, so that importing this module imports no jupyter_client."""
    from jupyter_client.asynchronous import AsyncKernelClient

    class ReadyClient(AsyncKernelClient):
        async def wait_for_ready(self, timeout: float | None = None) -> None:
            """Wait until the kernel answers `kernel_info` on the shell channel and publishes
            its idle status for it on IOPub. Raises RuntimeError when the kernel dies first or
            when `timeout` seconds (None: no limit) pass."""
            deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
            asked: set[str] = set()
            answered = False
            while True:
                asked.add(self.kernel_info())
                round_end = min(time.monotonic() + _ROUND, deadline)
                while time.monotonic() < round_end:
                    left = max(round_end - time.monotonic(), 0.001)
                    if not answered:
                        answered = await _reply(self, asked, left)
                        continue
                    if await _idle(self, asked, left):
                        return
                    break  # the reply came but IOPub missed the status: ask again
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() >= deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")

    return ReadyClient


async def _reply(client: Any, asked: set[str], wait: float) -> bool:
    """True once a kernel_info reply to one of `asked` arrived on the shell channel."""
    try:
        msg = await client.shell_channel.get_msg(timeout=wait)
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
            msg = await client.iopub_channel.get_msg(timeout=left)
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
