"""Validator actor: scores a generated image and reports both numbers (the saga applies the thresholds)."""

import msgspec
from faststream.nats import NatsBroker, NatsRouter

from actors.images import InvalidImage
from actors.media import AssetNotFound
from actors.runtime import publish_event, stage_consumer, still_working
from actors.stage import add_ping, current_message, decode_command, event_id
from actors.validator.service import Validator
from contracts import subjects
from contracts.commands import ValidateImage
from contracts.events import ImageValidated, ValidationFailed

_decoder = msgspec.json.Decoder(ValidateImage)


def build_router(broker: NatsBroker, validator: Validator) -> NatsRouter:
    router = NatsRouter()

    @router.subscriber(**stage_consumer("validator", subjects.CMD_VALIDATE, ack_wait_s=60.0))
    async def validate_image() -> None:
        message = current_message(broker)
        command = await decode_command(message, _decoder)
        if command is None:
            return
        rid, attempt = command.request_id, command.attempt
        try:
            async with still_working(message):
                report, elapsed = await validator.validate(
                    command.candidate_asset_id, command.master_asset_id, command.core_asset_ids
                )
        except (AssetNotFound, InvalidImage) as error:
            reason = f"image {error} is missing" if isinstance(error, AssetNotFound) else error.message
            failed = ValidationFailed(request_id=rid, attempt=attempt, reason=reason)
            msg_id = event_id(rid, "validation_failed", attempt)
            await publish_event(broker, subjects.EVT_VALIDATION_FAILED, failed, msg_id=msg_id)
            return
        event = ImageValidated(request_id=rid, attempt=attempt, report=report, elapsed_ms=elapsed)
        await publish_event(broker, subjects.EVT_VALIDATED, event, msg_id=event_id(rid, "validated", attempt))

    add_ping(router, "validator")
    return router
