"""What a consistency backend must offer: embeddings of images and a calibration of their similarity."""

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt
from PIL import Image

from actors.validator.calibration import Calibration

Embeddings = npt.NDArray[np.float32]


class BackendUnavailable(RuntimeError):
    """A configured backend cannot run (weights or packages missing); the message says what to do about it."""


class Embedder(Protocol):
    """Turns images into comparable vectors; cosine similarity of two rows says how alike the subjects are.

    `embed` is synchronous and may be slow (a model forward pass): callers run it off the event loop. It must be
    safe to call from one worker thread at a time; `max_batch` says how many images one call should take (1: the
    backend gains nothing from batching, so callers may run single images in parallel instead).
    """

    name: str  # backend name, e.g. "classical"
    model_id: str  # what exactly produced the vectors (model or descriptor version), for reports and cache keys
    calibration: Calibration  # cosine -> 0-100, documented where the backend is defined
    max_batch: int

    def embed(self, images: Sequence[Image.Image]) -> Embeddings:
        """One L2-normalised float32 row per image, in order; shape (len(images), dim)."""
        ...

    def calibrate(self, cosine: float) -> float:
        """Map a cosine similarity between two rows to a 0-100 consistency score (monotone, clipped)."""
        ...
