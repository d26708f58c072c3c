"""Micro-batching: concurrent embed requests share forward passes and get exactly their own rows."""

import asyncio
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from actors.validator.backends import build_embedder
from actors.validator.backends.base import Embedder, Embeddings
from actors.validator.batching import EmbeddingBatcher
from actors.validator.calibration import Calibration
from tests.validator.conftest import noise_image


class Counting:
    """Wraps an embedder and counts forward calls (one per `embed` call) and their sizes."""

    def __init__(self, inner: Embedder, *, fail_on: int | None = None) -> None:
        self.inner = inner
        self.name = inner.name
        self.model_id = inner.model_id
        self.calibration: Calibration = inner.calibration
        self.max_batch = inner.max_batch
        self.sizes: list[int] = []
        self.fail_on = fail_on

    def embed(self, images: Sequence[Image.Image]) -> Embeddings:
        self.sizes.append(len(images))
        if self.fail_on is not None and len(self.sizes) == self.fail_on:
            raise RuntimeError("out of memory")
        return self.inner.embed(images)

    def calibrate(self, cosine: float) -> float:
        return self.inner.calibrate(cosine)


@pytest.fixture(scope="module")
def dinov3(tiny_dinov3: Path) -> Embedder:
    pytest.importorskip("torch")
    return build_embedder("dinov3", str(tiny_dinov3))


IMAGES = [noise_image(seed) for seed in range(12)]


async def test_concurrent_requests_share_forward_passes_and_match_one_by_one(dinov3: Embedder) -> None:
    counting = Counting(dinov3)
    batcher = EmbeddingBatcher(counting, max_batch=8, max_wait_s=0.02)
    rows = await asyncio.gather(*(batcher.embed([image]) for image in IMAGES))
    await batcher.aclose()
    assert sum(counting.sizes) == len(IMAGES)
    assert len(counting.sizes) < len(IMAGES), counting.sizes
    assert max(counting.sizes) <= 8
    one_by_one = np.concatenate([dinov3.embed([image]) for image in IMAGES])
    np.testing.assert_allclose(np.concatenate(rows), one_by_one, atol=1e-5)
    assert batcher.stats.forward_calls == len(counting.sizes)


async def test_a_request_of_several_images_keeps_its_order(dinov3: Embedder) -> None:
    batcher = EmbeddingBatcher(dinov3, max_batch=4)
    rows = await batcher.embed(IMAGES[:6])
    await batcher.aclose()
    np.testing.assert_allclose(rows, dinov3.embed(IMAGES[:6]), atol=1e-5)


async def test_a_lone_request_is_not_held_longer_than_the_window(dinov3: Embedder) -> None:
    batcher = EmbeddingBatcher(dinov3, max_wait_s=0.002)
    await batcher.embed(IMAGES[:1])
    loop = asyncio.get_running_loop()
    started = loop.time()
    await batcher.embed(IMAGES[1:2])
    await batcher.aclose()
    assert loop.time() - started < 0.5


async def test_a_failed_forward_pass_fails_its_callers_and_the_batcher_keeps_serving(dinov3: Embedder) -> None:
    counting = Counting(dinov3, fail_on=1)
    batcher = EmbeddingBatcher(counting, max_batch=8, max_wait_s=0.02)
    results = await asyncio.gather(*(batcher.embed([image]) for image in IMAGES[:3]), return_exceptions=True)
    assert all(isinstance(result, RuntimeError) for result in results)
    rows = await batcher.embed(IMAGES[:1])
    await batcher.aclose()
    assert rows.shape == (1, dinov3.embed(IMAGES[:1]).shape[1])


async def test_an_empty_request_needs_no_forward_pass(dinov3: Embedder) -> None:
    counting = Counting(dinov3)
    batcher = EmbeddingBatcher(counting)
    assert (await batcher.embed([])).shape[0] == 0
    assert batcher.stats.forward_calls == 0
    await batcher.aclose()
