"""Prompt analysis: what a user's prompt is read as, field by field."""

import time
from collections.abc import Iterable

import pytest

from actors.analyzer import lexicon
from actors.analyzer.analyze import FIELDS, analyze
from contracts.model import ANGLES, MOODS, SETTINGS, SHOT_TYPES, PromptAnalysis


def _field(analysis: PromptAnalysis, name: str) -> str | None:
    values: dict[str, str | None] = {
        "shotType": analysis.shot_type,
        "angle": analysis.angle,
        "mood": analysis.mood,
        "setting": analysis.setting,
    }
    return values[name]


SHOT_TYPE_CASES = [
    # Explicit category words, with and without hyphen.
    ("close-up of the knight", "close-up"),
    ("a closeup of her eyes", "close-up"),
    ("close up, smiling", "close-up"),
    ("Extreme close-up on the scar", "close-up"),
    ("medium close-up of the pilot", "close-up"),
    ("headshot for the cast list", "close-up"),
    ("head and shoulders portrait", "close-up"),
    ("mugshot of the thief", "close-up"),
    ("macro shot of his eye", "close-up"),
    ("portrait of an old wizard", "close-up"),
    ("medium shot of a merchant", "medium"),
    ("mid shot, holding a lantern", "medium"),
    ("waist-up view of the captain", "medium"),
    ("waist up, arms crossed", "medium"),
    ("half body illustration", "medium"),
    ("upper body, looking up", "medium"),
    ("cowboy shot of the gunslinger", "medium"),
    ("three-quarter length portrait", "medium"),  # a framing phrase beats both "three-quarter" and "portrait"
    ("full body shot of a ranger", "full-body"),
    ("full-body character design", "full-body"),
    ("full length gown", "full-body"),
    ("drawn from head to toe", "full-body"),
    ("whole body visible", "full-body"),
    ("entire figure in frame", "full-body"),
    ("standing pose, hands on hips", "full-body"),
    ("wide shot of the valley", "wide"),
    ("establishing shot of the city", "wide"),
    ("long shot across the bridge", "wide"),
    ("extreme wide of the battlefield", "wide"),
    ("panorama of the coast", "wide"),
    ("a tiny rider in the distance", "wide"),
    # Nothing about framing.
    ("a knight with a red cloak", None),
    ("wide-eyed girl", None),
    ("medium-length hair", None),
    ("shallow depth of field", None),
    # Negation and mixed cues.
    ("not a close-up, show the whole body", "full-body"),
    ("without a close-up", None),
    ("this isn’t a close-up", None),
    ("a wide shot instead of a close-up", "wide"),
    ("full body rather than a portrait", "full-body"),
    ("close-up portrait, face detail", "close-up"),
    ("portrait, full body", "full-body"),  # an explicit word beats a weak hint wherever it stands
    ("a close-up, or better a medium shot", "medium"),  # equal strength: the later cue wins
]

ANGLE_CASES = [
    ("front view of the robot", "front"),
    ("frontal portrait", "front"),
    ("facing the camera", "front"),
    ("facing viewer, smiling", "front"),
    ("straight on shot", "front"),
    ("head-on view of the train", "front"),
    ("side view of the horse", "side"),
    ("in profile against the sunset", "side"),
    ("seen from the side", "side"),
    ("back view of the cloak", "back"),
    ("from behind, walking", "back"),
    ("rear view", "back"),
    ("looking over the shoulder", "back"),
    ("over-the-shoulder shot", "back"),
    ("three-quarter view", "45-degree"),
    ("3/4 angle", "45-degree"),
    ("three quarter pose", "45-degree"),
    ("45-degree angle", "45-degree"),
    ("45 degree turn", "45-degree"),
    ("angled slightly left", "45-degree"),
    ("body turned slightly", "45-degree"),
    ("standing in front of a castle", None),
    ("side by side with her brother", None),
    ("a backpack", None),
    ("seen from the back", "back"),
    ("not from behind, front view", "front"),
    ("profile, not a front view", "side"),
    ("a portrait", None),
]

