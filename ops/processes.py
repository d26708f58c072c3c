"""One role per process, against an existing NATS (`smartgen actor ...`, `smartgen bridge`)."""

import asyncio
import signal

from ops.embedded_stack import serving_bridge
from ops.roles import running_actors
from ops.settings import Settings


async def _until_signalled() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()


async def run_actors(settings: Settings, names: list[str]) -> None:
    async with running_actors(settings, names):
        print(f"smartgen actors {', '.join(names)} running against {settings.nats_url}", flush=True)
        await _until_signalled()


async def run_bridge(settings: Settings) -> None:
    async with serving_bridge(settings):
        print(f"smartgen bridge on http://{settings.host}:{settings.port} (bus {settings.nats_url})", flush=True)
        await _until_signalled()
