"""The aiohttp application factory: routes, the error middleware, and the NATS connection's lifetime."""

from collections.abc import AsyncIterator

import nats
from aiohttp import web
from opentelemetry import trace
from opentelemetry.trace import TracerProvider

from actors.images import MAX_UPLOAD_BYTES
from actors.media import ObjectStoreMedia
from actors.runtime import BusLayout
from bridge import sse, views
from bridge.errors import error_middleware
from bridge.keys import MEDIA, NATS, SETTINGS, TRACER
from bridge.media import get_media
from ops.settings import Settings
from ops.telemetry import tracer_provider_for


def create_app(settings: Settings, tracer_provider: TracerProvider | None = None) -> web.Application:
    app = web.Application(middlewares=[error_middleware], client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
    app[SETTINGS] = settings
    provider = tracer_provider or tracer_provider_for(settings, "smartgen-bridge")
    app[TRACER] = (provider or trace.NoOpTracerProvider()).get_tracer("smartgen.bridge")
    app.cleanup_ctx.append(_nats_connection)
    for prefix in ("/api/v1", "/api"):
        app.router.add_post(prefix + "/characters/{id}/generate-smart-image", views.generate_smart_image)
        app.router.add_post(prefix + "/characters", views.create_character)
        app.router.add_get(prefix + "/characters/{id}", views.get_character)
        app.router.add_post(prefix + "/characters/{id}/references", views.add_reference)
        app.router.add_get(prefix + "/characters/{id}/gallery", views.list_gallery)
        app.router.add_get(prefix + "/characters/{id}/coverage", views.character_coverage)
        app.router.add_patch(prefix + "/characters/{id}/references/{reference_id}", views.update_reference)
    app.router.add_get("/api/v1/requests/{request_id}/events", sse.request_events)
    app.router.add_get("/media/{asset_id}", get_media)
    app.router.add_get("/healthz", views.healthz)
    return app


async def _nats_connection(app: web.Application) -> AsyncIterator[None]:
    nc = await nats.connect(
        app[SETTINGS].nats_url, name="smartgen-bridge", max_reconnect_attempts=-1, reconnect_time_wait=1
    )
    app[NATS] = nc
    js = nc.jetstream(timeout=10.0)
    await BusLayout(replicas=app[SETTINGS].replicas).ensure(js)  # the bridge may start before any actor
    app[MEDIA] = await ObjectStoreMedia.open(js)
    yield
    if nc.is_connected:
        await nc.drain()
    else:
        await nc.close()  # draining needs the server; shutting down while the bus is away must still finish
