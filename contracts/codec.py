"""Encoders and decoders built once (msgspec is fastest when they are reused)."""

from typing import Any

import msgspec

from contracts.events import StageEvent

_encoder = msgspec.json.Encoder()
stage_event_decoder: msgspec.json.Decoder[StageEvent] = msgspec.json.Decoder(StageEvent)  # type: ignore[arg-type]


def encode(message: Any) -> bytes:
    return _encoder.encode(message)


def decode_stage_event(raw: bytes) -> StageEvent:
    return stage_event_decoder.decode(raw)


def tag_of(message: Any) -> str:
    """The `type` tag a tagged Struct is encoded with."""
    return str(type(message).__struct_config__.tag)
