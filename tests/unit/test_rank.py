"""Reference ranking: the spec's scores, eligibility, ordering and the explanations a user reads."""

from typing import Any

import pytest

from actors.analyzer.analyze import analyze
from actors.selector.rank import explain_choice, rank_references, score_reference
from contracts.model import Angle, PromptAnalysis, RankedReference, Reference, ReferenceRole, ShotType

CORE: ReferenceRole = "core_reference"
PART_NAMES = {"role", "qualityBonus", "consistencyBonus", "shotMatch", "angleMatch", "keywordMatch"}


def _reference(reference_id: str = "ref", role: ReferenceRole = "master", **fields: Any) -> Reference:
    return Reference(id=reference_id, character_id="char", asset_id=f"asset-{reference_id}", role=role, **fields)


def _analysis(
    shot_type: ShotType | None = None, angle: Angle | None = None, keywords: tuple[str, ...] = ()
) -> PromptAnalysis:
    return PromptAnalysis(shot_type=shot_type, angle=angle, mood="neutral", setting="neutral", keywords=keywords)


def _only(reference: Reference, analysis: PromptAnalysis | None = None) -> RankedReference:
    ranked = rank_references([reference], analysis or _analysis())
    assert len(ranked) == 1
    return ranked[0]


def _ids(ranked: tuple[RankedReference, ...]) -> list[str]:
    return [item.reference.id for item in ranked]


@pytest.mark.parametrize(
    ("reference", "analysis", "score", "nonzero_parts"),
    [
        # Role points alone.
        (_reference(role="master"), _analysis(), 10, {"role": 10}),
        (_reference(role="core_reference"), _analysis(), 8, {"role": 8}),
        (_reference(role="generated", consistency_score=85), _analysis(), 10, {"role": 5, "consistencyBonus": 5}),
        # Quality and consistency bonuses: +5 each, thresholds inclusive, no score means no bonus.
        (
            _reference(role="generated", quality_score=80, consistency_score=85),
            _analysis(),
            15,
            {"role": 5, "qualityBonus": 5, "consistencyBonus": 5},
        ),
        (
            _reference(role="generated", quality_score=79.9, consistency_score=99),
            _analysis(),
            10,
            {"role": 5, "consistencyBonus": 5},
        ),
        (_reference(role="master", quality_score=None, consistency_score=None), _analysis(), 10, {"role": 10}),
        # Shot type: exact +5, one step away +2, further or unasked 0.
        (_reference(shot_type="close-up"), _analysis(shot_type="close-up"), 15, {"role": 10, "shotMatch": 5}),
        (_reference(shot_type="medium"), _analysis(shot_type="close-up"), 12, {"role": 10, "shotMatch": 2}),
        (_reference(shot_type="full-body"), _analysis(shot_type="wide"), 12, {"role": 10, "shotMatch": 2}),
        (_reference(shot_type="wide"), _analysis(shot_type="close-up"), 10, {"role": 10}),
        (_reference(shot_type="close-up"), _analysis(), 10, {"role": 10}),
        (_reference(), _analysis(shot_type="close-up"), 10, {"role": 10}),
        # Angle: exact +5, 45-degree next to front or side +2, front/side/back apart 0.
        (_reference(role=CORE, angle="front"), _analysis(angle="front"), 13, {"role": 8, "angleMatch": 5}),
        (
            _reference(role="core_reference", angle="45-degree"),
            _analysis(angle="side"),
            10,
            {"role": 8, "angleMatch": 2},
        ),
        (
            _reference(role="core_reference", angle="front"),
            _analysis(angle="45-degree"),
            10,
            {"role": 8, "angleMatch": 2},
        ),
        (_reference(role=CORE, angle="side"), _analysis(angle="front"), 8, {"role": 8}),
        (_reference(role=CORE, angle="back"), _analysis(angle="45-degree"), 8, {"role": 8}),
        # Keywords: +1 each against tags and caption, at most +5.
        (
            _reference(tags=("dramatic lighting", "knight")),
            _analysis(keywords=("dramatic", "lighting", "dragon")),
            12,
            {"role": 10, "keywordMatch": 2},
        ),
        (
            _reference(caption="A knight in a red cloak"),
            _analysis(keywords=("knight", "red", "cloak")),
            13,
            {"role": 10, "keywordMatch": 3},
        ),
        (
            _reference(tags=("a", "b", "c", "d"), caption="e f g"),
            _analysis(keywords=("a", "b", "c", "d", "e", "f", "g")),
            15,
            {"role": 10, "keywordMatch": 5},
        ),
        # Everything at once: the spec's maximum for each role.
        (
            _reference(role="master", shot_type="close-up", angle="front", tags=("a", "b", "c", "d", "e")),
            _analysis(shot_type="close-up", angle="front", keywords=("a", "b", "c", "d", "e")),
            25,
            {"role": 10, "shotMatch": 5, "angleMatch": 5, "keywordMatch": 5},
        ),
        (
            _reference(
                role="generated",
                quality_score=95,
                consistency_score=95,
                shot_type="wide",
                angle="back",
                tags=("a", "b", "c", "d", "e"),
            ),
            _analysis(shot_type="wide", angle="back", keywords=("a", "b", "c", "d", "e")),
            30,
            {
                "role": 5,
                "qualityBonus": 5,
                "consistencyBonus": 5,
                "shotMatch": 5,
                "angleMatch": 5,
                "keywordMatch": 5,
            },
        ),
    ],
)
def test_spec_scores(
    reference: Reference, analysis: PromptAnalysis, score: float, nonzero_parts: dict[str, float]
) -> None:
    ranked = _only(reference, analysis)
    assert ranked.score == score
    assert set(ranked.parts) == PART_NAMES
    assert {name: value for name, value in ranked.parts.items() if value} == nonzero_parts
    assert sum(ranked.parts.values()) == ranked.score


