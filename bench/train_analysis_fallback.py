"""Fine-tune the analyzer's learned fallback (actors/analyzer/learned.py) and write actors/analyzer/learned_weights.npz.

The model is the bundled all-MiniLM-L6-v2 with low-rank updates (LoRA, rank RANK) on every linear layer of its
encoder, and one linear head per field over the mean of its token states; only the updates and the heads are trained
(cross-entropy summed over the four fields, AdamW, a short warm-up then a linear decay), and only they are saved.

Data: every split of tests/data/prompts.tsv but blind12, which is never read here: it stays the honest measure of
writers nobody has tuned for (bench/analysis_accuracy.py reports it). Training runs twice:
1. on every training split but VALIDATION (blind8, two writers the rules were never tuned on either), to choose,
   per field, when a head may overrule the rules: the gate (rule readings at least this confident stand) and the
   threshold (the head's top probability must reach it), the pair that reads VALIDATION best together with the
   rules, preferring the more cautious pair (lower gate, higher threshold) unless a bolder one reads at least
   MARGIN more prompts right;
2. on every training split, VALIDATION included, with those gates and thresholds: the weights that ship.
Validation is a group of writers, not a random sample of prompts, because the fallback exists for writers it has
not seen: random folds share writers between training and held-out prompts and promise more than new writers get.

Deterministic for a given machine and thread count (seeded initialisation and order, fixed torch threads); about a
quarter of an hour on two CPU cores.

    .venv/bin/python bench/train_analysis_fallback.py [--out PATH] [--epochs N]
"""

import argparse
import math
import os
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch
import transformers

from actors.analyzer.analyze import FIELDS, analyze
from actors.analyzer.embedding import MAX_TOKENS, bundled_model_path, mean_pool
from actors.analyzer.learned import NULL_LABEL, WEIGHTS_PATH, FallbackWeights, FieldModel, combine, save_weights
from contracts.model import FieldReading

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "prompts.tsv"
HELD_OUT = ("blind12",)
VALIDATION = "blind8"
CLASSES: dict[str, tuple[str, ...]] = {
    "shotType": (NULL_LABEL, "close-up", "medium", "full-body", "wide"),
    "angle": (NULL_LABEL, "front", "side", "back", "45-degree"),
    "mood": ("neutral", "action", "calm", "dramatic"),
    "setting": ("neutral", "outdoor", "indoor", "studio"),
}
RANK = 8
ALPHA = 16.0  # the LoRA scale is ALPHA / RANK
LEARNING_RATE = 1e-3
BATCH = 32
EPOCHS = 4
WARM_UP_STEPS = 30
SEED = 0
THREADS = 2
# Rule readings: silent 0, a single weak cue 0.5, an explicit or synonym cue 0.8 or more, corroborated up to 1.
GATES = (0.6, 0.85, 1.01)
THRESHOLDS = (0.9, 0.8, 0.7, 0.6, 0.5, 0.4)
MARGIN = 2  # prompts


@dataclass(frozen=True, slots=True)
class _Row:
    split: str
    prompt: str
    labels: dict[str, str]  # null shot type and angle as NULL_LABEL


def load_training_prompts(path: Path = DATA) -> list[_Row]:
    """The training rows of the labelled set (same format as bench/analysis_accuracy.py reads); held-out rows are
    skipped before their labels are even parsed."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    header = lines[0].split("\t")
    rows: list[_Row] = []
    for line in lines[1:]:
        cells = dict(zip(header, line.split("\t"), strict=True))
        if cells["split"] not in HELD_OUT:
            rows.append(_Row(cells["split"], cells["prompt"], {name: cells[name] for name in FIELDS}))
    return rows


class LowRankUpdate(torch.nn.Module):
    """A frozen linear layer plus a trainable update `up @ down`, scaled: the training form of an adapter entry."""

    def __init__(self, base: torch.nn.Linear, rank: int, generator: torch.Generator) -> None:
        super().__init__()
        self.base = base
        self.scale = ALPHA / rank
        bound = 1 / math.sqrt(base.in_features)
        self.down = torch.nn.Parameter((torch.rand(rank, base.in_features, generator=generator) * 2 - 1) * bound)
        self.up = torch.nn.Parameter(torch.zeros(base.out_features, rank))  # starts as the unchanged model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        updated: torch.Tensor = self.base(x) + (x @ self.down.T @ self.up.T) * self.scale
        return updated

    def exported(self) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        return self.down.detach().numpy().copy(), (self.up.detach() * self.scale).numpy().copy()


@dataclass
class _Model:
    tokenizer: transformers.PreTrainedTokenizerBase
    encoder: torch.nn.Module
    updates: dict[str, LowRankUpdate]
    heads: dict[str, torch.nn.Linear]

    def pooled(self, prompts: Sequence[str]) -> torch.Tensor:
        batch = self.tokenizer(list(prompts), padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt")
        pooled: torch.Tensor = mean_pool(self.encoder(**batch).last_hidden_state, batch["attention_mask"])
        return pooled

    def probabilities(self, prompts: Sequence[str]) -> dict[str, NDArray[np.float64]]:
        self.encoder.eval()
        parts: dict[str, list[NDArray[np.float64]]] = {name: [] for name in FIELDS}
        with torch.inference_mode():
            for start in range(0, len(prompts), 64):
                vectors = self.pooled(prompts[start : start + 64])
                for name in FIELDS:
                    parts[name].append(torch.softmax(self.heads[name](vectors), dim=-1).double().numpy())
        return {name: np.concatenate(chunks) for name, chunks in parts.items()}


def _attach_updates(encoder: torch.nn.Module, generator: torch.Generator) -> dict[str, LowRankUpdate]:
    """Wrap every linear layer of the transformer's encoder blocks (attention and feed-forward) in an update."""
    updates: dict[str, LowRankUpdate] = {}
    for path, module in list(encoder.named_modules()):
        for name, child in list(module.named_children()):
            full = f"{path}.{name}" if path else name
            if isinstance(child, torch.nn.Linear) and full.startswith("encoder.layer."):
                update = LowRankUpdate(child, RANK, generator)
                setattr(module, name, update)
                updates[full] = update
    return updates


