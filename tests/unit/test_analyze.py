"""Prompt analysis: what a user's prompt is read as, field by field."""

import io
from collections.abc import Iterable, Sequence
from pathlib import Path

import msgspec
import pytest

from actors.analyzer import lexicon
from actors.analyzer.analyze import FIELDS, analyze
from contracts.codec import encode
from contracts.model import ANGLES, MOODS, SETTINGS, SHOT_TYPES, FieldReading, PromptAnalysis
from ops import analyze_cli


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
        # What an image-generator prompt asks to leave out is not asked for; its parameters are not words.
        (
            "full body, swordsman, white background, negative prompt: cropped, close-up",
            "full-body",
            None,
            "neutral",
            "studio",
        ),
        ("1girl, mid-thigh up, Negative: full body, side view, rain", "medium", None, "neutral", "neutral"),
        ("knight in the rain --no close-up, side view --ar 2:3 --v 6", None, None, "neutral", "outdoor"),
        (
            "3/4 facing merchant, cropped at the waist, flat #2B2B2B background",
            "medium",
            "45-degree",
            "neutral",
            "studio",
        ),
        # A body part the crop is drawn at fixes the framing; "not just" asks for more than what follows.
        ("crop it just above the knees, facing cam", "medium", "front", "neutral", "neutral"),
        ("draw him from the side and all of him, not just the top half", "full-body", "side", "neutral", "neutral"),
        # Moving at the camera is the front and, when it is energetic, action.
        ("character sprinting at camera down the street", None, "front", "action", "outdoor"),
        ("a mascot waving at the viewer on plain lavender backing", None, "front", "neutral", "studio"),
        # Weather outside a window puts the picture inside; a game's idle loop is no mood.
        ("girl dozing at the kotatsu, snow outside the window", None, None, "calm", "indoor"),
        ("idle overworld sprite, back-facing, transparent background", None, "back", "neutral", "studio"),
        # A correction takes back what came before it, for the fields spoken to again.
        ("full body of Ren - actually no, just his face, outdoors", "close-up", None, "neutral", "outdoor"),
        ("close-up of the bear - no, wider than that, from the waist up", "medium", None, "neutral", "neutral"),
        ("a wide shot in the rain, scratch that, make it tense", "wide", None, "dramatic", "outdoor"),
        # Cues with a free word inside.
        ("just the silverback's face, staring down the lens", "close-up", "front", "neutral", "neutral"),
        ("corporate man on a solid buttercup-yellow backdrop", None, None, "neutral", "studio"),
        ("not just his face, the whole body", "full-body", None, "neutral", "neutral"),
        ("the scientist in the hut writing notes, gentle rain pattering outside", None, None, "calm", "indoor"),
        ("show the whole goose from beak to feet, standing in a pond", "full-body", None, "neutral", "outdoor"),
        # Beside a building is outside it; a plain colour named by its colour is a studio backdrop.
        ("chef in the rain outside her shuttered restaurant", None, None, "neutral", "outdoor"),
        ("half-turned behind the bakery counter, flour on her apron", None, "45-degree", "neutral", "indoor"),
        ("portrait for the gallery menu, smiling, against a flat pastel pink", "close-up", None, "neutral", "studio"),
        # "side" and "back" as parts of other words are no angle.
        ("illustrate the side dishes with our mascot, side light", None, None, "neutral", "neutral"),
        ("something for the back catalogue reissue, a figure", None, None, "neutral", "neutral"),
        ("all three heroines on the hill, cowboy shot, backs to the viewer", "medium", "back", "neutral", "outdoor"),
        ("a farmer with a tractor in a big field, he is very small", "wide", None, "neutral", "outdoor"),
        ("the lich king glaring straight at the viewer", None, "front", "dramatic", "neutral"),
        # The outside of a building, and inside by its window.
        (
            "team seen from behind carrying the robot up to the convention center entrance",
            None,
            "back",
            "neutral",
            "outdoor",
        ),
        ("the keeper's daughter reading by the cottage window, peaceful", None, None, "calm", "indoor"),
        (
            "three-quarter-turn headshot in dress uniform, plain navy backdrop, for the inside cover",
            "close-up",
            "45-degree",
            "neutral",
            "studio",
        ),
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
        # Shot-type and angle cues earn their own points in the ranking, so they are not keywords too.
        ("close-up portrait with dramatic lighting", ("dramatic", "lighting")),
        ("The knight and the dragon, the KNIGHT!", ("knight", "dragon")),
        ("a knight's red cloak", ("knight", "red", "cloak")),
        ("full-body, 3/4 view of a 45-degree turn", ("turn",)),
        ("side view of a knight on the beach at sunset", ("knight", "beach", "sunset")),  # mood and setting words stay
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


