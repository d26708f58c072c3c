"""Domain values carried inside commands and events."""

from typing import Annotated, Literal

import msgspec

from contracts.base import Message

ShotType = Literal["close-up", "medium", "full-body", "wide"]
Angle = Literal["front", "side", "back", "45-degree"]
Mood = Literal["action", "calm", "dramatic", "neutral"]
Setting = Literal["outdoor", "indoor", "studio", "neutral"]
ReferenceRole = Literal["master", "core_reference", "generated"]
Style = Literal["character_turnaround", "character_production", "custom"]

SHOT_TYPES: tuple[ShotType, ...] = ("close-up", "medium", "full-body", "wide")
ANGLES: tuple[Angle, ...] = ("front", "side", "back", "45-degree")
MOODS: tuple[Mood, ...] = ("action", "calm", "dramatic", "neutral")
SETTINGS: tuple[Setting, ...] = ("outdoor", "indoor", "studio", "neutral")
ROLES: tuple[ReferenceRole, ...] = ("master", "core_reference", "generated")
STYLES: tuple[Style, ...] = ("character_turnaround", "character_production", "custom")

# Ids travel inside subject names (gallery.updated.<id>), so they are limited to subject-safe characters.
EntityId = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
Score = Annotated[float, msgspec.Meta(ge=0, le=100)]


class FieldReading(Message, frozen=True):
    """How one analysis field was decided: the value, a 0-1 confidence and the words that decided it."""

    value: str | None
    confidence: float
    words: tuple[str, ...] = ()


class PromptAnalysis(Message, frozen=True):
    shot_type: ShotType | None
    angle: Angle | None
    mood: Mood
    setting: Setting
    keywords: tuple[str, ...]
    readings: dict[str, FieldReading] = {}


class Reference(Message, frozen=True):
    """One image of a character that generation can be conditioned on."""

    id: str
    character_id: str
    asset_id: str
    role: ReferenceRole
    shot_type: ShotType | None = None
    angle: Angle | None = None
    tags: tuple[str, ...] = ()
    caption: str = ""
    quality_score: float | None = None
    consistency_score: float | None = None
    filename: str = ""
    width: int = 0
    height: int = 0
    created_at: int = 0  # unix ms


class Character(Message, frozen=True):
    id: str
    name: str
    description: str = ""
    created_at: int = 0


class RankedReference(Message, frozen=True):
    """A reference with its relevance score and the parts that make it up, so the choice explains itself."""

    reference: Reference
    score: float
    parts: dict[str, float]
    reasons: tuple[str, ...] = ()


class GenerationParams(Message, frozen=True):
    seed: int
    strength: float  # 0-1: how strongly the output holds to the reference
    guidance: float
    width: int = 0  # 0: the reference's own size
    height: int = 0


class ValidationReport(Message, frozen=True):
    quality_score: float
    consistency_score: float
    backend: str
    quality_parts: dict[str, float] = {}
    consistency_parts: dict[str, float] = {}
    notes: str = ""
    model: str = ""  # what exactly produced the consistency vectors (weights or descriptor version)
