"""Serving stored images at `/media/<assetId>`: immutable, content-addressed, so cacheable forever."""

import re

from aiohttp import web

from actors.media import AssetNotFound
from bridge.errors import ApiError
from bridge.keys import MEDIA

_ASSET_ID = re.compile(r"^[0-9a-f]{64}$")
_SIGNATURES = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"RIFF", "image/webp"))


def content_type_of(data: bytes) -> str:
    return next((kind for magic, kind in _SIGNATURES if data.startswith(magic)), "application/octet-stream")


async def get_media(request: web.Request) -> web.Response:
    asset_id = request.match_info["asset_id"]
    if not _ASSET_ID.match(asset_id):
        raise ApiError(404, f"Media not found: {asset_id}")
    if request.headers.get("If-None-Match") == f'"{asset_id}"':
        return web.Response(status=304)
    try:
        data = await request.app[MEDIA].get(asset_id)
    except AssetNotFound:
        raise ApiError(404, f"Media not found: {asset_id}") from None
    headers = {"Cache-Control": "public, max-age=31536000, immutable", "ETag": f'"{asset_id}"'}
    return web.Response(body=data, content_type=content_type_of(data), headers=headers)
