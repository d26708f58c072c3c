"""The one interface every generation engine implements, and how engines report failure."""

from collections.abc import Awaitable, Callable
from typing import Literal, NamedTuple, Protocol

from contracts.model import GenerationParams, PromptAnalysis, Style

FailureKind = Literal["transient", "permanent", "unavailable"]


class EngineJob(NamedTuple):
    request_id: str
    attempt: int
    prompt: str
    style: Style
    analysis: PromptAnalysis
    params: GenerationParams
    reference: bytes  # the encoded reference image (JPEG/PNG/WebP)


class EngineError(Exception):
    """`transient`: worth retrying (timeouts, 429, 5xx); `permanent`: this attempt cannot succeed (bad request,
    content policy); `unavailable`: the engine cannot be reached at all."""

    def __init__(self, kind: FailureKind, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


# Engines that know how far along they are call this with a short line ("step 7/20") and a 0-1 fraction.
ProgressCallback = Callable[[str, float], Awaitable[None]]


class Engine(Protocol):
    name: str

    async def generate(self, job: EngineJob, *, progress: ProgressCallback | None = None) -> bytes:
        """Return the encoded output image, or raise EngineError."""
        ...

    async def close(self) -> None: ...