def fine_tune(rows: Sequence[_Row], epochs: int) -> _Model:
    torch.manual_seed(SEED)
    generator = torch.Generator().manual_seed(SEED)
    path = str(bundled_model_path())
    tokenizer = transformers.AutoTokenizer.from_pretrained(path, local_files_only=True)
    encoder = transformers.AutoModel.from_pretrained(path, local_files_only=True)
    for parameter in encoder.parameters():
        parameter.requires_grad = False
    updates = _attach_updates(encoder, generator)
    width = int(encoder.config.hidden_size)
    heads = {name: torch.nn.Linear(width, len(CLASSES[name])) for name in FIELDS}
    model = _Model(tokenizer, encoder, updates, heads)
    trained = [p for update in updates.values() for p in (update.down, update.up)]
    trained += [p for head in heads.values() for p in head.parameters()]
    optimiser = torch.optim.AdamW(trained, lr=LEARNING_RATE, weight_decay=0.01)
    steps = epochs * math.ceil(len(rows) / BATCH)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min(1.0, (step + 1) / WARM_UP_STEPS) * max(0.0, 1 - step / steps)
    )
    order = list(rows)
    shuffler = random.Random(SEED)
    started = time.perf_counter()
    for epoch in range(epochs):
        encoder.train()
        shuffler.shuffle(order)
        total = 0.0
        for start in range(0, len(order), BATCH):
            batch = order[start : start + BATCH]
            vectors = model.pooled([row.prompt for row in batch])
            loss = sum(
                torch.nn.functional.cross_entropy(
                    heads[name](vectors), torch.tensor([CLASSES[name].index(row.labels[name]) for row in batch])
                )
                for name in FIELDS
            )
            optimiser.zero_grad()
            loss.backward()  # type: ignore[union-attr]
            optimiser.step()
            schedule.step()
            total += float(loss.detach()) * len(batch)  # type: ignore[union-attr]
        print(
            f"  epoch {epoch + 1}/{epochs}: loss {total / len(order):.3f} ({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
    return model


def _label(reading: FieldReading) -> str:
    return reading.value if reading.value is not None else NULL_LABEL


def _choose(
    name: str, rules: Sequence[FieldReading], probabilities: NDArray[np.float64], labels: Sequence[str]
) -> tuple[float, float, int]:
    """The field's (gate, threshold) and how many validation prompts the rules plus the head read right with it."""
    candidates: list[tuple[int, float, float]] = []
    for gate in GATES:
        for threshold in THRESHOLDS:  # most cautious first
            probe = FieldModel(CLASSES[name], np.zeros((0, 0), np.float32), np.zeros(0, np.float32), gate, threshold)
            right = sum(
                _label(combine(reading, probe, row)) == label
                for reading, row, label in zip(rules, probabilities, labels, strict=True)
            )
            candidates.append((right, gate, threshold))
    best = max(right for right, _, _ in candidates)
    right, gate, threshold = next(c for c in candidates if c[0] >= best - MARGIN + 1)
    return gate, threshold, right


def _export(model: _Model, gates: dict[str, tuple[float, float]]) -> FallbackWeights:
    models = {
        name: FieldModel(
            classes=CLASSES[name],
            coef=model.heads[name].weight.detach().numpy().astype(np.float32),
            intercept=model.heads[name].bias.detach().numpy().astype(np.float32),
            gate=gates[name][0],
            threshold=gates[name][1],
        )
        for name in FIELDS
    }
    adapter = {path: update.exported() for path, update in model.updates.items()}
    return FallbackWeights(models, adapter, normalise=False)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=WEIGHTS_PATH)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    args = parser.parse_args(argv)
    torch.set_num_threads(THREADS)
    transformers.utils.logging.set_verbosity_error()  # type: ignore[no-untyped-call]
    transformers.utils.logging.disable_progress_bar()  # type: ignore[no-untyped-call]

    rows = load_training_prompts()
    validation = [row for row in rows if row.split == VALIDATION]
    print(f"{len(rows)} training prompts (every split but {', '.join(HELD_OUT)}); validation: {VALIDATION}")
    print(f"1. fine-tuning on {len(rows) - len(validation)} prompts, {VALIDATION} left out")
    first = fine_tune([row for row in rows if row.split != VALIDATION], args.epochs)
    probabilities = first.probabilities([row.prompt for row in validation])
    rule_readings = [analyze(row.prompt).readings for row in validation]
    gates: dict[str, tuple[float, float]] = {}
    for name in FIELDS:
        labels = [row.labels[name] for row in validation]
        rules = [readings[name] for readings in rule_readings]
        alone = sum(CLASSES[name][k] == label for k, label in zip(probabilities[name].argmax(1), labels, strict=True))
        rules_right = sum(_label(reading) == label for reading, label in zip(rules, labels, strict=True))
        gate, threshold, right = _choose(name, rules, probabilities[name], labels)
        gates[name] = (gate, threshold)
        print(
            f"  {name}: on {VALIDATION}, rules {rules_right / len(validation):.1%}, head alone "
            f"{alone / len(validation):.1%}, rules + head {right / len(validation):.1%} (gate {gate}, "
            f"threshold {threshold})"
        )
    print(f"2. fine-tuning on all {len(rows)} training prompts")
    final = fine_tune(rows, args.epochs)
    save_weights(args.out, _export(final, gates))
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
