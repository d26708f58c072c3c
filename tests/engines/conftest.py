"""Shared pieces: a job, short retry settings, and each loopback server started on a free port."""

import socket
from collections.abc import AsyncIterator

import pytest

from actors.generator.engines.base import EngineJob
from contracts.model import GenerationParams, PromptAnalysis
from tests.engines.fakes import FakeComfyUI, FakeFal, FakeOpenAI, png

REFERENCE = png(64, 48)

# Fast retries for tests: three tries after the first, waits of a few milliseconds.
FAST = {"retries": 3, "backoff_s": 0.005, "max_backoff_s": 0.02, "request_timeout_s": 2.0, "cancel_timeout_s": 1.0}


def closed_port() -> int:
    """A loopback port nothing listens on: connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def make_job(strength: float = 0.75, width: int = 0, height: int = 0, seed: int = 1234) -> EngineJob:
    analysis = PromptAnalysis(shot_type="medium", angle="front", mood="calm", setting="outdoor", keywords=())
    params = GenerationParams(seed=seed, strength=strength, guidance=5.0, width=width, height=height)
    return EngineJob("req-1", 1, "the knight waves from a hill", "character_production", analysis, params, REFERENCE)


class Progress:
    """A progress callback that records what it was told."""

    def __init__(self) -> None:
        self.reports: list[tuple[str, float]] = []

    async def __call__(self, detail: str, fraction: float) -> None:
        self.reports.append((detail, fraction))

    @property
    def details(self) -> list[str]:
        return [detail for detail, _ in self.reports]


@pytest.fixture
async def comfy() -> AsyncIterator[FakeComfyUI]:
    server = FakeComfyUI()
    await server.start()
    yield server
    await server.close()


@pytest.fixture
async def fal_server() -> AsyncIterator[FakeFal]:
    server = FakeFal()
    await server.start()
    yield server
    await server.close()


@pytest.fixture
async def openai_server() -> AsyncIterator[FakeOpenAI]:
    server = FakeOpenAI()
    await server.start()
    yield server
    await server.close()
