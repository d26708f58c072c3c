"""Catalog requests that answer at once (core NATS request-reply to the gallery actor), and their replies."""

from typing import Annotated, Any, Literal

import msgspec

from contracts.base import Message, Tagged
from contracts.model import Angle, Character, EntityId, Reference, ReferenceRole, ShotType

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")]
Description = Annotated[str, msgspec.Meta(max_length=4000)]
Tag = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Caption = Annotated[str, msgspec.Meta(max_length=1000)]


class CreateCharacter(Message, frozen=True):
    name: Name
    description: Description = ""
    id: EntityId | None = None  # chosen by the caller for seeding (e.g. "demo"); generated otherwise


class GetCharacter(Message, frozen=True):
    character_id: str
    # For reference selection: only generated images at least this consistent, the best `generated_limit` of them.
    # A gallery grows with every request; without these a lookup would grow with it.
    min_generated_consistency: float | None = None
    generated_limit: int | None = None


class ListGallery(Message, frozen=True):
    """One page of a character's gallery, newest first; `role` narrows it to one kind of entry."""

    character_id: str
    role: ReferenceRole | None = None
    limit: Annotated[int, msgspec.Meta(ge=1, le=500)] = 100
    offset: Annotated[int, msgspec.Meta(ge=0)] = 0


class GalleryPage(Tagged, frozen=True, tag="gallery_page"):
    character: Character
    entries: tuple[Reference, ...]
    total: int


class AddReference(Message, frozen=True):
    character_id: str
    asset_id: str
    role: ReferenceRole
    shot_type: ShotType | None = None
    angle: Angle | None = None
    tags: tuple[Tag, ...] = ()
    caption: Caption = ""
    filename: str = ""
    width: int = 0
    height: int = 0


class UpdateReference(Message, frozen=True, forbid_unknown_fields=True):
    """A correction of a reference's metadata; fields left out stay as they are (null clears shot type/angle)."""

    character_id: str
    reference_id: str
    role: Literal["master", "core_reference"] | msgspec.UnsetType = msgspec.UNSET
    shot_type: ShotType | msgspec.UnsetType | None = msgspec.UNSET
    angle: Angle | msgspec.UnsetType | None = msgspec.UNSET
    tags: tuple[Tag, ...] | msgspec.UnsetType = msgspec.UNSET
    caption: Caption | msgspec.UnsetType = msgspec.UNSET


class EmbeddingRef(Message, frozen=True):
    """Which reference embedding: assets are content-addressed, so these four fields never go stale."""

    asset_id: str
    backend: str
    model_id: str
    views: str


class StoredEmbedding(Message, frozen=True):
    key: EmbeddingRef
    rows: int
    dim: int
    data: bytes  # float32, row-major


class EmbeddingReply(Message, frozen=True):
    embedding: StoredEmbedding | None = None


class CharacterView(Tagged, frozen=True, tag="character"):
    character: Character
    references: tuple[Reference, ...] = ()


class ReferenceAdded(Tagged, frozen=True, tag="reference_added"):
    reference: Reference


class CoverageView(Tagged, frozen=True, tag="coverage"):
    """Which shot types and angles a character's references cover, and which views to add."""

    character: Character
    coverage: dict[str, Any]


class QueryError(Tagged, frozen=True, tag="error"):
    status: int  # the HTTP status this maps to: 404 unknown character, 400 invalid request
    error: str


QueryReply = CharacterView | ReferenceAdded | CoverageView | GalleryPage | QueryError