MOOD_CASES = [
    ("action scene in the market", "action"),
    ("jumping over a wall", "action"),
    ("running through the rain", "action"),
    ("sprinting down the corridor", "action"),
    ("sword fight on a bridge", "action"),
    ("epic battle", "action"),  # equal synonyms (epic: dramatic, battle: action): the later cue wins
    ("battle, epic", "dramatic"),
    ("leaping between rooftops", "action"),
    ("dynamic pose", "action"),
    ("dodging an explosion", "action"),
    ("calm afternoon", "calm"),
    ("peaceful meadow", "calm"),
    ("serene lake", "calm"),
    ("meditating under a tree", "calm"),
    ("sleeping cat on her lap", "calm"),
    ("soft light through curtains", "calm"),
    ("reading in bed", "calm"),
    ("tranquil garden", "calm"),
    ("dramatic lighting", "dramatic"),
    ("moody alley", "dramatic"),
    ("chiaroscuro portrait", "dramatic"),
    ("film noir detective", "dramatic"),
    ("stormy sea", "dramatic"),
    ("ominous figure", "dramatic"),
    ("rim light, high contrast", "dramatic"),
    ("neutral expression", "neutral"),
    ("a knight", "neutral"),
    # Negation, clause breaks and precedence.
    ("without action", "neutral"),
    ("no dramatic lighting", "neutral"),
    ("don't make it dramatic", "neutral"),
    ("avoid dramatic lighting, keep it calm", "calm"),
    ("not dramatic but calm", "calm"),
    ("not calm; dramatic", "dramatic"),
    ("calm face, not a very dramatic mood", "calm"),
    ("dramatic lighting, running", "dramatic"),  # explicit beats synonym
    ("sitting, jumping", "action"),  # synonym beats weak
]

SETTING_CASES = [
    ("outdoor scene", "outdoor"),
    ("outside the tavern", "outdoor"),  # explicit outdoor beats the indoor synonym
    ("in a forest clearing", "outdoor"),
    ("on the beach", "outdoor"),
    ("city street at night", "outdoor"),
    ("on a rooftop", "outdoor"),
    ("mountain pass", "outdoor"),
    ("desert dunes", "outdoor"),
    ("under the night sky", "outdoor"),
    ("back alley", "outdoor"),
    ("indoor portrait", "indoor"),
    ("inside the castle", "indoor"),
    ("kitchen table", "indoor"),
    ("gothic cathedral", "indoor"),
    ("in the library", "indoor"),
    ("castle interior", "indoor"),
    ("cozy tavern", "indoor"),
    ("sipping coffee in a cafe", "indoor"),
    ("studio lighting", "studio"),
    ("grey backdrop", "studio"),
    ("seamless backdrop", "studio"),
    ("softbox key light", "studio"),
    ("on a plain background", "studio"),
    ("white background", "studio"),
    ("green screen", "studio"),
    ("no background", "studio"),  # a phrase: an isolated subject, not a negation
    ("a knight", "neutral"),
    ("not outdoors", "neutral"),
    ("never inside, always outside", "outdoor"),
    ("shallow depth of field", "neutral"),
]


@pytest.mark.parametrize(("prompt", "expected"), SHOT_TYPE_CASES)
def test_shot_type(prompt: str, expected: str | None) -> None:
    assert analyze(prompt).shot_type == expected


@pytest.mark.parametrize(("prompt", "expected"), ANGLE_CASES)
def test_angle(prompt: str, expected: str | None) -> None:
    assert analyze(prompt).angle == expected


@pytest.mark.parametrize(("prompt", "expected"), MOOD_CASES)
def test_mood(prompt: str, expected: str) -> None:
    assert analyze(prompt).mood == expected


@pytest.mark.parametrize(("prompt", "expected"), SETTING_CASES)
def test_setting(prompt: str, expected: str) -> None:
    assert analyze(prompt).setting == expected


@pytest.mark.parametrize(
    ("prompt", "shot_type", "angle", "mood", "setting"),
    [
        ("close-up portrait with dramatic lighting", "close-up", None, "dramatic", "neutral"),
        ("full body action pose, jumping through the air", "full-body", None, "action", "neutral"),
        ("side view, medium shot, calm, in a library", "medium", "side", "calm", "indoor"),
        ("wide shot from behind, epic battle on a mountain", "wide", "back", "action", "outdoor"),
        ("3/4 view headshot on a white background", "close-up", "45-degree", "neutral", "studio"),
        ("CLOSE-UP, FRONT VIEW, DRAMATIC, STUDIO", "close-up", "front", "dramatic", "studio"),
        ("medium close-up, facing the camera, soft light, outdoors", "close-up", "front", "calm", "outdoor"),
    ],
)
def test_all_fields_together(prompt: str, shot_type: str | None, angle: str | None, mood: str, setting: str) -> None:
    analysis = analyze(prompt)
    assert (analysis.shot_type, analysis.angle, analysis.mood, analysis.setting) == (shot_type, angle, mood, setting)


@pytest.mark.parametrize("prompt", ["", "   ", "\n\t", "...", "!!! ???"])
def test_empty_prompt_reads_nothing(prompt: str) -> None:
    analysis = analyze(prompt)
    assert (analysis.shot_type, analysis.angle, analysis.mood, analysis.setting) == (None, None, "neutral", "neutral")
    assert analysis.keywords == ()
    assert all(reading.confidence == 0.0 and reading.words == () for reading in analysis.readings.values())


