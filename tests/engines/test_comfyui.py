"""ComfyUI adapter against a loopback ComfyUI: upload, queue, websocket progress, history, view, and every failure."""

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from actors.generator.engines.base import EngineError
from actors.generator.engines.comfyui import ComfyUIConfig, ComfyUIEngine, fill_workflow, pick_image
from actors.generator.engines.http_retry import EngineConfigError
from actors.generator.engines.limits import LimitedEngine
from tests.engines.conftest import FAST, REFERENCE, Progress, closed_port, make_job
from tests.engines.fakes import OUTPUT_PNG, FakeComfyUI, Fault

WORKFLOW: dict[str, Any] = {
    "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "flux1-kontext-dev.safetensors"}},
    "1": {"class_type": "LoadImage", "inputs": {"image": "{{reference_image}}"}},
    "2": {"class_type": "CLIPTextEncode", "inputs": {"text": "masterpiece, {{ prompt }}", "clip": ["4", 1]}},
    "5": {"class_type": "EmptyLatentImage", "inputs": {"width": "{{width}}", "height": "{{height}}", "batch_size": 1}},
    "3": {
        "class_type": "KSampler",
        "inputs": {"seed": "{{seed}}", "cfg": "{{guidance}}", "denoise": "{{denoise}}", "steps": 20, "model": ["4", 0]},
    },
    "6": {"class_type": "ImageScale", "inputs": {"strength_note": "hold {{strength}}"}},
    "9": {"class_type": "SaveImage", "inputs": {"images": ["8", 0], "filename_prefix": "smartgen"}},
}

EngineFactory = Callable[..., ComfyUIEngine]


@pytest.fixture
async def make_engine(comfy: FakeComfyUI) -> AsyncIterator[EngineFactory]:
    engines: list[ComfyUIEngine] = []

    def make(**overrides: Any) -> ComfyUIEngine:
        settings = {"base_url": comfy.base_url, "poll_interval_s": 0.01, "history_check_s": 0.5, **FAST, **overrides}
        engine = ComfyUIEngine(ComfyUIConfig(**settings), workflow=WORKFLOW)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        await engine.close()


async def test_a_generation_uploads_queues_follows_progress_and_fetches_the_output(
    comfy: FakeComfyUI, make_engine: EngineFactory
) -> None:
    progress = Progress()
    output = await make_engine().generate(make_job(strength=0.75, width=1000, height=1203), progress=progress)

    assert output == OUTPUT_PNG
    name, subfolder, data = comfy.uploads[0]
    assert data == REFERENCE and subfolder == "smartgen" and name.endswith(".png")
    sent = comfy.prompts[0].workflow
    assert sent["1"]["inputs"]["image"] == f"smartgen/{name}"
    assert sent["2"]["inputs"]["text"] == "masterpiece, the knight waves from a hill"
    assert sent["3"]["inputs"]["seed"] == 1234 and isinstance(sent["3"]["inputs"]["seed"], int)
    assert sent["3"]["inputs"]["denoise"] == 0.25 and sent["3"]["inputs"]["cfg"] == 5.0
    assert (sent["5"]["inputs"]["width"], sent["5"]["inputs"]["height"]) == (1000, 1200)  # multiples of 8
    assert sent["6"]["inputs"]["strength_note"] == "hold 0.75"
    assert sent["4"] == WORKFLOW["4"]
    assert progress.details[:2] == ["uploading the reference", "queued"]
    assert "queued (2 in the server's queue)" in progress.details
    steps = [(detail, fraction) for detail, fraction in progress.reports if detail.startswith("step")]
    assert steps == [("step 1/3", pytest.approx(1 / 3)), ("step 2/3", pytest.approx(2 / 3)), ("step 3/3", 1.0)]
    assert progress.reports[-1] == ("fetching the output", 1.0)
    assert comfy.deleted == [] and comfy.interrupts == []


async def test_the_reference_size_is_used_when_the_attempt_names_none(
    comfy: FakeComfyUI, make_engine: EngineFactory
) -> None:
    await make_engine().generate(make_job())
    inputs = comfy.prompts[0].workflow["5"]["inputs"]
    assert (inputs["width"], inputs["height"]) == (64, 48)


async def test_without_a_websocket_it_polls_history(comfy: FakeComfyUI, make_engine: EngineFactory) -> None:
    comfy.websocket = False
    progress = Progress()
    assert await make_engine().generate(make_job(), progress=progress) == OUTPUT_PNG
    assert "waiting for the result" in progress.details


