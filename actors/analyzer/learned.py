"""Learned fallback for prompt analysis: per field, a multinomial logistic regression over the prompt's embedding.

The rules decide first (actors.analyzer.analyze). A field whose rule reading is confident (an explicit or synonym cue)
keeps it. A field the rules leave silent, or decide only on a weak cue (confidence below the field's `gate`), is
decided by the classifier instead when its top class probability reaches the field's `threshold`; otherwise the rules'
reading stands. The classes include null (shot type, angle) and "neutral" (mood, setting), so the classifier can also
say "the prompt does not ask for this".

Each classifier reads the all-MiniLM-L6-v2 embedding of the whole prompt (actors.analyzer.embedding.minilm_encoder).
The weights, gates and thresholds live in learned_weights.npz next to this module; bench/train_analysis_fallback.py
regenerates that file deterministically from every split of tests/data/prompts.tsv but blind8; each field's
threshold (and regularisation) is chosen by cross-validation leaving one group of writers out at a time, the gate is
0.6 (a single weak cue reads 0.5, an explicit or synonym cue 0.8 or more). Inference is plain numpy: scikit-learn is
needed only to train.

A classifier reading never claims more confidence than MAX_CONFIDENCE, below that of a single weak lexicon cue."""

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import msgspec
import numpy as np
from numpy.typing import NDArray

from actors.analyzer.analyze import FIELDS, analyze
from actors.analyzer.embedding import MAX_CONFIDENCE, Encoder, minilm_encoder
from contracts.model import FieldReading, PromptAnalysis

WEIGHTS_PATH: Final = Path(__file__).resolve().parent / "learned_weights.npz"
# The class label standing for "the prompt does not say" (None) in the weights file.
NULL_LABEL: Final = "null"


@dataclass(frozen=True, slots=True)
class FieldModel:
    """One field's classifier: softmax(coef @ x + intercept) over `classes`, and when it may overrule the rules."""

    classes: tuple[str, ...]
    coef: NDArray[np.float32]  # (classes, dimensions)
    intercept: NDArray[np.float32]  # (classes,)
    gate: float  # a rule reading with a cue and at least this confidence stands; 0: only silent fields are asked
    threshold: float  # the classifier decides when its top probability reaches this

    def probabilities(self, vectors: NDArray[np.float32]) -> NDArray[np.float64]:
        logits = vectors.astype(np.float64) @ self.coef.T.astype(np.float64) + self.intercept.astype(np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True), dtype=np.float64)

    def overrules(self, reading: FieldReading) -> bool:
        """Whether this classifier is asked about a field the rules read so (silent, or a weak cue)."""
        return not reading.words or reading.confidence < self.gate


def save_weights(path: Path, models: dict[str, FieldModel]) -> None:
    """Write the per-field models as plain arrays (no pickle), deterministically."""
    arrays: dict[str, NDArray[np.generic]] = {}
    for name, model in models.items():
        arrays[f"{name}.classes"] = np.array(model.classes, dtype=np.str_)
        arrays[f"{name}.coef"] = model.coef.astype(np.float32)
        arrays[f"{name}.intercept"] = model.intercept.astype(np.float32)
        arrays[f"{name}.gate"] = np.array(model.gate, dtype=np.float32)
        arrays[f"{name}.threshold"] = np.array(model.threshold, dtype=np.float32)
    with path.open("wb") as out:
        np.savez_compressed(out, allow_pickle=False, **arrays)  # type: ignore[arg-type]


def load_weights(path: Path = WEIGHTS_PATH) -> dict[str, FieldModel]:
    with np.load(path, allow_pickle=False) as data:
        return {
            name: FieldModel(
                classes=tuple(str(label) for label in data[f"{name}.classes"]),
                coef=np.asarray(data[f"{name}.coef"], dtype=np.float32),
                intercept=np.asarray(data[f"{name}.intercept"], dtype=np.float32),
                gate=float(data[f"{name}.gate"]),
                threshold=float(data[f"{name}.threshold"]),
            )
            for name in FIELDS
        }


def combine(rules: FieldReading, model: FieldModel, probabilities: NDArray[np.float64]) -> FieldReading:
    """The rules' reading, or the classifier's when it may overrule the rules and is sure enough."""
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
    """Rules first; per field, a learned classifier over the whole prompt where the rules are silent or weak."""

    def __init__(self, encoder: Encoder, models: dict[str, FieldModel]) -> None:
        self.encode = encoder
        self.models = models
        self._lock = threading.Lock()
        self._cache: dict[str, NDArray[np.float32]] = {}

    @classmethod
    def load(cls, model_path: Path | None = None, weights_path: Path = WEIGHTS_PATH) -> "LearnedFallback":
        """Load the bundled MiniLM and the saved weights (a few seconds on a CPU): do it once, off the loop."""
        return cls(minilm_encoder(model_path), load_weights(weights_path))

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

    def read(self, spans: Sequence[str], fields: Sequence[str]) -> dict[str, FieldReading]:
        """The analyze.Fallback protocol: only the unread words are known here, so they are classified together.
        `analyze` below sees the whole prompt and is the better entry point."""
        words = " ".join(span for span in spans if " " not in span)
        if not words:
            return {}
        silent = FieldReading(value=None, confidence=0.0)
        readings: dict[str, FieldReading] = {}
        for name, probabilities in self.classify(words, fields).items():
            reading = combine(silent, self.models[name], probabilities)
            if reading is not silent and reading.value is not None:
                readings[name] = reading
        return readings

    def analyze(self, prompt: str) -> PromptAnalysis:
        """The rules' analysis, with the fields they leave silent or weak decided by the classifiers."""
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
