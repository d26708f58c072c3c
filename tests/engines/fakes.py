"""Loopback servers (aiohttp.web on 127.0.0.1, a free port) that speak each engine's documented protocol.

Each records what it was asked, can be told to answer a route with scripted faults first (a status with headers and
body, a connection dropped without an answer, an answer that never comes), and measures the time its own handlers
take, so the benchmark can set an adapter's overhead beside the server's own response time.
"""

import asyncio
import base64
import io
import json
import struct
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import web
from aiohttp.test_utils import TestServer
from PIL import Image


def png(width: int = 32, height: int = 32, colour: tuple[int, int, int] = (200, 60, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return buffer.getvalue()


OUTPUT_PNG = png(40, 24, (20, 120, 200))


@dataclass
class Fault:
    """One scripted answer: `status` with `body`/`headers`, or `drop` (close the connection unanswered), or `hang`."""

    status: int = 503
    body: Any = b""
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False
    hang: bool = False
    after: bool = False  # run the real handler first (the work is done), then answer with the fault instead


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class LoopbackServer:
    def __init__(self) -> None:
        self.app = web.Application(middlewares=[self._middleware], client_max_size=64 * 1024 * 1024)
        self.calls: list[str] = []
        self.faults: dict[str, list[Fault]] = defaultdict(list)
        self.handler_s = 0.0  # time spent inside route handlers (the server's own response time)
        self.untimed: set[str] = set()  # routes left out of handler_s (a websocket stays open for the whole call)
        self.stopping = asyncio.Event()
        self._server: TestServer | None = None
        self.base_url = ""

    async def start(self) -> str:
        self._server = TestServer(self.app, host="127.0.0.1")
        await self._server.start_server()
        self.base_url = str(self._server.make_url("")).rstrip("/")
        return self.base_url

    async def close(self) -> None:
        self.stopping.set()
        if self._server is not None:
            await self._server.close()

    def fail(self, route: str, *faults: Fault) -> None:
        self.faults[route].extend(faults)

    def count(self, route: str) -> int:
        return self.calls.count(route)

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        route = request.match_info.route.name or request.path
        self.calls.append(route)
        queue = self.faults.get(route)
        if queue:
            fault = queue.pop(0)
            if fault.after:
                await handler(request)
            if fault.hang:
                await self.stopping.wait()
                return web.Response(status=599)
            if fault.drop:
                assert request.transport is not None
                request.transport.close()
                return web.Response(status=599)
            body = fault.body if isinstance(fault.body, bytes | str) else json.dumps(fault.body)
            content_type = "application/json" if not isinstance(fault.body, bytes | str) else "text/plain"
            return web.Response(status=fault.status, body=body, headers=fault.headers, content_type=content_type)
        if route in self.untimed:
            return await handler(request)
        started = time.perf_counter()
        try:
            return await handler(request)
        finally:
            self.handler_s += time.perf_counter() - started

    async def hang(self) -> None:
        await self.stopping.wait()


# --- ComfyUI ------------------------------------------------------------------------------------------------------

ComfyMode = Literal["ok", "hang_running", "hang_queued", "error", "oom", "no_images", "drop_ws", "no_history_images"]


@dataclass
class ComfyPrompt:
    prompt_id: str
    number: int
    client_id: str
    workflow: dict[str, Any]


class FakeComfyUI(LoopbackServer):
    """ComfyUI's API: /upload/image, /prompt, /ws, /history/{id}, /view, /queue, /interrupt."""

    def __init__(self, *, mode: ComfyMode = "ok", steps: int = 3, queue_ahead: int = 2, websocket: bool = True):
        super().__init__()
        self.mode = mode
        self.steps = steps
        self.queue_ahead = queue_ahead
        self.websocket = websocket
        self.honour_prompt_id = True
        self.uploads: list[tuple[str, str, bytes]] = []
        self.prompts: list[ComfyPrompt] = []
        self.sockets: dict[str, web.WebSocketResponse] = {}
        self.history: dict[str, dict[str, Any]] = {}
        self.pending: list[ComfyPrompt] = []
        self.running: ComfyPrompt | None = None
        self.deleted: list[str] = []
        self.interrupts: list[dict[str, Any]] = []
        self.view_garbage = 0  # answer this many /view calls with a non-image
        self.started = asyncio.Event()  # a prompt is running or waiting in the queue
        self._tasks: set[asyncio.Task[None]] = set()
        self.app.router.add_post("/upload/image", self.upload, name="upload")
        self.app.router.add_post("/prompt", self.prompt, name="prompt")
        self.app.router.add_get("/ws", self.ws, name="ws")
        self.untimed.add("ws")
        self.app.router.add_get("/history/{prompt_id}", self.history_entry, name="history")
        self.app.router.add_get("/view", self.view, name="view")
        self.app.router.add_get("/queue", self.queue, name="queue")
        self.app.router.add_post("/queue", self.delete, name="queue_delete")
        self.app.router.add_post("/interrupt", self.interrupt, name="interrupt")

    async def upload(self, request: web.Request) -> web.Response:
        form = await request.post()
        image = form["image"]
        assert isinstance(image, web.FileField)
        subfolder = str(form.get("subfolder", ""))
        self.uploads.append((image.filename, subfolder, image.file.read()))
        return web.json_response({"name": image.filename, "subfolder": subfolder, "type": str(form.get("type"))})

    async def prompt(self, request: web.Request) -> web.Response:
        body = await request.json()
        if not isinstance(body.get("prompt"), dict):
            error = {"type": "no_prompt", "message": "No prompt provided", "details": "", "extra_info": {}}
            return web.json_response({"error": error, "node_errors": {}}, status=400)
        prompt_id = str(body["prompt_id"]) if self.honour_prompt_id and "prompt_id" in body else str(uuid.uuid4())
        item = ComfyPrompt(prompt_id, len(self.prompts), str(body.get("client_id", "")), body["prompt"])
        self.prompts.append(item)
        task = asyncio.get_running_loop().create_task(self._execute(item))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return web.json_response({"prompt_id": prompt_id, "number": item.number, "node_errors": {}})

    async def _send(self, item: ComfyPrompt, kind: str, data: dict[str, Any]) -> None:
        socket = self.sockets.get(item.client_id)
        if socket is not None and not socket.closed:
            await socket.send_json({"type": kind, "data": data})

    async def _execute(self, item: ComfyPrompt) -> None:
        pid = item.prompt_id
        await self._send(item, "status", {"status": {"exec_info": {"queue_remaining": self.queue_ahead + 1}}})
        if self.mode == "hang_queued":
            self.pending.append(item)
            self.started.set()
            await self.stopping.wait()
            return
        self.running = item
        self.started.set()
        await self._send(item, "execution_start", {"prompt_id": pid, "timestamp": 0})
        await self._send(item, "execution_cached", {"nodes": [], "prompt_id": pid, "timestamp": 0})
        if self.mode == "hang_running":
            await self._send(item, "executing", {"node": "3", "display_node": "3", "prompt_id": pid})
            await self.stopping.wait()
            return
        for step in range(1, self.steps + 1):
            await self._send(item, "executing", {"node": "3", "display_node": "3", "prompt_id": pid})
            await self._send(item, "progress", {"value": step, "max": self.steps, "prompt_id": pid, "node": "3"})
            socket = self.sockets.get(item.client_id)
            if socket is not None and not socket.closed:
                await socket.send_bytes(struct.pack(">II", 1, 1) + b"\xff\xd8\xffpreview")  # a preview frame
            if self.mode == "drop_ws" and socket is not None:
                await socket.close()
        messages: list[Any] = [["execution_start", {"prompt_id": pid}]]
        if self.mode in ("error", "oom"):
            error = {
                "prompt_id": pid,
                "node_id": "3",
                "node_type": "KSampler",
                "executed": [],
                "exception_message": "Allocation on device" if self.mode == "oom" else "mat1 and mat2 shapes differ",
                "exception_type": "torch.OutOfMemoryError" if self.mode == "oom" else "RuntimeError",
                "traceback": [],
            }
            await self._send(item, "execution_error", error)
            messages.append(["execution_error", error])
            self.history[pid] = {"prompt": [], "outputs": {}, "status": _status("error", messages)}
        else:
            saved = {"images": [{"filename": "smartgen_00001_.png", "subfolder": "", "type": "output"}]}
            preview = {"images": [{"filename": "preview_00001_.png", "subfolder": "", "type": "temp"}]}
            outputs = {"10": preview, "9": saved} if self.mode != "no_images" else {"9": {"text": ["no image"]}}
            for node, output in outputs.items():
                await self._send(
                    item, "executed", {"node": node, "display_node": node, "output": output, "prompt_id": pid}
                )
            messages.append(["execution_success", {"prompt_id": pid}])
            await self._send(item, "execution_success", {"prompt_id": pid, "timestamp": 0})
            self.history[pid] = {"prompt": [], "outputs": outputs, "status": _status("success", messages)}
        self.running = None
        await self._send(item, "executing", {"node": None, "prompt_id": pid})

    async def ws(self, request: web.Request) -> web.StreamResponse:
        if not self.websocket:
            return web.Response(status=404, text="404: Not Found")
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        client_id = request.query.get("clientId", "")
        self.sockets[client_id] = socket
        await socket.send_json(
            {
                "type": "status",
                "data": {"status": {"exec_info": {"queue_remaining": self.queue_ahead}}, "sid": client_id},
            }
        )
        async for _ in socket:
            pass
        return socket

    async def history_entry(self, request: web.Request) -> web.Response:
        prompt_id = request.match_info["prompt_id"]
        entry = self.history.get(prompt_id)
        return web.json_response({prompt_id: entry} if entry is not None else {})

    async def view(self, request: web.Request) -> web.Response:
        if request.query.get("filename") != "smartgen_00001_.png" or request.query.get("type") != "output":
            return web.Response(status=404)
        if self.view_garbage > 0:
            self.view_garbage -= 1
            return web.Response(body=b"<html>proxy error</html>", content_type="image/png")
        return web.Response(body=OUTPUT_PNG, content_type="image/png")

    async def queue(self, request: web.Request) -> web.Response:
        def row(item: ComfyPrompt) -> list[Any]:
            return [item.number, item.prompt_id, item.workflow, {"client_id": item.client_id}, ["9"]]

        running = [row(self.running)] if self.running is not None else []
        return web.json_response({"queue_running": running, "queue_pending": [row(item) for item in self.pending]})

    async def delete(self, request: web.Request) -> web.Response:
        body = await request.json()
        for prompt_id in body.get("delete", []):
            self.deleted.append(prompt_id)
            self.pending = [item for item in self.pending if item.prompt_id != prompt_id]
        return web.Response(status=200)

    async def interrupt(self, request: web.Request) -> web.Response:
        self.interrupts.append(await request.json() if request.can_read_body else {})
        return web.Response(status=200)


def _status(outcome: str, messages: list[Any]) -> dict[str, Any]:
    return {"status_str": outcome, "completed": outcome == "success", "messages": messages}


# --- fal.ai queue -------------------------------------------------------------------------------------------------

FalMode = Literal["ok", "hang", "nsfw", "no_images", "data_uri", "result_422"]


@dataclass
class FalRequest:
    request_id: str
    path: str
    input: dict[str, Any]
    states: list[tuple[str, int | None]]  # what the next status checks say


class FakeFal(LoopbackServer):
    """fal's queue API: POST /{model}, GET .../requests/{id}/status, GET .../requests/{id}, PUT .../cancel."""

    def __init__(self, *, key: str = "test-key", mode: FalMode = "ok", positions: tuple[int, ...] = (2, 1, 0)):
        super().__init__()
        self.key = key
        self.mode = mode
        self.positions = positions
        self.in_progress_polls = 1
        self.requests: dict[str, FalRequest] = {}
        self.status_paths: list[str] = []
        self.cancelled: list[str] = []
        self.file_auth: list[str | None] = []
        self.submitted = asyncio.Event()
        self.app.router.add_get("/files/{name}", self.file, name="file")
        self.app.router.add_post("/{owner}/{app}", self.submit, name="submit")
        self.app.router.add_post("/{owner}/{app}/{sub:.+}", self.submit, name="submit_sub")
        self.app.router.add_get("/{owner}/{app}/requests/{rid}/status", self.status, name="status")
        self.app.router.add_get("/{owner}/{app}/requests/{rid}", self.result, name="result")
        self.app.router.add_put("/{owner}/{app}/requests/{rid}/cancel", self.cancel, name="cancel")

    def _unauthorised(self, request: web.Request) -> web.Response | None:
        if request.headers.get("Authorization") != f"Key {self.key}":
            return web.json_response({"detail": "Cannot access application: invalid key"}, status=401)
        return None

    def _urls(self, request: web.Request, rid: str) -> dict[str, str]:
        base = f"{request.url.origin()}/{request.match_info['owner']}/{request.match_info['app']}/requests/{rid}"
        return {"response_url": base, "status_url": f"{base}/status", "cancel_url": f"{base}/cancel"}

    async def submit(self, request: web.Request) -> web.Response:
        if denied := self._unauthorised(request):
            return denied
        body = await request.json()
        if not isinstance(body.get("prompt"), str) or not body["prompt"]:
            detail = [{"loc": ["body", "prompt"], "msg": "field required", "type": "value_error.missing"}]
            return web.json_response({"detail": detail}, status=422)
        rid = str(uuid.uuid4())
        states: list[tuple[str, int | None]] = [("IN_QUEUE", position) for position in self.positions]
        states += [("IN_PROGRESS", None)] * self.in_progress_polls + [("COMPLETED", None)]
        self.requests[rid] = FalRequest(rid, request.path, body, states)
        self.submitted.set()
        return web.json_response(
            {
                "request_id": rid,
                **self._urls(request, rid),
                "queue_position": self.positions[0] if self.positions else 0,
            }
        )

    async def status(self, request: web.Request) -> web.Response:
        if denied := self._unauthorised(request):
            return denied
        self.status_paths.append(request.path)
        item = self.requests.get(request.match_info["rid"])
        if item is None:
            return web.json_response({"detail": "Request not found"}, status=404)
        position: int | None = 5
        if self.mode == "hang" or item.request_id in self.cancelled:
            state = "IN_QUEUE"
        else:
            state, position = item.states.pop(0) if len(item.states) > 1 else item.states[0]
        body: dict[str, Any] = {"status": state, **self._urls(request, item.request_id)}
        if state == "IN_QUEUE":
            body["queue_position"] = position
        if state == "IN_PROGRESS":
            body["logs"] = [{"message": "step 4/28", "level": "INFO", "timestamp": "2025-01-01T00:00:00"}]
        return web.json_response(body, status=200 if state == "COMPLETED" else 202)

    async def result(self, request: web.Request) -> web.Response:
        if denied := self._unauthorised(request):
            return denied
        item = self.requests.get(request.match_info["rid"])
        if item is None:
            return web.json_response({"detail": "Request not found"}, status=404)
        if self.mode == "result_422":
            detail = [{"loc": ["body", "image_url"], "msg": "Could not load the image", "type": "image_load_error"}]
            return web.json_response({"detail": detail}, status=422)
        url = f"{request.url.origin()}/files/out.png"
        if self.mode == "data_uri":
            url = "data:image/png;base64," + base64.b64encode(OUTPUT_PNG).decode()
        images = (
            [] if self.mode == "no_images" else [{"url": url, "width": 40, "height": 24, "content_type": "image/png"}]
        )
        return web.json_response(
            {
                "images": images,
                "seed": item.input.get("seed"),
                "has_nsfw_concepts": [self.mode == "nsfw"],
                "prompt": item.input.get("prompt"),
                "timings": {"inference": 0.0},
            }
        )

    async def cancel(self, request: web.Request) -> web.Response:
        if denied := self._unauthorised(request):
            return denied
        self.cancelled.append(request.match_info["rid"])
        return web.json_response({"status": "CANCELLATION_REQUESTED"}, status=202)

    async def file(self, request: web.Request) -> web.Response:
        self.file_auth.append(request.headers.get("Authorization"))
        return web.Response(body=OUTPUT_PNG, content_type="image/png")


# --- OpenAI image edits -------------------------------------------------------------------------------------------

OpenAIMode = Literal["ok", "url", "garbage", "bad_b64", "hang", "empty"]


class FakeOpenAI(LoopbackServer):
    """POST /v1/images/edits (multipart) -> {created, data: [{b64_json} | {url}]}; errors as {error: {...}}."""

    def __init__(self, *, key: str = "sk-test", mode: OpenAIMode = "ok") -> None:
        super().__init__()
        self.key = key
        self.mode = mode
        self.edits: list[dict[str, Any]] = []
        self.received = asyncio.Event()
        self.app.router.add_post("/v1/images/edits", self.edit, name="edits")
        self.app.router.add_get("/files/{name}", self.file, name="file")

    async def edit(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Authorization") != f"Bearer {self.key}":
            error = {
                "message": "Incorrect API key provided.",
                "type": "invalid_request_error",
                "code": "invalid_api_key",
                "param": None,
            }
            return web.json_response({"error": error}, status=401)
        form = await request.post()
        fields: dict[str, Any] = {}
        for key, value in form.items():
            if isinstance(value, web.FileField):
                fields[key] = (value.filename, value.content_type, value.file.read())
            else:
                fields[key] = value
        self.edits.append(fields)
        self.received.set()
        if self.mode == "hang":
            await self.stopping.wait()
        if self.mode == "garbage":
            return web.Response(body=b"<html>502 from a proxy</html>", content_type="text/html")
        if self.mode == "empty":
            return web.json_response({"created": 1, "data": []})
        if self.mode == "url":
            return web.json_response({"created": 1, "data": [{"url": f"{request.url.origin()}/files/out.png"}]})
        encoded = "not base64!!" if self.mode == "bad_b64" else base64.b64encode(OUTPUT_PNG).decode()
        usage = {"input_tokens": 50, "output_tokens": 272, "total_tokens": 322}
        return web.json_response({"created": 1, "data": [{"b64_json": encoded}], "usage": usage})

    async def file(self, request: web.Request) -> web.Response:
        return web.Response(body=OUTPUT_PNG, content_type="image/png")
