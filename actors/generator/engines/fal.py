"""fal.ai adapter: FLUX.1 Kontext (or any fal image-edit model) through fal's queue API.

One attempt, as fal's queue API spells it (header `Authorization: Key <FAL_KEY>`):
1. POST {base}/{model} with the model input -> {request_id, status_url, response_url, cancel_url};
2. GET {base}/{app}/requests/{id}/status -> {status: IN_QUEUE | IN_PROGRESS | COMPLETED, queue_position}, polled;
3. GET {base}/{app}/requests/{id} -> the result, {images: [{url, width, height, content_type}], has_nsfw_concepts};
4. the image itself from its URL (a CDN address, fetched without the key, or a data URI).
`{app}` is the model id without its subpath (`fal-ai/flux-pro/kontext` -> `fal-ai/flux-pro`), as fal's clients do; the
URLs are built from the configured base rather than taken from the answer, so a proxy in front of fal keeps working.
Cancelling the attempt after submission sends PUT {base}/{app}/requests/{id}/cancel.

Kontext has no strength knob: an attempt whose strength is at least `hold_from_strength` gets `hold_clause` appended to
its prompt (Kontext follows such instructions well); guidance goes to `guidance_scale` unless fixed in the config.
"""

import asyncio
import logging
import math
from collections.abc import Mapping
from typing import Any, Final

import aiohttp
import msgspec

from actors.generator.engines.base import EngineError, EngineJob, ProgressCallback
from actors.generator.engines.http_retry import (
    HttpEngineConfig,
    LazySession,
    MalformedOutput,
    data_uri,
    decode_data_uri,
    error_text,
    json_or_none,
    read_json,
    require_image,
    retrying,
    same_origin,
    status_failure,
)
from actors.generator.engines.limits import ProgressReporter, cancel_remote
from actors.images import image_size

log = logging.getLogger("smartgen.engines")

KONTEXT_ASPECT_RATIOS: Final = ("21:9", "16:9", "4:3", "3:2", "1:1", "2:3", "3:4", "9:16", "9:21")
_STATES: Final = frozenset({"IN_QUEUE", "IN_PROGRESS", "COMPLETED"})
JSON_HEADERS: Final = {"Content-Type": "application/json"}


class FalConfig(HttpEngineConfig, frozen=True, kw_only=True, forbid_unknown_fields=True):
    base_url: str = "https://queue.fal.run"
    model: str = "fal-ai/flux-pro/kontext"
    api_key_env: str = "FAL_KEY"  # environment variable holding the key; empty: send no Authorization (a proxy adds it)
    timeout_s: float = 300.0
    max_concurrency: int = 4
    poll_interval_s: float = 1.0
    output_format: str = "jpeg"
    safety_tolerance: str = "2"  # "1" (strictest) to "6"
    guidance_scale: float | None = None  # fixed guidance; None: each attempt's own guidance
    hold_from_strength: float = 0.7  # strength from which hold_clause is appended to the prompt (> 1: never)
    hold_clause: str = (
        "Keep the character exactly as in the reference image: same face, hairstyle, outfit, colours and proportions."
    )
    aspect_ratios: tuple[str, ...] = KONTEXT_ASPECT_RATIOS  # what the model accepts; empty: send no aspect_ratio
    extra_input: dict[str, Any] = {}  # merged into the model input (model-specific parameters)


def app_id(model: str) -> str:
    """The model id without its subpath: status and result URLs use `owner/app` only."""
    return "/".join(model.strip("/").split("/")[:2])


def nearest_aspect_ratio(width: int, height: int, choices: tuple[str, ...]) -> str:
    def distance(choice: str) -> float:
        w, _, h = choice.partition(":")
        return abs(math.log(float(w) / float(h)) - math.log(width / height))

    return min(choices, key=distance)


def error_message(text: str) -> str:
    """fal's error bodies: {"detail": str | [{"msg", "loc", "type"}]}, or {"error"/"message": ...}."""
    body = json_or_none(text)
    if not isinstance(body, dict):
        return text
    detail = body.get("detail")
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict):
                where = ".".join(str(part) for part in item.get("loc") or [] if part != "body")
                parts.append(f"{item.get('msg', '')}" + (f" ({where})" if where else ""))
        if parts:
            return "; ".join(parts)
    for key in ("error", "message"):
        if body.get(key):
            return str(body[key])
    return text