@pytest.mark.parametrize(
    ("keywords", "tags", "caption", "matched"),
    [
        (("knight",), ("Knight",), "", 1),  # case does not matter
        (("full", "body"), ("full-body",), "", 2),  # prompt words find a hyphenated tag
        (("close-up",), (), "a close up of her face", 1),  # a hyphenated keyword finds spaced words
        (("knight",), (), "the knight's helmet", 1),  # possessive
        (("dragon",), ("knight",), "a knight", 0),
        (("red",), ("redcloak",), "", 0),  # whole words only
    ],
)
def test_keyword_matching(keywords: tuple[str, ...], tags: tuple[str, ...], caption: str, matched: int) -> None:
    ranked = _only(_reference(tags=tags, caption=caption), _analysis(keywords=keywords))
    assert ranked.parts["keywordMatch"] == matched


@pytest.mark.parametrize(
    ("consistency_score", "minimum", "eligible"),
    [
        (None, 85.0, False),
        (84.9, 85.0, False),
        (85.0, 85.0, True),
        (97.0, 85.0, True),
        (75.0, 70.0, True),
        (69.0, 70.0, False),
    ],
)
def test_generated_references_below_the_consistency_cut_off_are_left_out(
    consistency_score: float | None, minimum: float, eligible: bool
) -> None:
    generated = _reference("gen", role="generated", consistency_score=consistency_score)
    ranked = rank_references([generated], _analysis(), min_generated_consistency=minimum)
    assert _ids(ranked) == (["gen"] if eligible else [])


def test_eligible_generated_below_the_bonus_threshold_gets_no_consistency_bonus() -> None:
    generated = _reference("gen", role="generated", consistency_score=75)
    (ranked,) = rank_references([generated], _analysis(), min_generated_consistency=70)
    assert ranked.parts["consistencyBonus"] == 0
    assert ranked.score == 5


@pytest.mark.parametrize("role", ["master", "core_reference"])
def test_master_and_core_references_are_always_eligible(role: ReferenceRole) -> None:
    assert _ids(rank_references([_reference("r", role=role)], _analysis())) == ["r"]


