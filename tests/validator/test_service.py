"""The Validator: reference embeddings cached per (asset, backend, model, views), one new embedding per candidate,
concurrent validations sharing work, and reports that explain themselves."""

import asyncio
from pathlib import Path

import numpy as np
import pytest

from actors.images import InvalidImage
from actors.media import AssetNotFound, MemoryMedia
from actors.validator.backends import build_embedder
from actors.validator.backends.base import Embeddings
from actors.validator.cache import EmbeddingCache, EmbeddingKey, LruEmbeddingCache
from actors.validator.service import Validator
from actors.validator.views import RECIPE
from ops.demo_art import DEMO_VIEWS, draw_other_character, draw_view
from tests.unit.test_quality import blurred
from tests.validator.conftest import RecordingEmbedder, png

SIZE = 192


async def characters(media: MemoryMedia) -> tuple[str, list[str]]:
    ids = [await media.put(png(draw_view(angle, shot, SIZE))) for _, angle, shot in DEMO_VIEWS]
    return ids[0], ids[1:]


async def test_checking_a_candidate_computes_exactly_one_new_embedding() -> None:
    media = MemoryMedia()
    master, cores = await characters(media)
    embedder = RecordingEmbedder()
    validator = Validator(embedder, media)
    first = await media.put(png(draw_view("45-degree", "close-up", SIZE)))
    await validator.validate(first, master, cores)
    references = embedder.images - 1
    assert references >= 1 + len(cores), "every reference is embedded (with its derived views) on first use"
    for angle in ("side", "back"):
        before = embedder.images
        candidate = await media.put(png(draw_view(angle, "medium", SIZE)))
        await validator.validate(candidate, master, cores)
        assert embedder.images - before == 1


async def test_the_cache_is_keyed_by_asset_backend_model_and_views() -> None:
    media = MemoryMedia()
    master, cores = await characters(media)
    cache = LruEmbeddingCache()
    validator = Validator(RecordingEmbedder(), media, cache=cache)
    await validator.validate(master, master, cores[:1])
    key = EmbeddingKey(master, "classical", "recording", RECIPE)
    rows = await cache.get(key)
    assert rows is not None
    assert rows.ndim == 2 and rows.shape[0] >= 1
    assert await cache.get(EmbeddingKey(master, "classical", "another-model", RECIPE)) is None
    assert len(cache) == 2


async def test_concurrent_validations_compute_a_shared_reference_once() -> None:
    media = MemoryMedia()
    master, cores = await characters(media)
    embedder = RecordingEmbedder()
    validator = Validator(embedder, media)
    candidates = [await media.put(png(draw_view(angle, "full-body", SIZE))) for angle in ("side", "back", "45-degree")]
    await asyncio.gather(*(validator.validate(c, master, cores[:2]) for c in candidates))
    single = RecordingEmbedder()
    await Validator(single, media).validate(candidates[0], master, cores[:2])
    assert embedder.images == single.images + len(candidates) - 1


class DictCache:
    """A stand-in for a catalog-backed cache: the Protocol, recording what goes through it."""

    def __init__(self) -> None:
        self.rows: dict[EmbeddingKey, Embeddings] = {}
        self.gets: list[EmbeddingKey] = []

    async def get(self, key: EmbeddingKey) -> Embeddings | None:
        self.gets.append(key)
        return self.rows.get(key)

    async def put(self, key: EmbeddingKey, rows: Embeddings) -> None:
        self.rows[key] = rows


async def test_another_cache_plugs_in_through_the_protocol() -> None:
    media = MemoryMedia()
    master, cores = await characters(media)
    cache = DictCache()
    typed: EmbeddingCache = cache
    embedder = RecordingEmbedder()
    await Validator(embedder, media, cache=typed).validate(master, master, cores)
    assert {key.asset_id for key in cache.rows} == {master, *cores}
    # A new process with the same persistent cache computes only the candidate.
    fresh = RecordingEmbedder()
    await Validator(fresh, media, cache=typed).validate(cores[0], master, cores)
    assert fresh.images == 1


async def test_a_lru_cache_evicts_the_least_recently_used_and_hands_out_read_only_rows() -> None:
    cache = LruEmbeddingCache(capacity=2)
    keys = [EmbeddingKey(str(i), "b", "m", "v") for i in range(3)]
    await cache.put(keys[0], np.ones((1, 2), np.float32))
    await cache.put(keys[1], np.ones((1, 2), np.float32))
    assert await cache.get(keys[0]) is not None  # 0 is now the most recent
    await cache.put(keys[2], np.ones((1, 2), np.float32))
    assert await cache.get(keys[1]) is None
    rows = await cache.get(keys[0])
    assert rows is not None
    with pytest.raises(ValueError, match="read-only"):
        rows[0, 0] = 5.0


async def test_the_report_names_the_backend_and_explains_both_scores() -> None:
    media = MemoryMedia()
    master, cores = await characters(media)
    validator = Validator(RecordingEmbedder(), media)
    good = await media.put(png(draw_view("front", "close-up", SIZE)))
    report, elapsed = await validator.validate(good, master, cores)
    assert report.backend == "classical"
    assert report.consistency_score >= 80
    assert {"master", "masterCosine", "masterView", "cosine", "bestCore", "spread", "passCosine"} <= set(
        report.consistency_parts
    )
    assert set(report.quality_parts) == {"sharpness", "exposure", "contrast", "noise", "artifacts", "resolution"}
    assert elapsed > 0
    stranger = await media.put(png(draw_other_character(SIZE)))
    low, _ = await validator.validate(stranger, master, cores)
    assert low.consistency_score < 60
    assert "poor consistency" in low.notes


async def test_the_notes_say_which_quality_part_failed_in_words() -> None:
    media = MemoryMedia()
    master, cores = await characters(media)
    blurry = await media.put(png(blurred(draw_view("front", "full-body", 384), 4)))
    report, _ = await Validator(RecordingEmbedder(), media).validate(blurry, master, cores)
    assert report.quality_score < 70
    assert "the image is blurry (sharpness" in report.notes


async def test_missing_and_broken_images_raise_what_the_router_reports() -> None:
    media = MemoryMedia()
    master, cores = await characters(media)
    validator = Validator(RecordingEmbedder(), media)
    with pytest.raises(AssetNotFound):
        await validator.validate("0" * 64, master, cores)
    broken = await media.put(b"not an image")
    with pytest.raises(InvalidImage):
        await validator.validate(broken, master, cores)
    with pytest.raises(InvalidImage):  # a broken reference is not cached as if it had worked
        await validator.validate(master, broken, cores)


async def test_the_dinov3_backend_validates_through_the_batcher(tiny_dinov3: Path) -> None:
    pytest.importorskip("torch")
    media = MemoryMedia()
    master, cores = await characters(media)
    validator = Validator(build_embedder("dinov3", str(tiny_dinov3)), media, max_wait_s=0.02)
    assert validator.batcher is not None
    candidates = [await media.put(png(draw_view(a, "medium", SIZE))) for a in ("front", "side", "back", "45-degree")]
    reports = await asyncio.gather(*(validator.validate(c, master, cores) for c in candidates))
    stats = validator.batcher.stats
    await validator.aclose()
    assert all(report.backend == "dinov3" for report, _ in reports)
    assert all(0 <= report.consistency_score <= 100 for report, _ in reports)
    assert stats.forward_calls < stats.images, stats.batch_sizes