@pytest.mark.parametrize(
    ("prompt", "keywords"),
    [
        ("close-up portrait with dramatic lighting", ("close-up", "portrait", "dramatic", "lighting")),
        ("The knight and the dragon, the KNIGHT!", ("knight", "dragon")),
        ("a knight's red cloak", ("knight", "red", "cloak")),
        ("full-body, 3/4 view of a 45-degree turn", ("full-body", "3/4", "45-degree", "turn")),
        ("Show me an image of her in the rain", ("rain",)),
        ("a wizard without a hat", ("wizard",)),  # negated words would pull references that show them
        ("not dramatic but calm", ("calm",)),
        ("café scene, naïve style", ("café", "scene", "naïve", "style")),
        ("", ()),
    ],
)
def test_keywords(prompt: str, keywords: tuple[str, ...]) -> None:
    assert analyze(prompt).keywords == keywords


def test_readings_name_every_field_and_the_words_that_decided_it() -> None:
    analysis = analyze("close-up portrait with dramatic lighting, outdoors")
    assert set(analysis.readings) == set(FIELDS) == {"shotType", "angle", "mood", "setting"}
    assert analysis.readings["shotType"].value == "close-up"
    assert analysis.readings["shotType"].words == ("close-up", "portrait")
    assert analysis.readings["mood"].words == ("dramatic lighting",)  # the phrase, not its parts
    assert analysis.readings["setting"].words == ("outdoors",)
    assert analysis.readings["angle"].value is None


def test_negated_cue_is_not_among_the_deciding_words() -> None:
    reading = analyze("not a close-up, show the whole body").readings["shotType"]
    assert reading.value == "full-body"
    assert reading.words == ("whole body",)


@pytest.mark.parametrize(
    ("stronger", "weaker"),
    [
        ("close-up", "headshot"),  # explicit > synonym
        ("headshot", "portrait"),  # synonym > weak
        ("close-up", "close-up, full body"),  # unopposed > contested
        ("dramatic", "dramatic, running"),
        ("close-up portrait", "portrait"),  # corroborated > single
    ],
)
def test_confidence_follows_strength_and_margin(stronger: str, weaker: str) -> None:
    fields = ("shotType", "mood")
    strong = max(analyze(stronger).readings[name].confidence for name in fields)
    weak = max(analyze(weaker).readings[name].confidence for name in fields)
    assert 0.0 < weak < strong <= 1.0


@pytest.mark.parametrize(
    ("vocabulary", "values"),
    [
        (lexicon.SHOT_TYPE_VOCABULARY, SHOT_TYPES),
        (lexicon.ANGLE_VOCABULARY, ANGLES),
        (lexicon.MOOD_VOCABULARY, MOODS),
        (lexicon.SETTING_VOCABULARY, tuple(value for value in SETTINGS if value != "neutral")),
    ],
)
def test_lexicon_covers_every_value(vocabulary: dict[str, dict[int, tuple[str, ...]]], values: tuple[str, ...]) -> None:
    for value in values:
        assert vocabulary[value][lexicon.EXPLICIT], f"{value} has no explicit words"


def _lexicon_phrases() -> list[tuple[str, str, str]]:
    vocabularies: tuple[tuple[str, Iterable[tuple[str, dict[int, tuple[str, ...]]]]], ...] = (
        ("shotType", lexicon.SHOT_TYPE_VOCABULARY.items()),
        ("angle", lexicon.ANGLE_VOCABULARY.items()),
        ("mood", lexicon.MOOD_VOCABULARY.items()),
        ("setting", lexicon.SETTING_VOCABULARY.items()),
    )
    return [
        (name, value, phrase)
        for name, vocabulary in vocabularies
        for value, phrases_by_strength in vocabulary
        for phrases in phrases_by_strength.values()
        for phrase in phrases
    ]


@pytest.mark.parametrize(("field_name", "value", "phrase"), _lexicon_phrases())
def test_every_lexicon_phrase_reads_back_as_its_value(field_name: str, value: str, phrase: str) -> None:
    """A phrase on its own must analyze to its own value: catches a phrase swallowed by a longer one."""
    reading = analyze(phrase).readings[field_name]
    assert reading.value == value
    assert reading.words == (phrase,)


def test_analyze_is_fast() -> None:
    prompt = "A medium shot of an elf archer in a quiet library, soft light, not dramatic, three-quarter view"
    analyze(prompt)
    runs = 200
    best = min(_timed(prompt, runs) for _ in range(5)) / runs
    assert best < 0.001  # typically ~0.05 ms; the bound is loose so a busy machine does not fail it


def _timed(prompt: str, runs: int) -> float:
    start = time.perf_counter()
    for _ in range(runs):
        analyze(prompt)
    return time.perf_counter() - start
