"""The saga's decisions, table by table: attempt order, retries, thresholds, idempotency and every error status."""

import msgspec
import pytest

from actors.saga.commands import outstanding
from actors.saga.decide import Decision, SagaConfig, decide, start
from actors.saga.policy import RetryPolicy, attempt_order, next_params
from contracts.api import DryRunBody, ErrorBody, SmartImageRequest, SuccessBody
from contracts.commands import AnalyzePrompt, GenerateImage, SaveGeneratedImage, SelectReferences, ValidateImage
from contracts.events import (
    GenerationFailed,
    ImageGenerated,
    ImageSaved,
    ImageValidated,
    PromptAnalyzed,
    ReferencesSelected,
    SelectionFailed,
    StageEvent,
    StageTimedOut,
    StageUnavailable,
)
from contracts.model import Character, GenerationParams, PromptAnalysis, RankedReference, Reference, ValidationReport

CONFIG = SagaConfig(public_base_url="http://media.example")
ANALYSIS = PromptAnalysis(shot_type="close-up", angle=None, mood="dramatic", setting="neutral", keywords=("portrait",))
CHARACTER = Character(id="demo", name="Nova Star")


def ranked(ref_id: str, role: str, score: float) -> RankedReference:
    reference = Reference(id=ref_id, character_id="demo", asset_id=f"asset-{ref_id}", role=role)  # type: ignore[arg-type]
    return RankedReference(reference=reference, score=score, parts={"role": score})


CORE_TOP = ranked("core1", "core_reference", 21)
MASTER = ranked("master", "master", 15)
CORE_2 = ranked("core2", "core_reference", 8)
RANKING = (CORE_TOP, MASTER, CORE_2)


def request(**overrides: object) -> SmartImageRequest:
    return msgspec.convert({"characterId": "demo", "prompt": "close-up portrait", **overrides}, SmartImageRequest)


def report(quality: float, consistency: float) -> ValidationReport:
    return ValidationReport(quality_score=quality, consistency_score=consistency, backend="classical", notes="n")


def run(events: list[StageEvent], **overrides: object) -> Decision:
    decision = start(request(**overrides), "r1", "_INBOX.x", now=1_000)
    for i, event in enumerate(events):
        decision = decide(decision.state, event, CONFIG, now=2_000 + i * 100)
        if decision.outcome is not None:
            break  # later events would reach a finished saga, which ignores them
    return decision


def until_generating(ranking: tuple[RankedReference, ...] = RANKING) -> list[StageEvent]:
    return [
        PromptAnalyzed(request_id="r1", analysis=ANALYSIS),
        ReferencesSelected(request_id="r1", character=CHARACTER, ranking=ranking),
    ]


def attempt(n: int, quality: float, consistency: float) -> list[StageEvent]:
    return [
        ImageGenerated(request_id="r1", attempt=n, asset_id=f"out{n}", engine="local", elapsed_ms=5),
        ImageValidated(request_id="r1", attempt=n, report=report(quality, consistency), elapsed_ms=3),
    ]


def test_start_asks_the_analyzer_first() -> None:
    decision = start(request(), "r1", "_INBOX.x", now=1)
    assert decision.state.phase == "analyzing"
    assert decision.commands == (AnalyzePrompt(request_id="r1", prompt="close-up portrait"),)


def test_analysis_leads_to_selection_for_the_character() -> None:
    decision = run([PromptAnalyzed(request_id="r1", analysis=ANALYSIS)])
    assert decision.commands == (SelectReferences(request_id="r1", character_id="demo", analysis=ANALYSIS),)


def test_first_attempt_uses_the_top_ranked_reference() -> None:
    (command,) = run(until_generating()).commands
    assert isinstance(command, GenerateImage)
    assert (command.attempt, command.reference.id) == (1, "core1")


@pytest.mark.parametrize(
    ("ranking", "expected"),
    [
        (RANKING, ["core1", "master", "core2", "core1", "master"]),
        ((MASTER, CORE_TOP, CORE_2), ["master", "core1", "core2", "master", "core1"]),
        ((MASTER,), ["master"] * 5),
        ((CORE_TOP, CORE_2), ["core1", "core2", "core1", "core2", "core1"]),
    ],
)
def test_attempt_order_is_top_then_master_then_rank_order_cycling(
    ranking: tuple[RankedReference, ...], expected: list[str]
) -> None:
    events = until_generating(ranking)
    used = []
    for n in range(1, 6):
        decision = run(events, maxRetries=5)
        (command,) = decision.commands
        assert isinstance(command, GenerateImage)
        used.append(command.reference.id)
        events += attempt(n, quality=40, consistency=40)
    assert used == expected
    assert [r.reference.id for r in attempt_order(ranking)][: len(set(expected))] == list(dict.fromkeys(expected))


