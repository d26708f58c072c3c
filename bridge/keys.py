"""Typed keys for what the bridge application holds (aiohttp's AppKey)."""

from aiohttp import web
from nats.aio.client import Client
from opentelemetry.trace import Tracer

from actors.media import ObjectStoreMedia
from ops.settings import Settings

NATS = web.AppKey("nats", Client)
MEDIA = web.AppKey("media", ObjectStoreMedia)
SETTINGS = web.AppKey("settings", Settings)
TRACER = web.AppKey("tracer", Tracer)