async def test_a_websocket_lost_mid_run_falls_back_to_history(comfy: FakeComfyUI, make_engine: EngineFactory) -> None:
    comfy.mode = "drop_ws"
    progress = Progress()
    assert await make_engine().generate(make_job(), progress=progress) == OUTPUT_PNG
    assert "step 1/3" in progress.details and "waiting for the result" in progress.details


async def test_transient_upload_failures_are_retried_honouring_retry_after(
    comfy: FakeComfyUI, make_engine: EngineFactory
) -> None:
    comfy.fail("upload", Fault(503, "busy"), Fault(429, "slow down", {"Retry-After": "0.3"}), Fault(drop=True))
    started = time.perf_counter()
    assert await make_engine().generate(make_job()) == OUTPUT_PNG
    assert time.perf_counter() - started >= 0.3
    assert comfy.count("upload") == 4


async def test_a_prompt_retried_after_a_lost_answer_is_not_queued_twice(
    comfy: FakeComfyUI, make_engine: EngineFactory
) -> None:
    comfy.fail("prompt", Fault(502, "bad gateway", after=True))  # queued, but the answer is lost on the way back
    assert await make_engine().generate(make_job()) == OUTPUT_PNG
    assert comfy.count("prompt") == 1 and len(comfy.prompts) == 1


async def test_a_rejected_workflow_is_permanent_with_comfyuis_message(
    comfy: FakeComfyUI, make_engine: EngineFactory
) -> None:
    body = {
        "error": {
            "type": "prompt_outputs_failed_validation",
            "message": "Prompt outputs failed validation",
            "details": "",
        },
        "node_errors": {
            "4": {
                "errors": [
                    {"type": "value_not_in_list", "message": "Value not in list", "details": "ckpt_name: 'x' not in []"}
                ],
                "dependent_outputs": ["9"],
                "class_type": "CheckpointLoaderSimple",
            }
        },
    }
    comfy.fail("prompt", Fault(400, body))
    with pytest.raises(EngineError) as caught:
        await make_engine().generate(make_job())
    assert caught.value.kind == "permanent"
    assert "HTTP 400" in caught.value.reason and "Prompt outputs failed validation" in caught.value.reason
    assert "node 4 CheckpointLoaderSimple: Value not in list (ckpt_name: 'x' not in [])" in caught.value.reason
    assert comfy.count("prompt") == 1 and comfy.deleted == []


@pytest.mark.parametrize(
    ("mode", "kind", "words"), [("error", "permanent", "RuntimeError: mat1"), ("oom", "transient", "OutOfMemoryError")]
)
async def test_an_execution_error_names_the_node(
    comfy: FakeComfyUI, make_engine: EngineFactory, mode: Any, kind: str, words: str
) -> None:
    comfy.mode = mode
    with pytest.raises(EngineError) as caught:
        await make_engine().generate(make_job())
    assert caught.value.kind == kind
    assert "KSampler (node 3) failed" in caught.value.reason and words in caught.value.reason
    assert comfy.deleted == []  # it ended on the server: nothing to cancel


async def test_an_execution_error_found_by_polling_history_is_reported_too(
    comfy: FakeComfyUI, make_engine: EngineFactory
) -> None:
    comfy.mode, comfy.websocket = "error", False
    with pytest.raises(EngineError, match="KSampler \\(node 3\\) failed: RuntimeError"):
        await make_engine().generate(make_job())


async def test_a_workflow_without_an_image_output_is_permanent(comfy: FakeComfyUI, make_engine: EngineFactory) -> None:
    comfy.mode = "no_images"
    with pytest.raises(EngineError, match="without an image output") as caught:
        await make_engine().generate(make_job())
    assert caught.value.kind == "permanent"


async def test_malformed_output_is_retried_then_permanent(comfy: FakeComfyUI, make_engine: EngineFactory) -> None:
    comfy.view_garbage = 2
    assert await make_engine().generate(make_job()) == OUTPUT_PNG
    comfy.view_garbage = 10
    with pytest.raises(EngineError) as caught:
        await make_engine().generate(make_job())
    assert caught.value.kind == "permanent"
    assert "is not an image" in caught.value.reason and "still malformed after 4 tries" in caught.value.reason


async def test_persistent_5xx_is_transient_after_the_retry_bound(
    comfy: FakeComfyUI, make_engine: EngineFactory
) -> None:
    comfy.fail("upload", *[Fault(500, "Internal Server Error")] * 10)
    with pytest.raises(EngineError) as caught:
        await make_engine(retries=2).generate(make_job())
    assert caught.value.kind == "transient" and "gave up after 3 tries" in caught.value.reason
    assert comfy.count("upload") == 3


