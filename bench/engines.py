"""Generation engines: the local compositor's ms per image, and each adapter's own overhead per call.

1. `local`: ms per image at 512 and 1024 px (reference and output at that size) over a mix of shots, angles, moods
   and settings; `render` alone and the whole engine call (decode the JPEG reference, render, encode JPEG).
   Goal: under 250 ms at 1024 px.
2. Adapters (comfyui, fal, openai) against their loopback servers (tests/engines/fakes.py) answering at once:
   per call, the adapter's wall time; the loopback server's own response time (time inside its HTTP handlers,
   measured in the same run); a bare aiohttp client doing the same protocol calls with no adapter logic; and the
   adapter's added overhead = adapter - bare client.

    .venv/bin/python bench/engines.py [--renders 12] [--calls 100]
"""

import argparse
import asyncio
import base64
import os
import platform
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from actors.generator.engines.base import EngineJob
from actors.generator.engines.comfyui import ComfyUIConfig, ComfyUIEngine
from actors.generator.engines.fal import FalConfig, FalEngine
from actors.generator.engines.local import LocalEngine
from actors.generator.engines.local_render import render
from actors.generator.engines.openai_images import OpenAIImagesConfig, OpenAIImagesEngine
from actors.images import decode_image, encode_jpeg
from contracts.model import Angle, GenerationParams, Mood, PromptAnalysis, Setting, ShotType
from ops.demo_art import draw_view
from tests.engines.fakes import FakeComfyUI, FakeFal, FakeOpenAI, LoopbackServer
from tests.engines.test_comfyui import WORKFLOW

MIX: list[tuple[ShotType, Angle, Mood, Setting]] = [
    ("close-up", "front", "dramatic", "outdoor"),
    ("medium", "45-degree", "calm", "indoor"),
    ("full-body", "side", "action", "studio"),
    ("wide", "front", "neutral", "outdoor"),
    ("medium", "front", "dramatic", "studio"),
    ("full-body", "45-degree", "calm", "neutral"),
]


def summary(values_s: list[float]) -> str:
    ms = sorted(value * 1000 for value in values_s)
    p90 = ms[min(len(ms) - 1, round(0.9 * (len(ms) - 1)))]
    return f"median {statistics.median(ms):7.2f}  p90 {p90:7.2f}  max {ms[-1]:7.2f} ms"


def job_for(reference: bytes, size: int, index: int) -> EngineJob:
    shot, angle, mood, setting = MIX[index % len(MIX)]
    analysis = PromptAnalysis(shot_type=shot, angle=angle, mood=mood, setting=setting, keywords=())
    params = GenerationParams(seed=index, strength=0.5, guidance=5.0, width=size, height=size)
    return EngineJob("bench", 1, "the knight on a hill", "character_production", analysis, params, reference)


async def bench_local(renders: int) -> None:
    print("local engine (deterministic compositor), reference and output at the same size, sequential:")
    engine = LocalEngine(max_concurrency=1)
    for size in (512, 1024):
        reference = encode_jpeg(draw_view("front", "full-body", size))
        image = decode_image(reference)
        jobs = [job_for(reference, size, index) for index in range(renders)]
        render(image, jobs[0].analysis, jobs[0].params)  # warm up (imports, OpenCV's first calls)
        render_s, call_s = [], []
        for job in jobs:
            started = time.perf_counter()
            render(image, job.analysis, job.params)
            render_s.append(time.perf_counter() - started)
            started = time.perf_counter()
            await engine.generate(job)
            call_s.append(time.perf_counter() - started)
        print(f"  {size:4d} px  render only       {summary(render_s)}")
        print(f"  {size:4d} px  engine.generate   {summary(call_s)}  (decode + render + JPEG encode)")


# --- Bare protocol clients: the same calls, no adapter logic ------------------------------------------------------


async def bare_comfyui(http: aiohttp.ClientSession, base: str, reference: bytes) -> bytes:
    form = aiohttp.FormData()
    form.add_field("image", reference, filename="ref.jpg", content_type="image/jpeg")
    form.add_field("type", "input")
    async with http.post(f"{base}/upload/image", data=form) as response:
        name = (await response.json())["name"]
    client_id = uuid.uuid4().hex
    workflow = msgspec.json.decode(msgspec.json.encode(WORKFLOW))
    workflow["1"]["inputs"]["image"] = name
    async with http.ws_connect(f"{base.replace('http', 'ws', 1)}/ws?clientId={client_id}") as socket:
        async with http.post(f"{base}/prompt", json={"prompt": workflow, "client_id": client_id}) as response:
            prompt_id = (await response.json())["prompt_id"]
        async for message in socket:
            if message.type == aiohttp.WSMsgType.TEXT:
                event = message.json()
                if event["type"] == "executing" and event["data"].get("node") is None:
                    break
    async with http.get(f"{base}/history/{prompt_id}") as response:
        outputs = (await response.json())[prompt_id]["outputs"]
    image = outputs["9"]["images"][0]
    async with http.get(f"{base}/view", params=image) as response:
        return await response.read()


