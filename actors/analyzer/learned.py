"""Learned fallback for prompt analysis: all-MiniLM-L6-v2 fine-tuned on the labelled prompts, one linear head per field.

The rules decide first (actors.analyzer.analyze). Per field, a rule reading stays when it rests on cues at least as
confident as the field's `gate`; a field the rules leave silent, or read on cues below the gate, is decided by the
field's head instead when its top class probability reaches the field's `threshold`; otherwise the rules' reading
stands. The classes include null (shot type, angle) and "neutral" (mood, setting), so a head can also say "the
prompt does not ask for this".

The heads read the mean of the token states of the bundled all-MiniLM-L6-v2 (actors.analyzer.embedding) with
low-rank updates (LoRA) to its linear layers, learned together with the heads. learned_weights.npz next to this
module holds the updates, the heads, the gates and thresholds: about a megabyte, where the model is 90 MB.
bench/train_analysis_fallback.py regenerates it from every split of tests/data/prompts.tsv but the held-out one,
choosing each field's gate and threshold on blind8 with a model that did not train on blind8 (docs/analysis.md).

A head's reading never claims more confidence than MAX_CONFIDENCE, below that of a single weak lexicon cue.
"""

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import msgspec
import numpy as np
from numpy.typing import NDArray

from actors.analyzer.analyze import FIELDS, analyze
from actors.analyzer.embedding import MAX_CONFIDENCE, Adapter, Encoder, minilm_encoder
from contracts.model import FieldReading, PromptAnalysis

WEIGHTS_PATH: Final = Path(__file__).resolve().parent / "learned_weights.npz"
# The class label standing for "the prompt does not say" (None) in the weights file.
NULL_LABEL: Final = "null"


@dataclass(frozen=True, slots=True)
class FieldModel:
    """One field's head: softmax(coef @ x + intercept) over `classes`, and when it may overrule the rules."""

    classes: tuple[str, ...]
    coef: NDArray[np.float32]  # (classes, dimensions)
    intercept: NDArray[np.float32]  # (classes,)
    gate: float  # a rule reading with cues at least this confident stands; 0: only silent fields, above 1: any
    threshold: float  # the head decides when its top probability reaches this

    def probabilities(self, vectors: NDArray[np.float32]) -> NDArray[np.float64]:
        logits = vectors.astype(np.float64) @ self.coef.T.astype(np.float64) + self.intercept.astype(np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True), dtype=np.float64)

    def overrules(self, reading: FieldReading) -> bool:
        """Whether this head is asked about a field the rules read so (silent, or on cues below the gate)."""
        return not reading.words or reading.confidence < self.gate


@dataclass(frozen=True, slots=True)
class FallbackWeights:
    """Everything the fallback learned: the encoder's low-rank updates and one head per field."""

    models: dict[str, FieldModel]
    adapter: Adapter
    normalise: bool  # whether the heads read L2-normalised sentence vectors


_ADAPTER_PREFIX: Final = "adapter."


def save_weights(path: Path, weights: FallbackWeights) -> None:
    """Write the heads and the adapter as plain arrays (no pickle), deterministically."""
    arrays: dict[str, NDArray[np.generic]] = {"encoder.normalise": np.array(weights.normalise)}
    for module, (down, up) in sorted(weights.adapter.items()):
        arrays[f"{_ADAPTER_PREFIX}{module}.down"] = np.asarray(down, dtype=np.float32)
        arrays[f"{_ADAPTER_PREFIX}{module}.up"] = np.asarray(up, dtype=np.float32)
    for name, model in weights.models.items():
        arrays[f"{name}.classes"] = np.array(model.classes, dtype=np.str_)
        arrays[f"{name}.coef"] = model.coef.astype(np.float32)
        arrays[f"{name}.intercept"] = model.intercept.astype(np.float32)
        arrays[f"{name}.gate"] = np.array(model.gate, dtype=np.float32)
        arrays[f"{name}.threshold"] = np.array(model.threshold, dtype=np.float32)
    with path.open("wb") as out:
        np.savez_compressed(out, allow_pickle=False, **arrays)  # type: ignore[arg-type]


