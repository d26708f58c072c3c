"""DINOv3 through `transformers`: the class token of a self-supervised ViT, from weights on local disk.

Loading: `AutoModel.from_pretrained(model, local_files_only=True)` with HF_HUB_OFFLINE=1, where `model` is a local
directory (config.json + model.safetensors) or a hub id already in the local Hugging Face cache. Nothing is ever
downloaded at run time; when the weights are not there, BackendUnavailable says what is missing and how to get it.
The model is loaded once, in evaluation mode, when the embedder is built (in the actor's composition root).

Preprocessing is written here, because DINOv3's own image processor needs torchvision, which this stack cannot
use. It does what that processor does: RGB, resize to 224 x 224 (bilinear, antialiased), scale to 0-1, normalise
with the ImageNet mean and standard deviation. A `preprocessor_config.json` next to the weights (size, image_mean,
image_std) overrides those defaults, as it would for the official processor.

Output: `pooler_output` (the final-norm class token; for models without a pooler, the first token of the last
hidden state), L2-normalised, as float32 rows.

Calibration (cosine of two class tokens -> 0-100). Provisional: no DINOv3 weights can be fetched on the machines
this was built on, so it is anchored on published DINO class-token similarities for subject fidelity (DreamBooth,
Ruiz et al. 2023, ViT-S/16 DINO): real photographs of one subject across poses and scenes average 0.774; good
subject-driven generations 0.67-0.70; weaker ones (textual inversion) 0.57; different subjects sit lower still.
  80 means: as close to the master as a good generation of the same subject (cosine 0.65);
  90 means: as close as two real photographs of one subject (0.77);
  50 is cosine 0.53, a generation that kept the kind of subject but not its identity.
Re-fit on real weights with `bench/consistency_auc.py --backend dinov3 --model PATH`, which prints the same- and
different-subject score distributions. The character's own spread can move the 80-point down by up to 0.10.
"""

import hashlib
import json
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
from PIL import Image

from actors.validator.backends.base import BackendUnavailable, Embeddings
from actors.validator.calibration import Calibration

if TYPE_CHECKING:
    import torch

NAME: Final = "dinov3"
IMAGENET_MEAN: Final = (0.485, 0.456, 0.406)
IMAGENET_STD: Final = (0.229, 0.224, 0.225)
DEFAULT_SIZE: Final = 224
DEFAULT_MAX_BATCH: Final = 16
FINGERPRINT_BYTES: Final = 1 << 20

CALIBRATION: Final = Calibration(
    points=((0.30, 0.0), (0.45, 30.0), (0.53, 50.0), (0.65, 80.0), (0.77, 90.0), (0.95, 100.0)),
    max_spread_shift=0.10,
)

HOW_TO_PROVIDE: Final = (
    "Set SMARTGEN_DINOV3_MODEL to a local directory holding config.json and model.safetensors of a DINOv3 model "
    "(for example facebook/dinov3-vits16-pretrain-lvd1689m; the weights are gated: accept Meta's licence on the "
    "Hugging Face hub, then on a machine with internet run `hf download facebook/dinov3-vits16-pretrain-lvd1689m "
    "--local-dir models/dinov3-vits16` and copy that folder here), or to a hub id already in the local Hugging Face "
    "cache (HF_HOME). No download is attempted at run time. Or choose SMARTGEN_VALIDATOR=classical, which needs no "
    "weights."
)


