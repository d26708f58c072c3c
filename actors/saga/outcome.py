"""The spec's reply bodies, built from a finished saga's state."""

import re

import msgspec

from actors.saga.policy import RetryPolicy, plan_attempts
from actors.saga.state import AttemptRecord, SagaState
from contracts.api import (
    AttemptSummary,
    DryRunBody,
    DryRunData,
    ErrorBody,
    ErrorDetails,
    PlannedAttempt,
    SuccessBody,
    SuccessData,
)

QUALITY_NOT_MET = "Quality threshold not met"
CONSISTENCY_NOT_MET = "Consistency validation failed"
GENERATION_FAILED = "Generation failed"


def reference_used(record: AttemptRecord) -> str:
    ref = record.reference.reference
    return f"{ref.role}:{ref.id}"


def summarise(record: AttemptRecord) -> AttemptSummary:
    report = record.report
    return AttemptSummary(
        reference_used=reference_used(record),
        quality_score=round(report.quality_score) if report else None,
        consistency_score=round(report.consistency_score) if report else None,
        reason=record.failure or "Passed validation",
        attempt=record.attempt,
        engine=record.engine,
        params={
            "seed": record.params.seed,
            "strength": record.params.strength,
            "guidance": record.params.guidance,
        },
        generation_ms=round(record.generation_ms),
        validation_ms=round(record.validation_ms),
        validator=report.backend if report else "",
        chosen_because=record.chosen_because,
    )


def validation_failure(quality: int, consistency: int, quality_min: float, consistency_min: float) -> str:
    """The spec's exact wording: `Failed validation - Quality: 65/70, Consistency: 75/80`."""
    return f"Failed validation - Quality: {quality}/{quality_min:g}, Consistency: {consistency}/{consistency_min:g}"


def success_body(state: SagaState, public_base_url: str, now: int) -> SuccessBody:
    record = state.attempts[-1]
    report = record.report
    assert report is not None and record.asset_id and state.character and state.image_id and state.filename
    count = len(state.attempts)
    data = SuccessData(
        character_id=state.character.id,
        character_name=state.request.character_name or state.character.name,
        image_id=state.image_id,
        dino_asset_id=record.asset_id,
        public_url=f"{public_base_url.rstrip('/')}/media/{record.asset_id}",
        selected_reference_id=record.reference.reference.id,
        selected_reference_type=record.reference.reference.role,
        quality_score=round(report.quality_score),
        consistency_score=round(report.consistency_score),
        attempts=count,
        generation_time=max(0, now - state.started_at),
        validation_notes=report.notes,
        filename=state.filename,
        attempt_history=tuple(summarise(r) for r in state.attempts),
        validator=report,
        selection=state.ranking,
        request_id=state.request_id,
    )
    noun = "attempt" if count == 1 else "attempts"
    return SuccessBody(message=f"Smart image generated successfully in {count} {noun}", data=data)


def dry_run_body(state: SagaState, policy: RetryPolicy) -> DryRunBody:
    assert state.character is not None and state.analysis is not None
    request = state.request
    steps = plan_attempts(state.ranking, request.max_retries, policy, state.request_id, request.width, request.height)
    plan = tuple(
        PlannedAttempt(
            attempt=step.attempt,
            reference_used=f"{step.reference.reference.role}:{step.reference.reference.id}",
            chosen_because=step.chosen_because,
            params=step.params,
            params_if=step.params_if,
        )
        for step in steps
    )
    data = DryRunData(
        character_id=state.character.id,
        character_name=state.request.character_name or state.character.name,
        analysis=state.analysis,
        selection=state.ranking,
        plan=plan,
        retry_adjustments={cause: msgspec.structs.asdict(change) for cause, change in policy.adjustments.items()},
        request_id=state.request_id,
    )
    return DryRunBody(message=f"Dry run: {len(plan)} attempts planned, nothing generated", data=data)


def error_body(state: SagaState, error: str) -> ErrorBody:
    reasons: list[str] = []
    for record in state.attempts:
        reasons.extend(r for r in record.failure_reasons if r not in reasons)
    return ErrorBody(
        error=error,
        details=ErrorDetails(
            attempts=tuple(summarise(r) for r in state.attempts),
            total_attempts=len(state.attempts),
            failure_reasons=tuple(reasons),
            request_id=state.request_id,
        ),
    )


def filename_for(character_name: str, character_id: str, now: int) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", character_name.lower()).strip("_") or character_id
    return f"{slug}_smart_{now}.jpg"
