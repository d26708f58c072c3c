"""HTTP views: validate exactly as the spec says, then one NATS request; no state lives here."""

import asyncio

import msgspec
from aiohttp import BodyPartReader, web
from nats.aio.client import Client
from opentelemetry import propagate
from opentelemetry.trace import SpanKind

from actors.gallery.client import GalleryClient
from actors.images import MAX_UPLOAD_BYTES, InvalidImage, decode_image
from bridge.errors import ApiError
from bridge.keys import MEDIA, NATS, SETTINGS, TRACER
from contracts import subjects
from contracts.api import STATUS_HEADER
from contracts.codec import encode
from contracts.model import ANGLES, ROLES, SHOT_TYPES, Reference
from contracts.queries import (
    AddReference,
    CharacterView,
    CoverageView,
    CreateCharacter,
    GalleryPage,
    ListGallery,
    QueryError,
    QueryReply,
    ReferenceAdded,
    UpdateReference,
)
from contracts.requests import FIELD_RULES, InvalidRequest, parse_body, to_request

_JSON = "application/json"


class CharacterBody(msgspec.Struct, frozen=True, forbid_unknown_fields=True, rename="camel", kw_only=True):
    name: str
    description: str = ""
    id: str | None = None


def _json(data: object, status: int = 200) -> web.Response:
    return web.Response(status=status, body=encode({"success": True, "data": data}), content_type=_JSON)


def _entry(reference: Reference, base_url: str) -> dict[str, object]:
    return {
        "id": reference.id,
        "type": reference.role,
        "assetId": reference.asset_id,
        "publicUrl": f"{base_url}/media/{reference.asset_id}",
        "shotType": reference.shot_type,
        "angle": reference.angle,
        "tags": list(reference.tags),
        "caption": reference.caption,
        "qualityScore": reference.quality_score,
        "consistencyScore": reference.consistency_score,
        "filename": reference.filename,
        "width": reference.width,
        "height": reference.height,
        "createdAt": reference.created_at,
    }


def connected(request: web.Request) -> Client:
    """While nats-py reconnects it buffers requests until they time out; say at once that the bus is down."""
    nc: Client = request.app[NATS]
    if not nc.is_connected:
        raise ApiError(503, "Service unavailable: the message bus is unreachable")
    return nc


def _unwrap(reply: QueryReply) -> CharacterView | ReferenceAdded | CoverageView | GalleryPage:
    if isinstance(reply, QueryError):
        raise ApiError(reply.status, reply.error)
    return reply


async def generate_smart_image(request: web.Request) -> web.Response:
    raw = await request.read()
    try:
        body = parse_body(raw)
    except InvalidRequest as invalid:
        raise ApiError(400, invalid.message, invalid.field) from None
    character_id = request.match_info["id"]
    request_id = request.headers.get("X-Request-Id")
    try:
        bus_request = to_request(character_id, body, request_id)
    except msgspec.ValidationError as invalid:
        if "requestId" in str(invalid):
            raise ApiError(400, f"Invalid parameters: {FIELD_RULES['requestId']} (X-Request-Id)", "requestId") from None
        raise ApiError(404, f"Character not found: {character_id}") from None
    nc = connected(request)
    timeout = request.app[SETTINGS].request_timeout_s
    with request.app[TRACER].start_as_current_span(f"POST {request.path}", kind=SpanKind.SERVER) as span:
        headers: dict[str, str] = {}
        propagate.inject(headers)  # the saga and every stage continue this trace through NATS headers
        reply = await nc.request(subjects.GENERATE, encode(bus_request), timeout=timeout, headers=headers)
        status = int((reply.headers or {}).get(STATUS_HEADER, "200"))
        span.set_attribute("http.response.status_code", status)
        span.set_attribute("smartgen.character_id", character_id)
    return web.Response(status=status, body=reply.data, content_type=_JSON)


async def create_character(request: web.Request) -> web.Response:
    try:
        body = msgspec.json.decode(await request.read(), type=CharacterBody)
        command = msgspec.convert(msgspec.to_builtins(body), CreateCharacter)
    except msgspec.DecodeError as error:
        raise ApiError(400, f"Invalid parameters: {error}") from None
    view = _unwrap(await GalleryClient(connected(request)).create_character(command))
    assert isinstance(view, CharacterView)
    return _json(view.character, status=201)


async def get_character(request: web.Request) -> web.Response:
    view = _unwrap(await GalleryClient(connected(request)).get_character(request.match_info["id"]))
    assert isinstance(view, CharacterView)
    base = request.app[SETTINGS].public_base_url
    return _json({**msgspec.to_builtins(view.character), "references": [_entry(r, base) for r in view.references]})


