"""Asking the gallery actor over NATS request-reply (used by the selector and the bridge)."""

import msgspec
from nats.aio.client import Client

from contracts import subjects
from contracts.codec import encode
from contracts.queries import (
    AddReference,
    CharacterView,
    CreateCharacter,
    GetCharacter,
    ListGallery,
    QueryReply,
    UpdateReference,
)

QUERY_TIMEOUT_S = 5.0

_reply_decoder: msgspec.json.Decoder[QueryReply] = msgspec.json.Decoder(QueryReply)  # type: ignore[arg-type]


class GalleryClient:
    def __init__(self, nc: Client, timeout_s: float = QUERY_TIMEOUT_S) -> None:
        self._nc = nc
        self._timeout_s = timeout_s

    async def _ask(self, subject: str, body: msgspec.Struct) -> QueryReply:
        reply = await self._nc.request(subject, encode(body), timeout=self._timeout_s)
        return _reply_decoder.decode(reply.data)

    async def get_character(
        self, character_id: str, *, min_generated_consistency: float | None = None, generated_limit: int | None = None
    ) -> QueryReply:
        request = GetCharacter(
            character_id=character_id,
            min_generated_consistency=min_generated_consistency,
            generated_limit=generated_limit,
        )
        return await self._ask(subjects.GALLERY_GET_CHARACTER, request)

    async def list_gallery(self, request: ListGallery) -> QueryReply:
        return await self._ask(subjects.GALLERY_LIST, request)

    async def create_character(self, request: CreateCharacter) -> QueryReply:
        return await self._ask(subjects.GALLERY_CREATE_CHARACTER, request)

    async def add_reference(self, request: AddReference) -> QueryReply:
        return await self._ask(subjects.GALLERY_ADD_REFERENCE, request)

    async def coverage(self, character_id: str) -> QueryReply:
        """Answered by the selector (it owns the matching rules), not the gallery."""
        return await self._ask(subjects.SELECTOR_COVERAGE, GetCharacter(character_id=character_id))

    async def update_reference(self, request: UpdateReference) -> QueryReply:
        return await self._ask(subjects.GALLERY_UPDATE_REFERENCE, request)


def is_character(reply: QueryReply) -> bool:
    return isinstance(reply, CharacterView)
