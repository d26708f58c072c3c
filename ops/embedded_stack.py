"""`smartgen up`: nats-server, every actor and the bridge in one command, stopped cleanly by Ctrl-C."""

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import msgspec
from aiohttp import web

from bridge.app import create_app
from ops.embedded import NatsServer
from ops.roles import ACTORS, running_actors
from ops.seed import seed_demo
from ops.settings import Settings

log = logging.getLogger("smartgen")
REPO_CONFIG = Path(__file__).resolve().parent.parent / "nats.conf"


@contextlib.asynccontextmanager
async def serving_bridge(settings: Settings) -> AsyncIterator[web.AppRunner]:
    runner = web.AppRunner(create_app(settings), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    try:
        await site.start()
        yield runner
    finally:
        await runner.cleanup()


@contextlib.asynccontextmanager
async def embedded_stack(settings: Settings, *, seed: bool = True) -> AsyncIterator[Settings]:
    server = NatsServer(settings.data_dir / "nats", config=REPO_CONFIG if REPO_CONFIG.exists() else None)
    await server.start()
    try:
        settings = msgspec.structs.replace(settings, nats_url=server.url)
        async with running_actors(settings, ACTORS) as broker:
            if seed:
                await seed_demo(broker.connection)
            async with serving_bridge(settings):
                yield settings
    finally:
        server.stop()


async def run_until_signalled(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with embedded_stack(settings) as ready:
        print(f"smartgen is up: http://{ready.host}:{ready.port} (bus {ready.nats_url}, data {ready.data_dir})")
        print(
            f"try: curl -X POST http://{ready.host}:{ready.port}/api/v1/characters/demo/generate-smart-image "
            "-H 'Content-Type: application/json' -d '{\"prompt\": \"close-up portrait with dramatic lighting\"}'"
        )
        print("Ctrl-C stops everything.", flush=True)
        await stop.wait()
        print("stopping...", flush=True)