def load_weights(path: Path = WEIGHTS_PATH) -> FallbackWeights:
    with np.load(path, allow_pickle=False) as data:
        modules = sorted(
            {key[len(_ADAPTER_PREFIX) :].rsplit(".", 1)[0] for key in data if key.startswith(_ADAPTER_PREFIX)}
        )
        adapter = {
            module: (
                np.asarray(data[f"{_ADAPTER_PREFIX}{module}.down"], dtype=np.float32),
                np.asarray(data[f"{_ADAPTER_PREFIX}{module}.up"], dtype=np.float32),
            )
            for module in modules
        }
        models = {
            name: FieldModel(
                classes=tuple(str(label) for label in data[f"{name}.classes"]),
                coef=np.asarray(data[f"{name}.coef"], dtype=np.float32),
                intercept=np.asarray(data[f"{name}.intercept"], dtype=np.float32),
                gate=float(data[f"{name}.gate"]),
                threshold=float(data[f"{name}.threshold"]),
            )
            for name in FIELDS
        }
        return FallbackWeights(models, adapter, normalise=bool(data["encoder.normalise"]))


def combine(rules: FieldReading, model: FieldModel, probabilities: NDArray[np.float64]) -> FieldReading:
    """The rules' reading, or the head's when it may overrule the rules and is sure enough."""
    if not model.overrules(rules):
        return rules
    best = int(probabilities.argmax())
    probability = float(probabilities[best])
    if probability < model.threshold:
        return rules
    value = None if model.classes[best] == NULL_LABEL else model.classes[best]
    if value == rules.value:
        return rules
    return FieldReading(value=value, confidence=round(MAX_CONFIDENCE * probability, 2))


class LearnedFallback:
    """Rules first; per field, a learned head over the whole prompt where the rules are silent or weak."""

    def __init__(self, encoder: Encoder, models: dict[str, FieldModel]) -> None:
        self.encode = encoder
        self.models = models
        self._lock = threading.Lock()
        self._cache: dict[str, NDArray[np.float32]] = {}

    @classmethod
    def load(cls, model_path: Path | None = None, weights_path: Path = WEIGHTS_PATH) -> "LearnedFallback":
        """Load the bundled MiniLM, merge the saved adapter into it, and the heads (a few seconds on a CPU): do it
        once, off the loop. `model_path`: another copy of the model the weights were trained on."""
        weights = load_weights(weights_path)
        return cls(minilm_encoder(model_path, weights.adapter, weights.normalise), weights.models)

    def _vector(self, text: str) -> NDArray[np.float32]:
        with self._lock:
            cached = self._cache.get(text)
        if cached is None:
            cached = self.encode([text])[0]
            with self._lock:
                if len(self._cache) > 4096:
                    self._cache.clear()
                self._cache[text] = cached
        return cached

    def classify(self, text: str, fields: Sequence[str] = FIELDS) -> dict[str, NDArray[np.float64]]:
        """Per field, the class probabilities for `text` (in the order of that field's `classes`)."""
        vector = self._vector(text)[None, :]
        return {name: self.models[name].probabilities(vector)[0] for name in fields}

    def analyze(self, prompt: str) -> PromptAnalysis:
        """The rules' analysis, with the fields they leave silent or weak decided by the heads."""
        rules = analyze(prompt)
        asked = [name for name in FIELDS if self.models[name].overrules(rules.readings[name])]
        if not asked:
            return rules
        readings = dict(rules.readings)
        for name, probabilities in self.classify(prompt, asked).items():
            readings[name] = combine(readings[name], self.models[name], probabilities)
        return msgspec.structs.replace(
            rules,
            shot_type=readings["shotType"].value,
            angle=readings["angle"].value,
            mood=readings["mood"].value or "neutral",
            setting=readings["setting"].value or "neutral",
            readings=readings,
        )
