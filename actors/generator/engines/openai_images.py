"""OpenAI-compatible image edits: POST {base}/v1/images/edits, which also covers self-hosted compatible servers.

The request is multipart: `image` (the reference), `prompt`, `model`, `n=1`, `size`, and `input_fidelity` (high or
low: how closely the edit keeps the reference's features, chosen from the attempt's strength), plus optional
`quality`, `output_format`, `response_format` and any `extra_fields`. The answer is {data: [{b64_json} | {url}]};
errors are {error: {message, type, code, param}}. Rate limits (429) carry `retry-after` / `retry-after-ms`.

The edit is one synchronous call, so there is no remote job to cancel: a cancelled attempt closes the connection.
A retried call is a new edit, as in OpenAI's own clients (retried: connection errors, timeouts, 408, 409, 429, 5xx).
Mapped to permanent at once: other 4xx, content policy (`moderation_blocked`, `content_policy_violation`) and an
exhausted quota (429 `insufficient_quota`, which no wait will fix).
"""

import base64
import binascii
import math
from typing import Any, Final, Literal

import aiohttp

from actors.generator.engines.base import EngineError, EngineJob, ProgressCallback
from actors.generator.engines.http_retry import (
    HttpEngineConfig,
    LazySession,
    MalformedOutput,
    clip,
    decode_data_uri,
    error_text,
    image_kind,
    json_or_none,
    read_json,
    require_image,
    retrying,
    same_origin,
    status_failure,
)
from actors.generator.engines.limits import ProgressReporter
from actors.images import image_size

CONTENT_POLICY_CODES: Final = frozenset({"moderation_blocked", "content_policy_violation", "content_filter"})
GPT_IMAGE_SIZES: Final = ("1024x1024", "1536x1024", "1024x1536")


class OpenAIImagesConfig(HttpEngineConfig, frozen=True, kw_only=True, forbid_unknown_fields=True):
    base_url: str = "https://api.openai.com"  # with or without a trailing /v1
    api_key_env: str = "OPENAI_API_KEY"  # environment variable holding the key; empty: send no Authorization
    model: str = "gpt-image-1"
    input_fidelity: Literal["auto", "high", "low", ""] = "auto"  # auto: from strength; "": not sent
    fidelity_from_strength: float = 0.7  # auto: `high` from this strength up, `low` below
    sizes: tuple[str, ...] = GPT_IMAGE_SIZES  # sizes the model accepts (nearest aspect wins); empty: the exact size
    size: str = ""  # a fixed size ("auto", "1024x1024"); overrides `sizes`
    quality: str = ""  # low | medium | high | auto; empty: not sent
    output_format: str = ""  # png | jpeg | webp; empty: not sent
    response_format: str = ""  # b64_json | url: for dall-e-2 and servers that default to URLs (gpt-image-1 rejects it)
    extra_fields: dict[str, str] = {}  # more form fields, for compatible servers (a seed, steps, ...)
    timeout_s: float = 300.0
    request_timeout_s: float = 180.0  # the edit is one synchronous call: allow for the whole generation
    max_concurrency: int = 4


def endpoint(base_url: str) -> str:
    base = base_url.rstrip("/")
    return f"{base}/images/edits" if base.endswith("/v1") else f"{base}/v1/images/edits"


def error_fields(text: str) -> tuple[str, str]:
    """(message, code) from {"error": {"message", "type", "code"}} (or a bare string), else (text, "")."""
    body = json_or_none(text)
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        code = str(error.get("code") or error.get("type") or "")
        return str(error.get("message") or code or text), code
    if isinstance(error, str):
        return error, ""
    return text, ""


def nearest_size(width: int, height: int, sizes: tuple[str, ...]) -> str:
    def distance(size: str) -> float:
        w, _, h = size.partition("x")
        return abs(math.log(int(w) / int(h)) - math.log(width / height))

    return min(sizes, key=distance)


