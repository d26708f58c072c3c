"""Gallery actor: the catalog's only writer. Answers catalog requests and saves generated images."""

import asyncio
import time

import msgspec
from faststream.nats import NatsBroker, NatsMessage, NatsRouter

from actors.gallery.catalog import Catalog, CharacterExists, InvalidUpdate
from actors.images import InvalidImage, decode_image
from actors.media import AssetNotFound, MediaStore
from actors.runtime import publish_event, stage_consumer
from actors.selector.derive import derive_view
from actors.stage import add_ping, current_message, decode_command, event_id
from contracts import subjects
from contracts.codec import encode
from contracts.commands import SaveGeneratedImage
from contracts.events import GalleryUpdated, ImageSaved, ReferenceChange, SaveFailed
from contracts.model import Reference
from contracts.queries import (
    AddReference,
    CharacterView,
    CreateCharacter,
    EmbeddingRef,
    EmbeddingReply,
    GalleryPage,
    GetCharacter,
    ListGallery,
    QueryError,
    ReferenceAdded,
    StoredEmbedding,
    UpdateReference,
)

_save_decoder = msgspec.json.Decoder(SaveGeneratedImage)
_create_decoder = msgspec.json.Decoder(CreateCharacter)
_get_decoder = msgspec.json.Decoder(GetCharacter)
_add_decoder = msgspec.json.Decoder(AddReference)
_update_decoder = msgspec.json.Decoder(UpdateReference)
_list_decoder = msgspec.json.Decoder(ListGallery)
_embedding_ref_decoder = msgspec.json.Decoder(EmbeddingRef)
_stored_embedding_decoder = msgspec.json.Decoder(StoredEmbedding)
QUEUE = "smartgen-gallery"


def now_ms() -> int:
    return int(time.time() * 1000)


def _invalid(error: msgspec.DecodeError) -> bytes:
    return encode(QueryError(status=400, error=f"Invalid parameters: {error}"))


async def _announce(broker: NatsBroker, update: GalleryUpdated) -> None:
    await broker.publish(
        encode(update), subjects.gallery_updated(update.character_id), stream=subjects.GALLERY_STREAM, timeout=10.0
    )


async def _reference_changed(broker: NatsBroker, reference: Reference, change: ReferenceChange) -> bytes:
    """Announce the write on gallery.updated, then answer the caller with the reference as stored."""
    update = GalleryUpdated(
        character_id=reference.character_id, entry_id=reference.id, change=change, asset_id=reference.asset_id
    )
    await _announce(broker, update)
    return encode(ReferenceAdded(reference=reference))


async def with_derived_view(request: AddReference, media: MediaStore) -> AddReference:
    """Fill a missing shot type or angle from the image itself; what the uploader said always wins."""
    if request.shot_type is not None and request.angle is not None:
        return request
    try:
        image = decode_image(await media.get(request.asset_id))
    except (AssetNotFound, InvalidImage):
        return request
    shot_type, angle, _ = await asyncio.to_thread(derive_view, image)
    return msgspec.structs.replace(request, shot_type=request.shot_type or shot_type, angle=request.angle or angle)


