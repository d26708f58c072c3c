"""ComfyUI adapter: runs the user's own API-format workflow on a ComfyUI server they host.

One attempt, as ComfyUI's HTTP and websocket API spell it:
1. POST /upload/image (multipart: image, type=input, subfolder, overwrite) stores the reference;
2. GET /ws?clientId=<id> opens the progress stream (before queueing, so no message is missed);
3. POST /prompt {prompt, client_id, prompt_id} queues the workflow with its placeholders filled in;
4. websocket messages follow it: `status` (queue length), `execution_start`, `progress` (sampler step value/max),
   `executing` (node None = done), `execution_success`, `execution_error`, `execution_interrupted`;
5. GET /history/<prompt_id> gives the outputs, GET /view?filename=&subfolder=&type= the image bytes.
Without a websocket (a proxy that does not upgrade) it polls /history instead. Cancelling the attempt deletes the
prompt from the queue (POST /queue {"delete": [id]}) and, when it is the one running, interrupts it (POST /interrupt
{"prompt_id": id}; the interrupt is only sent after GET /queue shows it running, since servers older than the
targeted interrupt stop whatever runs).

Placeholders (see docs/engines.md): a string input that is exactly "{{seed}}" becomes the number itself, so numeric
inputs keep their type; placeholders inside longer strings are replaced as text.
"""

import asyncio
import hashlib
import logging
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import aiohttp
import msgspec

from actors.generator.engines.base import EngineError, EngineJob, FailureKind, ProgressCallback
from actors.generator.engines.http_retry import (
    EngineConfigError,
    HttpEngineConfig,
    LazySession,
    MalformedOutput,
    error_text,
    image_kind,
    json_or_none,
    read_json,
    require_image,
    retrying,
    status_failure,
)
from actors.generator.engines.limits import ProgressReporter, cancel_remote
from actors.images import image_size

log = logging.getLogger("smartgen.engines")

PLACEHOLDERS: Final = ("prompt", "reference_image", "seed", "strength", "denoise", "guidance", "width", "height")
REQUIRED_PLACEHOLDERS: Final = ("prompt", "reference_image")
_PLACEHOLDER: Final = re.compile(r"\{\{\s*([A-Za-z_]+)\s*\}\}")
JSON_HEADERS: Final = {"Content-Type": "application/json"}
Value = str | int | float


class ComfyUIConfig(HttpEngineConfig, frozen=True, kw_only=True, forbid_unknown_fields=True):
    base_url: str = "http://127.0.0.1:8188"
    workflow_path: str = ""  # API-format workflow JSON ("Save (API Format)" / "Export (API)") with placeholders
    output_node: str = ""  # id of the node whose image is the result; empty: the first saved ("output") image
    upload_subfolder: str = "smartgen"  # subfolder of ComfyUI's input directory for uploaded references
    timeout_s: float = 600.0
    poll_interval_s: float = 1.0  # /history polling when no websocket is available
    history_check_s: float = 15.0  # with a websocket, also check /history after this long without a message


# --- The workflow file ------------------------------------------------------------------------------------------


def _placeholders_in(value: Any) -> set[str]:
    if isinstance(value, str):
        return set(_PLACEHOLDER.findall(value))
    if isinstance(value, dict):
        return set().union(*(_placeholders_in(item) for item in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_placeholders_in(item) for item in value)) if value else set()
    return set()


