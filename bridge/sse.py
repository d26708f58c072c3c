"""Server-sent events: a REST client watches an attempt's progress and the outcome of a request as they happen.

The client picks the request id (header `X-Request-Id` on the POST), opens this stream first, then posts. Progress
rides core NATS (`smartgen.progress.<id>`), the outcome the request events; neither is replayed, hence "first".
"""

import asyncio
import contextlib
import re

import msgspec
from aiohttp import web
from nats.aio.msg import Msg

from bridge.errors import ApiError
from bridge.views import connected
from contracts import subjects

REQUEST_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
KEEPALIVE_S = 15.0


class _Outcome(msgspec.Struct):
    class _Ids(msgspec.Struct, rename="camel"):
        request_id: str = ""

    data: _Ids | None = None
    details: _Ids | None = None

    def request_id(self) -> str:
        return (self.data or self.details or _Outcome._Ids()).request_id


async def request_events(request: web.Request) -> web.StreamResponse:
    request_id = request.match_info["request_id"]
    if not REQUEST_ID.match(request_id):
        raise ApiError(404, f"Request not found: {request_id}")
    nc = connected(request)
    queue: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()

    async def on_progress(msg: Msg) -> None:
        queue.put_nowait(("progress", msg.data))

    async def on_outcome(msg: Msg) -> None:
        with contextlib.suppress(msgspec.DecodeError):
            if msgspec.json.decode(msg.data, type=_Outcome).request_id() == request_id:
                queue.put_nowait(("outcome", msg.data))

    subscriptions = [
        await nc.subscribe(subjects.progress(request_id), cb=on_progress),
        await nc.subscribe(subjects.EVT_REQUEST_SUCCEEDED, cb=on_outcome),
        await nc.subscribe(subjects.EVT_REQUEST_FAILED, cb=on_outcome),
    ]
    await nc.flush()
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await response.prepare(request)
    await response.write(b": subscribed\n\n")  # the client may post now
    try:
        while True:
            try:
                kind, data = await asyncio.wait_for(queue.get(), KEEPALIVE_S)
            except TimeoutError:
                await response.write(b": keepalive\n\n")
                continue
            await response.write(b"event: " + kind.encode() + b"\ndata: " + data + b"\n\n")
            if kind == "outcome":
                return response
    finally:
        for subscription in subscriptions:
            with contextlib.suppress(Exception):
                await subscription.unsubscribe()
