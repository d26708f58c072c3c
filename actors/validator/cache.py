"""Where reference embeddings are kept between validations.

Assets are content-addressed, so an embedding can never go stale: the key only has to say which image, which
backend and model produced the rows, and which views (see views.RECIPE) they are of. The in-process LRU below is
the default; a catalog-backed cache (persisted beside the references) plugs in through the same Protocol.
"""

from collections import OrderedDict
from dataclasses import dataclass
from typing import Final, Protocol

import numpy as np

from actors.validator.backends.base import Embeddings

DEFAULT_CAPACITY: Final = 4096  # references; a ViT-S/16 reference with three views is about 5 KB


@dataclass(frozen=True, slots=True)
class EmbeddingKey:
    asset_id: str
    backend: str
    model_id: str
    views: str  # the view recipe: the rows are the whole image and the crops it names, in that order


class EmbeddingCache(Protocol):
    async def get(self, key: EmbeddingKey) -> Embeddings | None:
        """The rows stored under `key` (shape (views, dim)), or None."""
        ...

    async def put(self, key: EmbeddingKey, rows: Embeddings) -> None: ...


class LruEmbeddingCache:
    """In-process, least recently used first out; read-only copies are handed out so callers cannot corrupt it."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._rows: OrderedDict[EmbeddingKey, Embeddings] = OrderedDict()

    def __len__(self) -> int:
        return len(self._rows)

    async def get(self, key: EmbeddingKey) -> Embeddings | None:
        rows = self._rows.get(key)
        if rows is not None:
            self._rows.move_to_end(key)
        return rows

    async def put(self, key: EmbeddingKey, rows: Embeddings) -> None:
        frozen = np.array(rows, dtype=np.float32, copy=True)
        frozen.flags.writeable = False
        self._rows[key] = frozen
        self._rows.move_to_end(key)
        while len(self._rows) > self.capacity:
            self._rows.popitem(last=False)
