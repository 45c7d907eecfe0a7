"""Running the real `award` command as a server for tests: a free port, and waiting until it answers."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "api.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cli(env: dict, *args: str, timeout: int = 180) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], env=env, cwd=ROOT, check=True, capture_output=True, timeout=timeout)


def start_server(env: dict, log_path: Path, *serve_args: str, ready_path: str = "/healthz",
                 timeout: float = 60, port: int | None = None,
                 command: tuple[str, ...] = ("serve",)) -> tuple[subprocess.Popen, str]:
    """`award serve` (or another serving `command`, e.g. ("tagging", "serve")) on a free port; returns the
    process and its base URL once `ready_path` answers 200."""
    port = port or free_port()
    log = open(log_path, "wb")
    proc = subprocess.Popen([*CLI, *command, "--port", str(port), *serve_args], env=env, cwd=ROOT, stdout=log,
                            stderr=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{base}{ready_path}", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"award {' '.join(command)} did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.2)


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(timeout=30)
