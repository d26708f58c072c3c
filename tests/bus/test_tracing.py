"""One request, one trace: the bridge's span is continued by the saga and every stage through NATS headers."""

from pathlib import Path

import aiohttp
from nats.aio.client import Client
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from contracts import subjects
from ops.embedded import NatsServer
from ops.embedded_stack import serving_bridge
from ops.roles import ACTORS, running_actors
from ops.seed import seed_demo
from ops.settings import Settings
from tests.conftest import free_port


async def test_a_request_is_one_trace_across_bridge_saga_and_stages(
    tmp_path: Path, nats_server: NatsServer, nc: Client
) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    port = free_port()
    settings = Settings(nats_url=nats_server.url, data_dir=tmp_path / "data", port=port)
    async with running_actors(settings, ACTORS, tracer_provider=provider):
        await seed_demo(nc, size=256)
        exporter.clear()
        async with serving_bridge(settings, provider), aiohttp.ClientSession() as http:
            url = f"http://127.0.0.1:{port}/api/v1/characters/demo/generate-smart-image"
            async with http.post(
                url, json={"prompt": "portrait", "qualityThreshold": 50, "consistencyThreshold": 60}
            ) as r:
                assert r.status == 200
    spans = exporter.get_finished_spans()
    root = next(s for s in spans if s.name.startswith("POST /api/v1/characters/demo"))
    in_trace = [
        s
        for s in spans
        if s.context is not None and root.context is not None and s.context.trace_id == root.context.trace_id
    ]
    names = " ".join(s.name for s in in_trace)
    for subject in (
        subjects.GENERATE,
        subjects.CMD_ANALYZE,
        subjects.CMD_SELECT,
        subjects.CMD_GENERATE,
        subjects.CMD_VALIDATE,
        subjects.CMD_SAVE,
    ):
        assert subject in names, f"{subject} not in the request's trace: {names}"