async def list_gallery(request: web.Request) -> web.Response:
    """Newest first, in pages: `?limit=` (1-500, default 100), `&offset=`, `&type=master|core_reference|generated`."""
    query = {"characterId": request.match_info["id"]}
    for parameter, field in (("limit", "limit"), ("offset", "offset"), ("type", "role")):
        if parameter in request.query:
            query[field] = request.query[parameter]
    try:
        page_request = msgspec.convert(query, ListGallery, strict=False)
    except msgspec.ValidationError as error:
        raise ApiError(400, f"Invalid parameters: {error}") from None
    page = _unwrap(await GalleryClient(connected(request)).list_gallery(page_request))
    assert isinstance(page, GalleryPage)
    base = request.app[SETTINGS].public_base_url
    return _json(
        {
            "character": page.character,
            "images": [_entry(r, base) for r in page.entries],
            "total": page.total,
            "limit": page_request.limit,
            "offset": page_request.offset,
        }
    )


async def _read_upload(request: web.Request) -> tuple[bytes, str, dict[str, str]]:
    if not request.content_type.startswith("multipart/"):
        raise ApiError(400, "Invalid upload: send multipart/form-data with an 'image' file field")
    reader = await request.multipart()
    data, filename, fields = b"", "", {}
    async for part in reader:
        if not isinstance(part, BodyPartReader):
            continue  # nested multipart: not something a reference upload sends
        name = part.name or ""
        if name in ("image", "file"):
            filename = part.filename or "upload"
            chunks: list[bytes] = []
            size = 0
            while chunk := await part.read_chunk(1 << 16):
                size += len(chunk)
                if size > MAX_UPLOAD_BYTES:
                    raise ApiError(413, f"Image too large: more than {MAX_UPLOAD_BYTES} bytes")
                chunks.append(chunk)
            data = b"".join(chunks)
        else:
            fields[name] = (await part.text())[:2000]
    if not data:
        raise ApiError(400, "Invalid upload: the 'image' file field is missing or empty")
    return data, filename, fields


def _choice(fields: dict[str, str], name: str, allowed: tuple[str, ...], default: str | None) -> str | None:
    value = fields.get(name, "").strip() or default
    if value is not None and value not in allowed:
        raise ApiError(400, f"Invalid parameters: {name} must be one of {', '.join(allowed)}", name)
    return value


async def add_reference(request: web.Request) -> web.Response:
    character_id = request.match_info["id"]
    data, filename, fields = await _read_upload(request)
    role = _choice(fields, "role", ROLES[:2], "core_reference")
    shot_type = _choice(fields, "shotType", SHOT_TYPES, None)
    angle = _choice(fields, "angle", ANGLES, None)
    tags = tuple(t.strip()[:100] for t in fields.get("tags", "").split(",") if t.strip())
    try:
        image = await asyncio.to_thread(decode_image, data)
    except InvalidImage as invalid:
        raise ApiError(invalid.status, invalid.message, "image") from None
    gallery = GalleryClient(connected(request))
    _unwrap(await gallery.get_character(character_id))  # 404 before anything is stored
    asset_id = await request.app[MEDIA].put(data)
    command = AddReference(
        character_id=character_id,
        asset_id=asset_id,
        role=role,  # type: ignore[arg-type]
        shot_type=shot_type,  # type: ignore[arg-type]
        angle=angle,  # type: ignore[arg-type]
        tags=tags,
        caption=fields.get("caption", "")[:1000],
        filename=filename[:200],
        width=image.width,
        height=image.height,
    )
    added = _unwrap(await gallery.add_reference(command))
    assert isinstance(added, ReferenceAdded)
    return _json(_entry(added.reference, request.app[SETTINGS].public_base_url), status=201)


async def character_coverage(request: web.Request) -> web.Response:
    reply = _unwrap(await GalleryClient(connected(request)).coverage(request.match_info["id"]))
    assert isinstance(reply, CoverageView)
    return _json({"characterId": reply.character.id, **reply.coverage})


async def update_reference(request: web.Request) -> web.Response:
    """PATCH a reference's metadata (shot type, angle, tags, caption, role) when derivation got it wrong."""
    fields = {"characterId": request.match_info["id"], "referenceId": request.match_info["reference_id"]}
    try:
        body = msgspec.json.decode(await request.read())
        if not isinstance(body, dict):
            raise ApiError(400, "Invalid parameters: the body must be a JSON object")
        command = msgspec.convert({**body, **fields}, UpdateReference)
    except msgspec.DecodeError as error:
        raise ApiError(400, f"Invalid parameters: {error}") from None
    updated = _unwrap(await GalleryClient(connected(request)).update_reference(command))
    assert isinstance(updated, ReferenceAdded)
    return _json(_entry(updated.reference, request.app[SETTINGS].public_base_url))


async def healthz(request: web.Request) -> web.Response:
    nc = connected(request)
    missing = []
    for stage in ("saga", *subjects.STAGES):
        try:
            await nc.request(subjects.ping(stage), b"", timeout=1.0)
        except Exception:
            missing.append(stage)
    if missing:
        raise ApiError(503, f"Service unavailable: no worker running for {', '.join(missing)}")
    return _json({"status": "ok"})