def check_workflow(workflow: Any, source: str = "the workflow") -> dict[str, Any]:
    """Validate an API-format workflow with placeholders; raise EngineConfigError saying what to fix."""
    if not isinstance(workflow, dict) or not workflow:
        raise EngineConfigError(f"{source}: expected a JSON object of nodes (ComfyUI API format)")
    if isinstance(workflow.get("nodes"), list) and "links" in workflow:
        raise EngineConfigError(
            f"{source} is in ComfyUI's UI format; export it with 'Save (API Format)' / 'Export (API)' instead"
        )
    for node_id, node in workflow.items():
        if not isinstance(node, dict) or not isinstance(node.get("class_type"), str):
            raise EngineConfigError(f"{source}: node {node_id!r} has no class_type (not ComfyUI API format)")
        if not isinstance(node.get("inputs", {}), dict):
            raise EngineConfigError(f"{source}: node {node_id!r} has inputs that are not an object")
    found = _placeholders_in(workflow)
    unknown = sorted(found - set(PLACEHOLDERS))
    if unknown:
        names = ", ".join("{{" + name + "}}" for name in unknown)
        known = ", ".join("{{" + name + "}}" for name in PLACEHOLDERS)
        raise EngineConfigError(f"{source}: unknown placeholder(s) {names}; known: {known}")
    missing = [name for name in REQUIRED_PLACEHOLDERS if name not in found]
    if missing:
        names = ", ".join("{{" + name + "}}" for name in missing)
        raise EngineConfigError(f"{source}: the workflow must contain {names} (as a node input value)")
    return workflow


def load_workflow(path: Path) -> dict[str, Any]:
    try:
        data = msgspec.json.decode(path.read_bytes())
    except OSError as error:
        raise EngineConfigError(f"cannot read the ComfyUI workflow {path}: {error}") from None
    except msgspec.DecodeError as error:
        raise EngineConfigError(f"the ComfyUI workflow {path} is not valid JSON: {error}") from None
    return check_workflow(data, str(path))


def fill_workflow(value: Any, values: Mapping[str, Value]) -> Any:
    """A copy of `value` with placeholders replaced; a string that is one placeholder takes the value's own type."""
    if isinstance(value, str):
        whole = _PLACEHOLDER.fullmatch(value.strip())
        if whole:
            return values[whole[1]]
        return _PLACEHOLDER.sub(lambda match: str(values[match[1]]), value)
    if isinstance(value, dict):
        return {key: fill_workflow(item, values) for key, item in value.items()}
    if isinstance(value, list):
        return [fill_workflow(item, values) for item in value]
    return value


def placeholder_values(job: EngineJob) -> dict[str, Value]:
    """Everything but the reference's uploaded name. Sizes are rounded to multiples of 8 (latent resolution)."""
    params = job.params
    width, height = params.width, params.height
    if width <= 0 or height <= 0:
        try:
            width, height = image_size(job.reference)
        except (OSError, ValueError):
            raise EngineError("permanent", "comfyui: the reference image cannot be read") from None
    return {
        "prompt": job.prompt,
        "seed": params.seed,
        "strength": params.strength,
        "denoise": round(1.0 - params.strength, 4),
        "guidance": params.guidance,
        "width": max(8, round(width / 8) * 8),
        "height": max(8, round(height / 8) * 8),
    }


# --- What the server says ---------------------------------------------------------------------------------------


def error_message(text: str) -> str:
    """ComfyUI's error body ({"error": {...} | str, "node_errors": {...}}) as one line."""
    body = json_or_none(text)
    if not isinstance(body, dict):
        return text
    error = body.get("error")
    parts: list[str] = []
    if isinstance(error, dict):
        parts.append(str(error.get("message") or error.get("type") or "error"))
        if error.get("details"):
            parts.append(str(error["details"]))
    elif error:
        parts.append(str(error))
    node_errors = body.get("node_errors")
    if isinstance(node_errors, dict):
        for node_id, info in node_errors.items():
            if not isinstance(info, dict):
                continue
            for item in info.get("errors") or []:
                if isinstance(item, dict):
                    detail = f" ({item['details']})" if item.get("details") else ""
                    parts.append(f"node {node_id} {info.get('class_type', '')}: {item.get('message', '')}{detail}")
    return "; ".join(part for part in parts if part) or text


def execution_failure(data: Mapping[str, Any]) -> EngineError:
    """An `execution_error` message as an EngineError: out of memory is transient, any other node failure permanent."""
    exception_type = str(data.get("exception_type") or "")
    message = str(data.get("exception_message") or "").strip()
    where = f"{data.get('node_type') or 'a node'} (node {data.get('node_id', '?')})"
    kind: FailureKind = "permanent"
    if "OutOfMemory" in exception_type or "out of memory" in message.lower():
        kind = "transient"
    return EngineError(kind, f"comfyui: {where} failed: {exception_type}: {message}".rstrip(": "))