@pytest.mark.parametrize(
    ("references", "analysis", "expected_order"),
    [
        # Highest score first, whatever the role.
        (
            [
                _reference("master", role="master"),
                _reference("core", role="core_reference", shot_type="close-up", angle="front"),
            ],
            _analysis(shot_type="close-up", angle="front"),
            ["core", "master"],
        ),
        # Equal scores: the better-framed first, then master, core reference, generated.
        (
            [
                _reference("gen", role="generated", consistency_score=90),  # 5 + 5
                _reference("core", role="core_reference", shot_type="medium"),  # 8 + 2 (near shot)
                _reference("master", role="master"),  # 10
            ],
            _analysis(shot_type="close-up"),
            ["core", "master", "gen"],
        ),
        (
            [
                _reference("gen", role="generated", consistency_score=90),  # 5 + 5
                _reference("core", role="core_reference", tags=("close",), caption="up"),  # 8 + 2 (keywords)
                _reference("master", role="master"),  # 10
            ],
            _analysis(keywords=("close", "up")),
            ["master", "core", "gen"],
        ),
        # A master full-body front and a core full-body 45-degree tie at 15 for a full-body side prompt: the core
        # shows a view nearer the one asked for.
        (
            [
                _reference("master", role="master", shot_type="full-body", angle="front"),  # 10 + 5
                _reference("core", role="core_reference", shot_type="full-body", angle="45-degree"),  # 8 + 5 + 2
            ],
            _analysis(shot_type="full-body", angle="side"),
            ["core", "master"],
        ),
        # Equal score and role: the newer first, then by id.
        (
            [
                _reference("b-old", role="core_reference", created_at=1_000),
                _reference("c-new", role="core_reference", created_at=2_000),
                _reference("a-old", role="core_reference", created_at=1_000),
            ],
            _analysis(),
            ["c-new", "a-old", "b-old"],
        ),
        # Ineligible generated images drop out; the rest keep their order.
        (
            [
                _reference("drifted", role="generated", consistency_score=60, shot_type="close-up"),
                _reference("unscored", role="generated", shot_type="close-up"),
                _reference("core", role="core_reference"),
            ],
            _analysis(shot_type="close-up"),
            ["core"],
        ),
        ([], _analysis(), []),
    ],
)
def test_ordering(references: list[Reference], analysis: PromptAnalysis, expected_order: list[str]) -> None:
    assert _ids(rank_references(references, analysis)) == expected_order


def test_ordering_does_not_depend_on_input_order() -> None:
    references = [
        _reference("m", role="master"),
        _reference("c1", role="core_reference", shot_type="medium", created_at=5),
        _reference("c2", role="core_reference", shot_type="medium", created_at=5),
        _reference("g", role="generated", consistency_score=88, quality_score=81),
    ]
    analysis = _analysis(shot_type="close-up")
    assert _ids(rank_references(references, analysis)) == _ids(rank_references(references[::-1], analysis))


@pytest.mark.parametrize(
    ("reference", "analysis", "reasons"),
    [
        (_reference(role="master"), _analysis(), ("master reference (+10)",)),
        (_reference(role="core_reference"), _analysis(), ("core reference (+8)",)),
        (
            _reference(role="generated", quality_score=92, consistency_score=88),
            _analysis(),
            (
                "generated image (+5)",
                "quality score 92 is at least 80 (+5)",
                "consistency score 88 is at least 85 (+5)",
            ),
        ),
        (
            _reference(shot_type="close-up", angle="45-degree"),
            _analysis(shot_type="close-up", angle="front"),
            (
                "master reference (+10)",
                "shot type close-up matches (+5)",
                "angle 45-degree is next to the requested front (+2)",
            ),
        ),
        (
            _reference(tags=("dramatic", "lighting")),
            _analysis(keywords=("dramatic", "lighting")),
            ("master reference (+10)", "keywords dramatic, lighting match tags (+2)"),
        ),
        (
            _reference(tags=("knight",), caption="red cloak"),
            _analysis(keywords=("knight", "red")),
            ("master reference (+10)", "keywords knight, red match tags and caption (+2)"),
        ),
        (
            _reference(caption="a knight"),
            _analysis(keywords=("knight",)),
            ("master reference (+10)", "keyword knight matches caption (+1)"),
        ),
        (
            _reference(tags=("a", "b", "c", "d", "e", "f")),
            _analysis(keywords=("a", "b", "c", "d", "e", "f")),
            ("master reference (+10)", "keywords a, b, c, d, e, f match tags (+5, capped at 5)"),
        ),
    ],
)
def test_reasons_spell_out_each_part(reference: Reference, analysis: PromptAnalysis, reasons: tuple[str, ...]) -> None:
    assert _only(reference, analysis).reasons == reasons