def test_every_lexicon_phrase_reads_back_as_its_value() -> None:
    """A phrase on its own must analyze to its own value: catches a phrase swallowed by a longer one.

    One test over all phrases (thousands, with the spelled-out families), listing every one that fails."""
    wrong = []
    for field_name, value, phrase in _lexicon_phrases():
        reading = analyze(phrase).readings[field_name]
        if reading.value != value or reading.words != (phrase.lower(),):
            wrong.append(f"{phrase!r} ({field_name}={value}) read as {reading.value} from {reading.words}")
    assert not wrong, "\n".join(wrong[:20])


# --- How people write prompts: synonyms, film vocabulary, implied mood and setting, traps, negation ------------------

FIELD_CASES = [
    # Film crews abbreviate; abbreviations count only in capitals.
    ("MS, golden hour, wheat field", "shotType", "medium"),
    ("ECU on the villain's eyes", "shotType", "close-up"),
    ("EWS, lone figure on the salt flats", "shotType", "wide"),
    ("FS, 3/4, cyclorama wall", "shotType", "full-body"),
    ("OTS from behind the hero", "angle", "back"),
    ("ms. smith at her desk", "shotType", None),
    ("a cu of her", "shotType", None),
    # Framing described by what is in frame.
    ("show me everything from her hat down to her shoes", "shotType", "full-body"),
    ("rather than a headshot, show everything down to her boots", "shotType", "full-body"),
    ("just her face pls", "shotType", "close-up"),
    ("make her tiny in the frame, big sky", "shotType", "wide"),
    ("zoomed way out, she's on a cliff", "shotType", "wide"),
    ("zoom in on his face", "shotType", "close-up"),
    ("from the hips up, waving", "shotType", "medium"),
    ("knee shot / american shot of the sheriff", "shotType", "medium"),
    ("chest up, slight smile", "shotType", "close-up"),
    ("bird's-eye view of the battlefield", "shotType", "wide"),
    # Angle from gaze and turn.
    ("looking straight into the camera", "angle", "front"),
    ("she glares right at the viewer", "angle", "front"),
    ("eye contact with the viewer", "angle", "front"),
    ("turned her head slightly", "angle", "45-degree"),
    ("body at 45°", "angle", "45-degree"),
    ("three-quarter profile", "angle", "45-degree"),
    ("semi-profile headshot", "angle", "45-degree"),
    ("facing left, arms folded", "angle", "side"),
    ("her back to the camera", "angle", "back"),
    ("walking away from us down the beach", "angle", "back"),
    # Mood implied by what happens.
    ("dude surfing a huge wave", "mood", "action"),
    ("gunfight in the subway car", "mood", "action"),
    ("parkour across the rooftops", "mood", "action"),
    ("chilling on the couch watching tv", "mood", "calm"),
    ("yoga on the beach at sunset", "mood", "calm"),
    ("sipping tea by the window", "mood", "calm"),
    ("make it spooky, abandoned hospital corridor", "mood", "dramatic"),
    ("crying alone in the rain", "mood", "dramatic"),
    ("harsh key light, stern look", "mood", "dramatic"),
    # Setting implied by the place.
    ("the mechanic in a cluttered garage", "setting", "indoor"),
    ("waiting in line at the supermarket", "setting", "indoor"),
    ("fisherman on the pier", "setting", "outdoor"),
    ("camping under the stars", "setting", "outdoor"),
    ("standing in front of the museum", "setting", "outdoor"),  # in front of a building is outside it
    ("white seamless, softbox", "setting", "studio"),
    ("on a light grey backdrop", "setting", "studio"),
    ("without a background, just the character", "setting", "studio"),
    ("no scenery, isolated on white", "setting", "studio"),
    # Cue words used in another sense.
    ("profile picture for my gaming account", "angle", None),
    ("a company profile page headshot", "angle", None),
    ("a character with a back story", "angle", None),
    ("her side ponytail and bangs", "angle", None),
    ("the bar behind her", "angle", None),
    ("medium build, short hair", "shotType", None),
    ("a wide variety of colours", "shotType", None),
    ("landscape format, close-up of the face", "setting", "neutral"),
    ("portrait orientation, full body", "shotType", "full-body"),
    ("she's a studio executive", "setting", "neutral"),
    ("an action figure of nova", "mood", "neutral"),
    ("she has a dramatic personality", "mood", "neutral"),
    ("low angle shot of the giant", "angle", None),  # camera height, not which side is seen
    ("dutch angle in a warehouse", "angle", None),
    ("a girl smiling", "mood", "neutral"),  # a plain smile is not a mood
    ("a knight standing in a field", "shotType", None),  # standing does not fix the framing
    # Negation, corrections and hedges.
    ("neither a close-up nor a wide shot, just a regular medium shot", "shotType", "medium"),
    ("skip the full body, I only need a headshot", "shotType", "close-up"),
    ("nothing intense, just a gentle walk", "mood", "calm"),
    ("I don't want a close-up, pull way back to a wide shot", "shotType", "wide"),
    ("no outdoor scenery; set it in a hotel lobby", "setting", "indoor"),
    ("don't face the viewer; she looks out in profile", "angle", "side"),
    ("close-up... actually make it a medium shot", "shotType", "medium"),
    # Families added for writers the lexicon had not seen: places, verbs in any inflection, distance and gaze.
    ("she bolted across the steppe", "setting", "outdoor"),
    ("folding towels at the laundromat", "setting", "indoor"),
    ("on a white sweep with two strip lights", "setting", "studio"),
    ("an off-white wall behind him", "setting", "studio"),
    ("he vaulted over the wall and sprinted off", "mood", "action"),
    ("they brawled, chairs flying", "mood", "action"),
    ("the monks prayed in silence", "mood", "calm"),
    ("sheep grazing on a pastoral hillside", "mood", "calm"),
    ("utter desolation after the battle's aftermath", "mood", "dramatic"),
    ("the rider is a speck on the horizon", "shotType", "wide"),
    ("seen from far away, a lone hiker", "shotType", "wide"),
    ("framed from the belt up", "shotType", "medium"),
    ("from crown to heels", "shotType", "full-body"),
    ("boots to hat, the whole outfit", "shotType", "full-body"),
    ("a detail of her hands on the keys", "shotType", "close-up"),
    ("square to the camera", "angle", "front"),
    ("she stared straight into the lens", "angle", "front"),
    ("camera trailing behind him", "angle", "back"),
    ("nose to frame left", "angle", "side"),
    ("body rotated about forty-five degrees", "angle", "45-degree"),
    # Traps: a noun that looks like a cue word of another field.
    ("a snowboarder on the mountain face", "shotType", None),
    ("a storm front over the bay", "angle", None),
    ("the vaulted nave of the abbey", "mood", "neutral"),
    ("a dive bar downtown", "mood", "neutral"),
    ("the fashion shoot, shutter speed 1/200", "mood", "neutral"),
    ("waving from the pier", "mood", "neutral"),
    ("facing the sea", "angle", None),
    # Families added after the blind round (each case worded unlike the prompt that showed the gap).
    ("headshots of the whole sales team", "shotType", "close-up"),
    ("insert: the key turning in the lock", "shotType", "close-up"),
    ("her freckles filling the entire frame", "shotType", "close-up"),
    ("a gust of wind in her face on the ferry", "shotType", None),
    ("pupils wide with fear", "shotType", None),
    ("his boots and his hat both in frame", "shotType", "full-body"),
    ("the soldier peering down at you from the wall", "angle", "front"),
    ("the runner seen edge on", "angle", "side"),
    ("rotate him a tad", "angle", "45-degree"),
    ("a brawl in the alley, really dangerous", "mood", "action"),
    ("close on the lit fuse", "mood", "dramatic"),
    ("pulling himself up onto the ledge", "mood", "action"),
    ("the butler walking up the stairs with a tray", "mood", "neutral"),
    ("the butler walking up the stairs with a tray", "setting", "indoor"),
    ("peaceful? no, make it spooky", "mood", "dramatic"),
    ("a cargo ship at dawn", "mood", "neutral"),
    ("the cat sprawled on the rug", "mood", "calm"),
    ("the mechanic in the docking bay", "setting", "indoor"),
    ("cellist alone on the stage", "setting", "indoor"),
    ("goalkeeper on the pitch", "setting", "outdoor"),
    ("pitch-black night", "setting", "neutral"),
    ("backdrop is light grey", "setting", "studio"),
    ("do not put him in a studio", "setting", "neutral"),
    ("camping deep inside the forest", "setting", "outdoor"),
    ("cycling past the museum entrance", "setting", "outdoor"),
    ("the space station's airlock", "setting", "indoor"),
    ("the close-up's lighting is soft", "shotType", "close-up"),
]


