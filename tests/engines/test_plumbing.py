"""The shared plumbing: Retry-After parsing, backoff, failure classification, limits, progress, cancellation."""

import asyncio
import email.utils
import time

import aiohttp
import pytest

from actors.generator.engines.base import EngineError, EngineJob, ProgressCallback
from actors.generator.engines.http_retry import (
    MalformedOutput,
    RetryPolicy,
    TransientFailure,
    Unreachable,
    image_kind,
    retry_after_seconds,
    retrying,
    same_origin,
    status_failure,
)
from actors.generator.engines.limits import LimitedEngine, ProgressReporter, cancel_remote
from tests.engines.conftest import Progress, make_job

NO_WAIT = RetryPolicy(retries=3, backoff_s=0.0, max_backoff_s=0.0, jitter=0.0)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"Retry-After": "1.5"}, 1.5),
        ({"retry-after-ms": "250", "Retry-After": "9"}, 0.25),
        ({"Retry-After": "soon"}, None),
        ({}, None),
        ({"Retry-After": "-3"}, 0.0),
    ],
)
def test_retry_after_is_read_as_seconds_or_milliseconds(headers: dict[str, str], expected: float | None) -> None:
    assert retry_after_seconds(headers) == expected


def test_retry_after_as_an_http_date() -> None:
    now = time.time()
    header = email.utils.formatdate(now + 30, usegmt=True)
    assert retry_after_seconds({"Retry-After": header}, now=now) == pytest.approx(30, abs=1)


