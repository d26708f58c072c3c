"""A saga process killed mid-request loses nothing: a new one resumes from the KV state and answers the caller."""

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg

from contracts import subjects
from contracts.api import STATUS_HEADER, SmartImageRequest
from contracts.codec import encode
from ops.embedded import NatsServer
from ops.roles import running_actors
from ops.seed import seed_demo
from ops.settings import Settings
from tests.conftest import decode

pytestmark = pytest.mark.slow


def start_saga(url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "NATS_URL": url}
    return subprocess.Popen([sys.executable, "-m", "ops.cli", "actor", "saga"], env=env, stdout=subprocess.DEVNULL)


async def wait_for_saga(nc: Client) -> None:
    for _ in range(300):
        try:
            await nc.request(subjects.ping("saga"), b"", timeout=0.5)
            return
        except Exception:
            await asyncio.sleep(0.05)
    raise TimeoutError("saga did not start")


@pytest.fixture
def sagas() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


async def test_killed_saga_is_resumed_by_another_replica(
    tmp_path: Path, nats_server: NatsServer, nc: Client, sagas: list[subprocess.Popen[bytes]]
) -> None:
    settings = Settings(nats_url=nats_server.url, data_dir=tmp_path / "data")
    async with running_actors(settings, ["analyzer", "selector", "generator", "validator", "gallery"]):
        await seed_demo(nc)
        sagas.append(start_saga(nats_server.url))
        await wait_for_saga(nc)
        first = sagas[0]

        killed = asyncio.Event()

        async def kill_on_generate(_: Msg) -> None:
            if not killed.is_set():
                os.kill(first.pid, signal.SIGKILL)  # mid-request: the generator is already at work
                killed.set()

        await nc.subscribe(subjects.CMD_GENERATE, cb=kill_on_generate)
        # Thresholds any render passes: this test is about resuming, not about scores.
        fields = {"characterId": "demo", "prompt": "full body", "qualityThreshold": 50, "consistencyThreshold": 60}
        request = msgspec.convert(fields, SmartImageRequest)
        pending = asyncio.ensure_future(nc.request(subjects.GENERATE, encode(request), timeout=60))
        await asyncio.wait_for(killed.wait(), 30)
        await asyncio.to_thread(first.wait)

        sagas.append(start_saga(nats_server.url))  # a fresh replica, knowing nothing but the bus
        reply = await pending
        assert reply.headers is not None and reply.headers[STATUS_HEADER] == "200"
        body = decode(reply.data)
        assert body["success"] is True
        assert body["data"]["attempts"] == 1  # type: ignore[index]
