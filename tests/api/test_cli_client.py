"""`smartgen generate` as a user types it, against the running bridge: the reply printed, the exit status telling."""

import asyncio
import json
import sys
from pathlib import Path

from tests.conftest import Stack

SMARTGEN = str(Path(sys.executable).parent / "smartgen")


async def run(*args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        SMARTGEN, *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await process.communicate()
    return process.returncode or 0, output.decode()


async def test_generate_prints_the_success_body(stack: Stack) -> None:
    status, output = await run(
        "generate",
        "demo",
        "full body portrait",
        "--url",
        stack.base_url,
        "-o",
        "qualityThreshold=50",
        "-o",
        "maxRetries=2",
    )
    assert status == 0, output
    body = json.loads(output)
    assert body["success"] is True and body["data"]["characterId"] == "demo"


async def test_generate_exits_non_zero_with_the_error_body(stack: Stack) -> None:
    status, output = await run("generate", "nobody", "portrait", "--url", stack.base_url)
    assert status == 1
    assert json.loads(output)["error"] == "Character not found: nobody"


async def test_generate_says_when_the_service_is_not_there() -> None:
    status, output = await run("generate", "demo", "portrait", "--url", "http://127.0.0.1:9")
    assert status == 2 and "cannot reach smartgen" in output