def test_backoff_doubles_up_to_its_cap_and_yields_to_a_longer_retry_after() -> None:
    policy = RetryPolicy(backoff_s=0.5, max_backoff_s=3.0, jitter=0.0)
    assert [policy.delay(n) for n in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert policy.delay(0, retry_after_s=10.0) == 10.0
    jittered = RetryPolicy(backoff_s=1.0, jitter=0.1)
    assert all(0.9 <= jittered.delay(0) <= 1.1 for _ in range(50))


@pytest.mark.parametrize(
    ("status", "transient"),
    [
        (400, False),
        (401, False),
        (404, False),
        (422, False),
        (408, True),
        (409, True),
        (429, True),
        (500, True),
        (501, False),
        (502, True),
        (503, True),
        (504, True),
        (529, True),
    ],
)
def test_statuses_sort_into_transient_and_permanent(status: int, transient: bool) -> None:
    failure = status_failure("x", "the call", status, {}, "because")
    assert isinstance(failure, TransientFailure) is transient
    if not transient:
        assert isinstance(failure, EngineError) and failure.kind == "permanent"
        assert failure.reason == f"x: the call answered HTTP {status}: because"


async def test_a_call_that_recovers_is_returned() -> None:
    tries: list[int] = []

    async def call(attempt: int) -> str:
        tries.append(attempt)
        if attempt < 2:
            raise TransientFailure("flaky")
        return "ok"

    assert await retrying("x", "the call", NO_WAIT, call) == "ok"
    assert tries == [0, 1, 2]


@pytest.mark.parametrize(
    ("failures", "kind"),
    [
        ([Unreachable("refused")] * 4, "unavailable"),
        ([Unreachable("refused")] * 3 + [TransientFailure("503")], "transient"),
        ([TransientFailure("503")] * 3 + [Unreachable("refused")], "transient"),
        ([TransientFailure("503")] * 3 + [MalformedOutput("junk")], "permanent"),
    ],
)
async def test_the_end_of_the_retries_is_classified(failures: list[TransientFailure], kind: str) -> None:
    async def call(attempt: int) -> None:
        raise failures[attempt]

    with pytest.raises(EngineError) as caught:
        await retrying("x", "the call", NO_WAIT, call)
    assert caught.value.kind == kind


async def test_aiohttp_errors_are_classified() -> None:
    async def refused(_: int) -> None:
        raise aiohttp.ClientConnectorError(
            aiohttp.client_reqrep.ConnectionKey("h", 1, False, True, None, None, None), OSError(111, "refused")
        )

    with pytest.raises(EngineError) as caught:
        await retrying("x", "the call", NO_WAIT, refused)
    assert caught.value.kind == "unavailable"

    async def reset(_: int) -> None:
        raise aiohttp.ServerDisconnectedError()

    with pytest.raises(EngineError) as caught:
        await retrying("x", "the call", NO_WAIT, reset)
    assert caught.value.kind == "transient"


async def test_a_permanent_error_is_not_retried() -> None:
    tries: list[int] = []

    async def call(attempt: int) -> None:
        tries.append(attempt)
        raise EngineError("permanent", "bad request")

    with pytest.raises(EngineError):
        await retrying("x", "the call", NO_WAIT, call)
    assert tries == [0]


def test_helpers() -> None:
    assert image_kind(b"\x89PNG\r\n\x1a\n....") == "png"
    assert image_kind(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "webp"
    assert image_kind(b"<html>") is None
    assert same_origin("https://fal.run/a", "https://fal.run")
    assert not same_origin("https://v3.fal.media/files/x.png", "https://queue.fal.run")


class SlowEngine:
    """A fake engine that takes `delay` seconds and counts how many run at once."""

    name = "slow"

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.running = 0
        self.most = 0
        self.cancelled = 0

    async def generate(self, job: EngineJob, *, progress: ProgressCallback | None = None) -> bytes:
        self.running += 1
        self.most = max(self.most, self.running)
        try:
            await asyncio.sleep(self.delay)
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        finally:
            self.running -= 1
        return b"image"

    async def close(self) -> None:
        return None


async def test_the_concurrency_limit_makes_attempts_wait_their_turn_and_says_so() -> None:
    inner = SlowEngine(0.05)
    engine = LimitedEngine(inner, max_concurrency=2, timeout_s=5)
    progress = [Progress() for _ in range(5)]
    results = await asyncio.gather(*(engine.generate(make_job(), progress=p) for p in progress))
    assert results == [b"image"] * 5 and inner.most == 2
    waited = [p.details for p in progress if p.details]
    assert len(waited) == 3 and all(d[0].startswith("waiting for a free slow slot (2 running") for d in waited)
    assert engine.in_flight == 0 and engine.waiting == 0


async def test_the_per_attempt_timeout_cancels_the_engine_and_is_transient() -> None:
    inner = SlowEngine(10)
    engine = LimitedEngine(inner, max_concurrency=1, timeout_s=0.05)
    with pytest.raises(EngineError) as caught:
        await engine.generate(make_job())
    assert (
        caught.value.kind == "transient"
        and caught.value.reason == "slow: no result within 0.05 s (per-attempt timeout)"
    )
    assert inner.cancelled == 1
    assert await LimitedEngine(SlowEngine(0), max_concurrency=1, timeout_s=0.05).generate(make_job()) == b"image"


async def test_a_failing_progress_callback_never_fails_the_generation() -> None:
    async def broken(detail: str, fraction: float) -> None:
        raise RuntimeError("the bus is down")

    report = ProgressReporter(broken)
    await report("queued", 0.0)
    seen = Progress()
    report = ProgressReporter(seen)
    for detail, fraction in [("a", 0.0), ("a", 0.0), ("b", 1.5), ("b", float("nan"))]:
        await report(detail, fraction)
    assert seen.reports == [("a", 0.0), ("b", 1.0), ("b", 0.0)]


async def test_remote_cancellation_survives_a_second_cancel_and_is_bounded() -> None:
    done = asyncio.Event()

    async def cancel() -> None:
        await asyncio.sleep(0.05)
        done.set()

    task = asyncio.create_task(cancel_remote("job", cancel, timeout_s=1.0))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.wait_for(done.wait(), 1)  # it finished in the background all the same

    async def never() -> None:
        await asyncio.sleep(10)

    started = time.perf_counter()
    await cancel_remote("job", never, timeout_s=0.05)  # gives up quietly
    assert time.perf_counter() - started < 0.5