def test_validation_is_against_the_master_with_core_views_beside_it() -> None:
    (command,) = run([*until_generating(), attempt(1, 0, 0)[0]]).commands
    assert isinstance(command, ValidateImage)
    assert command.master_asset_id == "asset-master"
    assert set(command.core_asset_ids) == {"asset-core1", "asset-core2"}


def test_passing_attempt_is_saved_then_answered_with_the_spec_body() -> None:
    decision = run([*until_generating(), *attempt(1, 85, 92)], tags="action scene, dynamic pose")
    (save,) = decision.commands
    assert isinstance(save, SaveGeneratedImage)
    assert save.tags == ("action scene", "dynamic pose")
    assert save.filename.startswith("nova_star_smart_") and save.filename.endswith(".jpg")
    done = decide(
        decision.state, ImageSaved(request_id="r1", image_id="img1", asset_id="out1", filename="f"), CONFIG, 9_000
    )
    assert done.outcome is not None
    status, body = done.outcome
    assert status == 200 and isinstance(body, SuccessBody)
    assert body.message == "Smart image generated successfully in 1 attempt"
    data = body.data
    assert (data.image_id, data.dino_asset_id, data.public_url) == ("img1", "out1", "http://media.example/media/out1")
    assert (data.selected_reference_id, data.selected_reference_type) == ("core1", "core_reference")
    assert (data.quality_score, data.consistency_score, data.attempts) == (85, 92, 1)
    assert data.generation_time == 8_000


def test_success_on_second_attempt_says_attempts_plural() -> None:
    decision = run([*until_generating(), *attempt(1, 60, 90), *attempt(2, 90, 90)])
    done = decide(decision.state, ImageSaved(request_id="r1", image_id="i", asset_id="out2", filename="f"), CONFIG, 9)
    assert done.outcome is not None
    assert done.outcome.body.message == "Smart image generated successfully in 2 attempts"  # type: ignore[union-attr]
    assert done.outcome.body.data.selected_reference_id == "master"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("scores", "thresholds", "reason", "causes"),
    [
        (
            (65, 75),
            {},
            "Failed validation - Quality: 65/70, Consistency: 75/80",
            ["Quality threshold not met", "Consistency validation failed"],
        ),
        ((65, 95), {}, "Failed validation - Quality: 65/70, Consistency: 95/80", ["Quality threshold not met"]),
        ((90, 79.4), {}, "Failed validation - Quality: 90/70, Consistency: 79/80", ["Consistency validation failed"]),
        (
            (84, 90),
            {"qualityThreshold": 85},
            "Failed validation - Quality: 84/85, Consistency: 90/80",
            ["Quality threshold not met"],
        ),
        (
            (90, 85),
            {"consistencyThreshold": 87.5},
            "Failed validation - Quality: 90/70, Consistency: 85/87.5",
            ["Consistency validation failed"],
        ),
    ],
)
def test_all_attempts_failing_gives_500_with_every_attempt_in_the_spec_form(
    scores: tuple[float, float], thresholds: dict[str, float], reason: str, causes: list[str]
) -> None:
    events = until_generating()
    for n in (1, 2, 3):
        events += attempt(n, *scores)
    decision = run(events, **thresholds)
    assert decision.outcome is not None
    status, body = decision.outcome
    assert status == 500 and isinstance(body, ErrorBody)
    assert body.error.startswith("All Attempts Failed")
    assert body.details.total_attempts == 3
    assert [a.reason for a in body.details.attempts] == [reason] * 3
    assert [a.reference_used for a in body.details.attempts] == [
        "core_reference:core1",
        "master:master",
        "core_reference:core2",
    ]
    assert list(body.details.failure_reasons) == causes


@pytest.mark.parametrize("max_retries", [1, 2, 5])
def test_max_retries_bounds_the_number_of_attempts(max_retries: int) -> None:
    events = until_generating()
    for n in range(1, 7):
        events += attempt(n, 10, 10)
    decision = run(events, maxRetries=max_retries)
    assert decision.outcome is not None
    assert decision.outcome.body.details.total_attempts == max_retries  # type: ignore[union-attr]


def test_retry_after_consistency_miss_holds_the_reference_harder_with_same_seed() -> None:
    policy = RetryPolicy()
    first = GenerationParams(seed=7, strength=0.75, guidance=5.0)
    after_consistency = next_params(policy, first, "consistency", "r1", 2)
    after_quality = next_params(policy, first, "quality", "r1", 2)
    assert after_consistency.strength > first.strength and after_consistency.seed == first.seed
    assert after_quality.strength < first.strength and after_quality.seed != first.seed


