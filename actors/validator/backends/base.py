"""What a consistency backend must offer: embeddings of images and a calibration of their similarity."""

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt
from PIL import Image

Embeddings = npt.NDArray[np.float32]


class Embedder(Protocol):
    """Turns images into comparable vectors; cosine similarity of two rows says how alike the subjects are."""

    name: str  # backend name, e.g. "classical"
    model_id: str  # what exactly produced the vectors (model or descriptor version), for reports

    def embed(self, images: Sequence[Image.Image]) -> Embeddings:
        """One L2-normalised float32 row per image, in order; shape (len(images), dim)."""
        ...

    def calibrate(self, cosine: float) -> float:
        """Map a cosine similarity between two rows to a 0-100 consistency score (monotone, clipped)."""
        ...
