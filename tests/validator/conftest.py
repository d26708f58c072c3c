"""A tiny randomly initialised DINOv3, saved like real weights, and small helpers shared by the validator tests."""

import io
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from actors.validator.backends.base import Embeddings
from actors.validator.backends.classical import ClassicalEmbedder
from actors.validator.calibration import Calibration

TINY_SIZE = 64  # px: the tiny model's input size, written to its preprocessor_config.json
TINY_DIM = 64


def save_tiny_dinov3(folder: Path) -> Path:
    from transformers import DINOv3ViTConfig, DINOv3ViTModel

    config = DINOv3ViTConfig(
        hidden_size=TINY_DIM,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=128,
        image_size=TINY_SIZE,
        patch_size=16,
    )
    DINOv3ViTModel(config).save_pretrained(folder)
    (folder / "preprocessor_config.json").write_text(json.dumps({"size": {"height": TINY_SIZE, "width": TINY_SIZE}}))
    return folder


@pytest.fixture(scope="session")
def tiny_dinov3(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    return save_tiny_dinov3(tmp_path_factory.mktemp("weights") / "tiny-dinov3")


@pytest.fixture(autouse=True)
def offline_hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test may reach a model hub: offline mode, and an empty Hugging Face cache of its own."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


class RecordingEmbedder:
    """The classical embedder, recording every call: how many images each call embedded."""

    name = "classical"
    model_id = "recording"
    max_batch = 1

    def __init__(self, max_batch: int = 1) -> None:
        self._inner = ClassicalEmbedder()
        self.calibration: Calibration = self._inner.calibration
        self.max_batch = max_batch
        self.calls: list[int] = []

    @property
    def images(self) -> int:
        return sum(self.calls)

    def embed(self, images: Sequence[Image.Image]) -> Embeddings:
        self.calls.append(len(images))
        return self._inner.embed(images)

    def calibrate(self, cosine: float) -> float:
        return self.calibration.score(cosine)


def solid(colour: tuple[int, int, int], size: int = 96) -> Image.Image:
    return Image.new("RGB", (size, size), colour)


def noise_image(seed: int, size: int = 96) -> Image.Image:
    pixels = np.random.default_rng(seed).integers(0, 256, (size, size, 3), dtype=np.uint8)
    return Image.fromarray(pixels)