def pick_image(outputs: Mapping[str, Any], output_node: str = "") -> dict[str, str] | None:
    """The result image reference ({filename, subfolder, type}): saved ("output") images before previews."""
    candidates: list[dict[str, str]] = []
    for node_id, output in outputs.items():
        if output_node and node_id != output_node:
            continue
        images = output.get("images") if isinstance(output, dict) else None
        for image in images if isinstance(images, list) else []:
            if isinstance(image, dict) and isinstance(image.get("filename"), str):
                candidates.append(
                    {
                        "filename": image["filename"],
                        "subfolder": str(image.get("subfolder") or ""),
                        "type": str(image.get("type") or "output"),
                    }
                )
    saved = [image for image in candidates if image["type"] == "output"]
    chosen = saved or candidates
    return chosen[0] if chosen else None


@dataclass
class _Run:
    client_id: str
    prompt_id: str | None = None  # set as soon as a /prompt call may have queued it
    started: bool = False
    ended: bool = False  # the server has finished with it (success, error, interrupt), or never took it


class ComfyUIEngine:
    def __init__(self, config: ComfyUIConfig, *, name: str = "comfyui", workflow: Mapping[str, Any] | None = None):
        self.name = name
        self.config = config
        if workflow is not None:
            self._workflow = check_workflow(dict(workflow))
        elif config.workflow_path:
            self._workflow = load_workflow(Path(config.workflow_path).expanduser())
        else:
            raise EngineConfigError(f"{name}: set workflow_path to an API-format ComfyUI workflow with placeholders")
        self._base = config.base_url.rstrip("/")
        self._policy = config.retry_policy()
        self._http = LazySession(config.client_timeout(), config.headers)

    async def close(self) -> None:
        await self._http.close()

    async def generate(self, job: EngineJob, *, progress: ProgressCallback | None = None) -> bytes:
        report = ProgressReporter(progress)
        values = placeholder_values(job)
        run = _Run(client_id=uuid.uuid4().hex)
        await report("uploading the reference", 0.0)
        values["reference_image"] = await self._upload(job.reference)
        workflow = fill_workflow(self._workflow, values)
        socket = await self._open_socket(run.client_id)
        try:
            await self._queue(workflow, run)
            await report("queued", 0.0)
            if socket is None or not await self._watch(socket, run, report):
                await report("waiting for the result", 0.0)
            outputs = await self._finished_outputs(run)
            await report("fetching the output", 1.0)
            return await self._fetch(outputs)
        except BaseException:
            if run.prompt_id is not None and not run.ended:
                prompt_id = run.prompt_id
                await cancel_remote(
                    f"ComfyUI prompt {prompt_id}", lambda: self._cancel(prompt_id), self.config.cancel_timeout_s
                )
            raise
        finally:
            if socket is not None:
                await socket.close()

    # --- The calls --------------------------------------------------------------------------------------------

    async def _check(self, response: aiohttp.ClientResponse, what: str) -> None:
        if response.status >= 400:
            message = error_message(await error_text(response))
            raise status_failure(self.name, what, response.status, response.headers, message)

    async def _upload(self, reference: bytes) -> str:
        kind = image_kind(reference) or "png"
        extension = "jpg" if kind == "jpeg" else kind
        filename = f"smartgen-{hashlib.sha256(reference).hexdigest()[:24]}.{extension}"

        async def once(_: int) -> str:
            form = aiohttp.FormData()
            form.add_field("image", reference, filename=filename, content_type=f"image/{kind}")
            form.add_field("type", "input")
            form.add_field("subfolder", self.config.upload_subfolder)
            form.add_field("overwrite", "true")
            async with self._http().post(f"{self._base}/upload/image", data=form) as response:
                await self._check(response, "POST /upload/image")
                body = await read_json(response, self.name, "POST /upload/image")
            name = body.get("name") if isinstance(body, dict) else None
            if not isinstance(name, str) or not name:
                raise MalformedOutput(f"{self.name}: POST /upload/image answered without a file name")
            subfolder = body.get("subfolder") or ""
            return f"{subfolder}/{name}" if subfolder else name

        return await retrying(self.name, "uploading the reference", self._policy, once)

    async def _open_socket(self, client_id: str) -> aiohttp.ClientWebSocketResponse | None:
        url = re.sub(r"^http", "ws", self._base) + f"/ws?clientId={client_id}"
        try:
            return await self._http().ws_connect(url, heartbeat=30.0)
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            log.warning("%s: no progress websocket (%s); polling /history instead", self.name, error)
            return None

    async def _queue(self, workflow: Any, run: _Run) -> None:
        proposed = str(uuid.uuid4())  # servers since 2025 honour a client-chosen prompt_id; older ones pick their own
        body = msgspec.json.encode({"prompt": workflow, "client_id": run.client_id, "prompt_id": proposed})

        async def once(retry: int) -> str:
            # A try that timed out or got a 5xx may still have queued the prompt: never queue it twice.
            if retry > 0 and await self._is_known(proposed):
                return proposed
            async with self._http().post(f"{self._base}/prompt", data=body, headers=JSON_HEADERS) as response:
                await self._check(response, "POST /prompt")
                answer = await read_json(response, self.name, "POST /prompt")
            prompt_id = answer.get("prompt_id") if isinstance(answer, dict) else None
            if not isinstance(prompt_id, str) or not prompt_id:
                raise MalformedOutput(f"{self.name}: POST /prompt answered without a prompt_id")
            return prompt_id

        run.prompt_id = proposed
        try:
            run.prompt_id = await retrying(self.name, "queueing the workflow", self._policy, once)
        except EngineError as error:
            run.ended = error.kind == "permanent"  # rejected (400): nothing was queued
            raise

    async def _is_known(self, prompt_id: str) -> bool:
        try:
            if await self._history_entry(prompt_id) is not None:
                return True
            async with self._http().get(f"{self._base}/queue") as response:
                queue = await response.json() if response.status == 200 else {}
            return _in_queue(queue, prompt_id, "queue_running") or _in_queue(queue, prompt_id, "queue_pending")
        except Exception:
            return False

    async def _watch(self, socket: aiohttp.ClientWebSocketResponse, run: _Run, report: ProgressReporter) -> bool:
        """Follow the websocket until the prompt ends (True) or the socket is lost (False)."""
        while True:
            try:
                message = await socket.receive(timeout=self.config.history_check_s)
            except TimeoutError:
                if await self._history_entry(run.prompt_id or "") is not None:
                    return True
                continue
            if message.type == aiohttp.WSMsgType.TEXT:
                event = json_or_none(message.data)
                if isinstance(event, dict) and await self._on_event(event, run, report):
                    return True
            elif message.type != aiohttp.WSMsgType.BINARY:  # binary frames are previews
                log.warning("%s: the progress websocket closed early; polling /history instead", self.name)
                return False

    async def _on_event(self, event: Mapping[str, Any], run: _Run, report: ProgressReporter) -> bool:
        kind = event.get("type")
        data = event.get("data")
        if not isinstance(data, dict):
            return False
        if kind == "status":
            status = data.get("status")
            exec_info = status.get("exec_info") if isinstance(status, dict) else None
            remaining = exec_info.get("queue_remaining") if isinstance(exec_info, dict) else None
            if not run.started and isinstance(remaining, int):
                await report(f"queued ({remaining} in the server's queue)", 0.0)
            return False
        prompt_id = data.get("prompt_id")
        if prompt_id is not None and prompt_id != run.prompt_id:
            return False
        if kind == "execution_start":
            run.started = True
            await report("running", 0.0)
        elif kind == "progress":
            value, maximum = data.get("value"), data.get("max")
            if isinstance(value, int | float) and isinstance(maximum, int | float) and maximum > 0:
                run.started = True
                await report(f"step {value:g}/{maximum:g}", value / maximum)
        elif kind == "executing" and prompt_id is not None:
            run.started = True
            return data.get("node") is None
        elif kind == "execution_success":
            return True
        elif kind == "execution_error":
            run.ended = True
            raise execution_failure(data)
        elif kind == "execution_interrupted":
            run.ended = True
            raise EngineError("transient", f"{self.name}: the prompt was interrupted on the ComfyUI server")
        return False

    async def _history_entry(self, prompt_id: str) -> dict[str, Any] | None:
        """The prompt's /history entry, or None while it has none (queued or running)."""

        async def once(_: int) -> dict[str, Any] | None:
            async with self._http().get(f"{self._base}/history/{prompt_id}") as response:
                await self._check(response, "GET /history")
                body = await read_json(response, self.name, "GET /history")
            if not isinstance(body, dict):
                raise MalformedOutput(f"{self.name}: GET /history answered with something that is not an object")
            entry = body.get(prompt_id)
            if entry is not None and not isinstance(entry, dict):
                raise MalformedOutput(f"{self.name}: GET /history has a malformed entry for the prompt")
            return entry

        return await retrying(self.name, "reading /history", self._policy, once)

    async def _finished_outputs(self, run: _Run) -> Mapping[str, Any]:
        """Wait for the prompt's history entry (written when it ends) and return its outputs."""
        prompt_id = run.prompt_id or ""
        while True:
            entry = await self._history_entry(prompt_id)
            if entry is not None:
                break
            await asyncio.sleep(self.config.poll_interval_s)
        run.ended = True
        status = entry.get("status")
        if isinstance(status, dict) and status.get("status_str") == "error":
            raise _history_failure(self.name, status)
        outputs = entry.get("outputs")
        if not isinstance(outputs, dict):
            raise EngineError("permanent", f"{self.name}: the prompt's history has no outputs")
        return outputs

    async def _fetch(self, outputs: Mapping[str, Any]) -> bytes:
        image = pick_image(outputs, self.config.output_node)
        if image is None:
            where = f" on node {self.config.output_node}" if self.config.output_node else ""
            raise EngineError(
                "permanent",
                f"{self.name}: the workflow finished without an image output{where} "
                "(it needs a SaveImage or PreviewImage node)",
            )

        async def once(_: int) -> bytes:
            async with self._http().get(f"{self._base}/view", params=image) as response:
                await self._check(response, "GET /view")
                data = await response.read()
            return require_image(data, self.name, "GET /view")

        return await retrying(self.name, "fetching the output", self._policy, once)

    async def _cancel(self, prompt_id: str) -> None:
        http = self._http()
        delete = msgspec.json.encode({"delete": [prompt_id]})
        async with http.post(f"{self._base}/queue", data=delete, headers=JSON_HEADERS) as response:
            await response.read()
        async with http.get(f"{self._base}/queue") as response:
            queue = await response.json() if response.status == 200 else {}
        if _in_queue(queue, prompt_id, "queue_running"):
            target = msgspec.json.encode({"prompt_id": prompt_id})
            async with http.post(f"{self._base}/interrupt", data=target, headers=JSON_HEADERS) as response:
                await response.read()
        log.info("%s: cancelled prompt %s", self.name, prompt_id)


def _in_queue(queue: Any, prompt_id: str, which: str) -> bool:
    items = queue.get(which) if isinstance(queue, dict) else None
    return any(isinstance(item, list) and len(item) > 1 and item[1] == prompt_id for item in items or [])


def _history_failure(engine: str, status: Mapping[str, Any]) -> EngineError:
    for message in status.get("messages") or []:
        if isinstance(message, list) and len(message) == 2 and isinstance(message[1], dict):
            if message[0] == "execution_error":
                return execution_failure(message[1])
            if message[0] == "execution_interrupted":
                return EngineError("transient", f"{engine}: the prompt was interrupted on the ComfyUI server")
    return EngineError("permanent", f"{engine}: the prompt failed on the ComfyUI server")
