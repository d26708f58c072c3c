"""What every actor process shares: the broker factory, the bus layout, and small publishing helpers."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterable
from typing import Any

import nats
from faststream import AckPolicy
from faststream.nats import JStream, NatsBroker, NatsMessage, PullSub
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, KeyValueConfig, ObjectStoreConfig, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import BucketNotFoundError

from contracts import subjects
from contracts.codec import encode

log = logging.getLogger("smartgen")

# Long stages tell JetStream they are still working at this interval, well inside the consumer's ack wait.
IN_PROGRESS_EVERY_S = 10.0
DEFAULT_ACK_WAIT_S = 30.0
MAX_DELIVER = 5
# A pull long-polls this long when idle (messages still arrive at once). Short polls made nats-py raise a bare
# asyncio.TimeoutError that FastStream logs as an error whenever a busy start-up stretched one past its deadline.
PULL_TIMEOUT_S = 5.0


class BusLayout:
    """Streams, buckets and their sizes. One instance per process; `replicas` is 3 on a cluster."""

    def __init__(self, replicas: int = 1, saga_ttl_s: float = 24 * 3600, event_max_age_s: float = 7 * 24 * 3600):
        self.replicas = replicas
        self.saga_ttl_s = saga_ttl_s
        self.event_max_age_s = event_max_age_s

    def _work_queue(self, name: str, subject: str) -> StreamConfig:
        """A stream each message of which one consumer takes; a resend under the same Nats-Msg-Id is stored once."""
        return StreamConfig(
            name=name,
            subjects=[subject],
            retention=RetentionPolicy.WORK_QUEUE,
            storage=StorageType.FILE,
            num_replicas=self.replicas,
            duplicate_window=120.0,
        )

    def streams(self) -> list[StreamConfig]:
        return [
            self._work_queue(subjects.COMMAND_STREAM, subjects.COMMAND_WILDCARD),
            self._work_queue(subjects.SUBMISSION_STREAM, subjects.SUBMIT),
            StreamConfig(
                name=subjects.EVENT_STREAM,
                subjects=[subjects.EVENT_WILDCARD],
                storage=StorageType.FILE,
                num_replicas=self.replicas,
                max_age=self.event_max_age_s,
                duplicate_window=120.0,
            ),
            StreamConfig(
                name=subjects.GALLERY_STREAM,
                subjects=[subjects.GALLERY_UPDATED_WILDCARD],
                storage=StorageType.FILE,
                num_replicas=self.replicas,
                max_age=self.event_max_age_s,
            ),
        ]

    async def ensure(self, js: JetStreamContext) -> None:
        """Create or update every stream and bucket; safe to run from every process at every start."""
        for config in self.streams():
            try:
                await js.add_stream(config)
            except nats.js.errors.BadRequestError:
                await js.update_stream(config)
        # Saga state and finished attempts only matter while a request can still be redelivered or resumed.
        for bucket in (subjects.SAGA_BUCKET, subjects.ATTEMPT_BUCKET):
            try:
                await js.key_value(bucket)
            except BucketNotFoundError:
                await js.create_key_value(
                    KeyValueConfig(bucket=bucket, history=1, ttl=self.saga_ttl_s, replicas=self.replicas)
                )
        try:
            await js.object_store(subjects.MEDIA_BUCKET)
        except (BucketNotFoundError, nats.js.errors.NotFoundError):
            await js.create_object_store(
                subjects.MEDIA_BUCKET, ObjectStoreConfig(storage=StorageType.FILE, replicas=self.replicas)
            )


def make_broker(url: str, *, name: str, middlewares: Iterable[Any] = ()) -> NatsBroker:
    return NatsBroker(
        url,
        name=f"smartgen-{name}",
        max_reconnect_attempts=-1,  # services keep trying; nats-py gives up after ~2 minutes by default
        reconnect_time_wait=1,
        middlewares=tuple(middlewares),
        log_level=logging.DEBUG,  # per-message logs at DEBUG: quiet unless asked for
        logger=logging.getLogger("smartgen.bus"),  # obeys the process's logging config (FastStream's own does not)
        graceful_timeout=15.0,
    )


def command_stream() -> JStream:
    return JStream(subjects.COMMAND_STREAM, declare=False)


def submission_stream() -> JStream:
    return JStream(subjects.SUBMISSION_STREAM, declare=False)


def event_stream() -> JStream:
    return JStream(subjects.EVENT_STREAM, declare=False)


def stage_consumer(stage: str, subject: str, ack_wait_s: float = DEFAULT_ACK_WAIT_S) -> dict[str, Any]:
    """Subscriber arguments for a stage's durable work-queue consumer on its command subject."""
    return {
        "subject": subject,
        "stream": command_stream(),
        "durable": subjects.durable_name(stage),
        "config": ConsumerConfig(ack_wait=ack_wait_s, max_deliver=MAX_DELIVER, filter_subject=subject),
        "pull_sub": PullSub(batch_size=16, timeout=PULL_TIMEOUT_S),
        "ack_policy": AckPolicy.NACK_ON_ERROR,
        "max_workers": 16,
    }


async def publish_event(broker: NatsBroker, subject: str, event: Any, *, msg_id: str | None = None) -> None:
    """Persist an event (awaiting JetStream's ack) so a command is acked only after its event is safe."""
    headers = {"Nats-Msg-Id": msg_id} if msg_id else None
    await broker.publish(encode(event), subject, stream=subjects.EVENT_STREAM, headers=headers, timeout=10.0)


async def publish_command(broker: NatsBroker, subject: str, command: Any, *, msg_id: str) -> None:
    await broker.publish(
        encode(command), subject, stream=subjects.COMMAND_STREAM, headers={"Nats-Msg-Id": msg_id}, timeout=10.0
    )


@contextlib.asynccontextmanager
async def still_working(message: NatsMessage, every_s: float = IN_PROGRESS_EVERY_S) -> AsyncIterator[None]:
    """Tell JetStream a long command is in progress, so it is not redelivered and run twice."""

    async def beat() -> None:
        while True:
            await asyncio.sleep(every_s)
            with contextlib.suppress(Exception):
                await message.in_progress()

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
