"""The smart-image request end to end over a real nats-server: the public bus API other systems use."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import msgspec
import pytest
from nats.aio.client import Client

from contracts import subjects
from contracts.api import STATUS_HEADER, SmartImageRequest
from contracts.codec import encode
from contracts.events import GalleryUpdated
from ops.embedded import NatsServer
from ops.roles import running_actors
from ops.seed import seed_demo
from ops.settings import Settings
from tests.conftest import Stack, decode


async def ask(nc: Client, body: object, wait_s: float = 60) -> tuple[int, dict[str, object]]:
    reply = await nc.request(subjects.GENERATE, encode(body), timeout=wait_s)
    return int((reply.headers or {})[STATUS_HEADER]), decode(reply.data)


def demo_request(**fields: object) -> SmartImageRequest:
    return msgspec.convert(
        {"characterId": "demo", "prompt": "close-up portrait with dramatic lighting", **fields}, SmartImageRequest
    )


async def test_request_reply_on_the_bus_returns_the_spec_success_body(stack: Stack) -> None:
    updates = await stack.nc.subscribe(subjects.gallery_updated("demo"))
    status, body = await ask(stack.nc, demo_request())
    assert status == 200, body
    assert body["success"] is True
    data = body["data"]
    assert isinstance(data, dict)
    assert data["characterId"] == "demo" and data["characterName"] == "Nova"
    assert data["selectedReferenceType"] in ("master", "core_reference")
    assert 70 <= data["qualityScore"] <= 100 and 80 <= data["consistencyScore"] <= 100
    # The analysis and the ranking came through the bus and explain the choice.
    top = data["selection"][0]
    assert top["reference"]["id"] == data["selectedReferenceId"] or data["attempts"] > 1
    assert top["score"] == sum(top["parts"].values()) and top["reasons"]
    assert data["attemptHistory"][0]["chosenBecause"].startswith("highest-ranked reference")
    validator = data["validator"]
    assert validator["backend"] == "classical" and validator["model"]
    assert set(validator["qualityParts"]) == {"sharpness", "exposure", "contrast", "noise", "artifacts", "resolution"}
    update = msgspec.json.decode((await updates.next_msg(timeout=5)).data, type=GalleryUpdated)
    assert (update.change, update.entry_id, update.asset_id) == (
        "image_generated",
        data["imageId"],
        data["dinoAssetId"],
    )
    stored = await (await stack.nc.jetstream().object_store(subjects.MEDIA_BUCKET)).get(str(data["dinoAssetId"]))
    assert stored.data is not None and stored.data[:3] == b"\xff\xd8\xff"  # the JPEG the response points to


async def test_successful_images_join_the_gallery_once_per_request(stack: Stack) -> None:
    status, body = await ask(stack.nc, demo_request(requestId="fixed-id-1"))
    assert status == 200
    again_status, again = await ask(stack.nc, demo_request(requestId="fixed-id-1"))
    assert again_status == 409 and again["success"] is False
    async with stack.http.get(f"{stack.base_url}/api/v1/characters/demo/gallery") as response:
        images = (await response.json())["data"]["images"]
    generated = [i for i in images if i["type"] == "generated"]
    assert [g["id"] for g in generated] == [body["data"]["imageId"]]  # type: ignore[index]


async def test_outcome_is_also_published_as_an_event(stack: Stack) -> None:
    outcomes = await stack.nc.subscribe(subjects.EVT_REQUEST_SUCCEEDED)
    status, body = await ask(stack.nc, demo_request())
    event = decode((await outcomes.next_msg(timeout=5)).data)
    assert status == 200 and event["data"]["imageId"] == body["data"]["imageId"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("body", "status", "error_start"),
    [
        ({"characterId": "nobody", "prompt": "portrait"}, 404, "Character not found: nobody"),
        ({"characterId": "demo", "prompt": ""}, 400, "Invalid parameters: prompt"),
        ({"characterId": "demo", "prompt": "x", "maxRetries": 6}, 400, "Invalid parameters: maxRetries"),
        ({"prompt": "x"}, 400, "Invalid parameters: characterId"),
    ],
)
async def test_bus_errors_use_the_spec_error_body(
    stack: Stack, body: dict[str, object], status: int, error_start: str
) -> None:
    got_status, reply = await ask(stack.nc, body)
    assert got_status == status
    assert reply["success"] is False and str(reply["error"]).startswith(error_start)
    details = reply["details"]
    assert isinstance(details, dict)
    assert set(details) >= {"attempts", "totalAttempts", "failureReasons"}


async def test_character_without_references_is_400_no_reference_images(stack: Stack) -> None:
    status, _ = await stack.post_json("/api/v1/characters", {"name": "Empty", "id": "empty"})
    assert status == 201
    status, body = await ask(stack.nc, demo_request(characterId="empty"))
    assert status == 400 and str(body["error"]).startswith("No Reference Images")


async def test_unreachable_thresholds_fail_after_max_retries_with_every_attempt(stack: Stack) -> None:
    status, body = await ask(stack.nc, demo_request(qualityThreshold=100, maxRetries=4))
    assert status == 500
    details = body["details"]
    assert isinstance(details, dict)
    assert details["totalAttempts"] == 4
    assert "Quality threshold not met" in details["failureReasons"]
    attempts = details["attempts"]
    roles = [a["referenceUsed"].split(":")[0] for a in attempts]
    assert "master" in roles[:2]  # the spec: the top-ranked reference, then the master if different
    for attempt in attempts:
        assert attempt["reason"].startswith("Failed validation - Quality: ")
        assert attempt["reason"].endswith(f"Consistency: {attempt['consistencyScore']}/80")


@pytest.fixture
async def stack_without_generator(tmp_path: Path, nats_server: NatsServer, nc: Client) -> AsyncIterator[Client]:
    settings = Settings(nats_url=nats_server.url, data_dir=tmp_path / "data")
    async with running_actors(settings, ["saga", "analyzer", "selector", "validator", "gallery"]):
        await seed_demo(nc, size=128)
        yield nc


async def test_a_stage_nobody_runs_is_503_naming_it(stack_without_generator: Client) -> None:
    status, body = await ask(stack_without_generator, demo_request(), wait_s=10)
    assert status == 503
    assert body["error"] == "Service unavailable: no generator worker is running"


async def test_concurrent_requests_each_get_their_own_answer(stack: Stack) -> None:
    results = await asyncio.gather(*(ask(stack.nc, demo_request(requestId=f"c{i}")) for i in range(8)))
    assert all(status == 200 for status, _ in results)
    ids = {body["data"]["requestId"] for _, body in results}  # type: ignore[index]
    assert ids == {f"c{i}" for i in range(8)}
