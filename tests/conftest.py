"""Shared fixtures: a real nats-server on a random port, and the whole stack (every actor and the bridge)."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import msgspec
import nats
import pytest
from nats.aio.client import Client

from ops.embedded import NatsServer, free_tcp_port
from ops.embedded_stack import REPO_CONFIG, serving_bridge
from ops.roles import ACTORS, running_actors
from ops.seed import seed_demo
from ops.settings import Settings

free_port = free_tcp_port


@pytest.fixture
async def nats_server(tmp_path: Path) -> AsyncIterator[NatsServer]:
    server = NatsServer(tmp_path / "nats", config=REPO_CONFIG)
    await server.start()
    yield server
    server.stop()


@pytest.fixture
async def nc(nats_server: NatsServer) -> AsyncIterator[Client]:
    client = await nats.connect(nats_server.url)
    yield client
    await client.drain()


@dataclass
class Stack:
    settings: Settings
    base_url: str
    nc: Client
    http: aiohttp.ClientSession

    async def post_json(self, path: str, body: object) -> tuple[int, dict[str, object]]:
        async with self.http.post(self.base_url + path, json=body) as response:
            return response.status, await response.json()


@pytest.fixture
async def stack(tmp_path: Path, nats_server: NatsServer, nc: Client) -> AsyncIterator[Stack]:
    port = free_port()
    settings = Settings(nats_url=nats_server.url, data_dir=tmp_path / "data", port=port, request_timeout_s=60)
    async with running_actors(settings, ACTORS):
        await seed_demo(nc)
        async with serving_bridge(settings), aiohttp.ClientSession() as http:
            yield Stack(settings, f"http://127.0.0.1:{port}", nc, http)


def decode(raw: bytes) -> dict[str, object]:
    value = msgspec.json.decode(raw)
    assert isinstance(value, dict)
    return value