def test_generation_failure_moves_on_to_the_next_attempt_and_is_recorded() -> None:
    failed = GenerationFailed(request_id="r1", attempt=1, kind="permanent", reason="content policy", engine="fal")
    decision = run([*until_generating(), failed])
    (command,) = decision.commands
    assert isinstance(command, GenerateImage) and command.attempt == 2
    assert decision.state.attempts[0].failure == "Generation failed - content policy"


@pytest.mark.parametrize(
    ("events", "status", "error_start"),
    [
        (
            [SelectionFailed(request_id="r1", kind="not_found", reason="Character not found: demo")],
            404,
            "Character not found",
        ),
        ([ReferencesSelected(request_id="r1", character=CHARACTER, ranking=())], 400, "No Reference Images"),
        (
            [GenerationFailed(request_id="r1", attempt=1, kind="unavailable", reason="connection refused")],
            503,
            "Service Unavailable",
        ),
        (
            [StageTimedOut(request_id="r1", stage="generator", attempt=1, has_workers=True)],
            504,
            "Timed out: the generator",
        ),
        (
            [StageTimedOut(request_id="r1", stage="generator", attempt=1, has_workers=False)],
            503,
            "Service unavailable: no generator",
        ),
        ([StageUnavailable(request_id="r1", stage="generator")], 503, "Service unavailable: no generator"),
    ],
)
def test_failures_map_to_the_spec_status_codes(events: list[StageEvent], status: int, error_start: str) -> None:
    prefix = (
        until_generating()
        if not isinstance(events[0], (SelectionFailed, ReferencesSelected))
        else until_generating()[:1]
    )
    decision = run([*prefix, *events])
    assert decision.outcome is not None
    assert decision.outcome.status == status
    assert decision.outcome.body.error.startswith(error_start)  # type: ignore[union-attr]
    assert decision.state.phase == "failed"


@pytest.mark.parametrize(
    "stale",
    [
        PromptAnalyzed(request_id="r1", analysis=ANALYSIS),  # duplicate of an earlier step
        ImageGenerated(request_id="r1", attempt=2, asset_id="x", engine="local", elapsed_ms=1),  # future attempt
        ImageValidated(request_id="r1", attempt=1, report=report(99, 99), elapsed_ms=1),  # not validating yet
        ImageGenerated(request_id="other", attempt=1, asset_id="x", engine="local", elapsed_ms=1),  # other request
        StageTimedOut(request_id="r1", stage="analyzer", attempt=0, has_workers=True),  # stage long done
    ],
)
def test_events_the_saga_is_not_waiting_for_change_nothing(stale: StageEvent) -> None:
    before = run(until_generating())
    after = decide(before.state, stale, CONFIG, now=5_000)
    assert after.state is before.state and after.commands == () and after.outcome is None


def test_duplicate_event_after_the_end_changes_nothing() -> None:
    decision = run([*until_generating(), *attempt(1, 90, 90)])
    saved = ImageSaved(request_id="r1", image_id="i", asset_id="out1", filename="f")
    done = decide(decision.state, saved, CONFIG, 9)
    again = decide(done.state, saved, CONFIG, 10)
    assert again.state is done.state and again.outcome is None


def test_outstanding_command_can_be_rebuilt_from_state_alone() -> None:
    for events in ([], until_generating()[:1], until_generating(), [*until_generating(), attempt(1, 0, 0)[0]]):
        decision = run(list(events))
        assert decision.commands == (outstanding(decision.state),)


def test_dry_run_answers_with_the_plan_and_commands_no_generation() -> None:
    decision = run(until_generating(), dryRun=True, maxRetries=4)
    assert decision.commands == ()
    assert decision.outcome is not None
    status, body = decision.outcome
    assert status == 200 and isinstance(body, DryRunBody)
    plan = body.data.plan
    assert [p.reference_used for p in plan] == [
        "core_reference:core1",
        "master:master",
        "core_reference:core2",
        "core_reference:core1",
    ]
    strengths = [p.params.strength for p in plan]
    assert strengths == sorted(strengths) and strengths[0] < strengths[-1]  # consistency misses hold harder
    assert body.data.selection == RANKING


def test_an_unknown_engine_is_a_400_without_retries() -> None:
    failed = GenerationFailed(request_id="r1", attempt=1, kind="invalid", reason="unknown engine 'dall-e'")
    decision = run([*until_generating(), failed], engine="dall-e")
    assert decision.outcome is not None and decision.outcome.status == 400
    assert decision.state.attempts[0].attempt == 1 and len(decision.state.attempts) == 1


def test_the_requested_engine_reaches_the_generator() -> None:
    (command,) = run(until_generating(), engine="comfyui").commands
    assert isinstance(command, GenerateImage) and command.engine == "comfyui"
