"""The saga's I/O around `decide`: load, decide, save with compare-and-set, then publish and reply.

Order matters: state is saved before its command is published, so a stage's answer can never arrive before the
state that expects it. A crash between the two is healed when the triggering event is redelivered: the state
remembers which event produced it and the command is re-published under the same JetStream message id.
"""

import asyncio
import logging
import time
import uuid
from collections.abc import Callable

from faststream.nats import NatsBroker
from nats.aio.client import Client

from actors.runtime import publish_command, publish_event
from actors.saga.commands import STAGE_OF, SUBJECT_OF, Command, command_id, outstanding
from actors.saga.decide import Decision, Outcome, SagaConfig, decide, event_key, outcome_of, start
from actors.saga.liveness import Liveness
from actors.saga.state import SagaState
from actors.saga.store import AlreadyExists, SagaStore, StaleRevision
from contracts import subjects
from contracts.api import STATUS_HEADER, DryRunBody, ErrorBody, ErrorDetails
from contracts.codec import encode, tag_of
from contracts.events import StageEvent, StageTimedOut, StageUnavailable
from contracts.requests import InvalidRequest, claimed_request_id, parse_request

log = logging.getLogger("smartgen.saga")
MAX_CAS_RETRIES = 10


def now_ms() -> int:
    return int(time.time() * 1000)


