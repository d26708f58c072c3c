"""End-to-end latency and orchestration overhead of a smart-image request, beside the raw NATS floor.

Starts `smartgen up` as a subprocess (its own nats-server, every actor, the bridge), creates a character whose
references are 256 px drawings, and sends `generate-smart-image` requests over HTTP at 1, 16 and 64 concurrent
clients. Orchestration overhead = end-to-end time minus the time spent inside the engine and the validator, as
the actors report it in `attemptHistory`. The floor is a raw nats-py request-reply against the same server.

    .venv/bin/python bench/overhead.py [--requests 300] [--levels 1,16,64]
"""

import argparse
import asyncio
import io
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import nats
from nats.aio.msg import Msg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ops.demo_art import DEMO_VIEWS, draw_view
from ops.embedded import free_tcp_port as free_port


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def start_stack(port: int, data: Path) -> tuple[subprocess.Popen[bytes], str]:
    smartgen = Path(sys.executable).parent / "smartgen"
    process = subprocess.Popen(
        [str(smartgen), "up", "--port", str(port), "--data", str(data)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    while True:
        line = process.stdout.readline().decode()
        if not line:
            raise RuntimeError("smartgen up exited before it was ready")
        if match := re.search(r"bus (nats://\S+),", line):
            return process, match.group(1)


async def make_character(http: aiohttp.ClientSession, base: str) -> str:
    async with http.post(f"{base}/api/v1/characters", json={"name": "Bench"}) as response:
        character_id = str((await response.json())["data"]["id"])
    for role, angle, shot in DEMO_VIEWS:
        buffer = io.BytesIO()
        draw_view(angle, shot, 256).save(buffer, "JPEG", quality=95)
        form = aiohttp.FormData()
        for key, value in (("role", role), ("angle", angle), ("shotType", shot)):
            form.add_field(key, value)
        form.add_field("image", buffer.getvalue(), filename="ref.jpg")
        async with http.post(f"{base}/api/v1/characters/{character_id}/references", data=form) as response:
            assert response.status == 201, await response.text()
    return character_id


async def nats_floor(url: str, count: int) -> list[float]:
    nc = await nats.connect(url)

    async def echo(msg: Msg) -> None:
        await msg.respond(msg.data)

    await nc.subscribe("bench.echo", cb=echo)
    await nc.flush()
    latencies = []
    for _ in range(count):
        started = time.perf_counter()
        await nc.request("bench.echo", b"x" * 256, timeout=5)
        latencies.append((time.perf_counter() - started) * 1000)
    await nc.drain()
    return latencies


async def run_level(http: aiohttp.ClientSession, url: str, concurrency: int, total: int) -> dict[str, float]:
    end_to_end: list[float] = []
    overhead: list[float] = []
    attempts: list[int] = []
    errors = 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(total):
        queue.put_nowait(i)

    async def client() -> None:
        nonlocal errors
        while not queue.empty():
            i = queue.get_nowait()
            # Thresholds low enough that one attempt passes: this measures orchestration, not retries.
            body = {
                "prompt": f"close-up portrait with dramatic lighting #{i}",
                "qualityThreshold": 50,
                "consistencyThreshold": 60,
                "maxRetries": 1,
            }
            started = time.perf_counter()
            async with http.post(url, json=body) as response:
                reply = await response.json()
            elapsed = (time.perf_counter() - started) * 1000
            if response.status != 200:
                errors += 1
                continue
            history = reply["data"]["attemptHistory"]
            inside = sum(a["generationMs"] + a["validationMs"] for a in history)
            end_to_end.append(elapsed)
            overhead.append(elapsed - inside)
            attempts.append(len(history))

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    wall = time.perf_counter() - started
    return {
        "p50": percentile(end_to_end, 50),
        "p99": percentile(end_to_end, 99),
        "ovh_p50": percentile(overhead, 50),
        "ovh_p99": percentile(overhead, 99),
        "rps": len(end_to_end) / wall,
        "errors": errors,
        "attempts": sum(attempts) / max(1, len(attempts)),
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--levels", default="1,16,64")
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        process, bus = await asyncio.to_thread(start_stack, port, Path(data))
        try:
            base = f"http://127.0.0.1:{port}"
            connector = aiohttp.TCPConnector(limit=256)
            async with aiohttp.ClientSession(connector=connector) as http:
                character = await make_character(http, base)
                url = f"{base}/api/v1/characters/{character}/generate-smart-image"
                await run_level(http, url, 4, 40)  # warm-up: caches, JIT-free but lazy imports and pools
                floor = await nats_floor(bus, 2000)
                print(
                    f"# smartgen overhead benchmark: {platform.processor() or platform.machine()}, "
                    f"{os.cpu_count()} cores, python {platform.python_version()}, local engine, 256 px refs, "
                    f"{args.requests} requests per level, one attempt each"
                )
                print(
                    f"raw nats-py request-reply floor: p50 {percentile(floor, 50) * 1000:.0f} us, "
                    f"p99 {percentile(floor, 99) * 1000:.0f} us"
                )
                columns = ("e2e p50", "e2e p99", "ovh p50", "ovh p99")
                print(f"{'clients':>7} " + " ".join(f"{c:>9}" for c in columns) + f" {'req/s':>7} {'errors':>6}")
                for level in (int(x) for x in args.levels.split(",")):
                    r = await run_level(http, url, level, args.requests)
                    print(
                        f"{level:>7} {r['p50']:>7.1f}ms {r['p99']:>7.1f}ms {r['ovh_p50']:>7.1f}ms "
                        f"{r['ovh_p99']:>7.1f}ms {r['rps']:>7.1f} {r['errors']:>6.0f}"
                    )
        finally:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    asyncio.run(main())
