"""Events: past-tense facts a stage publishes when it has done (or failed to do) its command.

They form one tagged union, `StageEvent`, which the saga decodes with a single decoder.
Every event carries the request id; attempt-scoped events carry the attempt number, so duplicates are recognisable.
"""

from typing import Literal

from contracts.base import Tagged
from contracts.model import Character, PromptAnalysis, RankedReference, ValidationReport

FailureKind = Literal["not_found", "invalid", "unavailable", "transient", "permanent", "timeout"]


class PromptAnalyzed(Tagged, frozen=True, tag="analyzed"):
    request_id: str
    analysis: PromptAnalysis


class AnalysisFailed(Tagged, frozen=True, tag="analysis_failed"):
    request_id: str
    reason: str


class ReferencesSelected(Tagged, frozen=True, tag="selected"):
    request_id: str
    character: Character
    ranking: tuple[RankedReference, ...]


class SelectionFailed(Tagged, frozen=True, tag="selection_failed"):
    request_id: str
    kind: FailureKind
    reason: str


class ImageGenerated(Tagged, frozen=True, tag="generated"):
    request_id: str
    attempt: int
    asset_id: str
    engine: str
    elapsed_ms: float
    width: int = 0
    height: int = 0


class GenerationFailed(Tagged, frozen=True, tag="generation_failed"):
    request_id: str
    attempt: int
    kind: FailureKind
    reason: str
    engine: str = ""
    elapsed_ms: float = 0


class ImageValidated(Tagged, frozen=True, tag="validated"):
    request_id: str
    attempt: int
    report: ValidationReport
    elapsed_ms: float


class ValidationFailed(Tagged, frozen=True, tag="validation_failed"):
    request_id: str
    attempt: int
    reason: str


class ImageSaved(Tagged, frozen=True, tag="saved"):
    request_id: str
    image_id: str
    asset_id: str
    filename: str


class SaveFailed(Tagged, frozen=True, tag="save_failed"):
    request_id: str
    reason: str


class StageTimedOut(Tagged, frozen=True, tag="stage_timed_out"):
    """Raised by the saga's own timer (not a stage): the stage it waited on said nothing in time."""

    request_id: str
    stage: str
    attempt: int
    has_workers: bool


class StageUnavailable(Tagged, frozen=True, tag="stage_unavailable"):
    """The saga found no running worker for a stage it was about to command."""

    request_id: str
    stage: str


StageEvent = (
    PromptAnalyzed
    | AnalysisFailed
    | ReferencesSelected
    | SelectionFailed
    | ImageGenerated
    | GenerationFailed
    | ImageValidated
    | ValidationFailed
    | ImageSaved
    | SaveFailed
    | StageTimedOut
    | StageUnavailable
)


class GenerationProgress(Tagged, frozen=True, tag="generation_progress"):
    """How far an engine has got with an attempt (ComfyUI steps, fal queue position)."""

    request_id: str
    attempt: int
    engine: str
    detail: str
    fraction: float


ReferenceChange = Literal["reference_added", "reference_updated"]
GalleryChange = Literal["character_created", "image_generated", "reference_added", "reference_updated"]


class GalleryUpdated(Tagged, frozen=True, tag="gallery_updated"):
    character_id: str
    entry_id: str
    change: GalleryChange
    asset_id: str = ""
