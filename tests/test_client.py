"""The kernel clients jobs talk through (zjanalysis.execute.client): ready once the idle status
of their kernel_info request has come through IOPub, never after a fixed silence. Each test runs
on both the asynchronous client (a render's) and the blocking one (a grading run's).

The channels here are fakes: queues of the messages a kernel would send, so each test states
exactly what the kernel said and in what order.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from queue import Empty

import pytest

from zjanalysis.execute import client, kernels


class Channel:
    """A blocking client's channel whose messages are given up front; with none left,
    `get_msg` waits out its timeout and raises Empty, as a real channel does."""

    def __init__(self) -> None:
        self.messages: list[dict] = []

    def get_msg(self, timeout: float | None = None) -> dict:
        if not self.messages:
            time.sleep(timeout or 0)
            raise Empty
        return self.messages.pop(0)


class AsyncChannel(Channel):
    """The same for an asynchronous client: `get_msg` is a coroutine."""

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


@pytest.fixture(params=["async", "blocking"])
def kind(request):
    return request.param


def make_client(kernel: Kernel, kind: str):
    """A client of `kind` on fake channels; returns (wait, client, its IOPub channel), where
    `wait(timeout)` calls the client's wait_for_ready as its users do."""
    if kind == "async":
        base, shell, iopub = client.ready_client(), AsyncChannel(), AsyncChannel()
    else:
        base, shell, iopub = client.ready_blocking_client(), Channel(), Channel()

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

    def wait(timeout: float) -> None:
        if kind == "blocking":
            fake.wait_for_ready(timeout=timeout)
            return
        # In a thread of its own: the browser tests' Playwright keeps an event loop running in
        # the main thread for the whole session.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, fake.wait_for_ready(timeout=timeout)).result()

    return wait, fake, iopub


def test_ready_when_the_idle_status_of_its_request_arrives_and_nothing_more_is_read(kind):
    after = {"msg_type": "stream", "content": {}, "parent_header": {"msg_id": "later"}}

    def script(n, msg_id):
        published = [status("starting", None), status("busy", msg_id), status("idle", msg_id)]
        return [info_reply(msg_id)], published + [after]

    wait, fake, iopub = make_client(Kernel(script), kind)
    wait(5)
    assert fake.asked == ["info-0"]
    # jupyter_client would have read IOPub until it went quiet; this client stops at the idle
    # status, leaving what came after it for whoever reads next.
    assert iopub.messages == [after]


# What the kernel sends for the first request, and for the second: each time the client must
# ask twice, and be ready after the second.
ASKS_TWICE = {
    "an idle status for another request does not count": (
        lambda m: ([info_reply(m)], [status("idle", "someone-else")]),
        lambda m: ([info_reply(m)], [status("idle", m)]),
    ),
    # A zmq subscriber misses what was published before it joined.
    "a missed idle status makes it ask again": (
        lambda m: ([info_reply(m)], []),
        lambda m: ([info_reply(m)], [status("idle", m)]),
    ),
    # Once any request of ours was answered, the idle status of a later one is enough.
    "a reply to an earlier request still counts as an answer": (
        lambda m: ([info_reply(m)], []),
        lambda m: ([], [status("idle", m)]),
    ),
}


@pytest.mark.parametrize("first, second", ASKS_TWICE.values(), ids=ASKS_TWICE.keys())
def test_it_asks_again_until_the_idle_status_of_its_own_request_comes(
    monkeypatch, kind, first, second
):
    monkeypatch.setattr(client, "_ROUND", 0.01)
    wait, fake, _ = make_client(Kernel(lambda n, m: (first if n == 0 else second)(m)), kind)
    wait(5)
    assert fake.asked == ["info-0", "info-1"]


def test_a_dead_kernel_stops_the_wait(monkeypatch, kind):
    monkeypatch.setattr(client, "_ROUND", 0.01)
    wait, fake, _ = make_client(Kernel(lambda n, msg_id: ([], []), alive=False), kind)
    with pytest.raises(RuntimeError, match="Kernel died before replying to kernel_info"):
        wait(5)
    assert fake.asked == ["info-0"]


def test_a_silent_kernel_times_out_naming_the_seconds(monkeypatch, kind):
    monkeypatch.setattr(client, "_ROUND", 0.01)
    wait, fake, _ = make_client(Kernel(lambda n, msg_id: ([], [])), kind)
    with pytest.raises(RuntimeError, match="Kernel didn't respond in 0.05 seconds"):
        wait(0.05)


def test_the_engine_s_kernel_managers_hand_out_the_ready_clients(tmp_path):
    ready = client.ready_client()
    for manager in (
        kernels.manager(None, None),
        kernels.manager("/tmp/no-zygote-here.sock", None),
        kernels.manager(None, None, limited=True),
    ):
        assert manager.client_factory is ready


def test_a_started_kernel_s_blocking_client_is_the_ready_one(monkeypatch, tmp_path):
    made = []

    class Stub:
        def __init__(self, parent) -> None:
            made.append(self)
            self.waited = None

        def load_connection_info(self, info) -> None:
            pass

        def start_channels(self) -> None:
            pass

        def wait_for_ready(self, timeout=None) -> None:
            self.waited = timeout

    monkeypatch.setattr(client, "ready_blocking_client", lambda: Stub)
    kernel = kernels.StartedKernel(kernels.manager(None, None), False, tmp_path, tmp_path / "log")
    got = kernel.client()
    assert made == [got] and got.waited == kernels.READY_TIMEOUT
    assert kernel.client() is got  # one client per kernel
