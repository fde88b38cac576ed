"""The kernel client a run talks through (zjanalysis.execute.client): ready once the idle status
of its kernel_info request has come through IOPub, never after a fixed silence.

The channels here are fakes: queues of the messages a kernel would send, so each test states
exactly what the kernel said and in what order.
"""

from __future__ import annotations

import asyncio
from queue import Empty

import pytest

from zjanalysis.execute import client, kernels


class Channel:
    """A channel whose messages are given up front; with none left, `get_msg` waits out its
    timeout and raises Empty, as a real channel does."""

    def __init__(self) -> None:
        self.messages: list[dict] = []

    async def get_msg(self, timeout: float | None = None) -> dict:
        if not self.messages:
            await asyncio.sleep(timeout or 0)
            raise Empty
        return self.messages.pop(0)


def status(state: str, parent: str | None) -> dict:
    return {
        "msg_type": "status",
        "content": {"execution_state": state},
        "parent_header": {"msg_id": parent} if parent else {},
    }


def info_reply(parent: str) -> dict:
    return {
        "msg_type": "kernel_info_reply",
        "content": {"protocol_version": "5.3"},
        "parent_header": {"msg_id": parent},
    }


class Kernel:
    """What the fake kernel does when asked for kernel_info: `script(n)` returns the (shell,
    iopub) messages it sends for the n-th request (counting from 0)."""

    def __init__(self, script, alive: bool = True) -> None:
        self.script = script
        self.alive = alive


def make_client(kernel: Kernel):
    base = client.ready_client()
    shell, iopub = Channel(), Channel()

    class Fake(base):
        shell_channel = shell
        iopub_channel = iopub
        asked: list[str] = []

        def kernel_info(self) -> str:
            msg_id = f"info-{len(self.asked)}"
            replies, published = kernel.script(len(self.asked), msg_id)
            self.asked.append(msg_id)
            shell.messages += replies
            iopub.messages += published
            return msg_id

        async def _async_is_alive(self) -> bool:
            return kernel.alive

    fake = Fake()
    fake.asked = []
    return fake, iopub


def test_ready_when_the_idle_status_of_its_request_arrives_and_nothing_more_is_read():
    after = {"msg_type": "stream", "content": {}, "parent_header": {"msg_id": "later"}}

    def script(n, msg_id):
        published = [status("starting", None), status("busy", msg_id), status("idle", msg_id)]
        return [info_reply(msg_id)], published + [after]

    fake, iopub = make_client(Kernel(script))
    asyncio.run(fake.wait_for_ready(timeout=5))
    assert fake.asked == ["info-0"]
    # jupyter_client would have read IOPub until it went quiet; this client stops at the idle
    # status, leaving what came after it for whoever reads next.
    assert iopub.messages == [after]


def test_an_idle_status_for_another_request_does_not_count(monkeypatch):
    monkeypatch.setattr(client, "_ROUND", 0.01)

    def script(n, msg_id):
        if n == 0:
            return [info_reply(msg_id)], [status("idle", "someone-else")]
        return [info_reply(msg_id)], [status("idle", msg_id)]

    fake, _ = make_client(Kernel(script))
    asyncio.run(fake.wait_for_ready(timeout=5))
    assert fake.asked == ["info-0", "info-1"]


def test_a_missed_idle_status_makes_it_ask_again(monkeypatch):
    monkeypatch.setattr(client, "_ROUND", 0.01)

    # A zmq subscriber misses what was published before it joined: the first request's status
    # never arrives, the second's does.
    def script(n, msg_id):
        return [info_reply(msg_id)], ([] if n == 0 else [status("idle", msg_id)])

    fake, _ = make_client(Kernel(script))
    asyncio.run(fake.wait_for_ready(timeout=5))
    assert fake.asked == ["info-0", "info-1"]


def test_a_reply_to_an_earlier_request_still_counts_as_an_answer(monkeypatch):
    monkeypatch.setattr(client, "_ROUND", 0.01)

    # The second request's idle status is enough once any request of ours was answered.
    def script(n, msg_id):
        return ([info_reply(msg_id)] if n == 0 else []), ([status("idle", msg_id)] if n else [])

    fake, _ = make_client(Kernel(script))
    asyncio.run(fake.wait_for_ready(timeout=5))
    assert fake.asked == ["info-0", "info-1"]


def test_a_dead_kernel_stops_the_wait(monkeypatch):
    monkeypatch.setattr(client, "_ROUND", 0.01)
    fake, _ = make_client(Kernel(lambda n, msg_id: ([], []), alive=False))
    with pytest.raises(RuntimeError, match="Kernel died before replying to kernel_info"):
        asyncio.run(fake.wait_for_ready(timeout=5))
    assert fake.asked == ["info-0"]


def test_a_silent_kernel_times_out_naming_the_seconds(monkeypatch):
    monkeypatch.setattr(client, "_ROUND", 0.01)
    fake, _ = make_client(Kernel(lambda n, msg_id: ([], [])))
    with pytest.raises(RuntimeError, match="Kernel didn't respond in 0.05 seconds"):
        asyncio.run(fake.wait_for_ready(timeout=0.05))


def test_the_engine_s_kernel_managers_hand_out_this_client():
    ready = client.ready_client()
    for manager in (
        kernels.manager(None, None),
        kernels.manager("/tmp/no-zygote-here.sock", None),
        kernels.manager(None, None, limited=True),
    ):
        assert manager.client_factory is ready
