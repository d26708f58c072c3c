"""Saga state in a JetStream KV bucket, written with compare-and-set so any replica can take any event."""

from collections import OrderedDict

import msgspec
from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError, NoKeysError
from nats.js.kv import KeyValue

from actors.saga.state import TERMINAL_PHASES, SagaState

_decoder = msgspec.json.Decoder(SagaState)
_encoder = msgspec.json.Encoder()


class StaleRevision(Exception):
    """Another replica wrote this saga since we read it: reload and decide again."""


class AlreadyExists(Exception):
    pass


class SagaStore:
    """KV access with a read-through cache of what this replica last wrote.

    The cache only saves a round trip: every write is still a compare-and-set against the revision it was based on,
    so a cached state another replica has since advanced fails its write, is dropped, and is read afresh.
    """

    def __init__(self, kv: KeyValue, cache_size: int = 10_000) -> None:
        self._kv = kv
        self._cache: OrderedDict[str, tuple[SagaState, int]] = OrderedDict()
        self._cache_size = cache_size

    def _remember(self, state: SagaState, revision: int) -> None:
        if state.phase in TERMINAL_PHASES:
            self._cache.pop(state.request_id, None)
            return
        self._cache[state.request_id] = (state, revision)
        self._cache.move_to_end(state.request_id)
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    async def create(self, state: SagaState) -> int:
        try:
            revision = await self._kv.create(state.request_id, _encoder.encode(state))
        except KeyWrongLastSequenceError:
            raise AlreadyExists(state.request_id) from None
        self._remember(state, revision)
        return revision

    async def load(self, request_id: str) -> tuple[SagaState, int] | None:
        if (cached := self._cache.get(request_id)) is not None:
            return cached
        try:
            entry = await self._kv.get(request_id)
        except KeyNotFoundError:
            return None
        if entry.value is None or entry.revision is None:
            return None
        return _decoder.decode(entry.value), entry.revision

    async def request_ids(self) -> list[str]:
        try:
            return list(await self._kv.keys())
        except NoKeysError:
            return []

    async def save(self, state: SagaState, revision: int) -> int:
        try:
            new_revision = await self._kv.update(state.request_id, _encoder.encode(state), last=revision)
        except KeyWrongLastSequenceError:
            self._cache.pop(state.request_id, None)
            raise StaleRevision(state.request_id) from None
        self._remember(state, new_revision)
        return new_revision