async def bare_fal(http: aiohttp.ClientSession, base: str, reference: bytes) -> bytes:
    headers = {"Authorization": "Key test-key"}
    body = {"prompt": "p", "image_url": "data:image/jpeg;base64," + base64.b64encode(reference).decode(), "seed": 1}
    async with http.post(f"{base}/fal-ai/flux-pro/kontext", json=body, headers=headers) as response:
        request_id = (await response.json())["request_id"]
    while True:
        async with http.get(f"{base}/fal-ai/flux-pro/requests/{request_id}/status", headers=headers) as response:
            if (await response.json())["status"] == "COMPLETED":
                break
    async with http.get(f"{base}/fal-ai/flux-pro/requests/{request_id}", headers=headers) as response:
        url = (await response.json())["images"][0]["url"]
    async with http.get(url) as response:
        return await response.read()


async def bare_openai(http: aiohttp.ClientSession, base: str, reference: bytes) -> bytes:
    form = aiohttp.FormData()
    form.add_field("image", reference, filename="ref.jpg", content_type="image/jpeg")
    for key, value in {"prompt": "p", "model": "gpt-image-1", "n": "1", "size": "1024x1024"}.items():
        form.add_field(key, value)
    async with http.post(f"{base}/v1/images/edits", data=form, headers={"Authorization": "Bearer sk-test"}) as response:
        return base64.b64decode((await response.json())["data"][0]["b64_json"])


async def timed(
    server: LoopbackServer, call: Callable[[], Awaitable[bytes]], calls: int
) -> tuple[list[float], list[float]]:
    """Wall time per call and the server's own handler time per call."""
    for _ in range(5):
        await call()
    wall, handler = [], []
    for _ in range(calls):
        before = server.handler_s
        started = time.perf_counter()
        await call()
        wall.append(time.perf_counter() - started)
        handler.append(server.handler_s - before)
    return wall, handler


async def bench_adapter(
    name: str,
    server: LoopbackServer,
    engine: Any,
    bare: Callable[[aiohttp.ClientSession, str, bytes], Awaitable[bytes]],
    reference: bytes,
    calls: int,
) -> None:
    base = await server.start()
    try:
        job = job_for(reference, 512, 0)
        engine_wall, engine_server = await timed(server, lambda: engine.generate(job), calls)
        async with aiohttp.ClientSession() as http:
            bare_wall, _ = await timed(server, lambda: bare(http, base, reference), calls)
    finally:
        await engine.close()
        await server.close()
    added = statistics.median(engine_wall) - statistics.median(bare_wall)
    print(f"  {name}")
    print(f"    loopback server, own handler time   {summary(engine_server)}")
    print(f"    bare aiohttp client, same calls     {summary(bare_wall)}")
    print(f"    adapter.generate                    {summary(engine_wall)}")
    beyond_server = (statistics.median(engine_wall) - statistics.median(engine_server)) * 1000
    print(f"    adapter wall - server handler time  median {beyond_server:7.2f} ms (client stack + loopback I/O)")
    print(f"    added by the adapter (vs bare)      median {added * 1000:7.2f} ms per call")


async def bench_adapters(calls: int) -> None:
    reference = encode_jpeg(draw_view("front", "full-body", 512))
    kib = len(reference) // 1024
    print(f"\nadapters against loopback servers, {calls} sequential calls each, 512 px JPEG reference ({kib} KiB):")

    comfy = FakeComfyUI(steps=20)
    await bench_adapter(
        "comfyui (upload, ws, prompt, 20 progress steps, history, view)",
        comfy,
        _Late(lambda: ComfyUIEngine(ComfyUIConfig(base_url=comfy.base_url), workflow=WORKFLOW)),
        bare_comfyui,
        reference,
        calls,
    )
    fal = FakeFal(positions=())
    fal.in_progress_polls = 0
    await bench_adapter(
        "fal (submit, one status, result, download)",
        fal,
        _Late(lambda: FalEngine(FalConfig(base_url=fal.base_url, poll_interval_s=0.0), api_key="test-key")),
        bare_fal,
        reference,
        calls,
    )
    openai = FakeOpenAI()
    await bench_adapter(
        "openai (one multipart edit, b64_json)",
        openai,
        _Late(lambda: OpenAIImagesEngine(OpenAIImagesConfig(base_url=openai.base_url), api_key="sk-test")),
        bare_openai,
        reference,
        calls,
    )


class _Late:
    """Builds the engine on first use, once the loopback server knows its address."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make = make
        self._engine: Any = None

    async def generate(self, job: EngineJob) -> bytes:
        if self._engine is None:
            self._engine = self._make()
        result: bytes = await self._engine.generate(job)
        return result

    async def close(self) -> None:
        if self._engine is not None:
            await self._engine.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--renders", type=int, default=12, help="local renders per size")
    parser.add_argument("--calls", type=int, default=100, help="calls per adapter")
    args = parser.parse_args()
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}\n")
    await bench_local(args.renders)
    await bench_adapters(args.calls)


if __name__ == "__main__":
    asyncio.run(main())
