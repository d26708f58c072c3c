"""Image bytes live in a JetStream object store, content-addressed by SHA-256; messages carry only asset ids."""

import hashlib
from typing import Protocol

from nats.js import JetStreamContext
from nats.js.errors import ObjectNotFoundError
from nats.js.object_store import ObjectStore

from contracts import subjects


class AssetNotFound(LookupError):
    pass


class MediaStore(Protocol):
    async def put(self, data: bytes) -> str: ...

    async def get(self, asset_id: str) -> bytes: ...


def asset_id_for(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ObjectStoreMedia:
    def __init__(self, store: ObjectStore) -> None:
        self._store = store

    @classmethod
    async def open(cls, js: JetStreamContext) -> "ObjectStoreMedia":
        return cls(await js.object_store(subjects.MEDIA_BUCKET))

    async def put(self, data: bytes) -> str:
        """Idempotent: the same bytes always get the same id and are stored once."""
        asset_id = asset_id_for(data)
        try:
            await self._store.get_info(asset_id)
        except ObjectNotFoundError:
            await self._store.put(asset_id, data)
        return asset_id

    async def get(self, asset_id: str) -> bytes:
        try:
            result = await self._store.get(asset_id)
        except ObjectNotFoundError:
            raise AssetNotFound(asset_id) from None
        if result.data is None:
            raise AssetNotFound(asset_id)
        return bytes(result.data)


class MemoryMedia:
    """The MediaStore protocol over a dict: for `smartgen score` (files scored without a bus), benches and tests."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    async def put(self, data: bytes) -> str:
        asset_id = asset_id_for(data)
        self.data[asset_id] = data
        return asset_id

    async def get(self, asset_id: str) -> bytes:
        try:
            return self.data[asset_id]
        except KeyError:
            raise AssetNotFound(asset_id) from None
