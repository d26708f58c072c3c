"""`smartgen up` as a user runs it: a real subprocess, called over HTTP, stopped with Ctrl-C, nothing left behind."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import free_port

pytestmark = pytest.mark.slow


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read().decode() if process.stdout else "exited"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} not ready")


def post(url: str, body: object) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_smartgen_up_serves_the_spec_example_and_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    smartgen = Path(sys.executable).parent / "smartgen"
    process = subprocess.Popen(
        [str(smartgen), "up", "--port", str(port), "--data", str(tmp_path / "var")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        wait_ready(f"http://127.0.0.1:{port}/healthz", process)
        children = children_of(process.pid)
        assert children, "nats-server should run as a child of smartgen up"
        status, body = post(
            f"http://127.0.0.1:{port}/api/v1/characters/demo/generate-smart-image",
            {"prompt": "close-up portrait with dramatic lighting"},
        )
        assert status == 200, body
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        time.sleep(0.2)
        assert [pid for pid in children if alive(pid)] == []
        assert (tmp_path / "var" / "catalog.sqlite3").exists()
        assert (tmp_path / "var" / "nats" / "jetstream").is_dir()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_smartgen_up_keeps_the_gallery_across_restarts(tmp_path: Path) -> None:
    port = free_port()
    smartgen = Path(sys.executable).parent / "smartgen"
    args = [str(smartgen), "up", "--port", str(port), "--data", str(tmp_path / "var")]
    image_id = ""
    for run in range(2):
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_ready(f"http://127.0.0.1:{port}/healthz", process)
            if run == 0:
                status, body = post(
                    f"http://127.0.0.1:{port}/api/v1/characters/demo/generate-smart-image", {"prompt": "portrait"}
                )
                assert status == 200
                image_id = str(body["data"]["imageId"])  # type: ignore[index]
            else:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/characters/demo/gallery") as response:
                    images = json.loads(response.read())["data"]["images"]
                assert image_id in [i["id"] for i in images]
                assert sum(i["type"] == "master" for i in images) == 1  # the demo is seeded once, not again
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


def test_a_taken_port_is_one_clear_line_and_nothing_left_running(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        smartgen = Path(sys.executable).parent / "smartgen"
        result = subprocess.run(
            [str(smartgen), "up", "--port", str(port), "--data", str(tmp_path / "var")],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr
    leftovers = subprocess.run(["pgrep", "-f", str(tmp_path)], capture_output=True, text=True).stdout.split()
    assert leftovers == []
