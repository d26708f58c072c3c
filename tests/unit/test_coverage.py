"""Coverage: which views a character's references cover, which prompts fall back, and which views to add."""

from typing import Any

import pytest

from actors.selector.coverage import MAX_SUGGESTIONS, TURNAROUND_ORDER, coverage
from contracts.model import ANGLES, SHOT_TYPES, Angle, Reference, ReferenceRole, ShotType


def _ref(
    ref_id: str,
    shot: ShotType | None,
    angle: Angle | None,
    role: ReferenceRole = "core_reference",
    **fields: Any,
) -> Reference:
    return Reference(
        id=ref_id, character_id="c", asset_id=f"a-{ref_id}", role=role, shot_type=shot, angle=angle, **fields
    )


FULL_TURNAROUND = [
    _ref(f"{shot}-{angle}", shot, angle, "master" if (shot, angle) == ("full-body", "front") else "core_reference")
    for shot in SHOT_TYPES
    for angle in ANGLES
]


def test_every_view_covered_means_no_fallbacks_and_no_suggestions() -> None:
    report = coverage(FULL_TURNAROUND)
    assert report["covered"] == 16
    assert report["fallbacks"] == []
    assert report["suggestions"] == []
    assert all(cell["count"] == 1 for cell in report["cells"])
    assert report["shotTypes"] == dict.fromkeys(SHOT_TYPES, 4)
    assert report["angles"] == dict.fromkeys(ANGLES, 4)


@pytest.mark.parametrize(
    ("references", "shot", "angle", "best_id", "framing", "lost"),
    [
        # Only a master full-body front: a full-body side prompt keeps the shot points only.
        ([_ref("m", "full-body", "front", "master")], "full-body", "side", "m", 5.0, 5.0),
        # A medium front prompt gets a near shot (+2) and the exact angle (+5) from it.
        ([_ref("m", "full-body", "front", "master")], "medium", "front", "m", 7.0, 3.0),
        # Close-up is two steps from full-body: only the angle counts.
        ([_ref("m", "full-body", "front", "master")], "close-up", "front", "m", 5.0, 5.0),
        # Nothing near: a close-up back prompt earns no framing points from a full-body front.
        ([_ref("m", "full-body", "front", "master")], "close-up", "back", None, 0.0, 10.0),
        # The best of several references is the one reported.
        (
            [_ref("m", "full-body", "front", "master"), _ref("c", "medium", "45-degree")],
            "medium",
            "side",
            "c",
            7.0,
            3.0,
        ),
        # An unlabelled angle still covers the shot type it has.
        ([_ref("u", "wide", None)], "wide", "back", "u", 5.0, 5.0),
    ],
)
def test_fallbacks_say_how_much_framing_a_prompt_kind_loses(
    references: list[Reference],
    shot: ShotType,
    angle: Angle,
    best_id: str | None,
    framing: float,
    lost: float,
) -> None:
    report = coverage(references)
    (fallback,) = [item for item in report["fallbacks"] if (item["shotType"], item["angle"]) == (shot, angle)]
    assert (fallback["bestReferenceId"], fallback["framingPoints"], fallback["lostPoints"]) == (best_id, framing, lost)


def test_cells_count_views_and_name_their_references() -> None:
    references = [
        _ref("m", "full-body", "front", "master"),
        _ref("c1", "close-up", "front"),
        _ref("c2", "close-up", "front"),
        _ref("u", None, None),
    ]
    report = coverage(references)
    cells = {(cell["shotType"], cell["angle"]): cell for cell in report["cells"]}
    assert len(cells) == 16
    assert cells[("close-up", "front")]["referenceIds"] == ["c1", "c2"]
    assert cells[("full-body", "front")]["count"] == 1
    assert cells[("wide", "back")]["count"] == 0
    assert (report["references"], report["unlabelled"], report["covered"]) == (4, 1, 2)


@pytest.mark.parametrize(
    ("consistency", "counted"),
    [(None, False), (70.0, False), (85.0, True), (97.0, True)],
)
def test_generated_images_count_only_above_the_consistency_cut_off(consistency: float | None, counted: bool) -> None:
    references = [
        _ref("m", "full-body", "front", "master"),
        _ref("g", "close-up", "back", "generated", consistency_score=consistency, quality_score=90.0),
    ]
    report = coverage(references)
    assert report["excluded"] == (0 if counted else 1)
    assert any(item["shotType"] == "close-up" and item["angle"] == "back" for item in report["fallbacks"]) != counted


