"""Which views a character's references cover, which prompts would fall back to a poorer match, and what to add.

A "prompt kind" is a (shot type, angle) pair a prompt can ask for: 4 x 4 = 16 kinds. For each kind, the best
framing points any eligible reference earns are computed with the ranking's own rules (actors.selector.rank: +5 for
an exact shot type or angle, +2 for a neighbouring one), so coverage can never disagree with what the selector
would do. A kind whose best is below the full 10 points falls back to a poorer match; `lostPoints` says by how much.

Suggestions are the missing views in TURNAROUND_ORDER, the order in which character turnaround sheets are drawn
(the whole figure from the four sides, then the face, then the half figure, then wide shots), at most
MAX_SUGGESTIONS, each with the framing points it would win back over all 16 kinds given the suggestions before it
(a new view also helps its neighbours: a full-body 45-degree view is "near" both front and side). A fixed order was
chosen over "most points first" because points treat all 16 kinds as equally likely, which would put a medium side
view before a full-body side view; people ask for the whole figure and the face far more than for wide back views,
and a predictable list is easier to act on.

Only references the selector may use count: master and core references, and generated images whose consistency is
at least `min_generated_consistency` (the same cut-off as the ranking). A reference without a shot type or angle
still covers the field it has; it is also counted as unlabelled, because labelling it (PATCH) may close a gap.
"""

import itertools
from collections.abc import Sequence
from typing import Final, TypedDict

from actors.selector.rank import ANGLE_PART, HIGH_CONSISTENCY_SCORE, SHOT_PART, score_reference
from contracts.model import ANGLES, SHOT_TYPES, Angle, PromptAnalysis, Reference, ShotType

FULL_POINTS: Final = 10.0
MAX_SUGGESTIONS: Final = 4

# A character turnaround sheet's usual order: whole figure from the four sides, then the face, then the half figure.
TURNAROUND_ORDER: Final[tuple[tuple[ShotType, Angle], ...]] = (
    ("full-body", "front"),
    ("full-body", "side"),
    ("full-body", "back"),
    ("full-body", "45-degree"),
    ("close-up", "front"),
    ("close-up", "45-degree"),
    ("close-up", "side"),
    ("medium", "front"),
    ("medium", "45-degree"),
    ("medium", "side"),
    ("medium", "back"),
    ("close-up", "back"),
    ("wide", "front"),
    ("wide", "45-degree"),
    ("wide", "side"),
    ("wide", "back"),
)

View = tuple[ShotType, Angle]


class Cell(TypedDict):
    shotType: ShotType
    angle: Angle
    count: int
    referenceIds: list[str]


class Fallback(TypedDict):
    shotType: ShotType
    angle: Angle
    bestReferenceId: str | None
    bestShotType: ShotType | None
    bestAngle: Angle | None
    framingPoints: float
    lostPoints: float


class Suggestion(TypedDict):
    shotType: ShotType
    angle: Angle
    regainedPoints: float
    closes: list[str]  # the prompt kinds that would get an exact match, "shot/angle"
    reason: str


class Coverage(TypedDict):
    references: int  # references counted (eligible)
    excluded: int  # generated images left out for low consistency
    unlabelled: int  # counted references missing a shot type or an angle
    shotTypes: dict[str, int]
    angles: dict[str, int]
    cells: list[Cell]
    covered: int  # prompt kinds with an exact reference
    fallbacks: list[Fallback]  # prompt kinds without one, worst first
    suggestions: list[Suggestion]


def _eligible(reference: Reference, min_generated_consistency: float) -> bool:
    if reference.role != "generated":
        return True
    return reference.consistency_score is not None and reference.consistency_score >= min_generated_consistency


def _framing_points(reference: Reference, view: View) -> float:
    """What the ranking awards `reference` for shot type and angle on a prompt asking for `view`."""
    asked = PromptAnalysis(shot_type=view[0], angle=view[1], mood="neutral", setting="neutral", keywords=())
    parts = score_reference(reference, asked).parts
    return parts[SHOT_PART] + parts[ANGLE_PART]


def _best(references: Sequence[Reference], view: View) -> tuple[float, Reference | None]:
    scored = [(_framing_points(reference, view), reference) for reference in references]
    return max(scored, key=lambda item: item[0], default=(0.0, None))


def _label(view: View) -> str:
    return f"{view[0]}/{view[1]}"


def _suggest(best: dict[View, float]) -> list[Suggestion]:
    current = dict(best)
    suggestions: list[Suggestion] = []
    for view in TURNAROUND_ORDER:
        if len(suggestions) == MAX_SUGGESTIONS:
            break
        if current[view] >= FULL_POINTS:
            continue
        probe = Reference(
            id="probe", character_id="", asset_id="", role="core_reference", shot_type=view[0], angle=view[1]
        )
        after = {kind: max(points, _framing_points(probe, kind)) for kind, points in current.items()}
        gain = sum(after.values()) - sum(current.values())
        closes = [_label(kind) for kind in TURNAROUND_ORDER if current[kind] < FULL_POINTS <= after[kind]]
        helped = sum(1 for kind in TURNAROUND_ORDER if after[kind] > current[kind])
        suggestions.append(
            Suggestion(
                shotType=view[0],
                angle=view[1],
                regainedPoints=gain,
                closes=closes,
                reason=(
                    f"a {view[0]} {view[1]} reference would be an exact match for {_label(view)} prompts and a better"
                    f" match for {helped} prompt kind(s) in all, winning back {gain:g} framing points"
                ),
            )
        )
        current = after
    return suggestions


def coverage(references: Sequence[Reference], *, min_generated_consistency: float = HIGH_CONSISTENCY_SCORE) -> Coverage:
    """Which (shot type, angle) views the usable references cover, what falls back, and which views to add."""
    usable = [reference for reference in references if _eligible(reference, min_generated_consistency)]
    cells: list[Cell] = []
    for shot, angle in itertools.product(SHOT_TYPES, ANGLES):
        ids = [reference.id for reference in usable if (reference.shot_type, reference.angle) == (shot, angle)]
        cells.append(Cell(shotType=shot, angle=angle, count=len(ids), referenceIds=ids))
    best: dict[View, float] = {}
    fallbacks: list[Fallback] = []
    for view in TURNAROUND_ORDER:
        points, reference = _best(usable, view)
        best[view] = points
        if points < FULL_POINTS:
            fallbacks.append(
                Fallback(
                    shotType=view[0],
                    angle=view[1],
                    bestReferenceId=reference.id if reference is not None and points > 0 else None,
                    bestShotType=reference.shot_type if reference is not None and points > 0 else None,
                    bestAngle=reference.angle if reference is not None and points > 0 else None,
                    framingPoints=points,
                    lostPoints=FULL_POINTS - points,
                )
            )
    fallbacks.sort(key=lambda fallback: -fallback["lostPoints"])  # stable: turnaround order among equals
    return Coverage(
        references=len(usable),
        excluded=len(references) - len(usable),
        unlabelled=sum(1 for reference in usable if reference.shot_type is None or reference.angle is None),
        shotTypes={shot: sum(1 for ref in usable if ref.shot_type == shot) for shot in SHOT_TYPES},
        angles={angle: sum(1 for ref in usable if ref.angle == angle) for angle in ANGLES},
        cells=cells,
        covered=len(TURNAROUND_ORDER) - len(fallbacks),
        fallbacks=fallbacks,
        suggestions=_suggest(best),
    )