@pytest.mark.parametrize(("prompt", "field_name", "expected"), FIELD_CASES)
def test_reads_prompts_as_people_write_them(prompt: str, field_name: str, expected: str | None) -> None:
    assert _field(analyze(prompt), field_name) == expected


@pytest.mark.parametrize(
    ("verbs", "forms"),
    [
        ("sprint", ("sprint", "sprints", "sprinting", "sprinted")),
        ("dodge", ("dodge", "dodges", "dodging", "dodged")),
        ("hurry", ("hurry", "hurries", "hurrying", "hurried")),
        ("thrash", ("thrash", "thrashes", "thrashing", "thrashed")),
        ("jog+", ("jog", "jogs", "jogging", "jogged")),
        ("tie", ("tie", "ties", "tying", "tied")),
        ("fight|fought", ("fight", "fights", "fighting", "fighted", "fought")),
        ("run+ at|ran at", ("run at", "runs at", "running at", "runned at", "ran at")),
    ],
)
def test_verb_forms_spell_out_simple_inflections(verbs: str, forms: tuple[str, ...]) -> None:
    assert lexicon.verb_forms(verbs) == forms


def test_inflected_action_verbs_cue_nothing_but_action() -> None:
    """Spelled-out verb forms must not collide with a cue of another field ("waves" the sea, "face" the camera)."""
    wrong = []
    for form in lexicon.ACTION_VERB_FORMS:
        analysis = analyze(form)
        others = {name: analysis.readings[name].words for name in FIELDS if name != "mood"}
        if analysis.mood != "action" or any(others.values()):
            wrong.append(f"{form!r}: mood {analysis.mood}, {others}")
    assert not wrong, "\n".join(wrong)