@pytest.mark.parametrize("mode", ["hang_running", "hang_queued"])
async def test_a_result_that_never_comes_times_out_and_cancels_the_prompt(
    comfy: FakeComfyUI, make_engine: EngineFactory, mode: Any
) -> None:
    comfy.mode = mode
    engine = LimitedEngine(make_engine(), timeout_s=0.4)
    started = time.perf_counter()
    with pytest.raises(EngineError) as caught:
        await engine.generate(make_job())
    assert caught.value.kind == "transient" and "per-attempt timeout" in caught.value.reason
    assert time.perf_counter() - started < 2.0
    prompt_id = comfy.prompts[0].prompt_id
    assert comfy.deleted == [prompt_id]
    if mode == "hang_running":  # only the running prompt is interrupted, by id
        assert comfy.interrupts == [{"prompt_id": prompt_id}]
    else:
        assert comfy.interrupts == [] and comfy.pending == []


async def test_cancelling_the_attempt_cancels_the_remote_prompt(comfy: FakeComfyUI, make_engine: EngineFactory) -> None:
    comfy.mode = "hang_running"
    task = asyncio.create_task(make_engine().generate(make_job()))
    await asyncio.wait_for(comfy.started.wait(), 5)
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert comfy.interrupts == [{"prompt_id": comfy.prompts[0].prompt_id}]


async def test_a_server_that_picks_its_own_prompt_id_is_followed_by_that_id(
    comfy: FakeComfyUI, make_engine: EngineFactory
) -> None:
    comfy.honour_prompt_id = False
    assert await make_engine().generate(make_job()) == OUTPUT_PNG


async def test_an_unreachable_server_is_unavailable() -> None:
    engine = ComfyUIEngine(ComfyUIConfig(base_url=f"http://127.0.0.1:{closed_port()}", **FAST), workflow=WORKFLOW)  # type: ignore[arg-type]
    try:
        with pytest.raises(EngineError) as caught:
            await engine.generate(make_job())
    finally:
        await engine.close()
    assert caught.value.kind == "unavailable" and "unreachable on 4 tries" in caught.value.reason


def test_placeholders_keep_numbers_numeric_and_fill_text() -> None:
    values: dict[str, str | int | float] = {"prompt": "a cat", "seed": 7, "strength": 0.5, "reference_image": "a.png"}
    filled = fill_workflow({"a": {"inputs": {"s": "{{seed}}", "t": "x {{prompt}} {{seed}}", "l": ["1", 0]}}}, values)
    assert filled == {"a": {"inputs": {"s": 7, "t": "x a cat 7", "l": ["1", 0]}}}


@pytest.mark.parametrize(
    ("workflow", "message"),
    [
        ({"nodes": [], "links": []}, "UI format"),
        ({"1": {"inputs": {}}}, "no class_type"),
        (
            {"1": {"class_type": "X", "inputs": {"a": "{{prompt}}", "b": "{{reference_image}}", "c": "{{cfg}}"}}},
            "unknown placeholder",
        ),
        ({"1": {"class_type": "X", "inputs": {"a": "{{prompt}}"}}}, "must contain {{reference_image}}"),
        ([], "JSON object"),
    ],
)
def test_a_bad_workflow_is_refused_at_startup(workflow: Any, message: str) -> None:
    with pytest.raises(EngineConfigError, match=message):
        ComfyUIEngine(ComfyUIConfig(), workflow=workflow)


def test_the_workflow_file_is_read_from_the_config(tmp_path: Path) -> None:
    path = tmp_path / "workflow_api.json"
    path.write_text(json.dumps(WORKFLOW))
    ComfyUIEngine(ComfyUIConfig(workflow_path=str(path)))
    path.write_text("{not json")
    with pytest.raises(EngineConfigError, match="not valid JSON"):
        ComfyUIEngine(ComfyUIConfig(workflow_path=str(path)))
    with pytest.raises(EngineConfigError, match="workflow_path"):
        ComfyUIEngine(ComfyUIConfig())


def test_saved_images_win_over_previews_and_output_node_picks_one() -> None:
    outputs = {
        "10": {"images": [{"filename": "p.png", "subfolder": "", "type": "temp"}]},
        "9": {"images": [{"filename": "s.png", "subfolder": "x", "type": "output"}]},
    }
    assert pick_image(outputs) == {"filename": "s.png", "subfolder": "x", "type": "output"}
    assert pick_image(outputs, "10") == {"filename": "p.png", "subfolder": "", "type": "temp"}
    assert pick_image({"9": {"text": ["hi"]}}) is None
