"""Durable submission on `smartgen.submit`: other systems publish a request to a stream instead of waiting on a reply,
and learn the outcome from `smartgen.evt.request.succeeded|failed`, correlated by the requestId they chose."""

from pathlib import Path

from nats.aio.client import Client
from nats.aio.subscription import Subscription

from contracts import subjects
from contracts.codec import encode
from ops.embedded import NatsServer
from ops.roles import ACTORS, running_actors
from ops.seed import seed_demo
from ops.settings import Settings
from tests.conftest import Stack, decode


async def submit(nc: Client, body: dict[str, object]) -> None:
    await nc.jetstream().publish(subjects.SUBMIT, encode(body), headers={"Nats-Msg-Id": str(body.get("requestId", ""))})


async def outcome_for(outcomes: Subscription, request_id: str, wait_s: float = 60) -> dict[str, object]:
    """The first outcome event about `request_id` (outcomes of other requests are skipped)."""
    while True:
        body = decode((await outcomes.next_msg(timeout=wait_s)).data)
        data = body.get("data")
        details = body.get("details")
        about = data if isinstance(data, dict) else details if isinstance(details, dict) else {}
        if about.get("requestId") == request_id:
            return body


async def test_a_submission_is_answered_by_an_outcome_event(stack: Stack) -> None:
    outcomes = await stack.nc.subscribe(subjects.EVT_REQUEST_SUCCEEDED)
    await submit(stack.nc, {"characterId": "demo", "prompt": "full body, side view", "requestId": "submitted-1"})
    body = await outcome_for(outcomes, "submitted-1")
    assert body["success"] is True
    data = body["data"]
    assert isinstance(data, dict) and data["characterId"] == "demo" and data["imageId"]


async def test_a_rejected_submission_is_announced_with_its_request_id(stack: Stack) -> None:
    outcomes = await stack.nc.subscribe(subjects.EVT_REQUEST_FAILED)
    await submit(stack.nc, {"characterId": "demo", "prompt": "portrait", "maxRetries": 9, "requestId": "rejected-1"})
    body = await outcome_for(outcomes, "rejected-1", wait_s=10)
    assert body["success"] is False and str(body["error"]).startswith("Invalid parameters: maxRetries")


async def test_a_submission_waits_in_the_stream_until_a_saga_takes_it(
    tmp_path: Path, nats_server: NatsServer, nc: Client
) -> None:
    settings = Settings(nats_url=nats_server.url, data_dir=tmp_path / "data", request_timeout_s=60)
    outcomes = await nc.subscribe(subjects.EVT_REQUEST_SUCCEEDED)
    async with running_actors(settings, [actor for actor in ACTORS if actor != "saga"]):
        await seed_demo(nc)
        await submit(nc, {"characterId": "demo", "prompt": "close-up portrait", "requestId": "queued-1"})
        info = await nc.jetstream().stream_info(subjects.SUBMISSION_STREAM)
        assert info.state.messages == 1  # kept, not lost, while no saga runs
        async with running_actors(settings, ["saga"]):
            body = await outcome_for(outcomes, "queued-1")
    assert body["success"] is True
    info = await nc.jetstream().stream_info(subjects.SUBMISSION_STREAM)
    assert info.state.messages == 0  # taken once, acked