class Dinov3Embedder:
    """Class-token embeddings of a DINOv3 ViT, computed in fp32 on CPU (or on `device`)."""

    name: str = NAME
    calibration: Calibration = CALIBRATION

    def __init__(self, model: str, *, device: str | None = None, max_batch: int = DEFAULT_MAX_BATCH) -> None:
        if not model:
            raise BackendUnavailable(f"the dinov3 backend needs a model, and none is configured. {HOW_TO_PROVIDE}")
        torch, auto_model = _import_stack()
        self._torch = torch
        self.max_batch = max_batch
        # Every torch call (loading included) runs on this one thread: torch keeps an intra-op thread pool per
        # calling thread, and two pools spinning on the same cores cost about a quarter of the throughput.
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dinov3")
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self._model = self._thread.submit(_load_model, auto_model, model, self.device).result()
        size, mean, std = _preprocessing(model)
        self.image_size = size
        self._mean = np.asarray(mean, np.float32).reshape(1, 1, 3)
        self._std = np.asarray(std, np.float32).reshape(1, 1, 3)
        config = self._model.config
        self.model_id = f"{getattr(config, 'model_type', 'model')}:{_model_label(model)}:{size}px"
        self.fingerprint = _fingerprint(model)
        if self.fingerprint:
            self.model_id += f":{self.fingerprint}"
        self.dim = int(config.hidden_size)

    def preprocess(self, images: Sequence[Image.Image]) -> "torch.Tensor":
        """(n, 3, size, size) float32: resized, scaled to 0-1, normalised with the ImageNet mean and std."""
        side = self.image_size
        batch = np.empty((len(images), 3, side, side), np.float32)
        for i, image in enumerate(images):
            resized = image.convert("RGB").resize((side, side), Image.Resampling.BILINEAR, reducing_gap=None)
            pixels = np.asarray(resized, np.float32) / 255.0
            batch[i] = ((pixels - self._mean) / self._std).transpose(2, 0, 1)
        tensor: torch.Tensor = self._torch.from_numpy(batch)
        return tensor

    def forward(self, pixel_values: "torch.Tensor") -> Embeddings:
        """The raw model step: normalised class tokens for a preprocessed batch (on the model's thread)."""
        return self._thread.submit(self._forward, pixel_values).result()

    def embed(self, images: Sequence[Image.Image]) -> Embeddings:
        if not images:
            return np.zeros((0, self.dim), np.float32)
        return self.forward(self.preprocess(images))

    def close(self) -> None:
        self._thread.shutdown(wait=True)

    def _forward(self, pixel_values: "torch.Tensor") -> Embeddings:
        torch = self._torch
        with torch.inference_mode():
            outputs = self._model(pixel_values=pixel_values.to(self.device))
            pooled = getattr(outputs, "pooler_output", None)
            tokens = pooled if pooled is not None else outputs.last_hidden_state[:, 0]
            rows = torch.nn.functional.normalize(tokens.float(), dim=-1)
        return np.asarray(rows.cpu().numpy(), np.float32)

    def calibrate(self, cosine: float) -> float:
        return self.calibration.score(cosine)


def _import_stack() -> tuple[Any, Any]:
    # Set before transformers (and huggingface_hub) read it; local_files_only below covers an earlier import too.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        import torch
        from transformers import AutoModel
    except ImportError as error:
        raise BackendUnavailable(
            f"the dinov3 backend needs torch and transformers ({error}). Install them with "
            "`pip install torch==2.13.0` first (the CPU build), then `pip install -e '.[dinov3]'`."
        ) from error
    return torch, AutoModel


def _load_model(auto_model: Any, model: str, device: str) -> Any:
    path = Path(model).expanduser()
    looks_local = path.is_absolute() or model.startswith((".", "~")) or path.exists()
    if looks_local and not (path / "config.json").is_file():
        what = "does not exist" if not path.exists() else "has no config.json"
        raise BackendUnavailable(f"DINOv3 weights not found: '{model}' {what}. {HOW_TO_PROVIDE}")
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # noise in an actor's log
    try:
        loaded = auto_model.from_pretrained(str(path) if looks_local else model, local_files_only=True)
    except (OSError, ValueError) as error:
        raise BackendUnavailable(
            f"DINOv3 weights for '{model}' could not be loaded ({error}). {HOW_TO_PROVIDE}"
        ) from error
    return loaded.to(device).eval()


def _preprocessing(model: str) -> tuple[int, tuple[float, ...], tuple[float, ...]]:
    """(size, mean, std) from preprocessor_config.json beside local weights, else DINOv3's defaults."""
    config_path = Path(model).expanduser() / "preprocessor_config.json"
    if not config_path.is_file():
        return DEFAULT_SIZE, IMAGENET_MEAN, IMAGENET_STD
    config = json.loads(config_path.read_text())
    size_field = config.get("size", DEFAULT_SIZE)
    if isinstance(size_field, dict):
        size = int(size_field.get("height") or size_field.get("shortest_edge") or DEFAULT_SIZE)
    else:
        size = int(size_field)
    mean = tuple(float(v) for v in config.get("image_mean", IMAGENET_MEAN))
    std = tuple(float(v) for v in config.get("image_std", IMAGENET_STD))
    return size, mean, std


def _fingerprint(model: str) -> str:
    """12 hex digits identifying local weights (config plus the first and last MiB of each weights file), or ""."""
    path = Path(model).expanduser()
    if not path.is_dir():
        return ""
    digest = hashlib.sha256((path / "config.json").read_bytes())
    for weights in sorted(path.glob("*.safetensors")) + sorted(path.glob("*.bin")):
        size = weights.stat().st_size
        digest.update(f"{weights.name}:{size}".encode())
        with weights.open("rb") as handle:
            digest.update(handle.read(FINGERPRINT_BYTES))
            handle.seek(max(0, size - FINGERPRINT_BYTES))
            digest.update(handle.read(FINGERPRINT_BYTES))
    return digest.hexdigest()[:12]


def _model_label(model: str) -> str:
    """A short, stable name for reports: the hub id, or the local directory's name."""
    path = Path(model).expanduser()
    return path.name if path.exists() else model
