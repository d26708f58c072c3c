"""The saga's brain: a pure function from (state, event) to (new state, commands, outcome).

The FastStream handler around it only loads state, calls `decide`, saves with compare-and-set and publishes.
An event the state is not waiting for (a duplicate, a stale attempt, anything after the end) changes nothing,
which is what makes JetStream's at-least-once delivery safe here. The command to send is derived from the new
state (`commands.outstanding`), so a state can always be resumed.
"""

from typing import NamedTuple

import msgspec

from actors.saga.commands import Command, outstanding
from actors.saga.outcome import (
    CONSISTENCY_NOT_MET,
    GENERATION_FAILED,
    QUALITY_NOT_MET,
    dry_run_body,
    error_body,
    filename_for,
    success_body,
    validation_failure,
)
from actors.saga.policy import (
    FailureCause,
    RetryPolicy,
    attempt_order,
    first_params,
    next_params,
    reference_for_attempt,
)
from actors.saga.state import AttemptRecord, Phase, SagaState
from contracts.api import DryRunBody, ErrorBody, SmartImageRequest, SuccessBody
from contracts.codec import tag_of
from contracts.events import (
    AnalysisFailed,
    GenerationFailed,
    ImageGenerated,
    ImageSaved,
    ImageValidated,
    PromptAnalyzed,
    ReferencesSelected,
    SaveFailed,
    SelectionFailed,
    StageEvent,
    StageTimedOut,
    StageUnavailable,
    ValidationFailed,
)
from contracts.model import GenerationParams


class Outcome(NamedTuple):
    status: int
    body: SuccessBody | ErrorBody | DryRunBody


class Decision(NamedTuple):
    state: SagaState
    commands: tuple[Command, ...] = ()
    outcome: Outcome | None = None


class SagaConfig(msgspec.Struct, frozen=True, kw_only=True):
    policy: RetryPolicy = msgspec.field(default_factory=RetryPolicy)
    public_base_url: str = "http://127.0.0.1:3000"


def event_key(event: StageEvent) -> str:
    return f"{tag_of(event)}:{getattr(event, 'attempt', 0)}"


def start(request: SmartImageRequest, request_id: str, reply_to: str, now: int) -> Decision:
    state = SagaState(
        request_id=request_id,
        request=request,
        reply_to=reply_to,
        started_at=now,
        phase="analyzing",
        phase_since=now,
        last_event="start",
    )
    return _proceed(state)


def outcome_of(state: SagaState, config: SagaConfig) -> Outcome | None:
    """The reply a finished saga gives, rebuilt from its state (used again if a crash swallowed the first)."""
    if state.phase == "succeeded" and not state.attempts:
        return Outcome(200, dry_run_body(state, config.policy))
    if state.phase == "succeeded":
        return Outcome(200, success_body(state, config.public_base_url, state.phase_since))
    if state.phase == "failed":
        return Outcome(state.status or 500, error_body(state, state.error or "Generation failed"))
    return None


def decide(state: SagaState, event: StageEvent, config: SagaConfig, now: int) -> Decision:
    if state.phase in ("succeeded", "failed") or event.request_id != state.request_id:
        return Decision(state)
    decision = _transition(state, event, config, now)
    if decision.state is state:
        return decision
    return decision._replace(state=msgspec.structs.replace(decision.state, last_event=event_key(event)))


def _transition(state: SagaState, event: StageEvent, config: SagaConfig, now: int) -> Decision:
    match event:
        case PromptAnalyzed() if state.phase == "analyzing":
            return _proceed(msgspec.structs.replace(state, phase="selecting", phase_since=now, analysis=event.analysis))
        case AnalysisFailed() if state.phase == "analyzing":
            return _fail(state, 500, f"Prompt analysis failed: {event.reason}", config, now)
        case ReferencesSelected() if state.phase == "selecting":
            return _on_selected(state, event, config, now)
        case SelectionFailed() if state.phase == "selecting":
            status = {"not_found": 404, "invalid": 400, "timeout": 504}.get(event.kind, 503)
            return _fail(state, status, event.reason, config, now)
        case ImageGenerated() if _is_current(state, "generating", event.attempt):
            record = msgspec.structs.replace(
                state.attempts[-1],
                asset_id=event.asset_id,
                engine=event.engine,
                generation_ms=event.elapsed_ms,
                width=event.width,
                height=event.height,
            )
            return _proceed(_with_current(state, record, "validating", now))
        case GenerationFailed() if _is_current(state, "generating", event.attempt):
            return _on_generation_failed(state, event, config, now)
        case ImageValidated() if _is_current(state, "validating", event.attempt):
            return _on_validated(state, event, config, now)
        case ValidationFailed() if _is_current(state, "validating", event.attempt):
            reason = f"Service unavailable: the validator could not score the image ({event.reason})"
            return _fail(state, 503, reason, config, now)
        case ImageSaved() if state.phase == "saving":
            done = msgspec.structs.replace(
                state, phase="succeeded", image_id=event.image_id, status=200, phase_since=now
            )
            return Decision(done, (), Outcome(200, success_body(done, config.public_base_url, now)))
        case SaveFailed() if state.phase == "saving":
            return _fail(state, 500, f"Saving to the gallery failed: {event.reason}", config, now)
        case StageTimedOut() if event.stage == state.waiting_on and _attempt_number(state) == event.attempt:
            if event.has_workers:
                seconds = round((now - state.phase_since) / 1000, 1)
                reason = f"Timed out: the {event.stage} stage did not answer within {seconds:g} s"
                return _fail(state, 504, reason, config, now)
            return _fail(state, 503, f"Service unavailable: no {event.stage} worker is running", config, now)
        case StageUnavailable() if event.stage == state.waiting_on:
            return _fail(state, 503, f"Service unavailable: no {event.stage} worker is running", config, now)
    return Decision(state)


