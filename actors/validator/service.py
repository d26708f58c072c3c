"""Scoring one candidate: technical quality, and consistency against the master (and core views).

Reference embeddings are cached per (asset, backend, model): assets are content-addressed, so a cached
embedding can never go stale, and checking a candidate computes exactly one new embedding.
"""

import asyncio
import time
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
from PIL import Image

from actors.images import decode_image
from actors.media import MediaStore
from actors.validator.backends.base import Embedder
from actors.validator.consistency import consistency_score
from actors.validator.notes import validation_notes
from actors.validator.quality import QualityResult, assess_quality, describe_quality
from contracts.model import ValidationReport

CACHE_SIZE = 4096


class Validator:
    def __init__(self, embedder: Embedder, media: MediaStore) -> None:
        self.embedder = embedder
        self._media = media
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = asyncio.Lock()

    async def _image(self, asset_id: str) -> Image.Image:
        return await asyncio.to_thread(decode_image, await self._media.get(asset_id))

    async def _reference_embeddings(self, asset_ids: Sequence[str]) -> np.ndarray:
        missing = [a for a in dict.fromkeys(asset_ids) if a not in self._cache]
        if missing:
            images = [await self._image(a) for a in missing]
            rows = await asyncio.to_thread(self.embedder.embed, images)
            for asset_id, row in zip(missing, rows, strict=True):
                self._cache[asset_id] = row
                if len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        return np.stack([self._cache[a] for a in asset_ids])

    async def validate(
        self, candidate_asset_id: str, master_asset_id: str, core_asset_ids: Sequence[str]
    ) -> tuple[ValidationReport, float]:
        started = time.perf_counter()
        candidate = await self._image(candidate_asset_id)
        quality, candidate_row = await asyncio.to_thread(self._score_candidate, candidate)
        references = await self._reference_embeddings([master_asset_id, *core_asset_ids])
        cores = references[1:] if len(core_asset_ids) else None
        consistency, parts = consistency_score(candidate_row, references[0], cores, self.embedder)
        weakest = describe_quality(quality, 70) if quality.score < 70 else None
        report = ValidationReport(
            quality_score=float(quality.score),
            consistency_score=float(consistency),
            backend=self.embedder.name,
            quality_parts={k: round(v, 1) for k, v in quality.parts.items()},
            consistency_parts={k: round(v, 4) for k, v in parts.items()},
            notes=validation_notes(quality.score, consistency, weakest),
        )
        return report, (time.perf_counter() - started) * 1000

    def _score_candidate(self, image: Image.Image) -> tuple[QualityResult, np.ndarray]:
        return assess_quality(image), self.embedder.embed([image])[0]
