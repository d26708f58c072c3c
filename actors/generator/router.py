"""Generator actor: renders one attempt through the configured engine and stores the result."""

import time

import msgspec
from faststream.nats import NatsBroker, NatsRouter

from actors.generator.engines.base import Engine, EngineError, EngineJob
from actors.images import image_size
from actors.media import AssetNotFound, MediaStore
from actors.runtime import publish_event, stage_consumer, still_working
from actors.stage import add_ping, current_message, decode_command, event_id
from contracts import subjects
from contracts.commands import GenerateImage
from contracts.events import FailureKind, GenerationFailed, ImageGenerated

_decoder = msgspec.json.Decoder(GenerateImage)
GENERATION_ACK_WAIT_S = 60.0


async def generate(
    command: GenerateImage, engines: dict[str, Engine], default_engine: str, media: MediaStore
) -> ImageGenerated | GenerationFailed:
    rid, attempt = command.request_id, command.attempt
    name = command.engine or default_engine
    started = time.perf_counter()

    def failed(kind: FailureKind, reason: str) -> GenerationFailed:
        elapsed = (time.perf_counter() - started) * 1000
        return GenerationFailed(
            request_id=rid,
            attempt=attempt,
            kind=kind,
            reason=reason,
            engine=name,
            elapsed_ms=elapsed,  # type: ignore[arg-type]
        )

    engine = engines.get(name)
    if engine is None:
        return failed("permanent", f"unknown engine '{name}' (configured: {', '.join(sorted(engines))})")
    try:
        reference = await media.get(command.reference.asset_id)
    except AssetNotFound:
        return failed("permanent", f"reference image {command.reference.asset_id} is missing from the media store")
    job = EngineJob(rid, attempt, command.prompt, command.style, command.analysis, command.params, reference)
    try:
        output = await engine.generate(job)
    except EngineError as error:
        return failed(error.kind, error.reason)
    try:
        width, height = image_size(output)
    except (OSError, ValueError):
        return failed("transient", "the engine returned something that is not an image")
    asset_id = await media.put(output)
    elapsed = (time.perf_counter() - started) * 1000
    return ImageGenerated(
        request_id=rid, attempt=attempt, asset_id=asset_id, engine=name, elapsed_ms=elapsed, width=width, height=height
    )


def build_router(broker: NatsBroker, engines: dict[str, Engine], default_engine: str, media: MediaStore) -> NatsRouter:
    router = NatsRouter()

    @router.subscriber(**stage_consumer("generator", subjects.CMD_GENERATE, ack_wait_s=GENERATION_ACK_WAIT_S))
    async def generate_image() -> None:
        message = current_message(broker)
        command = await decode_command(message, _decoder)
        if command is None:
            return
        async with still_working(message):
            event = await generate(command, engines, default_engine, media)
        rid, attempt = command.request_id, command.attempt
        if isinstance(event, ImageGenerated):
            await publish_event(broker, subjects.EVT_GENERATED, event, msg_id=event_id(rid, "generated", attempt))
        else:
            msg_id = event_id(rid, "generation_failed", attempt)
            await publish_event(broker, subjects.EVT_GENERATION_FAILED, event, msg_id=msg_id)

    add_ping(router, "generator")
    return router
