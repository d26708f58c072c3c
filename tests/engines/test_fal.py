"""fal adapter against a loopback fal queue: submit, status with queue positions, result, download, cancel."""

import asyncio
import base64
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from actors.generator.engines.base import EngineError
from actors.generator.engines.fal import FalConfig, FalEngine, app_id, nearest_aspect_ratio
from actors.generator.engines.limits import LimitedEngine
from tests.engines.conftest import FAST, REFERENCE, Progress, closed_port, make_job
from tests.engines.fakes import OUTPUT_PNG, FakeFal, Fault

EngineFactory = Callable[..., FalEngine]


@pytest.fixture
async def make_engine(fal_server: FakeFal) -> AsyncIterator[EngineFactory]:
    engines: list[FalEngine] = []

    def make(key: str = "test-key", **overrides: Any) -> FalEngine:
        settings = {"base_url": fal_server.base_url, "poll_interval_s": 0.005, **FAST, **overrides}
        engine = FalEngine(FalConfig(**settings), api_key=key)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        await engine.close()


async def test_a_generation_reports_queue_positions_and_returns_the_image(
    fal_server: FakeFal, make_engine: EngineFactory
) -> None:
    progress = Progress()
    output = await make_engine().generate(make_job(strength=0.8, width=1920, height=1080), progress=progress)

    assert output == OUTPUT_PNG
    (request,) = fal_server.requests.values()
    assert request.path == "/fal-ai/flux-pro/kontext"
    sent = request.input
    assert sent["image_url"] == "data:image/png;base64," + base64.b64encode(REFERENCE).decode()
    assert sent["seed"] == 1234 and sent["guidance_scale"] == 5.0 and sent["num_images"] == 1
    assert sent["aspect_ratio"] == "16:9" and sent["output_format"] == "jpeg" and sent["safety_tolerance"] == "2"
    assert sent["prompt"].startswith("the knight waves from a hill. Keep the character exactly as in the reference")
    # Status and result go to the app id without the model's subpath, as fal documents.
    assert set(fal_server.status_paths) == {f"/fal-ai/flux-pro/requests/{request.request_id}/status"}
    assert progress.details == [
        "queued at position 2",
        "queued at position 1",
        "queued at position 0",
        "running",
        "fetching the output",
    ]
    assert fal_server.cancelled == []


async def test_low_strength_sends_the_plain_prompt_and_config_overrides_apply(
    fal_server: FakeFal, make_engine: EngineFactory
) -> None:
    engine = make_engine(guidance_scale=3.5, extra_input={"enhance_prompt": True}, model="fal-ai/flux-pro/kontext/max")
    await engine.generate(make_job(strength=0.5))
    (request,) = fal_server.requests.values()
    assert request.path == "/fal-ai/flux-pro/kontext/max"
    assert request.input["prompt"] == "the knight waves from a hill"
    assert request.input["guidance_scale"] == 3.5 and request.input["enhance_prompt"] is True
    assert request.input["aspect_ratio"] == "4:3"  # the reference is 64x48


async def test_429_with_retry_after_is_honoured(fal_server: FakeFal, make_engine: EngineFactory) -> None:
    fal_server.fail("submit_sub", Fault(429, {"detail": "Too many requests"}, {"Retry-After": "0.3"}))
    started = time.perf_counter()
    assert await make_engine().generate(make_job()) == OUTPUT_PNG
    assert time.perf_counter() - started >= 0.3
    assert fal_server.count("submit_sub") == 2


async def test_5xx_and_resets_while_polling_are_retried(fal_server: FakeFal, make_engine: EngineFactory) -> None:
    fal_server.fail("status", Fault(503, "upstream"), Fault(drop=True), Fault(500, {"detail": "boom"}))
    fal_server.fail("result", Fault(502, "bad gateway"))
    assert await make_engine().generate(make_job()) == OUTPUT_PNG


async def test_a_validation_error_is_permanent_with_fals_detail(
    fal_server: FakeFal, make_engine: EngineFactory
) -> None:
    detail = [{"loc": ["body", "image_url"], "msg": "Unsupported image format", "type": "value_error"}]
    fal_server.fail("submit_sub", Fault(422, {"detail": detail}))
    with pytest.raises(EngineError) as caught:
        await make_engine().generate(make_job())
    assert caught.value.kind == "permanent"
    assert caught.value.reason == "fal: submitting to the queue answered HTTP 422: Unsupported image format (image_url)"
    assert fal_server.count("submit_sub") == 1


