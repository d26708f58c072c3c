"""Saga actor: takes requests on `smartgen.generate` (request-reply) and `smartgen.submit` (durable), and stage events
from the event stream."""

import msgspec
from faststream import AckPolicy
from faststream.nats import ConsumerConfig, NatsBroker, NatsRouter, PullSub

from actors.runtime import MAX_DELIVER, PULL_TIMEOUT_S, event_stream, submission_stream
from actors.saga.shell import SagaShell
from actors.stage import add_ping, current_message
from contracts import subjects
from contracts.codec import stage_event_decoder

QUEUE = "smartgen-saga"


class ShellHolder:
    """The shell needs a connected broker; the router is built before connecting, so it is set in the lifespan."""

    shell: SagaShell | None = None

    def get(self) -> SagaShell:
        assert self.shell is not None, "saga shell used before startup"
        return self.shell


def build_router(broker: NatsBroker, holder: ShellHolder) -> NatsRouter:
    router = NatsRouter()

    @router.subscriber(subjects.GENERATE, queue=QUEUE, no_reply=True)
    async def generate() -> None:
        message = current_message(broker)
        await holder.get().on_request(message.body, message.reply_to)

    @router.subscriber(
        subjects.SUBMIT,
        stream=submission_stream(),
        durable="smartgen-saga-submissions",
        config=ConsumerConfig(filter_subject=subjects.SUBMIT, ack_wait=30.0, max_deliver=MAX_DELIVER),
        pull_sub=PullSub(batch_size=16, timeout=PULL_TIMEOUT_S),
        ack_policy=AckPolicy.NACK_ON_ERROR,
        max_workers=16,
    )
    async def submit() -> None:
        await holder.get().on_submission(current_message(broker).body)

    @router.subscriber(
        subjects.EVENT_WILDCARD,
        stream=event_stream(),
        durable="smartgen-saga",
        config=ConsumerConfig(
            filter_subjects=list(subjects.STAGE_EVENT_SUBJECTS), ack_wait=30.0, max_deliver=MAX_DELIVER
        ),
        pull_sub=PullSub(batch_size=32, timeout=PULL_TIMEOUT_S),
        ack_policy=AckPolicy.NACK_ON_ERROR,
        max_workers=32,
    )
    async def on_stage_event() -> None:
        message = current_message(broker)
        try:
            event = stage_event_decoder.decode(message.body)
        except msgspec.DecodeError:
            await message.reject()
            return
        await holder.get().on_event(event)

    add_ping(router, "saga")
    return router
