"""Commands: imperative messages, each consumed by exactly one stage worker."""

from contracts.base import Message
from contracts.model import GenerationParams, PromptAnalysis, Reference, Style


class AnalyzePrompt(Message, frozen=True):
    request_id: str
    prompt: str


class SelectReferences(Message, frozen=True):
    request_id: str
    character_id: str
    analysis: PromptAnalysis


class GenerateImage(Message, frozen=True):
    request_id: str
    attempt: int
    character_id: str
    character_name: str
    prompt: str
    style: Style
    analysis: PromptAnalysis
    reference: Reference
    params: GenerationParams
    engine: str = ""  # empty: the deployment's default engine


class ValidateImage(Message, frozen=True):
    request_id: str
    attempt: int
    candidate_asset_id: str
    master_asset_id: str
    core_asset_ids: tuple[str, ...] = ()


class SaveGeneratedImage(Message, frozen=True):
    request_id: str
    character_id: str
    character_name: str
    asset_id: str
    filename: str
    prompt: str
    style: Style
    tags: tuple[str, ...]
    analysis: PromptAnalysis
    reference_id: str
    quality_score: float
    consistency_score: float
    width: int = 0
    height: int = 0