async def test_a_bad_key_is_permanent(make_engine: EngineFactory) -> None:
    with pytest.raises(EngineError, match="HTTP 401: Cannot access application: invalid key") as caught:
        await make_engine(key="wrong").generate(make_job())
    assert caught.value.kind == "permanent"


async def test_a_failed_request_reports_the_result_error(fal_server: FakeFal, make_engine: EngineFactory) -> None:
    fal_server.mode = "result_422"
    with pytest.raises(EngineError, match="HTTP 422: Could not load the image \\(image_url\\)"):
        await make_engine().generate(make_job())


async def test_an_nsfw_flagged_output_is_a_content_policy_failure(
    fal_server: FakeFal, make_engine: EngineFactory
) -> None:
    fal_server.mode = "nsfw"
    with pytest.raises(EngineError, match="content policy") as caught:
        await make_engine().generate(make_job())
    assert caught.value.kind == "permanent"


async def test_a_result_without_images_is_retried_then_permanent(
    fal_server: FakeFal, make_engine: EngineFactory
) -> None:
    fal_server.mode = "no_images"
    with pytest.raises(EngineError) as caught:
        await make_engine().generate(make_job())
    assert caught.value.kind == "permanent" and "no image URL (still malformed after 4 tries)" in caught.value.reason
    assert fal_server.count("result") == 4


async def test_a_data_uri_result_is_decoded(fal_server: FakeFal, make_engine: EngineFactory) -> None:
    fal_server.mode = "data_uri"
    assert await make_engine().generate(make_job()) == OUTPUT_PNG


async def test_a_result_that_never_comes_times_out_and_cancels_the_request(
    fal_server: FakeFal, make_engine: EngineFactory
) -> None:
    fal_server.mode = "hang"
    progress = Progress()
    engine = LimitedEngine(make_engine(), timeout_s=0.3)
    with pytest.raises(EngineError, match="per-attempt timeout") as caught:
        await engine.generate(make_job(), progress=progress)
    assert caught.value.kind == "transient"
    assert fal_server.cancelled == list(fal_server.requests)
    assert progress.details == ["queued at position 5"]  # reported once, not once per poll


async def test_cancelling_the_attempt_cancels_the_request(fal_server: FakeFal, make_engine: EngineFactory) -> None:
    fal_server.mode = "hang"
    task = asyncio.create_task(make_engine().generate(make_job()))
    await asyncio.wait_for(fal_server.submitted.wait(), 5)
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert fal_server.cancelled == list(fal_server.requests)


async def test_giving_up_on_polling_cancels_the_request(fal_server: FakeFal, make_engine: EngineFactory) -> None:
    fal_server.mode = "hang"
    fal_server.fail("status", Fault(200), *[Fault(503, "down")] * 5)  # 200 with an empty body: malformed, then 503s
    with pytest.raises(EngineError) as caught:
        await make_engine().generate(make_job())
    assert caught.value.kind == "transient"
    assert fal_server.cancelled == list(fal_server.requests)


async def test_an_unreachable_queue_is_unavailable() -> None:
    engine = FalEngine(FalConfig(base_url=f"http://127.0.0.1:{closed_port()}", **FAST), api_key="k")  # type: ignore[arg-type]
    try:
        with pytest.raises(EngineError) as caught:
            await engine.generate(make_job())
    finally:
        await engine.close()
    assert caught.value.kind == "unavailable"


def test_app_id_drops_the_subpath_and_aspect_ratios_snap() -> None:
    assert app_id("fal-ai/flux-pro/kontext") == "fal-ai/flux-pro"
    assert app_id("fal-ai/flux-kontext/dev") == "fal-ai/flux-kontext"
    assert nearest_aspect_ratio(1024, 1024, ("16:9", "1:1")) == "1:1"
    assert nearest_aspect_ratio(768, 1344, ("16:9", "1:1", "9:16")) == "9:16"