class FalEngine:
    def __init__(self, config: FalConfig, *, api_key: str, name: str = "fal") -> None:
        self.name = name
        self.config = config
        base = config.base_url.rstrip("/")
        self._submit_url = f"{base}/{config.model.strip('/')}"
        self._requests_url = f"{base}/{app_id(config.model)}/requests"
        self._auth = {"Authorization": f"Key {api_key}"} if api_key else {}
        self._policy = config.retry_policy()
        self._http = LazySession(config.client_timeout())

    def _headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        return {**self.config.headers, **self._auth, **(extra or {})}

    async def close(self) -> None:
        await self._http.close()

    def request_input(self, job: EngineJob) -> dict[str, Any]:
        params, config = job.params, self.config
        prompt = job.prompt.strip()
        if config.hold_clause and params.strength >= config.hold_from_strength:
            prompt = f"{prompt.rstrip('. ')}. {config.hold_clause}"
        body: dict[str, Any] = {
            "prompt": prompt,
            "image_url": data_uri(job.reference),
            "seed": params.seed,
            "guidance_scale": config.guidance_scale if config.guidance_scale is not None else params.guidance,
            "num_images": 1,
            "output_format": config.output_format,
            "safety_tolerance": config.safety_tolerance,
        }
        if config.aspect_ratios:
            width, height = params.width, params.height
            if width <= 0 or height <= 0:
                try:
                    width, height = image_size(job.reference)
                except (OSError, ValueError):
                    raise EngineError("permanent", f"{self.name}: the reference image cannot be read") from None
            body["aspect_ratio"] = nearest_aspect_ratio(width, height, config.aspect_ratios)
        body.update(config.extra_input)
        return body

    async def generate(self, job: EngineJob, *, progress: ProgressCallback | None = None) -> bytes:
        report = ProgressReporter(progress)
        payload = msgspec.json.encode(self.request_input(job))
        request_id: str | None = None
        completed = False
        try:
            request_id = await self._submit(payload)
            await self._wait(request_id, report)
            completed = True
            url = await self._result(request_id)
            await report("fetching the output", 1.0)
            return await self._download(url)
        except BaseException:
            if request_id is not None and not completed:
                submitted = request_id
                await cancel_remote(
                    f"fal request {submitted}", lambda: self._cancel(submitted), self.config.cancel_timeout_s
                )
            raise

    async def _check(self, response: aiohttp.ClientResponse, what: str) -> None:
        if response.status >= 400:
            message = error_message(await error_text(response))
            raise status_failure(self.name, what, response.status, response.headers, message)

    async def _submit(self, payload: bytes) -> str:
        async def once(_: int) -> str:
            headers = self._headers(JSON_HEADERS)
            async with self._http().post(self._submit_url, data=payload, headers=headers) as response:
                await self._check(response, "submitting to the queue")
                body = await read_json(response, self.name, "the queue submission")
            request_id = body.get("request_id") if isinstance(body, dict) else None
            if not isinstance(request_id, str) or not request_id:
                raise MalformedOutput(f"{self.name}: the queue submission answered without a request_id")
            return request_id

        return await retrying(self.name, "submitting to the queue", self._policy, once)

    async def _status(self, request_id: str) -> dict[str, Any]:
        async def once(_: int) -> dict[str, Any]:
            url = f"{self._requests_url}/{request_id}/status"
            async with self._http().get(url, headers=self._headers()) as response:
                await self._check(response, "the status check")
                body = await read_json(response, self.name, "the status check")
            if not isinstance(body, dict) or not isinstance(body.get("status"), str):
                raise MalformedOutput(f"{self.name}: the status check answered without a status")
            return body

        return await retrying(self.name, "checking the status", self._policy, once)

    async def _wait(self, request_id: str, report: ProgressReporter) -> None:
        while True:
            status = await self._status(request_id)
            state = status["status"]
            if state == "COMPLETED" or state not in _STATES:
                return  # a failed request (FAILED, ERROR, ...) is told apart by the result's own answer
            if state == "IN_QUEUE":
                position = status.get("queue_position")
                await report(f"queued at position {position}" if isinstance(position, int) else "queued", 0.0)
            else:
                await report("running", 0.0)
            await asyncio.sleep(self.config.poll_interval_s)

    async def _result(self, request_id: str) -> str:
        async def once(_: int) -> str:
            url = f"{self._requests_url}/{request_id}"
            async with self._http().get(url, headers=self._headers()) as response:
                await self._check(response, "fetching the result")
                body = await read_json(response, self.name, "the result")
            images = body.get("images") if isinstance(body, dict) else None
            first = images[0] if isinstance(images, list) and images else None
            image_url = first.get("url") if isinstance(first, dict) else None
            if not isinstance(image_url, str) or not image_url:
                raise MalformedOutput(f"{self.name}: the result has no image URL")
            flags = body.get("has_nsfw_concepts")
            if isinstance(flags, list) and flags and flags[0] is True:
                raise EngineError(
                    "permanent", f"{self.name}: content policy: fal's safety checker flagged the output (blanked)"
                )
            return image_url

        return await retrying(self.name, "fetching the result", self._policy, once)

    async def _download(self, url: str) -> bytes:
        if url.startswith("data:"):
            return require_image(decode_data_uri(url, self.name), self.name, "the output")
        headers = self._headers() if same_origin(url, self.config.base_url) else {}

        async def once(_: int) -> bytes:
            async with self._http().get(url, headers=headers) as response:
                await self._check(response, "downloading the output")
                data = await response.read()
            return require_image(data, self.name, "the downloaded output")

        return await retrying(self.name, "downloading the output", self._policy, once)

    async def _cancel(self, request_id: str) -> None:
        url = f"{self._requests_url}/{request_id}/cancel"
        async with self._http().put(url, headers=self._headers()) as response:
            await response.read()
            log.info("%s: cancel of %s answered HTTP %d", self.name, request_id, response.status)
