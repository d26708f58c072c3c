"""Shared plumbing for the HTTP engine adapters: configuration, failure classification and bounded retries.

Every remote call an adapter makes goes through `retrying`, which sorts failures into three kinds:
- transient (timeouts, connection resets, 408/409/425/429, 5xx): retried with exponential backoff, honouring
  `Retry-After` (seconds or HTTP date) and OpenAI's `retry-after-ms`, at most `retries` times;
- malformed output (a 2xx body that is not what the protocol promises): retried like a transient error, and
  `permanent` once the retries are spent, since the engine keeps answering nonsense;
- unreachable (connection refused, DNS failure, connect timeout): retried too, and `unavailable` when every try
  failed that way, so the request fails with 503 instead of burning attempts on an engine that is not there.
Any other 4xx is `permanent` at once, with the engine's own message.
"""

import asyncio
import base64
import binascii
import email.utils
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final, TypeVar
from urllib.parse import urlsplit

import aiohttp
import msgspec

from actors.generator.engines.base import EngineError

log = logging.getLogger("smartgen.engines")
T = TypeVar("T")

# Statuses worth another try: request timeout, conflict (lock contention), too early, rate limited, server errors.
RETRYABLE_STATUSES: Final = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524, 529})
_MAX_ERROR_TEXT: Final = 500


class RetryPolicy(msgspec.Struct, frozen=True, kw_only=True):
    retries: int = 3  # tries after the first one
    backoff_s: float = 0.5  # the first wait; doubles each try
    max_backoff_s: float = 8.0
    max_retry_after_s: float = 60.0  # a Retry-After longer than this ends the retries instead of waiting
    jitter: float = 0.1  # each wait is scaled by a random factor in [1 - jitter, 1 + jitter]

    def delay(self, retry: int, retry_after_s: float | None = None) -> float:
        """The wait before retry number `retry` (0-based): the backoff, or the server's Retry-After if longer."""
        backoff = min(self.max_backoff_s, self.backoff_s * 2.0**retry)
        backoff *= 1.0 + self.jitter * (2.0 * random.random() - 1.0)
        return max(backoff, retry_after_s or 0.0)


class EngineConfigError(ValueError):
    """An engine's configuration cannot work (missing credentials, a bad workflow file): raised at startup."""


class HttpEngineConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Settings every HTTP adapter shares. Times are seconds."""

    base_url: str = ""
    headers: dict[str, str] = {}  # sent with every call to base_url (a proxy's own auth, an org id)
    timeout_s: float = 300.0  # per attempt, queueing at the engine included; the remote job is cancelled after it
    max_concurrency: int = 2  # attempts in flight on this engine at once; more wait their turn (backpressure)
    request_timeout_s: float = 60.0  # each HTTP request, whole body included
    connect_timeout_s: float = 10.0
    retries: int = 3
    backoff_s: float = 0.5
    max_backoff_s: float = 8.0
    max_retry_after_s: float = 60.0
    cancel_timeout_s: float = 5.0  # how long cancelling the remote job may delay a cancelled attempt

    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(
            retries=self.retries,
            backoff_s=self.backoff_s,
            max_backoff_s=self.max_backoff_s,
            max_retry_after_s=self.max_retry_after_s,
        )

    def client_timeout(self) -> aiohttp.ClientTimeout:
        return aiohttp.ClientTimeout(total=self.request_timeout_s, sock_connect=self.connect_timeout_s)


# --- Failures as the adapters raise them inside one try ----------------------------------------------------------


class TransientFailure(Exception):
    def __init__(self, reason: str, retry_after_s: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after_s = retry_after_s


class MalformedOutput(TransientFailure):
    """A successful status with a body that breaks the protocol: retried, then permanent."""


class Unreachable(TransientFailure):
    """The engine's address does not answer at all (refused, DNS, connect timeout)."""


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """The wait a 429/503 asks for: `retry-after-ms`, or `Retry-After` as seconds or an HTTP date."""
    milliseconds = headers.get("retry-after-ms")
    if milliseconds:
        try:
            return max(0.0, float(milliseconds) / 1000.0)
        except ValueError:
            pass
    value = headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def clip(text: str, limit: int = _MAX_ERROR_TEXT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def status_failure(engine: str, what: str, status: int, headers: Mapping[str, str], message: str) -> Exception:
    """The failure for a non-2xx answer: TransientFailure for retryable statuses, else a permanent EngineError."""
    detail = f"{engine}: {what} answered HTTP {status}" + (f": {clip(message)}" if message else "")
    if status in RETRYABLE_STATUSES or (status >= 500 and status not in (501, 505)):
        return TransientFailure(detail, retry_after_seconds(headers))
    return EngineError("permanent", detail)


def connection_failure(engine: str, what: str, error: BaseException) -> TransientFailure:
    """Sort an aiohttp/OS error raised by one request into unreachable or transient."""
    if isinstance(error, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError):
        return Unreachable(f"{engine}: cannot connect for {what} ({type(error).__name__}: {error})")
    if isinstance(error, TimeoutError):
        return TransientFailure(f"{engine}: {what} timed out")
    return TransientFailure(f"{engine}: {what} failed ({type(error).__name__}: {error})")


async def retrying(engine: str, what: str, policy: RetryPolicy, call: Callable[[int], Awaitable[T]]) -> T:
    """Run `call(try_number)` until it succeeds, retrying transient failures with backoff; map the end to EngineError.

    `call` raises TransientFailure (or a subclass) for what is worth retrying, EngineError for what is not; plain
    aiohttp connection errors and request timeouts are classified here.
    """
    all_unreachable = True
    retry = 0
    while True:
        try:
            return await call(retry)
        except EngineError:
            raise
        except (aiohttp.ClientError, TimeoutError, ConnectionError) as error:
            failure = connection_failure(engine, what, error)
        except TransientFailure as error:
            failure = error
        all_unreachable = all_unreachable and isinstance(failure, Unreachable)
        retry_after = failure.retry_after_s
        if retry >= policy.retries or (retry_after is not None and retry_after > policy.max_retry_after_s):
            tries = f"{retry + 1} {'try' if retry == 0 else 'tries'}"
            if retry_after is not None and retry_after > policy.max_retry_after_s:
                tries += f"; the engine asked to wait {retry_after:.0f} s"
            if all_unreachable:
                raise EngineError("unavailable", f"{failure.reason} (unreachable on {tries})") from None
            if isinstance(failure, MalformedOutput):
                raise EngineError("permanent", f"{failure.reason} (still malformed after {tries})") from None
            raise EngineError("transient", f"{failure.reason} (gave up after {tries})") from None
        delay = policy.delay(retry, retry_after)
        log.info("%s: retrying %s in %.2f s: %s", engine, what, delay, failure.reason)
        await asyncio.sleep(delay)
        retry += 1


# --- Small helpers the adapters share ----------------------------------------------------------------------------


async def read_json(response: aiohttp.ClientResponse, engine: str, what: str) -> Any:
    """The body as JSON, or MalformedOutput."""
    body = await response.read()
    try:
        return msgspec.json.decode(body)
    except msgspec.DecodeError:
        raise MalformedOutput(f"{engine}: {what} returned a body that is not JSON: {clip(repr(body[:120]))}") from None


async def error_text(response: aiohttp.ClientResponse) -> str:
    """The raw body of an error answer, as text (bounded)."""
    body = await response.content.read(64 * 1024)
    return body.decode("utf-8", "replace")


def json_or_none(text: str) -> Any:
    try:
        return msgspec.json.decode(text)
    except msgspec.DecodeError:
        return None


def image_kind(data: bytes) -> str | None:
    """`png`, `jpeg`, `webp` or `gif` from the magic bytes, else None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    return None


def require_image(data: bytes, engine: str, what: str) -> bytes:
    if image_kind(data) is None:
        raise MalformedOutput(f"{engine}: {what} is not an image ({len(data)} bytes starting {data[:12]!r})")
    return data


def data_uri(data: bytes) -> str:
    kind = image_kind(data) or "jpeg"
    return f"data:image/{kind};base64,{base64.b64encode(data).decode('ascii')}"


def decode_data_uri(uri: str, engine: str) -> bytes:
    header, _, payload = uri.partition(",")
    if not header.endswith(";base64"):
        raise MalformedOutput(f"{engine}: the output data URI is not base64-encoded")
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedOutput(f"{engine}: the output data URI does not decode as base64") from None


def same_origin(url: str, base_url: str) -> bool:
    """Whether `url` points at the configured engine (so it may carry the engine's credentials)."""
    a, b = urlsplit(url), urlsplit(base_url)
    return (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)


class LazySession:
    """One aiohttp session per engine, opened on first use (engines are built before the event loop runs)."""

    def __init__(self, timeout: aiohttp.ClientTimeout, headers: Mapping[str, str] | None = None) -> None:
        self._timeout = timeout
        self._headers = dict(headers or {})
        self._session: aiohttp.ClientSession | None = None

    def __call__(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout, headers=self._headers)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
