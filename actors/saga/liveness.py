"""Is anyone running stage X? A cached ping, so "no worker" fails fast (503) instead of waiting for a timeout."""

import time

from nats.aio.client import Client
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeout

from contracts import subjects

PING_TIMEOUT_S = 0.5
ALIVE_FOR_S = 2.0


class Liveness:
    def __init__(self, nc: Client) -> None:
        self._nc = nc
        self._alive_until: dict[str, float] = {}

    async def alive(self, stage: str) -> bool:
        if self._alive_until.get(stage, 0.0) > time.monotonic():
            return True
        try:
            await self._nc.request(subjects.ping(stage), b"", timeout=PING_TIMEOUT_S)
        except NoRespondersError:
            return False
        except NatsTimeout:
            return True  # someone is subscribed but busy: let the stage timeout decide
        self._alive_until[stage] = time.monotonic() + ALIVE_FOR_S
        return True
