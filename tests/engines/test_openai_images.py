"""OpenAI-compatible image edits against a loopback server: multipart request, b64/url output, errors, rate limits."""

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from actors.generator.engines.base import EngineError
from actors.generator.engines.limits import LimitedEngine
from actors.generator.engines.openai_images import OpenAIImagesConfig, OpenAIImagesEngine, endpoint, nearest_size
from tests.engines.conftest import FAST, REFERENCE, Progress, closed_port, make_job
from tests.engines.fakes import OUTPUT_PNG, FakeOpenAI, Fault

EngineFactory = Callable[..., OpenAIImagesEngine]


@pytest.fixture
async def make_engine(openai_server: FakeOpenAI) -> AsyncIterator[EngineFactory]:
    engines: list[OpenAIImagesEngine] = []

    def make(key: str = "sk-test", **overrides: Any) -> OpenAIImagesEngine:
        settings = {"base_url": openai_server.base_url, **FAST, **overrides}
        engine = OpenAIImagesEngine(OpenAIImagesConfig(**settings), api_key=key)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        await engine.close()


def error(message: str, code: str, kind: str = "invalid_request_error") -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


async def test_an_edit_sends_the_documented_multipart_and_decodes_b64_json(
    openai_server: FakeOpenAI, make_engine: EngineFactory
) -> None:
    progress = Progress()
    assert await make_engine().generate(make_job(strength=0.8, width=900, height=1600), progress=progress) == OUTPUT_PNG
    (fields,) = openai_server.edits
    assert fields["image"] == ("reference.png", "image/png", REFERENCE)
    assert fields["prompt"] == "the knight waves from a hill"
    assert fields["model"] == "gpt-image-1" and fields["n"] == "1"
    assert fields["size"] == "1024x1536" and fields["input_fidelity"] == "high"
    assert "response_format" not in fields  # gpt-image-1 always answers b64_json and rejects the field
    assert progress.details == ["generating"]


async def test_low_strength_asks_for_low_fidelity_and_options_pass_through(
    openai_server: FakeOpenAI, make_engine: EngineFactory
) -> None:
    engine = make_engine(
        base_url=openai_server.base_url + "/v1", quality="high", response_format="b64_json", extra_fields={"seed": "7"}
    )
    await engine.generate(make_job(strength=0.6))
    (fields,) = openai_server.edits
    assert fields["input_fidelity"] == "low" and fields["size"] == "1536x1024"  # the reference is landscape
    assert fields["quality"] == "high" and fields["response_format"] == "b64_json" and fields["seed"] == "7"


async def test_an_exact_size_goes_to_servers_without_a_size_list(
    openai_server: FakeOpenAI, make_engine: EngineFactory
) -> None:
    await make_engine(sizes=(), input_fidelity="").generate(make_job(width=640, height=480))
    (fields,) = openai_server.edits
    assert fields["size"] == "640x480" and "input_fidelity" not in fields


async def test_a_url_output_is_downloaded(openai_server: FakeOpenAI, make_engine: EngineFactory) -> None:
    openai_server.mode = "url"
    progress = Progress()
    assert await make_engine().generate(make_job(), progress=progress) == OUTPUT_PNG
    assert progress.details == ["generating", "fetching the output"]


@pytest.mark.parametrize("header", [{"Retry-After": "0.3"}, {"retry-after-ms": "300"}])
async def test_429_waits_as_long_as_the_server_asks(
    openai_server: FakeOpenAI, make_engine: EngineFactory, header: dict[str, str]
) -> None:
    openai_server.fail(
        "edits", Fault(429, error("Rate limit reached for gpt-image-1", "rate_limit_exceeded", "requests"), header)
    )
    started = time.perf_counter()
    assert await make_engine().generate(make_job()) == OUTPUT_PNG
    assert time.perf_counter() - started >= 0.3
    assert openai_server.count("edits") == 2


async def test_a_retry_after_beyond_the_limit_gives_up_at_once(
    openai_server: FakeOpenAI, make_engine: EngineFactory
) -> None:
    openai_server.fail("edits", Fault(429, error("Rate limit reached", "rate_limit_exceeded"), {"Retry-After": "3600"}))
    with pytest.raises(EngineError) as caught:
        await make_engine().generate(make_job())
    assert caught.value.kind == "transient" and "asked to wait 3600 s" in caught.value.reason
    assert openai_server.count("edits") == 1


