"""Reference embeddings live in the catalog: a fresh validator (another process, a restart) computes only the
candidate's embedding, because every reference's was stored by whichever validator computed it first."""

from collections.abc import Sequence

from PIL import Image

from actors.media import ObjectStoreMedia
from actors.validator.backends.base import Embeddings
from actors.validator.backends.classical import ClassicalEmbedder
from actors.validator.catalog_cache import CatalogEmbeddingCache
from actors.validator.service import Validator
from tests.conftest import Stack


class CountingEmbedder(ClassicalEmbedder):
    """The classical backend, counting how many images it is asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.images = 0

    def embed(self, images: Sequence[Image.Image]) -> Embeddings:
        self.images += len(images)
        return super().embed(images)


async def test_a_fresh_validator_reuses_reference_embeddings_from_the_catalog(stack: Stack) -> None:
    status, body = await stack.post_json(
        "/api/v1/characters/demo/generate-smart-image",
        {"prompt": "portrait", "qualityThreshold": 50, "consistencyThreshold": 60},
    )
    assert status == 200, body
    async with stack.http.get(f"{stack.base_url}/api/v1/characters/demo") as response:
        references = (await response.json())["data"]["references"]
    master = next(r["assetId"] for r in references if r["type"] == "master")
    cores = [r["assetId"] for r in references if r["type"] == "core_reference"]
    candidate = str(body["data"]["dinoAssetId"])  # type: ignore[index]

    media = await ObjectStoreMedia.open(stack.nc.jetstream())
    embedder = CountingEmbedder()
    fresh = Validator(embedder, media, cache=CatalogEmbeddingCache(stack.nc))  # empty memory: a new process
    report, _ = await fresh.validate(candidate, master, cores)
    await fresh.aclose()
    assert embedder.images == 1  # the candidate only; the master and cores came from the catalog
    assert report.consistency_score == body["data"]["consistencyScore"]  # type: ignore[index]


async def test_without_the_catalog_every_reference_is_computed(stack: Stack) -> None:
    """The control for the test above: the count is not 1 by accident."""
    async with stack.http.get(f"{stack.base_url}/api/v1/characters/demo") as response:
        references = (await response.json())["data"]["references"]
    master = next(r["assetId"] for r in references if r["type"] == "master")
    cores = [r["assetId"] for r in references if r["type"] == "core_reference"]
    media = await ObjectStoreMedia.open(stack.nc.jetstream())
    embedder = CountingEmbedder()
    cold = Validator(embedder, media)
    await cold.validate(cores[0], master, cores[1:])
    await cold.aclose()
    assert embedder.images > 1
