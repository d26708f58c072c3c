"""Same-subject vs different-subject separation of the consistency score, per backend, on images made offline.

Sets (all built here, no downloads):
- "drawn": the demo character Nova (ops/demo_art.py) and four characters drawn with the same body in other palettes
  (tests/unit/drawings.py: three with other hair, jacket and trousers, and "twin", who shares Nova's teal jacket),
  plus Bram (draw_other_character, a different body). Each of the five turnaround characters has Nova's five
  reference views (master: front full body; cores: side, back, 45-degree medium, front close-up). Candidates are
  rendered by the `local` engine (actors/generator/engines/local_render.py) from each character's references into
  every shot x mood x setting, with a cycling reference, angle (mirroring), seed and strength. Each candidate is
  scored against every character's references; same character = positive.
- "photos": scikit-image's bundled photographs (when it is installed): each photo is a master; the same subject is
  its crops (close-up, medium), mirror, colour grade, darker/brighter exposure and a wide shot on a new backdrop
  (and the other view of the stereo motorcycle pair); other photos' variants are negatives. This is a weak proxy
  for pose changes: scikit-image ships no second photograph of the same subject except the stereo pair.

Scoring modes, side by side in one run (the baselines):
- "master only": calibrated cosine to the master's whole image (the validator before views, cores and spread);
- "master+cores": plus the half-way lift from the best core reference (the validator before views and spread);
- "validator": the validator's scoring (views of every reference, cores, spread): what the actor reports.
A "colour histogram" backend (a plain whole-image RGB histogram, no subject isolation) is the floor to beat.

Usage: python -m bench.consistency_auc [--backend classical|dinov3|dinov3-random|histogram ...] [--model PATH]
       [--size 256] [--set drawn --set photos]
"dinov3-random" builds a tiny randomly initialised DINOv3 and loads it through the real factory: a code-path check
only; random weights say nothing about DINOv3 (see ../shared/ENVIRONMENT.md).
"""

import argparse
import itertools
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageOps

from actors.generator.engines.local_render import render
from actors.validator.backends import build_embedder
from actors.validator.backends.base import Embedder, Embeddings
from actors.validator.calibration import Calibration
from actors.validator.consistency import consistency_score
from actors.validator.service import embed_reference
from contracts.model import ANGLES, MOODS, SETTINGS, SHOT_TYPES, GenerationParams, PromptAnalysis
from ops.demo_art import DEMO_VIEWS, draw_other_character
from tests.unit.drawings import CHARACTER_PALETTES, draw_character, graded, real_photos, stereo_motorcycle

MODES = ("master only", "master+cores", "validator")


@dataclass
class Character:
    name: str
    references: list[Image.Image]  # master first


@dataclass
class Candidate:
    subject: str
    condition: str  # e.g. "close-up/outdoor/calm" or "mirrored"
    image: Image.Image


@dataclass
class Pair:
    same: bool
    negative_kind: str
    condition: str
    scores: dict[str, float]


# --- Sets ---


def drawn_set(size: int) -> tuple[list[Character], list[Candidate]]:
    names = ["nova", *CHARACTER_PALETTES]
    characters = [Character(n, [draw_character(n, a, s, size) for _, a, s in DEMO_VIEWS]) for n in names]
    characters.append(Character("bram", [draw_other_character(size)]))
    candidates: list[Candidate] = []
    for character in characters:
        combos = itertools.product(SHOT_TYPES, SETTINGS, MOODS)
        for i, (shot, setting, mood) in enumerate(combos):
            reference = character.references[i % len(character.references)]
            analysis = PromptAnalysis(
                shot_type=shot, angle=ANGLES[i % len(ANGLES)], mood=mood, setting=setting, keywords=()
            )
            params = GenerationParams(seed=i, strength=(0.5, 0.75)[i % 2], guidance=7.5, width=size, height=size)
            image = render(reference, analysis, params)
            candidates.append(Candidate(character.name, f"{shot}/{setting}/{mood}", image))
    return characters, candidates


def photo_set(size: int) -> tuple[list[Character], list[Candidate]]:
    photos = {
        name: _fit(photo, size) for name, photo in real_photos(["astronaut", "chelsea", "coffee", "rocket"]).items()
    }
    stereo = stereo_motorcycle()
    if stereo is not None:
        photos["motorcycle"] = _fit(stereo[0], size)
    characters = [Character(name, [photo]) for name, photo in photos.items()]
    candidates: list[Candidate] = []
    for name, photo in photos.items():
        for condition, change in PHOTO_VARIANTS.items():
            candidates.append(Candidate(name, condition, change(photo)))
    if stereo is not None:
        candidates.append(Candidate("motorcycle", "other stereo view", _fit(stereo[1], size)))
    return characters, candidates


