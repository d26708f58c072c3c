"""Plumbing every stage actor shares: decoding its command, answering liveness pings, idempotent event ids."""

import logging
from typing import Any, TypeVar

import msgspec
from faststream.nats import NatsBroker, NatsMessage, NatsRouter

from contracts import subjects

T = TypeVar("T")
log = logging.getLogger("smartgen.stage")


def current_message(broker: NatsBroker) -> NatsMessage:
    """The message being handled, from FastStream's context.

    Handlers take no parameters and read the message here: FastStream resolves `Context` parameters through a
    thread-pool hop per parameter per message, which cost more than the rest of the dispatch together.
    """
    message: NatsMessage = broker.context.get_local("message")
    return message


def add_ping(router: NatsRouter, stage: str) -> None:
    """Answer `smartgen.ping.<stage>` so the saga can tell "no worker running" from "worker is slow"."""

    @router.subscriber(subjects.ping(stage), queue=f"smartgen-ping-{stage}")
    async def pong() -> bytes:
        return b"pong"


async def decode_command(message: NatsMessage, decoder: msgspec.json.Decoder[T]) -> T | None:
    """A command that cannot be decoded will never succeed: terminate it instead of redelivering it forever."""
    try:
        return decoder.decode(message.body)
    except msgspec.DecodeError as error:
        log.error("dropping undecodable command on %s: %s", message.raw_message.subject, error)
        await message.reject()
        return None


def event_id(request_id: str, fact: str, attempt: int | None = None) -> str:
    """JetStream drops a second publish with the same id, so a redelivered command publishes its event once."""
    return f"{request_id}:{attempt or 0}:{fact}"


def dump(value: Any) -> str:
    return msgspec.json.encode(value).decode()
