"""Reference ranking: score each reference against the prompt analysis, exactly as the spec lists it.

Points (the spec's "Reference Selection"):
- role: master +10, core_reference +8, generated +5;
- quality bonus +5 when quality_score >= 80, consistency bonus +5 when consistency_score >= 85. A bonus
  needs a score, so master and core references, which are never scored, get neither;
- matching bonus, 0 to 15 in total: shot type +5 when it equals the requested one, angle +5 likewise, and
  +1 for each prompt keyword found in the reference's tags or caption, at most +5. A "near" shot type or
  angle, one step away (close-up~medium, medium~full-body, full-body~wide; 45-degree~front,
  45-degree~side), earns +2, because it still frames the character much as asked.

A generated reference whose consistency_score is missing or below `min_generated_consistency` is left
out entirely: conditioning on an image that already drifted from the character compounds the drift.

Order: score descending; among equal scores the reference that matches the requested shot type and angle
better (more shot + angle points) first, because showing the asked-for view is what selection is for; then role
(master, core_reference, generated), then newest, then id, so the ranking is deterministic. The scores
themselves are exactly the parts above: only the order of equal totals is decided here.
"""

import re
from collections.abc import Sequence
from typing import Final, TypeVar

from contracts.model import Angle, PromptAnalysis, RankedReference, Reference, ReferenceRole, ShotType

ROLE_PART: Final = "role"
QUALITY_PART: Final = "qualityBonus"
CONSISTENCY_PART: Final = "consistencyBonus"
SHOT_PART: Final = "shotMatch"
ANGLE_PART: Final = "angleMatch"
KEYWORD_PART: Final = "keywordMatch"

ROLE_POINTS: Final[dict[ReferenceRole, float]] = {"master": 10.0, "core_reference": 8.0, "generated": 5.0}
ROLE_LABELS: Final[dict[ReferenceRole, str]] = {
    "master": "master reference",
    "core_reference": "core reference",
    "generated": "generated image",
}
# Lower sorts first when scores tie: the master is the ground truth, generated images are derived.
ROLE_PRIORITY: Final[dict[ReferenceRole, int]] = {"master": 0, "core_reference": 1, "generated": 2}

HIGH_QUALITY_SCORE: Final = 80.0
HIGH_CONSISTENCY_SCORE: Final = 85.0
SCORE_BONUS: Final = 5.0
EXACT_MATCH_POINTS: Final = 5.0
NEAR_MATCH_POINTS: Final = 2.0
KEYWORD_POINTS_EACH: Final = 1.0
KEYWORD_POINTS_CAP: Final = 5.0

NEAR_SHOT_TYPES: Final[frozenset[frozenset[ShotType]]] = frozenset(
    {
        frozenset({"close-up", "medium"}),
        frozenset({"medium", "full-body"}),
        frozenset({"full-body", "wide"}),
    }
)
NEAR_ANGLES: Final[frozenset[frozenset[Angle]]] = frozenset(
    {frozenset({"45-degree", "front"}), frozenset({"45-degree", "side"})}
)

_WORD_PATTERN: Final = re.compile(r"[^\W_]+(?:[-/'][^\W_]+)*")
_Framing = TypeVar("_Framing", ShotType, Angle)


def _points(value: float) -> str:
    return f"+{value:g}"


def _words(text: str) -> set[str]:
    """Lower-case words of a tag or caption, with hyphenated words also split, so "full" finds "full-body"."""
    words: set[str] = set()
    for word in _WORD_PATTERN.findall(text.lower().replace("’", "'")):
        stem = word.removesuffix("'s")
        words.add(stem)
        words.update(part for part in stem.split("-") if part)
    return words


def _is_eligible(reference: Reference, min_generated_consistency: float) -> bool:
    if reference.role != "generated":
        return True
    return reference.consistency_score is not None and reference.consistency_score >= min_generated_consistency


def _role_part(reference: Reference) -> tuple[float, str]:
    points = ROLE_POINTS[reference.role]
    return points, f"{ROLE_LABELS[reference.role]} ({_points(points)})"


def _score_bonus(name: str, score: float | None, threshold: float) -> tuple[float, str | None]:
    if score is None or score < threshold:
        return 0.0, None
    return SCORE_BONUS, f"{name} score {score:g} is at least {threshold:g} ({_points(SCORE_BONUS)})"