class OpenAIImagesEngine:
    def __init__(self, config: OpenAIImagesConfig, *, api_key: str = "", name: str = "openai") -> None:
        self.name = name
        self.config = config
        self._url = endpoint(config.base_url)
        self._auth = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._policy = config.retry_policy()
        self._http = LazySession(config.client_timeout())

    async def close(self) -> None:
        await self._http.close()

    def form_fields(self, job: EngineJob) -> dict[str, str]:
        """Every form field but the image."""
        config, params = self.config, job.params
        fields = {"prompt": job.prompt, "model": config.model, "n": "1", "size": self._size(job)}
        if config.input_fidelity == "auto":
            fields["input_fidelity"] = "high" if params.strength >= config.fidelity_from_strength else "low"
        elif config.input_fidelity:
            fields["input_fidelity"] = config.input_fidelity
        for field in ("quality", "output_format", "response_format"):
            if getattr(config, field):
                fields[field] = getattr(config, field)
        fields.update(config.extra_fields)
        return fields

    def _size(self, job: EngineJob) -> str:
        if self.config.size:
            return self.config.size
        width, height = job.params.width, job.params.height
        if width <= 0 or height <= 0:
            try:
                width, height = image_size(job.reference)
            except (OSError, ValueError):
                raise EngineError("permanent", f"{self.name}: the reference image cannot be read") from None
        return nearest_size(width, height, self.config.sizes) if self.config.sizes else f"{width}x{height}"

    async def generate(self, job: EngineJob, *, progress: ProgressCallback | None = None) -> bytes:
        report = ProgressReporter(progress)
        fields = self.form_fields(job)
        kind = image_kind(job.reference) or "png"
        filename = f"reference.{'jpg' if kind == 'jpeg' else kind}"

        async def once(_: int) -> bytes | str:
            form = aiohttp.FormData()
            form.add_field("image", job.reference, filename=filename, content_type=f"image/{kind}")
            for key, value in fields.items():
                form.add_field(key, value)
            headers = {**self.config.headers, **self._auth}
            async with self._http().post(self._url, data=form, headers=headers) as response:
                await self._check(response)
                body = await read_json(response, self.name, "the image edit")
            return self._output(body)

        await report("generating", 0.0)
        output = await retrying(self.name, "the image edit", self._policy, once)
        if isinstance(output, bytes):
            return output
        await report("fetching the output", 1.0)
        return await self._download(output)

    async def _check(self, response: aiohttp.ClientResponse) -> None:
        if response.status < 400:
            return
        message, code = error_fields(await error_text(response))
        if code in CONTENT_POLICY_CODES:
            raise EngineError("permanent", f"{self.name}: content policy: {clip(message)}")
        if response.status == 429 and code == "insufficient_quota":
            raise EngineError("permanent", f"{self.name}: quota exhausted: {clip(message)}")
        raise status_failure(self.name, "the image edit", response.status, response.headers, message)

    def _output(self, body: Any) -> bytes | str:
        """The decoded image, or the URL to fetch it from."""
        data = body.get("data") if isinstance(body, dict) else None
        first = data[0] if isinstance(data, list) and data else None
        if not isinstance(first, dict):
            raise MalformedOutput(f"{self.name}: the answer has no data[0]")
        encoded = first.get("b64_json")
        if isinstance(encoded, str) and encoded:
            try:
                image = base64.b64decode(encoded, validate=True)
            except (binascii.Error, ValueError):
                raise MalformedOutput(f"{self.name}: data[0].b64_json is not valid base64") from None
            return require_image(image, self.name, "data[0].b64_json")
        url = first.get("url")
        if isinstance(url, str) and url:
            return url
        raise MalformedOutput(f"{self.name}: data[0] has neither b64_json nor url")

    async def _download(self, url: str) -> bytes:
        if url.startswith("data:"):
            return require_image(decode_data_uri(url, self.name), self.name, "the output")
        headers = {**self.config.headers, **self._auth} if same_origin(url, self.config.base_url) else {}

        async def once(_: int) -> bytes:
            async with self._http().get(url, headers=headers) as response:
                if response.status >= 400:
                    message = error_fields(await error_text(response))[0]
                    status, what = response.status, "downloading the output"
                    raise status_failure(self.name, what, status, response.headers, message)
                data = await response.read()
            return require_image(data, self.name, "the downloaded output")

        return await retrying(self.name, "downloading the output", self._policy, once)
