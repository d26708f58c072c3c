"""The generator actor on a real bus: progress events, one engine call per attempt, cancellation when abandoned."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import msgspec
import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg

from actors.generator.engines.base import EngineJob, ProgressCallback
from actors.generator.engines.local import LocalEngine
from contracts import subjects
from contracts.codec import encode
from contracts.commands import GenerateImage
from contracts.events import GenerationProgress, ImageGenerated
from contracts.model import GenerationParams, PromptAnalysis
from ops.embedded import NatsServer
from ops.embedded_stack import serving_bridge
from ops.roles import ACTORS, running_actors
from ops.seed import seed_demo
from ops.settings import Settings
from tests.conftest import free_port

EASY = {"qualityThreshold": 50, "consistencyThreshold": 60}


@dataclass
class RecordingEngine:
    """The local engine, reporting two steps, counting its calls, optionally stuck until cancelled."""

    name: str = "local"
    stuck: bool = False
    calls: int = 0
    cancelled: asyncio.Event = field(default_factory=asyncio.Event)
    inner: LocalEngine = field(default_factory=LocalEngine)

    async def generate(self, job: EngineJob, *, progress: ProgressCallback | None = None) -> bytes:
        self.calls += 1
        if progress is not None:
            await progress("step 1/2", 0.5)
        try:
            if self.stuck:
                await asyncio.sleep(30)
        except asyncio.CancelledError:
            self.cancelled.set()
            raise
        if progress is not None:
            await progress("step 2/2", 1.0)
        return await self.inner.generate(job)

    async def close(self) -> None:
        return None


@dataclass
class Rig:
    base_url: str
    nc: Client
    engine: RecordingEngine

    async def generate(self, body: dict[str, object]) -> tuple[int, dict[str, object]]:
        url = f"{self.base_url}/api/v1/characters/demo/generate-smart-image"
        async with aiohttp.ClientSession() as http, http.post(url, json=body) as response:
            return response.status, await response.json()


@pytest.fixture
async def rig(
    tmp_path: Path, nats_server: NatsServer, nc: Client, request: pytest.FixtureRequest
) -> AsyncIterator[Rig]:
    engine = RecordingEngine(stuck=getattr(request, "param", False))
    port = free_port()
    settings = Settings(nats_url=nats_server.url, data_dir=tmp_path / "d", port=port, generation_timeout_s=1.0)
    async with running_actors(settings, ACTORS, engines={"local": engine}):
        await seed_demo(nc, size=256)
        async with serving_bridge(settings):
            yield Rig(f"http://127.0.0.1:{port}", nc, engine)


async def test_engine_progress_is_published_per_attempt(rig: Rig) -> None:
    updates: list[GenerationProgress] = []

    async def collect(msg: Msg) -> None:
        updates.append(msgspec.json.decode(msg.data, type=GenerationProgress))

    await rig.nc.subscribe(f"{subjects.PROGRESS_PREFIX}.>", cb=collect)
    status, body = await rig.generate({"prompt": "portrait", **EASY})
    assert status == 200, body
    request_id = body["data"]["requestId"]  # type: ignore[index]
    assert [(u.request_id, u.attempt, u.detail, u.fraction) for u in updates] == [
        (request_id, 1, "step 1/2", 0.5),
        (request_id, 1, "step 2/2", 1.0),
    ]


async def test_a_redelivered_generate_command_reuses_the_finished_attempt(rig: Rig) -> None:
    demo = await rig.nc.request(subjects.GALLERY_GET_CHARACTER, b'{"characterId": "demo"}', timeout=5)
    reference = msgspec.json.decode(demo.data)["references"][0]
    command = {
        "requestId": "again-1",
        "attempt": 1,
        "characterId": "demo",
        "characterName": "Nova",
        "prompt": "portrait",
        "style": "custom",
        "analysis": msgspec.to_builtins(
            PromptAnalysis(shot_type=None, angle=None, mood="neutral", setting="neutral", keywords=())
        ),
        "reference": reference,
        "params": msgspec.to_builtins(GenerationParams(seed=1, strength=0.8, guidance=5)),
    }
    generated: list[ImageGenerated] = []
    two = asyncio.Event()

    async def collect(msg: Msg) -> None:
        generated.append(msgspec.json.decode(msg.data, type=ImageGenerated))
        if len(generated) == 2:
            two.set()

    await rig.nc.subscribe(subjects.EVT_GENERATED, cb=collect)
    body = encode(msgspec.convert(command, GenerateImage))
    js = rig.nc.jetstream()
    await js.publish(subjects.CMD_GENERATE, body, headers={"Nats-Msg-Id": "delivery-1"})
    await asyncio.sleep(0.5)
    await js.publish(subjects.CMD_GENERATE, body, headers={"Nats-Msg-Id": "delivery-2"})
    await asyncio.wait_for(two.wait(), 10)
    assert rig.engine.calls == 1
    assert generated[0].asset_id == generated[1].asset_id


@pytest.mark.parametrize("rig", [True], indirect=True)
async def test_an_abandoned_request_cancels_its_engine_job(rig: Rig) -> None:
    status, body = await rig.generate({"prompt": "portrait"})
    assert status == 504, body  # the saga gave up after the 1 s generation timeout
    await asyncio.wait_for(rig.engine.cancelled.wait(), 5)


async def test_an_unknown_engine_is_a_400(rig: Rig) -> None:
    status, body = await rig.generate({"prompt": "portrait", "engine": "dall-e"})
    assert status == 400
    assert "unknown engine 'dall-e'" in str(body["error"])
    assert rig.engine.calls == 0
