"""`smartgen up`: nats-server, every actor and the bridge in one command, stopped cleanly by Ctrl-C."""

import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import msgspec
from aiohttp import web
from faststream.nats import NatsBroker
from opentelemetry.sdk.trace import TracerProvider

from bridge.app import create_app
from ops.embedded import NatsServer, die_with_parent
from ops.roles import ACTORS, running_actors, wait_until_answering
from ops.seed import seed_demo
from ops.settings import Settings

log = logging.getLogger("smartgen")
REPO_CONFIG = Path(__file__).resolve().parent.parent / "nats.conf"
CPU_ROLES = ("generator", "validator")


@contextlib.asynccontextmanager
async def serving_bridge(
    settings: Settings, tracer_provider: TracerProvider | None = None
) -> AsyncIterator[web.AppRunner]:
    runner = web.AppRunner(create_app(settings, tracer_provider), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    try:
        try:
            await site.start()
        except OSError as error:
            raise SystemExit(
                f"cannot listen on {settings.host}:{settings.port}: {error.strerror} (choose another with --port)"
            ) from None
        yield runner
    finally:
        await runner.cleanup()


def _spawn(command: list[str], env: dict[str, str], count: int) -> list[subprocess.Popen[bytes]]:
    return [
        subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, preexec_fn=die_with_parent) for _ in range(count)
    ]


@contextlib.asynccontextmanager
async def worker_processes(settings: Settings, count: int) -> AsyncIterator[list[subprocess.Popen[bytes]]]:
    """The CPU-bound stages in their own processes, so rendering and scoring use the other cores instead of
    competing with orchestration for this process's GIL."""
    env = {**os.environ, "NATS_URL": settings.nats_url, "SMARTGEN_DATA": str(settings.data_dir)}
    command = [sys.executable, "-m", "ops.cli", "actor", *CPU_ROLES]
    workers = await asyncio.to_thread(_spawn, command, env, count)
    try:
        yield workers
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                await asyncio.to_thread(worker.wait, 30)
            except subprocess.TimeoutExpired:
                worker.kill()


async def wait_for_workers(broker: NatsBroker, children: list[subprocess.Popen[bytes]], timeout_s: float = 120) -> None:
    """Wait until the worker processes answer; one that exits (a bad engine or validator setting) stops startup
    with its own error message already on the terminal, instead of a silent wait."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        try:
            await wait_until_answering(broker, ACTORS, timeout_s=0.5)
            return
        except TimeoutError:
            if exited := [c.returncode for c in children if c.poll() is not None]:
                raise SystemExit(f"a worker process exited (status {exited[0]}) during startup") from None
            if asyncio.get_running_loop().time() > deadline:
                raise


@contextlib.asynccontextmanager
async def embedded_stack(settings: Settings, *, seed: bool = True, workers: int = 1) -> AsyncIterator[Settings]:
    server = NatsServer(settings.data_dir / "nats", config=REPO_CONFIG if REPO_CONFIG.exists() else None)
    await server.start()
    try:
        settings = msgspec.structs.replace(settings, nats_url=server.url)
        in_process = [role for role in ACTORS if workers == 0 or role not in CPU_ROLES]
        async with (
            worker_processes(settings, workers) as children,
            running_actors(settings, in_process) as broker,
        ):
            await wait_for_workers(broker, children)
            if seed:
                await seed_demo(broker.connection)
            async with serving_bridge(settings):
                yield settings
    finally:
        server.stop()


async def run_until_signalled(settings: Settings, workers: int = 1) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with embedded_stack(settings, workers=workers) as ready:
        print(f"smartgen is up: http://{ready.host}:{ready.port} (bus {ready.nats_url}, data {ready.data_dir})")
        print(
            f"try: curl -X POST http://{ready.host}:{ready.port}/api/v1/characters/demo/generate-smart-image "
            "-H 'Content-Type: application/json' -d '{\"prompt\": \"close-up portrait with dramatic lighting\"}'"
        )
        print("Ctrl-C stops everything.", flush=True)
        await stop.wait()
        print("stopping...", flush=True)
