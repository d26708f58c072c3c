"""Generator actor: renders one attempt through the chosen engine, stores the image, reports progress.

A command redelivered for an attempt that already finished reuses its result; a request the saga abandons
(it failed or timed out) has its engine job cancelled.
"""

import asyncio
import contextlib
import logging
import time

import msgspec
from faststream.nats import NatsBroker, NatsRouter
from nats.aio.msg import Msg

from actors.generator.engines.base import Engine, EngineError, EngineJob
from actors.generator.results import AttemptResults
from actors.images import image_size
from actors.media import AssetNotFound, MediaStore
from actors.runtime import publish_event, stage_consumer, still_working
from actors.stage import add_ping, current_message, decode_command, event_id
from contracts import subjects
from contracts.codec import encode
from contracts.commands import GenerateImage
from contracts.events import FailureKind, GenerationFailed, GenerationProgress, ImageGenerated

log = logging.getLogger("smartgen.generator")
_decoder = msgspec.json.Decoder(GenerateImage)
GENERATION_ACK_WAIT_S = 60.0


class _RequestId(msgspec.Struct, rename="camel"):
    request_id: str = ""


class _Outcome(msgspec.Struct):
    details: _RequestId = msgspec.field(default_factory=_RequestId)


async def generate(
    command: GenerateImage,
    engines: dict[str, Engine],
    default_engine: str,
    media: MediaStore,
    broker: NatsBroker | None = None,
) -> ImageGenerated | GenerationFailed:
    rid, attempt = command.request_id, command.attempt
    name = command.engine or default_engine
    started = time.perf_counter()

    def failed(kind: FailureKind, reason: str) -> GenerationFailed:
        elapsed = (time.perf_counter() - started) * 1000
        return GenerationFailed(
            request_id=rid, attempt=attempt, kind=kind, reason=reason, engine=name, elapsed_ms=elapsed
        )

    async def progress(detail: str, fraction: float) -> None:
        if broker is not None:
            update = GenerationProgress(request_id=rid, attempt=attempt, engine=name, detail=detail, fraction=fraction)
            await broker.publish(encode(update), subjects.progress(rid))

    engine = engines.get(name)
    if engine is None:
        return failed("invalid", f"unknown engine '{name}' (configured: {', '.join(sorted(engines))})")
    try:
        reference = await media.get(command.reference.asset_id)
    except AssetNotFound:
        return failed("permanent", f"reference image {command.reference.asset_id} is missing from the media store")
    job = EngineJob(rid, attempt, command.prompt, command.style, command.analysis, command.params, reference)
    try:
        output = await engine.generate(job, progress=progress)
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


def build_router(
    broker: NatsBroker,
    engines: dict[str, Engine],
    default_engine: str,
    media: MediaStore,
    results: AttemptResults,
) -> NatsRouter:
    router = NatsRouter()
    running: dict[str, asyncio.Task[ImageGenerated | GenerationFailed]] = {}

    @router.subscriber(**stage_consumer("generator", subjects.CMD_GENERATE, ack_wait_s=GENERATION_ACK_WAIT_S))
    async def generate_image() -> None:
        message = current_message(broker)
        command = await decode_command(message, _decoder)
        if command is None:
            return
        rid, attempt = command.request_id, command.attempt
        event: ImageGenerated | GenerationFailed | None = await results.get(rid, attempt)
        if event is None:
            job = asyncio.create_task(generate(command, engines, default_engine, media, broker))
            running[rid] = job
            try:
                async with still_working(message):
                    event = await job
            except asyncio.CancelledError:
                if not job.cancelled() or (task := asyncio.current_task()) is None or task.cancelling():
                    raise
                log.info("request %s was abandoned: its attempt %d was cancelled", rid, attempt)
                await message.reject()  # terminate: nobody waits for this attempt any more
                return
            finally:
                running.pop(rid, None)
            if isinstance(event, ImageGenerated):
                await results.put(event)
        if isinstance(event, ImageGenerated):
            await publish_event(broker, subjects.EVT_GENERATED, event, msg_id=event_id(rid, "generated", attempt))
        else:
            msg_id = event_id(rid, "generation_failed", attempt)
            await publish_event(broker, subjects.EVT_GENERATION_FAILED, event, msg_id=msg_id)

    async def cancel_abandoned(msg: Msg) -> None:
        with contextlib.suppress(msgspec.DecodeError):
            request_id = msgspec.json.decode(msg.data, type=_Outcome).details.request_id
            if (job := running.get(request_id)) is not None:
                job.cancel()

    @router.subscriber(subjects.EVT_REQUEST_FAILED)
    async def request_failed() -> None:
        await cancel_abandoned(current_message(broker).raw_message)

    add_ping(router, "generator")
    return router