class SagaShell:
    def __init__(
        self, broker: NatsBroker, store: SagaStore, config: SagaConfig, clock: Callable[[], int] = now_ms
    ) -> None:
        self._broker = broker
        self._store = store
        self._config = config
        self._clock = clock
        self._liveness = Liveness(self._nc)
        self._timers: dict[str, asyncio.TimerHandle] = {}

    @property
    def _nc(self) -> Client:
        return self._broker.connection

    async def on_request(self, body: bytes, reply_to: str) -> None:
        try:
            request = parse_request(body)
        except InvalidRequest as invalid:
            await self._reply(
                reply_to, Outcome(400, ErrorBody(error=invalid.message, details=ErrorDetails(field=invalid.field)))
            )
            return
        request_id = request.request_id or uuid.uuid4().hex
        decision = await self._check_stages(start(request, request_id, reply_to, self._clock()))
        try:
            await self._store.create(decision.state)
        except AlreadyExists:
            error = ErrorBody(error=f"Request {request_id} already exists", details=ErrorDetails(request_id=request_id))
            await self._reply(reply_to, Outcome(409, error))
            return
        await self._act(decision)

    async def on_submission(self, body: bytes) -> None:
        """A durable submission: nobody waits for a reply, so every outcome, a rejected body included, is announced as
        an event. A submission delivered again (the saga replica died before acking it) resumes the request it
        started instead of being refused as a duplicate."""
        try:
            request = parse_request(body)
        except InvalidRequest as invalid:
            request_id = claimed_request_id(body)
            error = ErrorBody(error=invalid.message, details=ErrorDetails(field=invalid.field, request_id=request_id))
            msg_id = f"{request_id}:outcome" if request_id else None
            await publish_event(self._broker, subjects.EVT_REQUEST_FAILED, error, msg_id=msg_id)
            return
        request_id = request.request_id or uuid.uuid4().hex
        decision = await self._check_stages(start(request, request_id, "", self._clock()))
        try:
            await self._store.create(decision.state)
        except AlreadyExists:
            loaded = await self._store.load(request_id)
            if loaded is not None:
                await self._resume(loaded[0])
            return
        await self._act(decision)

    async def on_event(self, event: StageEvent) -> None:
        for _ in range(MAX_CAS_RETRIES):
            loaded = await self._store.load(event.request_id)
            if loaded is None:
                log.warning("event %s for unknown or expired request %s", tag_of(event), event.request_id)
                return
            state, revision = loaded
            decision = decide(state, event, self._config, self._clock())
            if decision.state is state:
                if state.last_event == event_key(event):
                    await self._resume(state)  # a redelivery of the event we last acted on: finish what it began
                return
            decision = await self._check_stages(decision)
            try:
                await self._store.save(decision.state, revision)
            except StaleRevision:
                continue
            await self._act(decision)
            return
        raise RuntimeError(f"saga {event.request_id}: too many concurrent writers")

    async def _check_stages(self, decision: Decision) -> Decision:
        """Before commanding a stage, make sure some worker runs it; otherwise fail now with 503."""
        for command in decision.commands:
            stage = STAGE_OF[type(command)]
            if not await self._liveness.alive(stage):
                gone = StageUnavailable(request_id=decision.state.request_id, stage=stage)
                return decide(decision.state, gone, self._config, self._clock())
        return decision

    async def _act(self, decision: Decision) -> None:
        state = decision.state
        for command in decision.commands:
            await self._publish(state, command)
        if decision.outcome is not None:
            self._cancel_timer(state.request_id)
            await self._announce(state, decision.outcome)
        else:
            self._arm_timer(state)

    async def _resume(self, state: SagaState) -> None:
        outcome = outcome_of(state, self._config)
        if outcome is not None:
            await self._announce(state, outcome)
        elif (command := outstanding(state)) is not None:
            await self._publish(state, command)

    async def _publish(self, state: SagaState, command: Command) -> None:
        await publish_command(self._broker, SUBJECT_OF[type(command)], command, msg_id=command_id(state, command))

    async def _announce(self, state: SagaState, outcome: Outcome) -> None:
        await self._reply(state.reply_to, outcome)
        if isinstance(outcome.body, DryRunBody):
            return  # a plan is an answer to its caller, not a fact other systems act on
        subject = subjects.EVT_REQUEST_SUCCEEDED if outcome.status == 200 else subjects.EVT_REQUEST_FAILED
        await publish_event(self._broker, subject, outcome.body, msg_id=f"{state.request_id}:outcome")

    async def _reply(self, reply_to: str, outcome: Outcome) -> None:
        if reply_to:
            await self._nc.publish(reply_to, encode(outcome.body), headers={STATUS_HEADER: str(outcome.status)})

    def _arm_timer(self, state: SagaState) -> None:
        stage = state.waiting_on
        if stage is None:
            return
        self._cancel_timer(state.request_id)
        attempt = state.attempts[-1].attempt if state.attempts else 0
        timeout_ms = self._config.policy.stage_timeouts_ms.get(stage, 60_000)
        delay = max(0.0, (state.phase_since + timeout_ms - self._clock()) / 1000)
        loop = asyncio.get_running_loop()
        self._timers[state.request_id] = loop.call_later(
            delay, lambda: asyncio.ensure_future(self._time_out(state.request_id, stage, attempt))
        )

    async def recover(self) -> int:
        """Re-arm the stage timers of unfinished sagas after a (re)start: timers live in memory, so a saga replica
        that crashed took them along, and without this a stage that never answers would hold its caller until the
        bridge gives up. Returns how many sagas were unfinished."""
        unfinished = 0
        for request_id in await self._store.request_ids():
            loaded = await self._store.load(request_id)
            if loaded is not None and loaded[0].waiting_on is not None:
                self._arm_timer(loaded[0])
                unfinished += 1
        return unfinished

    def _cancel_timer(self, request_id: str) -> None:
        timer = self._timers.pop(request_id, None)
        if timer is not None:
            timer.cancel()

    async def _time_out(self, request_id: str, stage: str, attempt: int) -> None:
        self._timers.pop(request_id, None)
        has_workers = await self._liveness.alive(stage)
        event = StageTimedOut(request_id=request_id, stage=stage, attempt=attempt, has_workers=has_workers)
        try:
            await self.on_event(event)
        except Exception:
            log.exception("saga %s: handling the %s timeout failed", request_id, stage)

    def close(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