# --- The labelled prompt set: per-field accuracy on its dev and held-out test halves ------------------------------

PROMPT_SET = Path(__file__).resolve().parent.parent / "data" / "prompts.tsv"


def _labelled(split: str) -> list[tuple[str, dict[str, str | None]]]:
    lines = [line for line in PROMPT_SET.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    header = lines[0].split("\t")
    rows = [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:]]
    return [
        (row["prompt"], {name: None if row[name] == "null" else row[name] for name in FIELDS})
        for row in rows
        if row["split"] == split
    ]


def test_labelled_set_covers_every_value_and_is_large_enough() -> None:
    rows = _labelled("dev") + _labelled("test")
    assert len(rows) >= 300
    seen = {name: {expected[name] for _, expected in rows} for name in FIELDS}
    assert seen["shotType"] == {*SHOT_TYPES, None}
    assert seen["angle"] == {*ANGLES, None}
    assert seen["mood"] == set(MOODS)
    assert seen["setting"] == set(SETTINGS)


@pytest.mark.parametrize("split", ["dev", "test"])
@pytest.mark.parametrize("field_name", FIELDS)
def test_labelled_set_accuracy_by_rules_alone(split: str, field_name: str) -> None:
    """The issue's goal, at least 95% per field; bench/analysis_accuracy.py prints the figures and the misses."""
    rows = _labelled(split)
    misses = [
        (prompt, expected[field_name], _field(analyze(prompt), field_name))
        for prompt, expected in rows
        if _field(analyze(prompt), field_name) != expected[field_name]
    ]
    assert 1 - len(misses) / len(rows) >= 0.95, misses


# --- The optional embedding fallback -------------------------------------------------------------------------------


class _RecordingFallback:
    def __init__(self) -> None:
        self.calls: list[tuple[tuple[str, ...], tuple[str, ...]]] = []

    def read(self, spans: Sequence[str], fields: Sequence[str]) -> dict[str, FieldReading]:
        self.calls.append((tuple(spans), tuple(fields)))
        return {}


@pytest.mark.parametrize(
    ("prompt", "spans", "fields"),
    [
        (
            "close-up of a knight luging",
            ("knight", "luging", "knight luging"),
            ("angle", "mood", "setting"),
        ),
        ("full body, side view, running on the beach", (), ()),  # everything decided: not called
        ("no hat, in a zorbatorium", ("zorbatorium",), ("shotType", "angle", "mood", "setting")),
    ],
)
def test_fallback_gets_undecided_fields_and_unread_words(
    prompt: str, spans: tuple[str, ...], fields: tuple[str, ...]
) -> None:
    recorder = _RecordingFallback()
    analyze(prompt, recorder)
    assert recorder.calls == ([(spans, fields)] if fields and spans else [])


# --- smartgen analyze ----------------------------------------------------------------------------------------------


def test_cli_prints_the_published_analysis_for_an_argument() -> None:
    out = io.StringIO()
    assert analyze_cli.main(["--rules", "not a close-up,", "show the whole body"], io.StringIO(), out) == 0
    printed = msgspec.json.decode(out.getvalue().strip())
    assert printed == msgspec.json.decode(encode(analyze("not a close-up, show the whole body")))
    assert printed["shotType"] == "full-body"
    assert printed["readings"]["shotType"] == {"value": "full-body", "confidence": 0.8, "words": ["whole body"]}


def test_cli_reads_one_prompt_per_line_from_stdin() -> None:
    out = io.StringIO()
    assert analyze_cli.main(["--rules"], io.StringIO("wide shot from behind\n\nMS, golden hour\n"), out) == 0
    lines = [msgspec.json.decode(line) for line in out.getvalue().splitlines()]
    assert [(line["shotType"], line["angle"], line["mood"]) for line in lines] == [
        ("wide", "back", "neutral"),
        (None, None, "neutral"),
        ("medium", None, "calm"),
    ]