def test_cut_off_is_configurable() -> None:
    generated = _ref("g", "close-up", "back", "generated", consistency_score=75.0)
    assert coverage([generated], min_generated_consistency=70.0)["references"] == 1
    assert coverage([generated])["references"] == 0


def test_fallbacks_are_listed_worst_first() -> None:
    lost = [item["lostPoints"] for item in coverage([_ref("m", "full-body", "front", "master")])["fallbacks"]]
    assert lost == sorted(lost, reverse=True)
    assert len(lost) == 15


@pytest.mark.parametrize(
    ("references", "suggested"),
    [
        # A master alone: complete the full-body turnaround first.
        (
            [_ref("m", "full-body", "front", "master")],
            [("full-body", "side"), ("full-body", "back"), ("full-body", "45-degree"), ("close-up", "front")],
        ),
        # Full-body turnaround done: the face comes next.
        (
            [
                _ref("m", "full-body", "front", "master"),
                _ref("s", "full-body", "side"),
                _ref("b", "full-body", "back"),
                _ref("q", "full-body", "45-degree"),
            ],
            [("close-up", "front"), ("close-up", "45-degree"), ("close-up", "side"), ("medium", "front")],
        ),
        # Views already there are skipped, whatever their role.
        (
            [
                _ref("m", "close-up", "front", "master"),
                _ref("g", "full-body", "front", "generated", consistency_score=90.0),
                _ref("s", "full-body", "side"),
            ],
            [("full-body", "back"), ("full-body", "45-degree"), ("close-up", "45-degree"), ("close-up", "side")],
        ),
    ],
)
def test_suggestions_follow_the_turnaround_order_skipping_views_already_there(
    references: list[Reference], suggested: list[tuple[ShotType, Angle]]
) -> None:
    suggestions = coverage(references)["suggestions"]
    assert [(item["shotType"], item["angle"]) for item in suggestions] == suggested
    first = suggestions[0]
    assert first["closes"][0] == f"{first['shotType']}/{first['angle']}"
    assert "framing points" in first["reason"]


def test_each_suggestion_counts_what_the_ones_before_it_already_won_back() -> None:
    suggestions = coverage([_ref("m", "full-body", "front", "master")])["suggestions"]
    side, back = suggestions[0], suggestions[1]
    # Full-body side: its own kind 5 -> 10, medium and wide side 2 -> 7 (near shot, exact angle), close-up side
    # 0 -> 5 (exact angle): 5 + 5 + 5 + 5.
    assert side["regainedPoints"] == 20.0
    # The back view is what it would be once the side view is there.
    assert coverage([_ref("m", "full-body", "front", "master"), _ref("s", "full-body", "side")])["suggestions"][0] == (
        back
    )


def test_suggestions_are_capped_distinct_and_each_wins_back_points() -> None:
    suggestions = coverage([_ref("m", "full-body", "front", "master")])["suggestions"]
    views = [(item["shotType"], item["angle"]) for item in suggestions]
    assert len(views) == MAX_SUGGESTIONS == len(set(views))
    assert all(item["regainedPoints"] > 0 for item in suggestions)
    assert all(view in TURNAROUND_ORDER for view in views)


def test_no_references_suggests_a_turnaround_and_reports_nothing_covered() -> None:
    report = coverage([])
    assert (report["references"], report["covered"], len(report["fallbacks"])) == (0, 0, 16)
    assert all(item["bestReferenceId"] is None for item in report["fallbacks"])
    assert len(report["suggestions"]) == MAX_SUGGESTIONS


def test_the_last_missing_view_is_suggested_alone() -> None:
    almost = [ref for ref in FULL_TURNAROUND if ref.id != "wide-back"]
    report = coverage(almost)
    assert [(item["shotType"], item["angle"]) for item in report["fallbacks"]] == [("wide", "back")]
    # The full-body back view is the best stand-in: +2 for the near shot type, +5 for the angle.
    assert (report["fallbacks"][0]["bestReferenceId"], report["fallbacks"][0]["lostPoints"]) == ("full-body-back", 3.0)
    assert [(item["shotType"], item["angle"]) for item in report["suggestions"]] == [("wide", "back")]