def build_router(broker: NatsBroker, catalog: Catalog, media: MediaStore) -> NatsRouter:
    router = NatsRouter()

    async def view(request: GetCharacter) -> bytes:
        character = await catalog.get_character(request.character_id)
        if character is None:
            return encode(QueryError(status=404, error=f"Character not found: {request.character_id}"))
        entries = await catalog.entries(
            request.character_id,
            min_generated_consistency=request.min_generated_consistency,
            generated_limit=request.generated_limit,
        )
        return encode(CharacterView(character=character, references=entries))

    @router.subscriber(subjects.GALLERY_GET_CHARACTER, queue=QUEUE)
    async def get_character() -> bytes:
        return await _get(current_message(broker))

    async def _get(message: NatsMessage) -> bytes:
        try:
            request = _get_decoder.decode(message.body)
        except msgspec.DecodeError as error:
            return _invalid(error)
        return await view(request)

    @router.subscriber(subjects.GALLERY_LIST, queue=QUEUE)
    async def list_gallery() -> bytes:
        try:
            request = _list_decoder.decode(current_message(broker).body)
        except msgspec.DecodeError as error:
            return _invalid(error)
        character = await catalog.get_character(request.character_id)
        if character is None:
            return encode(QueryError(status=404, error=f"Character not found: {request.character_id}"))
        entries, total = await catalog.page(request)
        return encode(GalleryPage(character=character, entries=entries, total=total))

    @router.subscriber(subjects.GALLERY_CREATE_CHARACTER, queue=QUEUE)
    async def create_character() -> bytes:
        message = current_message(broker)
        try:
            request = _create_decoder.decode(message.body)
            character = await catalog.create_character(request, now_ms())
        except msgspec.DecodeError as error:
            return _invalid(error)
        except CharacterExists as exists:
            return encode(QueryError(status=409, error=f"Character already exists: {exists}"))
        await _announce(broker, GalleryUpdated(character_id=character.id, entry_id="", change="character_created"))
        return encode(CharacterView(character=character))

    @router.subscriber(subjects.GALLERY_ADD_REFERENCE, queue=QUEUE)
    async def add_reference() -> bytes:
        message = current_message(broker)
        try:
            request = _add_decoder.decode(message.body)
        except msgspec.DecodeError as error:
            return _invalid(error)
        if await catalog.get_character(request.character_id) is None:
            return encode(QueryError(status=404, error=f"Character not found: {request.character_id}"))
        reference = await catalog.add_reference(await with_derived_view(request, media), now_ms())
        return await _reference_changed(broker, reference, "reference_added")

    @router.subscriber(subjects.GALLERY_UPDATE_REFERENCE, queue=QUEUE)
    async def update_reference() -> bytes:
        try:
            request = _update_decoder.decode(current_message(broker).body)
            reference = await catalog.update_reference(request)
        except msgspec.DecodeError as error:
            return _invalid(error)
        except InvalidUpdate as invalid:
            return encode(QueryError(status=400, error=f"Invalid parameters: {invalid}"))
        if reference is None:
            return encode(QueryError(status=404, error=f"Reference not found: {request.reference_id}"))
        return await _reference_changed(broker, reference, "reference_updated")

    @router.subscriber(subjects.GALLERY_GET_EMBEDDING, queue=QUEUE)
    async def get_embedding() -> bytes:
        try:
            key = _embedding_ref_decoder.decode(current_message(broker).body)
        except msgspec.DecodeError as error:
            return _invalid(error)
        return encode(EmbeddingReply(embedding=await catalog.embedding(key)))

    @router.subscriber(subjects.GALLERY_PUT_EMBEDDING, queue=QUEUE)
    async def put_embedding() -> bytes:
        try:
            stored = _stored_embedding_decoder.decode(current_message(broker).body)
        except msgspec.DecodeError as error:
            return _invalid(error)
        if len(stored.data) != stored.rows * stored.dim * 4:
            return encode(QueryError(status=400, error="Invalid parameters: data is not rows x dim float32 values"))
        await catalog.store_embedding(stored)
        return encode(EmbeddingReply(embedding=None))

    @router.subscriber(**stage_consumer("gallery", subjects.CMD_SAVE))
    async def save_generated() -> None:
        command = await decode_command(current_message(broker), _save_decoder)
        if command is None:
            return
        rid = command.request_id
        if await catalog.get_character(command.character_id) is None:
            failed = SaveFailed(request_id=rid, reason=f"character {command.character_id} no longer exists")
            await publish_event(broker, subjects.EVT_SAVE_FAILED, failed, msg_id=event_id(rid, "save_failed"))
            return
        entry = await catalog.save_generated(command, command.width, command.height, now_ms())
        update = GalleryUpdated(
            character_id=entry.character_id, entry_id=entry.id, change="image_generated", asset_id=entry.asset_id
        )
        await _announce(broker, update)
        saved = ImageSaved(request_id=rid, image_id=entry.id, asset_id=entry.asset_id, filename=entry.filename)
        await publish_event(broker, subjects.EVT_SAVED, saved, msg_id=event_id(rid, "saved"))

    add_ping(router, "gallery")
    return router
