"""Scoring one candidate: technical quality, and consistency against the master (and core views).

Reference embeddings (every view of every reference, see views.py) are cached per (asset, backend, model, views):
assets are content-addressed, so a cached embedding can never go stale, and checking a candidate against known
references computes exactly one new embedding. Concurrent validations that need the same missing reference compute
it once. Model work runs off the event loop: a backend that gains from batching goes through the micro-batcher, so
concurrent validations share forward passes; a weight-free backend runs each call in a worker thread.
"""

import asyncio
import time
from collections.abc import Sequence

import numpy as np
from PIL import Image

from actors.images import decode_image
from actors.media import MediaStore
from actors.validator.backends.base import Embedder, Embeddings
from actors.validator.batching import DEFAULT_MAX_WAIT_S, EmbeddingBatcher
from actors.validator.cache import EmbeddingCache, EmbeddingKey, LruEmbeddingCache
from actors.validator.consistency import consistency_score
from actors.validator.notes import validation_notes
from actors.validator.quality import QualityResult, assess_quality, describe_quality, needs_mention
from actors.validator.views import RECIPE, reference_views
from contracts.model import ValidationReport


def embed_reference(embedder: Embedder, image: Image.Image) -> Embeddings:
    """The rows a reference is cached as: its whole image, then its derived views (synchronous)."""
    return embedder.embed(reference_views(image))


def build_report(
    embedder: Embedder, quality: QualityResult, candidate: Embeddings, master: Embeddings, cores: Sequence[Embeddings]
) -> ValidationReport:
    """Both scores, their parts and the notes, from a quality result and embeddings (pure; also used by the CLI)."""
    consistency, parts = consistency_score(candidate, master, list(cores) or None, embedder)
    weakest = describe_quality(quality) if needs_mention(quality) else None
    return ValidationReport(
        quality_score=float(quality.score),
        consistency_score=float(consistency),
        backend=embedder.name,
        model=embedder.model_id,
        quality_parts={k: round(v, 1) for k, v in quality.parts.items()},
        consistency_parts={k: round(v, 4) for k, v in parts.items()},
        notes=validation_notes(quality.score, consistency, weakest),
    )


class Validator:
    def __init__(
        self,
        embedder: Embedder,
        media: MediaStore,
        *,
        cache: EmbeddingCache | None = None,
        max_wait_s: float = DEFAULT_MAX_WAIT_S,
    ) -> None:
        self.embedder = embedder
        self._media = media
        self.cache: EmbeddingCache = cache if cache is not None else LruEmbeddingCache()
        self.batcher = EmbeddingBatcher(embedder, max_wait_s=max_wait_s) if embedder.max_batch > 1 else None
        self._pending: dict[EmbeddingKey, asyncio.Future[Embeddings]] = {}

    async def validate(
        self, candidate_asset_id: str, master_asset_id: str, core_asset_ids: Sequence[str]
    ) -> tuple[ValidationReport, float]:
        started = time.perf_counter()
        core_ids = [a for a in dict.fromkeys(core_asset_ids) if a != master_asset_id]
        scored, references = await asyncio.gather(
            self._score_candidate(candidate_asset_id),
            asyncio.gather(*(self._reference(asset_id) for asset_id in [master_asset_id, *core_ids])),
        )
        quality, candidate_row = scored
        master, *cores = references
        report = build_report(self.embedder, quality, candidate_row, master, cores)
        return report, (time.perf_counter() - started) * 1000

    async def aclose(self) -> None:
        if self.batcher is not None:
            await self.batcher.aclose()

    async def _image(self, asset_id: str) -> Image.Image:
        return await asyncio.to_thread(decode_image, await self._media.get(asset_id))

    async def _embed(self, images: Sequence[Image.Image]) -> Embeddings:
        if self.batcher is not None:
            return await self.batcher.embed(images)
        return await asyncio.to_thread(self.embedder.embed, images)

    async def _score_candidate(self, asset_id: str) -> tuple[QualityResult, Embeddings]:
        image = await self._image(asset_id)
        quality, rows = await asyncio.gather(asyncio.to_thread(assess_quality, image), self._embed([image]))
        return quality, rows[0]

    def _key(self, asset_id: str) -> EmbeddingKey:
        return EmbeddingKey(asset_id, self.embedder.name, self.embedder.model_id, RECIPE)

    async def _reference(self, asset_id: str) -> Embeddings:
        """The reference's view rows: from the cache, from a computation already under way, or computed now."""
        key = self._key(asset_id)
        cached = await self.cache.get(key)
        if cached is not None:
            return cached
        pending = self._pending.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Embeddings] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            image = await self._image(asset_id)
            crops = await asyncio.to_thread(reference_views, image)
            rows = np.asarray(await self._embed(crops), np.float32)
            await self.cache.put(key, rows)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as error:
            future.set_exception(error)
            future.exception()  # retrieved here, so an unawaited failure is not logged as lost
            raise
        finally:
            del self._pending[key]
        future.set_result(rows)
        return rows
