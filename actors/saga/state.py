"""The saga's durable record of one request: what was asked, where it stands, and every attempt so far."""

from typing import Literal

from contracts.api import SmartImageRequest
from contracts.base import Message
from contracts.model import Character, GenerationParams, PromptAnalysis, RankedReference, ValidationReport

Phase = Literal["analyzing", "selecting", "generating", "validating", "saving", "succeeded", "failed"]
TERMINAL_PHASES: frozenset[str] = frozenset({"succeeded", "failed"})

# Which stage the saga waits on in each working phase (used for timeouts and liveness checks).
STAGE_OF_PHASE: dict[str, str] = {
    "analyzing": "analyzer",
    "selecting": "selector",
    "generating": "generator",
    "validating": "validator",
    "saving": "gallery",
}


class AttemptRecord(Message, frozen=True):
    attempt: int
    reference: RankedReference
    params: GenerationParams
    chosen_because: str
    engine: str = ""
    asset_id: str | None = None
    width: int = 0
    height: int = 0
    generation_ms: float = 0
    validation_ms: float = 0
    report: ValidationReport | None = None
    failure: str | None = None  # why this attempt did not produce a kept image
    failure_reasons: tuple[str, ...] = ()


class SagaState(Message, frozen=True):
    request_id: str
    request: SmartImageRequest
    reply_to: str
    started_at: int  # unix ms
    phase: Phase
    phase_since: int  # unix ms, when the saga began waiting on the current stage
    analysis: PromptAnalysis | None = None
    character: Character | None = None
    ranking: tuple[RankedReference, ...] = ()
    attempts: tuple[AttemptRecord, ...] = ()
    image_id: str | None = None
    filename: str | None = None
    status: int | None = None  # the HTTP status of the outcome, once terminal
    error: str | None = None  # the error sentence of a failed outcome
    last_event: str = ""  # key of the event that produced this state, to recognise its redelivery

    @property
    def current_attempt(self) -> AttemptRecord | None:
        return self.attempts[-1] if self.attempts else None

    @property
    def waiting_on(self) -> str | None:
        return STAGE_OF_PHASE.get(self.phase)