def _fit(image: Image.Image, size: int) -> Image.Image:
    scale = size / max(image.size)
    return image.convert("RGB").resize(
        (round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS
    )


def _crop(image: Image.Image, share: float, top: float = 0.5) -> Image.Image:
    w, h = image.size
    cw, ch = round(w * share), round(h * share)
    left, upper = (w - cw) // 2, round((h - ch) * top)
    return image.crop((left, upper, left + cw, upper + ch)).resize(image.size, Image.Resampling.LANCZOS)


def _wide(image: Image.Image) -> Image.Image:
    canvas = Image.new("RGB", image.size, (186, 204, 170))
    small = image.resize((image.width * 3 // 5, image.height * 3 // 5), Image.Resampling.LANCZOS)
    canvas.paste(small, ((image.width - small.width) // 2, image.height - small.height))
    return canvas


def _gain(image: Image.Image, factor: float) -> Image.Image:
    return Image.fromarray(np.clip(np.asarray(image, np.float32) * factor, 0, 255).astype(np.uint8))


PHOTO_VARIANTS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "close-up": lambda p: _crop(p, 0.5),
    "medium": lambda p: _crop(p, 0.75, 0.3),
    "mirrored": ImageOps.mirror,
    "warmer, more contrast": lambda p: graded(p, 1.2, (1.08, 1.0, 0.9)),
    "darker": lambda p: _gain(p, 0.65),
    "brighter": lambda p: _gain(p, 1.3),
    "wide on a new backdrop": _wide,
    "mirrored close-up": lambda p: ImageOps.mirror(_crop(p, 0.6)),
}


# --- Baseline backend: a whole-image colour histogram ---


class HistogramEmbedder:
    """8x8x8 RGB histogram of the whole frame, square-rooted: what any image search did before features."""

    name = "histogram"
    model_id = "rgb-hist-512"
    calibration = Calibration(((0.5, 0.0), (0.8, 50.0), (0.9, 80.0), (1.0, 100.0)))
    max_batch = 1

    def embed(self, images: Sequence[Image.Image]) -> Embeddings:
        rows = []
        for image in images:
            pixels = np.asarray(image.convert("RGB").resize((128, 128)), np.int64) // 32
            index = pixels[..., 0] * 64 + pixels[..., 1] * 8 + pixels[..., 2]
            row = np.sqrt(np.bincount(index.ravel(), minlength=512).astype(np.float32))
            rows.append(row / np.linalg.norm(row))
        return np.asarray(rows, np.float32).reshape(len(images), 512)

    def calibrate(self, cosine: float) -> float:
        return self.calibration.score(cosine)


def random_dinov3(folder: Path) -> str:
    """A tiny randomly initialised DINOv3 saved like real weights; returns its folder."""
    from transformers import DINOv3ViTConfig, DINOv3ViTModel

    config = DINOv3ViTConfig(
        hidden_size=64, num_hidden_layers=2, num_attention_heads=2, intermediate_size=128, image_size=64
    )
    DINOv3ViTModel(config).save_pretrained(folder)
    (folder / "preprocessor_config.json").write_text('{"size": {"height": 64, "width": 64}}')
    return str(folder)


# --- Scoring ---


def score_all(embedder: Embedder, characters: list[Character], candidates: list[Candidate]) -> list[Pair]:
    references = {c.name: [embed_reference(embedder, image) for image in c.references] for c in characters}
    rows = embedder.embed([candidate.image for candidate in candidates])
    pairs: list[Pair] = []
    for candidate, row in zip(candidates, rows, strict=True):
        for character in characters:
            views = references[character.name]
            master, cores = views[0], views[1:]
            wholes = np.stack([v[0] for v in cores]) if cores else None
            scores = {
                "master only": embedder.calibration.score(float(row @ master[0])),
                "master+cores": float(consistency_score(row, master[0], wholes, _NoSpread(embedder))[0]),
                "validator": float(consistency_score(row, master, cores or None, embedder)[0]),
            }
            same = candidate.subject == character.name
            kind = "" if same else _negative_kind(candidate.subject, character.name)
            pairs.append(Pair(same, kind, candidate.condition, scores))
    return pairs


class _NoSpread:
    """The embedder's calibration with the spread adjustment switched off (the earlier validator's scoring)."""

    def __init__(self, embedder: Embedder) -> None:
        self.calibration = Calibration(embedder.calibration.points, max_spread_shift=0.0)


def _negative_kind(candidate: str, reference: str) -> str:
    pair = {candidate, reference}
    if "bram" in pair:
        return "different body (bram)"
    if "twin" in pair and "nova" in pair:
        return "same jacket (twin vs nova)"
    if pair <= {"nova", *CHARACTER_PALETTES}:
        return "same body, other palette"
    return "other subject"


def roc_auc(positives: npt.ArrayLike, negatives: npt.ArrayLike) -> float:
    """Probability that a random positive outscores a random negative (ties count half): Mann-Whitney U / (n m)."""
    pos, neg = np.asarray(positives, np.float64), np.asarray(negatives, np.float64)
    if not len(pos) or not len(neg):
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).sum()
    ties = (pos[:, None] == neg[None, :]).sum()
    return float((greater + 0.5 * ties) / (len(pos) * len(neg)))


def report(title: str, pairs: list[Pair]) -> None:
    positives = [p for p in pairs if p.same]
    negatives = [p for p in pairs if not p.same]
    print(f"\n{title}: {len(positives)} same-subject pairs, {len(negatives)} different-subject pairs")
    same_header = f"same: {'min':>4s} {'p10':>4s} {'med':>4s} {'>=80':>5s}"
    different_header = f"different: {'med':>4s} {'p90':>4s} {'max':>4s} {'>=80':>5s}"
    print(f"  {'mode':14s} {'AUC':>6s} | {same_header} | {different_header}")
    for mode in MODES:
        pos = np.array([p.scores[mode] for p in positives])
        neg = np.array([p.scores[mode] for p in negatives])
        print(
            f"  {mode:14s} {roc_auc(pos, neg):6.3f} | {pos.min():9.0f} {np.percentile(pos, 10):4.0f} "
            f"{np.median(pos):4.0f} {(pos >= 80).mean():5.0%} | {np.median(neg):14.0f} {np.percentile(neg, 90):4.0f} "
            f"{neg.max():4.0f} {(neg >= 80).mean():5.0%}"
        )
    mode = "validator"
    kinds = sorted({p.negative_kind for p in negatives})
    for kind in kinds:
        scores = np.array([p.scores[mode] for p in negatives if p.negative_kind == kind])
        pos = np.array([p.scores[mode] for p in positives])
        print(
            f"    {mode} vs {kind:28s} AUC {roc_auc(pos, scores):.3f}  median {np.median(scores):3.0f}  "
            f"max {scores.max():3.0f}  >=80 {(scores >= 80).mean():4.0%}"
        )
    by_condition: dict[str, list[float]] = {}
    for p in positives:
        key = p.condition.split("/")[0] if "/" in p.condition else p.condition
        by_condition.setdefault(key, []).append(p.scores[mode])
        if "/" in p.condition:
            by_condition.setdefault("setting " + p.condition.split("/")[1], []).append(p.scores[mode])
    print(
        "    same subject by condition (validator): "
        + "; ".join(f"{k} min {min(v):.0f} med {np.median(v):.0f}" for k, v in by_condition.items())
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.consistency_auc", description=__doc__.split("\n")[0])
    parser.add_argument("--backend", action="append", choices=["classical", "dinov3", "dinov3-random", "histogram"])
    parser.add_argument("--model", default="", help="DINOv3 weights (directory or cached hub id) for --backend dinov3")
    parser.add_argument("--size", type=int, default=256, help="image side in pixels (default 256)")
    parser.add_argument("--set", action="append", choices=["drawn", "photos"], dest="sets")
    args = parser.parse_args(argv)
    backends = args.backend or ["histogram", "classical", "dinov3-random"]
    started = time.perf_counter()
    sets = {"drawn": drawn_set, "photos": photo_set}
    built = {name: sets[name](args.size) for name in args.sets or ["drawn", "photos"]}
    print(
        f"sets built in {time.perf_counter() - started:.1f} s at {args.size} px: "
        + ", ".join(f"{name}: {len(chars)} subjects, {len(cands)} candidates" for name, (chars, cands) in built.items())
    )
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            if backend == "histogram":
                embedder: Embedder = HistogramEmbedder()
            elif backend == "dinov3-random":
                embedder = build_embedder("dinov3", random_dinov3(Path(tmp) / "dinov3-random"))
            else:
                embedder = build_embedder(backend, args.model)
            note = " (random init: a code-path check, NOT a measure of DINOv3)" if backend == "dinov3-random" else ""
            for name, (characters, candidates) in built.items():
                if not characters:
                    print(f"\n{name}: skipped (scikit-image is not installed)")
                    continue
                started = time.perf_counter()
                pairs = score_all(embedder, characters, candidates)
                elapsed = time.perf_counter() - started
                report(f"[{backend}{note}] {name} set, {embedder.model_id}, scored in {elapsed:.1f} s", pairs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
