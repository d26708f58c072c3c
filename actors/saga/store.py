"""Saga state in a JetStream KV bucket, written with compare-and-set so any replica can take any event."""

import msgspec
from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from actors.saga.state import SagaState

_decoder = msgspec.json.Decoder(SagaState)
_encoder = msgspec.json.Encoder()


class StaleRevision(Exception):
    """Another replica wrote this saga since we read it: reload and decide again."""


class AlreadyExists(Exception):
    pass


class SagaStore:
    def __init__(self, kv: KeyValue) -> None:
        self._kv = kv

    async def create(self, state: SagaState) -> int:
        try:
            return await self._kv.create(state.request_id, _encoder.encode(state))
        except KeyWrongLastSequenceError:
            raise AlreadyExists(state.request_id) from None

    async def load(self, request_id: str) -> tuple[SagaState, int] | None:
        try:
            entry = await self._kv.get(request_id)
        except KeyNotFoundError:
            return None
        if entry.value is None or entry.revision is None:
            return None
        return _decoder.decode(entry.value), entry.revision

    async def save(self, state: SagaState, revision: int) -> int:
        try:
            return await self._kv.update(state.request_id, _encoder.encode(state), last=revision)
        except KeyWrongLastSequenceError:
            raise StaleRevision(state.request_id) from None