def test_explain_choice_is_one_sentence_naming_the_reference_score_and_reasons() -> None:
    reference = _reference("core-7", role="core_reference", shot_type="close-up", tags=("dramatic",))
    ranked = score_reference(reference, _analysis(shot_type="close-up", keywords=("dramatic",)))
    assert explain_choice(ranked) == (
        "Reference core-7 scores 14 from core reference (+8), shot type close-up matches (+5)"
        " and keyword dramatic matches tags (+1)."
    )
    assert explain_choice(_only(_reference("m"))) == "Reference m scores 10 from master reference (+10)."


def test_prompt_to_choice() -> None:
    """The spec's example prompt picks the close-up core reference tagged for dramatic light."""
    references = [
        _reference("master", role="master", shot_type="full-body", angle="front"),
        _reference(
            "core-face", role="core_reference", shot_type="close-up", angle="front", tags=("dramatic", "portrait")
        ),
        _reference("core-side", role="core_reference", shot_type="full-body", angle="side"),
        _reference("gen-drift", role="generated", shot_type="close-up", quality_score=95, consistency_score=70),
        _reference(
            "gen-good", role="generated", shot_type="medium", quality_score=70, consistency_score=91, caption="lighting"
        ),
    ]
    ranked = rank_references(references, analyze("close-up portrait with dramatic lighting"))
    assert _ids(ranked) == ["core-face", "gen-good", "master", "core-side"]
    # "close-up" and "portrait" earn the shot-type points; they are not keywords as well.
    assert ranked[0].score == 8 + 5 + 1  # core, close-up, "dramatic"
    assert ranked[1].score == 5 + 5 + 2 + 1  # generated, consistency bonus, near shot, "lighting"


def test_a_framing_word_in_the_tags_does_not_outweigh_the_asked_for_angle() -> None:
    """A prompt asking for a full-body side view: a master tagged "full-body" must not win on the tag's words over a
    core reference showing a nearer angle (15 each: the framing decides the tie)."""
    references = [
        _reference("master", role="master", shot_type="full-body", angle="front", tags=("full-body", "turnaround")),
        _reference("turned", role="core_reference", shot_type="full-body", angle="45-degree"),
    ]
    ranked = rank_references(references, analyze("knight, full body, side view"))
    assert _ids(ranked) == ["turned", "master"]
    assert [item.score for item in ranked] == [15, 15]


def test_shortlist_keeps_every_reference_and_only_the_best_generated() -> None:
    from actors.selector.router import shortlist

    def ranked(ref_id: str, role: str, score: float) -> RankedReference:
        reference = Reference(id=ref_id, character_id="c", asset_id=ref_id, role=role)  # type: ignore[arg-type]
        return RankedReference(reference=reference, score=score, parts={})

    ranking = [ranked(f"g{i}", "generated", 30 - i) for i in range(8)]
    ranking += [ranked("m", "master", 10), ranked("c1", "core_reference", 8), ranked("c2", "core_reference", 8)]
    kept = [r.reference.id for r in shortlist(ranking, 3)]
    assert kept == ["g0", "g1", "g2", "m", "c1", "c2"]
