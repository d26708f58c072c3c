"""Slow or missing infrastructure: the caller gets the spec's error body with 504 or 503, never a hang."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from nats.aio.client import Client

from actors.generator.engines.base import EngineJob, ProgressCallback
from ops.embedded import NatsServer
from ops.embedded_stack import serving_bridge
from ops.roles import ACTORS, running_actors
from ops.seed import seed_demo
from ops.settings import Settings
from tests.conftest import free_port

GENERATE = "/api/v1/characters/demo/generate-smart-image"


class StuckEngine:
    """An engine whose job never finishes within the test's timeouts (it gives up after a few seconds)."""

    name = "local"

    async def generate(self, job: EngineJob, *, progress: ProgressCallback | None = None) -> bytes:
        await asyncio.sleep(3)
        raise asyncio.CancelledError

    async def close(self) -> None:
        return None


async def post(base: str, path: str, body: object) -> tuple[int, dict[str, object]]:
    async with aiohttp.ClientSession() as http, http.post(base + path, json=body) as response:
        return response.status, await response.json()


@pytest.fixture
async def stuck_stack(
    tmp_path: Path, nats_server: NatsServer, nc: Client, request: pytest.FixtureRequest
) -> AsyncIterator[str]:
    port = free_port()
    overrides: dict[str, float] = request.param
    settings = Settings(nats_url=nats_server.url, data_dir=tmp_path / "data", port=port, **overrides)  # type: ignore[arg-type]
    async with running_actors(settings, ACTORS, engines={"local": StuckEngine()}):
        await seed_demo(nc, size=128)
        async with serving_bridge(settings):
            yield f"http://127.0.0.1:{port}"


@pytest.mark.parametrize("stuck_stack", [{"generation_timeout_s": 0.5, "request_timeout_s": 30}], indirect=True)
async def test_a_generation_past_its_timeout_is_504_naming_the_stage(stuck_stack: str) -> None:
    status, body = await post(stuck_stack, GENERATE, {"prompt": "portrait"})
    assert status == 504
    assert body["success"] is False
    assert body["error"] == "Timed out: the generator stage did not answer within 0.5 s"
    assert body["details"]["totalAttempts"] == 1  # type: ignore[index]


@pytest.mark.parametrize("stuck_stack", [{"generation_timeout_s": 60, "request_timeout_s": 0.5}], indirect=True)
async def test_the_bridge_gives_up_with_504_after_its_request_timeout(stuck_stack: str) -> None:
    status, body = await post(stuck_stack, GENERATE, {"prompt": "portrait"})
    assert status == 504
    assert body == {
        "success": False,
        "error": "Timed out waiting for the service to answer",
        "details": {"attempts": [], "totalAttempts": 0, "failureReasons": [], "field": None, "requestId": ""},
    }


async def test_bus_down_is_503_at_once(tmp_path: Path, nats_server: NatsServer) -> None:
    port = free_port()
    settings = Settings(nats_url=nats_server.url, data_dir=tmp_path / "data", port=port)
    async with serving_bridge(settings):
        nats_server.kill()
        await asyncio.sleep(0.3)  # the client notices the closed socket
        status, body = await post(f"http://127.0.0.1:{port}", GENERATE, {"prompt": "portrait"})
        assert status == 503
        assert body["error"] == "Service unavailable: the message bus is unreachable"
        async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/healthz") as response:
            assert response.status == 503
