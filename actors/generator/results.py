"""Finished generations by (request, attempt): a redelivered command reuses its result instead of generating twice."""

from typing import Protocol

import msgspec
from nats.js.errors import KeyNotFoundError
from nats.js.kv import KeyValue

from contracts.events import ImageGenerated

_decoder = msgspec.json.Decoder(ImageGenerated)


class AttemptResults(Protocol):
    async def get(self, request_id: str, attempt: int) -> ImageGenerated | None: ...

    async def put(self, result: ImageGenerated) -> None: ...


def _key(request_id: str, attempt: int) -> str:
    return f"{request_id}.{attempt}"


class KvAttemptResults:
    def __init__(self, kv: KeyValue) -> None:
        self._kv = kv

    async def get(self, request_id: str, attempt: int) -> ImageGenerated | None:
        try:
            entry = await self._kv.get(_key(request_id, attempt))
        except KeyNotFoundError:
            return None
        return _decoder.decode(entry.value) if entry.value else None

    async def put(self, result: ImageGenerated) -> None:
        await self._kv.put(_key(result.request_id, result.attempt), msgspec.json.encode(result))
