"""Reference embeddings persisted in the gallery's catalog (over the bus), behind the in-process LRU.

A restarted or newly added validator then reuses what any validator computed before: checking a candidate against
known references costs exactly one new embedding, across processes and restarts.
"""

import logging

import msgspec
import numpy as np
from nats.aio.client import Client
from nats.errors import Error as NatsError

from actors.validator.backends.base import Embeddings
from actors.validator.cache import EmbeddingCache, EmbeddingKey, LruEmbeddingCache
from contracts import subjects
from contracts.codec import encode
from contracts.queries import EmbeddingRef, EmbeddingReply, StoredEmbedding

log = logging.getLogger("smartgen.validator")
TIMEOUT_S = 2.0
_reply_decoder = msgspec.json.Decoder(EmbeddingReply)


def _ref(key: EmbeddingKey) -> EmbeddingRef:
    return EmbeddingRef(asset_id=key.asset_id, backend=key.backend, model_id=key.model_id, views=key.views)


class CatalogEmbeddingCache:
    """The catalog as second level: a miss or an unreachable gallery only means computing the embedding again."""

    def __init__(self, nc: Client, memory: EmbeddingCache | None = None) -> None:
        self._nc = nc
        self._memory = memory if memory is not None else LruEmbeddingCache()

    async def get(self, key: EmbeddingKey) -> Embeddings | None:
        if (rows := await self._memory.get(key)) is not None:
            return rows
        try:
            reply = await self._nc.request(subjects.GALLERY_GET_EMBEDDING, encode(_ref(key)), timeout=TIMEOUT_S)
            stored = _reply_decoder.decode(reply.data).embedding
        except (NatsError, TimeoutError, msgspec.DecodeError) as error:
            log.warning("embedding cache lookup failed (%s); computing instead", error)
            return None
        if stored is None:
            return None
        rows = np.frombuffer(stored.data, dtype=np.float32).reshape(stored.rows, stored.dim)
        await self._memory.put(key, rows)
        return await self._memory.get(key)

    async def put(self, key: EmbeddingKey, rows: Embeddings) -> None:
        await self._memory.put(key, rows)
        matrix = np.ascontiguousarray(rows, dtype=np.float32).reshape(len(rows), -1)
        stored = StoredEmbedding(key=_ref(key), rows=matrix.shape[0], dim=matrix.shape[1], data=matrix.tobytes())
        try:
            await self._nc.request(subjects.GALLERY_PUT_EMBEDDING, encode(stored), timeout=TIMEOUT_S)
        except (NatsError, TimeoutError) as error:
            log.warning("could not persist a reference embedding (%s); it stays in memory", error)