def _framing_part(
    name: str, wanted: _Framing | None, offered: _Framing | None, near: frozenset[frozenset[_Framing]]
) -> tuple[float, str | None]:
    if wanted is None or offered is None:
        return 0.0, None
    if wanted == offered:
        return EXACT_MATCH_POINTS, f"{name} {offered} matches ({_points(EXACT_MATCH_POINTS)})"
    if frozenset({wanted, offered}) in near:
        return NEAR_MATCH_POINTS, f"{name} {offered} is next to the requested {wanted} ({_points(NEAR_MATCH_POINTS)})"
    return 0.0, None


def _keyword_matches(keyword: str, vocabulary: set[str]) -> bool:
    if keyword in vocabulary:
        return True
    # "close-up" in the prompt also finds a caption that says "close up".
    parts = [part for part in keyword.split("-") if part]
    return len(parts) > 1 and all(part in vocabulary for part in parts)


def _keyword_part(keywords: Sequence[str], reference: Reference) -> tuple[float, str | None]:
    tag_words = _words(" ".join(reference.tags))
    caption_words = _words(reference.caption)
    in_tags = [keyword for keyword in keywords if _keyword_matches(keyword, tag_words)]
    in_caption = [keyword for keyword in keywords if _keyword_matches(keyword, caption_words)]
    matched = [keyword for keyword in keywords if keyword in in_tags or keyword in in_caption]
    if not matched:
        return 0.0, None
    points = min(KEYWORD_POINTS_EACH * len(matched), KEYWORD_POINTS_CAP)
    where = "tags" if not in_caption else "caption" if not in_tags else "tags and caption"
    capped = f", capped at {KEYWORD_POINTS_CAP:g}" if KEYWORD_POINTS_EACH * len(matched) > points else ""
    noun = "keyword" if len(matched) == 1 else "keywords"
    verb = "matches" if len(matched) == 1 else "match"
    return points, f"{noun} {', '.join(matched)} {verb} {where} ({_points(points)}{capped})"


def score_reference(reference: Reference, analysis: PromptAnalysis) -> RankedReference:
    """Score one reference, keeping every part and a sentence for each part that earned points."""
    role_points, role_reason = _role_part(reference)
    parts: dict[str, tuple[float, str | None]] = {
        ROLE_PART: (role_points, role_reason),
        QUALITY_PART: _score_bonus("quality", reference.quality_score, HIGH_QUALITY_SCORE),
        CONSISTENCY_PART: _score_bonus("consistency", reference.consistency_score, HIGH_CONSISTENCY_SCORE),
        SHOT_PART: _framing_part("shot type", analysis.shot_type, reference.shot_type, NEAR_SHOT_TYPES),
        ANGLE_PART: _framing_part("angle", analysis.angle, reference.angle, NEAR_ANGLES),
        KEYWORD_PART: _keyword_part(analysis.keywords, reference),
    }
    points = {name: value for name, (value, _) in parts.items()}
    reasons = tuple(reason for _, reason in parts.values() if reason is not None)
    return RankedReference(reference=reference, score=sum(points.values()), parts=points, reasons=reasons)


def _order_key(ranked: RankedReference) -> tuple[float, float, int, int, str]:
    reference = ranked.reference
    framing = ranked.parts[SHOT_PART] + ranked.parts[ANGLE_PART]
    return (-ranked.score, -framing, ROLE_PRIORITY[reference.role], -reference.created_at, reference.id)


def rank_references(
    references: Sequence[Reference],
    analysis: PromptAnalysis,
    *,
    min_generated_consistency: float = HIGH_CONSISTENCY_SCORE,
) -> tuple[RankedReference, ...]:
    """Eligible references, best first, each with its score broken into the spec's parts."""
    eligible = (reference for reference in references if _is_eligible(reference, min_generated_consistency))
    return tuple(sorted((score_reference(reference, analysis) for reference in eligible), key=_order_key))


def explain_choice(ranked: RankedReference) -> str:
    """One sentence on why a reference scored what it did, e.g. for a saga's attempt log."""
    reasons = list(ranked.reasons)
    listed = reasons[0] if len(reasons) == 1 else f"{', '.join(reasons[:-1])} and {reasons[-1]}"
    return f"Reference {ranked.reference.id} scores {ranked.score:g} from {listed}."