async def test_an_exhausted_quota_is_not_retried(openai_server: FakeOpenAI, make_engine: EngineFactory) -> None:
    openai_server.fail("edits", Fault(429, error("You exceeded your current quota.", "insufficient_quota")))
    with pytest.raises(EngineError, match=r"quota exhausted: You exceeded your current quota\.") as caught:
        await make_engine().generate(make_job())
    assert caught.value.kind == "permanent" and openai_server.count("edits") == 1


async def test_a_content_policy_refusal_is_permanent_with_the_message(
    openai_server: FakeOpenAI, make_engine: EngineFactory
) -> None:
    message = "Your request was rejected by the safety system."
    openai_server.fail("edits", Fault(400, error(message, "moderation_blocked")))
    with pytest.raises(EngineError) as caught:
        await make_engine().generate(make_job())
    assert caught.value.kind == "permanent" and caught.value.reason == f"openai: content policy: {message}"


async def test_a_bad_request_and_a_bad_key_are_permanent(openai_server: FakeOpenAI, make_engine: EngineFactory) -> None:
    openai_server.fail("edits", Fault(400, error("Invalid size '5x5'.", "invalid_value")))
    with pytest.raises(EngineError, match=r"HTTP 400: Invalid size '5x5'\.") as caught:
        await make_engine().generate(make_job())
    assert caught.value.kind == "permanent"
    with pytest.raises(EngineError, match=r"HTTP 401: Incorrect API key provided\."):
        await make_engine(key="sk-wrong").generate(make_job())


async def test_5xx_and_resets_are_retried_within_the_bound(
    openai_server: FakeOpenAI, make_engine: EngineFactory
) -> None:
    openai_server.fail(
        "edits", Fault(500, error("The server had an error", "server_error", "server_error")), Fault(drop=True)
    )
    assert await make_engine().generate(make_job()) == OUTPUT_PNG
    openai_server.fail("edits", *[Fault(503, error("Overloaded", "overloaded"))] * 4)
    with pytest.raises(EngineError) as caught:
        await make_engine().generate(make_job())
    assert caught.value.kind == "transient"
    assert caught.value.reason == "openai: the image edit answered HTTP 503: Overloaded (gave up after 4 tries)"


@pytest.mark.parametrize(
    ("mode", "words"), [("garbage", "not JSON"), ("bad_b64", "not valid base64"), ("empty", "no data[0]")]
)
async def test_malformed_output_is_retried_then_permanent(
    openai_server: FakeOpenAI, make_engine: EngineFactory, mode: Any, words: str
) -> None:
    openai_server.mode = mode
    with pytest.raises(EngineError) as caught:
        await make_engine(retries=1).generate(make_job())
    assert caught.value.kind == "permanent" and words in caught.value.reason
    assert openai_server.count("edits") == 2


async def test_an_answer_that_never_comes_times_out(openai_server: FakeOpenAI, make_engine: EngineFactory) -> None:
    openai_server.mode = "hang"
    engine = LimitedEngine(make_engine(), timeout_s=0.3)
    started = time.perf_counter()
    with pytest.raises(EngineError, match="per-attempt timeout") as caught:
        await engine.generate(make_job())
    assert caught.value.kind == "transient" and time.perf_counter() - started < 1.5


async def test_cancelling_the_attempt_closes_the_call(openai_server: FakeOpenAI, make_engine: EngineFactory) -> None:
    openai_server.mode = "hang"
    task = asyncio.create_task(make_engine().generate(make_job()))
    await asyncio.wait_for(openai_server.received.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_an_unreachable_server_is_unavailable() -> None:
    engine = OpenAIImagesEngine(OpenAIImagesConfig(base_url=f"http://127.0.0.1:{closed_port()}", **FAST))  # type: ignore[arg-type]
    try:
        with pytest.raises(EngineError) as caught:
            await engine.generate(make_job())
    finally:
        await engine.close()
    assert caught.value.kind == "unavailable"


def test_endpoint_accepts_a_base_with_or_without_v1_and_sizes_snap() -> None:
    assert endpoint("https://api.openai.com") == "https://api.openai.com/v1/images/edits"
    assert endpoint("http://gw:8080/v1/") == "http://gw:8080/v1/images/edits"
    assert nearest_size(1000, 1000, ("1024x1024", "1536x1024")) == "1024x1024"