def _proceed(state: SagaState) -> Decision:
    command = outstanding(state)
    return Decision(state, (command,) if command is not None else ())


def _is_current(state: SagaState, phase: Phase, attempt: int) -> bool:
    return state.phase == phase and _attempt_number(state) == attempt


def _attempt_number(state: SagaState) -> int:
    return state.attempts[-1].attempt if state.attempts else 0


def _on_selected(state: SagaState, event: ReferencesSelected, config: SagaConfig, now: int) -> Decision:
    new = msgspec.structs.replace(state, character=event.character, ranking=event.ranking)
    if not event.ranking:
        reason = f"No Reference Images: character {event.character.id} has no master reference or gallery images"
        return _fail(new, 400, reason, config, now)
    if state.request.dry_run:
        planned = msgspec.structs.replace(new, phase="succeeded", status=200, phase_since=now)
        return Decision(planned, (), outcome_of(planned, config))
    request = state.request
    return _begin_attempt(new, 1, first_params(config.policy, state.request_id, request.width, request.height), now)


def _begin_attempt(state: SagaState, attempt: int, params: GenerationParams, now: int) -> Decision:
    chosen, why = reference_for_attempt(attempt_order(state.ranking), attempt)
    record = AttemptRecord(attempt=attempt, reference=chosen, params=params, chosen_because=why)
    return _proceed(
        msgspec.structs.replace(state, phase="generating", phase_since=now, attempts=(*state.attempts, record))
    )


def _on_generation_failed(state: SagaState, event: GenerationFailed, config: SagaConfig, now: int) -> Decision:
    if event.kind == "unavailable":
        reason = f"Service Unavailable: the image generation engine is unreachable ({event.reason})"
        return _fail(state, 503, reason, config, now)
    if event.kind == "invalid":  # e.g. an engine name nobody configured: no retry can help
        return _fail(state, 400, f"Invalid parameters: {event.reason}", config, now)
    record = msgspec.structs.replace(
        state.attempts[-1],
        engine=event.engine,
        generation_ms=event.elapsed_ms,
        failure=f"Generation failed - {event.reason}",
        failure_reasons=(GENERATION_FAILED,),
    )
    return _retry_or_give_up(_with_current(state, record, state.phase, now), "generation", config, now)


def _on_validated(state: SagaState, event: ImageValidated, config: SagaConfig, now: int) -> Decision:
    report = event.report
    quality, consistency = round(report.quality_score), round(report.consistency_score)
    quality_ok = quality >= state.request.quality_threshold
    consistency_ok = consistency >= state.request.consistency_threshold
    record = msgspec.structs.replace(state.attempts[-1], report=report, validation_ms=event.elapsed_ms)
    if quality_ok and consistency_ok:
        assert state.character is not None
        filename = filename_for(state.request.character_name or state.character.name, state.character.id, now)
        return _proceed(msgspec.structs.replace(_with_current(state, record, "saving", now), filename=filename))
    reasons = (QUALITY_NOT_MET,) * (not quality_ok) + (CONSISTENCY_NOT_MET,) * (not consistency_ok)
    failure = validation_failure(
        quality, consistency, state.request.quality_threshold, state.request.consistency_threshold
    )
    failed = msgspec.structs.replace(record, failure=failure, failure_reasons=reasons)
    cause: FailureCause = "both" if len(reasons) == 2 else ("quality" if not quality_ok else "consistency")
    return _retry_or_give_up(_with_current(state, failed, state.phase, now), cause, config, now)


def _retry_or_give_up(state: SagaState, cause: FailureCause, config: SagaConfig, now: int) -> Decision:
    done = len(state.attempts)
    if done < state.request.max_retries:
        params = next_params(config.policy, state.attempts[-1].params, cause, state.request_id, done + 1)
        return _begin_attempt(state, done + 1, params, now)
    request = state.request
    noun = "attempt" if done == 1 else "attempts"
    reason = (
        f"All Attempts Failed: none of {done} {noun} met the quality ({request.quality_threshold:g}) "
        f"and consistency ({request.consistency_threshold:g}) thresholds"
    )
    return _fail(state, 500, reason, config, now)


def _with_current(state: SagaState, record: AttemptRecord, phase: Phase, now: int) -> SagaState:
    since = now if phase != state.phase else state.phase_since
    return msgspec.structs.replace(state, phase=phase, phase_since=since, attempts=(*state.attempts[:-1], record))


def _fail(state: SagaState, status: int, error: str, config: SagaConfig, now: int) -> Decision:
    done = msgspec.structs.replace(state, phase="failed", status=status, error=error, phase_since=now)
    outcome = outcome_of(done, config)
    return Decision(done, (), outcome)
