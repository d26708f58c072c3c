"""A REST client picks its request id, opens the event stream, posts, and sees progress then the outcome."""

import asyncio

from tests.conftest import Stack


async def read_events(stack: Stack, request_id: str, subscribed: asyncio.Event) -> list[tuple[str, str]]:
    events: list[tuple[str, str]] = []
    async with stack.http.get(f"{stack.base_url}/api/v1/requests/{request_id}/events") as response:
        assert response.status == 200 and response.content_type == "text/event-stream"
        kind = ""
        async for raw in response.content:
            line = raw.decode().rstrip("\n")
            if line == ": subscribed":
                subscribed.set()
            elif line.startswith("event: "):
                kind = line.removeprefix("event: ")
            elif line.startswith("data: "):
                events.append((kind, line.removeprefix("data: ")))
    return events


async def test_the_event_stream_ends_with_the_outcome_of_the_request(stack: Stack) -> None:
    subscribed = asyncio.Event()
    reader = asyncio.ensure_future(read_events(stack, "watched-1", subscribed))
    await asyncio.wait_for(subscribed.wait(), 5)
    async with stack.http.post(
        f"{stack.base_url}/api/v1/characters/demo/generate-smart-image",
        json={"prompt": "portrait", "qualityThreshold": 50, "consistencyThreshold": 60},
        headers={"X-Request-Id": "watched-1"},
    ) as response:
        body = await response.json()
    assert response.status == 200 and body["data"]["requestId"] == "watched-1"
    events = await asyncio.wait_for(reader, 10)
    assert events[-1][0] == "outcome" and '"requestId":"watched-1"' in events[-1][1]


async def test_a_malformed_request_id_header_is_a_400(stack: Stack) -> None:
    async with stack.http.post(
        f"{stack.base_url}/api/v1/characters/demo/generate-smart-image",
        json={"prompt": "portrait"},
        headers={"X-Request-Id": "not ok!"},
    ) as response:
        body = await response.json()
    assert response.status == 400 and body["details"]["field"] == "requestId"
