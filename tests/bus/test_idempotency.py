"""At-least-once in, exactly-once observed: redelivered commands and events change nothing twice."""

import asyncio

import msgspec
from nats.aio.msg import Msg

from actors.media import ObjectStoreMedia
from contracts import subjects
from contracts.codec import encode
from contracts.commands import SaveGeneratedImage
from contracts.events import ImageSaved
from contracts.model import PromptAnalysis
from tests.conftest import Stack


async def test_a_save_command_delivered_twice_writes_one_gallery_entry(stack: Stack) -> None:
    media = await ObjectStoreMedia.open(stack.nc.jetstream())
    asset_id = await media.put(b"\xff\xd8\xff fake jpeg for the catalog only")
    saved: list[ImageSaved] = []
    got_two = asyncio.Event()

    async def on_saved(msg: Msg) -> None:
        saved.append(msgspec.json.decode(msg.data, type=ImageSaved))
        if len(saved) == 2:
            got_two.set()

    await stack.nc.subscribe(subjects.EVT_SAVED, cb=on_saved)
    command = SaveGeneratedImage(
        request_id="redelivered-1",
        character_id="demo",
        character_name="Nova",
        asset_id=asset_id,
        filename="nova_smart_1.jpg",
        prompt="portrait",
        style="character_production",
        tags=("a",),
        analysis=PromptAnalysis(shot_type=None, angle=None, mood="neutral", setting="neutral", keywords=()),
        reference_id="ref",
        quality_score=90,
        consistency_score=90,
    )
    js = stack.nc.jetstream()
    # Two different message ids: past JetStream's duplicate window, as a redelivery after a crash would be.
    await js.publish(subjects.CMD_SAVE, encode(command), headers={"Nats-Msg-Id": "first"})
    await js.publish(subjects.CMD_SAVE, encode(command), headers={"Nats-Msg-Id": "second"})
    await asyncio.wait_for(got_two.wait(), 10)
    assert saved[0].image_id == saved[1].image_id
    async with stack.http.get(f"{stack.base_url}/api/v1/characters/demo/gallery") as response:
        images = (await response.json())["data"]["images"]
    assert [i["id"] for i in images if i["type"] == "generated"] == [saved[0].image_id]


async def test_a_stage_event_delivered_twice_is_ignored_by_the_saga(stack: Stack) -> None:
    """Every event is published twice (as a redelivering stage would): still one reply, one gallery image."""
    duplicated: list[Msg] = []
    seen: set[bytes] = set()

    async def duplicate(msg: Msg) -> None:
        if msg.subject.startswith("smartgen.evt.request") or msg.data in seen:
            return  # outcomes are not stage events; and each event is duplicated once, not forever
        seen.add(msg.data)
        duplicated.append(msg)
        await stack.nc.jetstream().publish(msg.subject, msg.data)  # no message id: not deduplicated

    await stack.nc.subscribe("smartgen.evt.>", cb=duplicate)
    status, body = await stack.post_json("/api/v1/characters/demo/generate-smart-image", {"prompt": "full body"})
    assert status == 200, body
    await asyncio.sleep(0.5)  # let the duplicates reach the saga
    assert len(duplicated) >= 5
    async with stack.http.get(f"{stack.base_url}/api/v1/characters/demo/gallery") as response:
        images = (await response.json())["data"]["images"]
    assert len([i for i in images if i["type"] == "generated"]) == 1
