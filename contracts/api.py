"""The smart-image request and its reply bodies, exactly as spec/smart-image-generation-api.md defines them.

The same bodies serve the REST bridge and the `smartgen.generate` request-reply subject.
"""

from typing import Annotated

import msgspec

from contracts.model import EntityId, GenerationParams, PromptAnalysis, RankedReference, Style, ValidationReport

Prompt = Annotated[str, msgspec.Meta(min_length=1, max_length=4000, pattern=r"\S")]
CharacterName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
MaxRetries = Annotated[int, msgspec.Meta(ge=1, le=5)]
QualityThreshold = Annotated[float, msgspec.Meta(ge=50, le=100)]
ConsistencyThreshold = Annotated[float, msgspec.Meta(ge=60, le=100)]
Tags = Annotated[str, msgspec.Meta(max_length=1000)]
ImageSide = Annotated[int, msgspec.Meta(ge=64, le=2048)]
# A client-chosen request id: 1-64 letters, digits, "_" or "-" (safe in a subject, a header and a KV key).
REQUEST_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
EngineName = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_-]{1,64}$")]

DEFAULT_TAGS = "smart generation"


class SmartImageOptions(msgspec.Struct, frozen=True, rename="camel", kw_only=True):
    """The spec's request body fields with their defaults and ranges."""

    prompt: Prompt
    character_name: CharacterName | None = None
    max_retries: MaxRetries = 3
    quality_threshold: QualityThreshold = 70
    consistency_threshold: ConsistencyThreshold = 80
    style: Style = "character_production"
    tags: Tags = DEFAULT_TAGS
    # Additive to the spec: analyse, rank and plan the attempts, but generate nothing.
    dry_run: bool = False
    # Additive: which configured generation engine to use (default: the deployment's).
    engine: EngineName | None = None
    # Additive: output size in pixels (default: the chosen reference's size).
    width: ImageSide | None = None
    height: ImageSide | None = None


class SmartImageBody(SmartImageOptions, frozen=True, forbid_unknown_fields=True):
    """The HTTP body: strict, so a misspelt field is an error rather than a silently ignored option."""


class SmartImageRequest(SmartImageOptions, frozen=True):
    """The bus request on `smartgen.generate`: the body fields plus the character (and an optional id)."""

    character_id: EntityId
    request_id: Annotated[str, msgspec.Meta(pattern=REQUEST_ID_PATTERN)] | None = None


class SuccessData(msgspec.Struct, frozen=True, rename="camel", kw_only=True):
    character_id: str
    character_name: str
    image_id: str
    dino_asset_id: str
    public_url: str
    selected_reference_id: str
    selected_reference_type: str
    quality_score: int
    consistency_score: int
    attempts: int
    generation_time: int
    validation_notes: str
    filename: str
    # Additive to the spec: how every attempt went, and why the references ranked as they did.
    attempt_history: tuple["AttemptSummary", ...] = ()
    validator: ValidationReport | None = None  # the kept image's full report: backend, model and every part
    selection: tuple[RankedReference, ...] = ()
    request_id: str = ""


class SuccessBody(msgspec.Struct, frozen=True, rename="camel", kw_only=True):
    success: bool = True
    message: str
    data: SuccessData


class AttemptSummary(msgspec.Struct, frozen=True, rename="camel", kw_only=True):
    reference_used: str
    quality_score: int | None
    consistency_score: int | None
    reason: str
    attempt: int = 0
    engine: str = ""
    params: dict[str, float] = {}
    generation_ms: int = 0
    validation_ms: int = 0
    validator: str = ""
    chosen_because: str = ""


class ErrorDetails(msgspec.Struct, frozen=True, rename="camel", kw_only=True):
    attempts: tuple[AttemptSummary, ...] = ()
    total_attempts: int = 0
    failure_reasons: tuple[str, ...] = ()
    field: str | None = None
    request_id: str = ""


class ErrorBody(msgspec.Struct, frozen=True, rename="camel", kw_only=True):
    success: bool = False
    error: str
    details: ErrorDetails = ErrorDetails()


class PlannedAttempt(msgspec.Struct, frozen=True, rename="camel", kw_only=True):
    attempt: int
    reference_used: str
    chosen_because: str
    params: GenerationParams
    params_if: str  # which earlier failure these parameters assume


class DryRunData(msgspec.Struct, frozen=True, rename="camel", kw_only=True):
    character_id: str
    character_name: str
    analysis: PromptAnalysis
    selection: tuple[RankedReference, ...]
    plan: tuple[PlannedAttempt, ...]
    retry_adjustments: dict[str, dict[str, float | bool]]
    request_id: str = ""


class DryRunBody(msgspec.Struct, frozen=True, rename="camel", kw_only=True):
    success: bool = True
    message: str
    data: DryRunData


# The reply on the bus carries the HTTP status in this header, so NATS callers and the bridge agree.
STATUS_HEADER = "Smartgen-Status"
