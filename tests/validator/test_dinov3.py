"""The dinov3 backend, loaded through the same factory and code path as real weights, from a tiny random model."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from actors.validator.backends import BackendUnavailable, build_embedder
from actors.validator.backends.base import Embedder
from ops.demo_art import draw_view
from tests.validator.conftest import TINY_DIM, TINY_SIZE, noise_image

pytest.importorskip("torch")
pytest.importorskip("transformers")


@pytest.fixture(scope="module")
def embedder(tiny_dinov3: Path) -> Embedder:
    return build_embedder("dinov3", str(tiny_dinov3))


@pytest.fixture(scope="module")
def images() -> list[Image.Image]:
    return [draw_view("front", "full-body", 128), draw_view("side", "close-up", 96), noise_image(1, 80)]


def test_the_factory_builds_a_dinov3_embedder_named_in_reports(embedder: Embedder, tiny_dinov3: Path) -> None:
    assert embedder.name == "dinov3"
    assert embedder.model_id.startswith(f"dinov3_vit:{tiny_dinov3.name}:{TINY_SIZE}px:")
    assert embedder.max_batch > 1
    assert embedder.calibration.pass_cosine == pytest.approx(0.65)


def test_rows_are_float32_unit_vectors_one_per_image(embedder: Embedder, images: list[Image.Image]) -> None:
    rows = embedder.embed(images)
    assert rows.shape == (len(images), TINY_DIM)
    assert rows.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)
    assert embedder.embed([]).shape == (0, TINY_DIM)


def test_a_batch_embeds_like_one_image_at_a_time(embedder: Embedder, images: list[Image.Image]) -> None:
    batch = embedder.embed(images)
    one_by_one = np.concatenate([embedder.embed([image]) for image in images])
    np.testing.assert_allclose(batch, one_by_one, atol=1e-5)


def test_embeddings_repeat_and_tell_images_apart(embedder: Embedder, images: list[Image.Image]) -> None:
    first, again = embedder.embed(images[:1]), embedder.embed(images[:1])
    np.testing.assert_array_equal(first, again)
    rows = embedder.embed(images)
    assert float(rows[0] @ rows[2]) < 0.9999


def test_preprocessing_resizes_and_normalises_with_imagenet_statistics(embedder: Embedder) -> None:
    from actors.validator.backends.dinov3 import IMAGENET_MEAN, IMAGENET_STD, Dinov3Embedder

    assert isinstance(embedder, Dinov3Embedder)
    grey = Image.new("RGB", (300, 120), (128, 64, 255))
    pixels = embedder.preprocess([grey, grey.convert("L")]).numpy()
    assert pixels.shape == (2, 3, TINY_SIZE, TINY_SIZE)
    expected = [
        (value / 255 - mean) / std for value, mean, std in zip((128, 64, 255), IMAGENET_MEAN, IMAGENET_STD, strict=True)
    ]
    np.testing.assert_allclose(pixels[0].mean(axis=(1, 2)), expected, atol=1e-5)
    # A greyscale image becomes three equal channels before normalisation.
    restored = pixels[1] * np.array(IMAGENET_STD)[:, None, None] + np.array(IMAGENET_MEAN)[:, None, None]
    np.testing.assert_allclose(restored[0], restored[2], atol=1e-5)


def test_preprocessing_defaults_to_224_without_a_preprocessor_config(tiny_dinov3: Path, tmp_path: Path) -> None:
    bare = tmp_path / "bare"
    bare.mkdir()
    for name in ("config.json", "model.safetensors"):
        (bare / name).write_bytes((tiny_dinov3 / name).read_bytes())
    embedder = build_embedder("dinov3", str(bare))
    assert embedder.model_id.split(":")[2] == "224px"
    assert embedder.embed([noise_image(2)]).shape == (1, TINY_DIM)


@pytest.mark.parametrize(
    ("model", "words"),
    [
        pytest.param("", "none is configured", id="nothing configured"),
        pytest.param("/no/such/dinov3", "does not exist", id="missing folder"),
        pytest.param("nobody/not-a-cached-model", "could not be loaded", id="hub id not in the local cache"),
    ],
)
def test_missing_weights_fail_with_what_is_missing_and_how_to_provide_it(model: str, words: str) -> None:
    with pytest.raises(BackendUnavailable) as raised:
        build_embedder("dinov3", model)
    message = str(raised.value)
    assert words in message
    assert "SMARTGEN_DINOV3_MODEL" in message
    assert "No download is attempted" in message


def test_a_folder_without_a_config_is_reported_as_such(tmp_path: Path) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"")
    with pytest.raises(BackendUnavailable, match=r"has no config\.json"):
        build_embedder("dinov3", str(tmp_path))


def test_an_unknown_backend_is_refused_not_replaced() -> None:
    with pytest.raises(BackendUnavailable, match=r"unknown validator backend 'clip'.*classical, dinov3"):
        build_embedder("clip")
