"""Shared pieces of the benchmarks: percentiles, the machine, fresh PostgreSQL databases, the app
server as a child process, and memory sampling of a process tree."""

from __future__ import annotations

import os
import platform
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
# Inside round IX's submission period (as the demo), so entries and files are accepted.
BENCH_NOW = "2024-09-20T09:00:00+07:00"
MiB = 1024 * 1024


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(q / 100 * (len(values) - 1))))
    return values[k]


def summary_ms(seconds: list[float]) -> dict:
    ms = [s * 1000 for s in seconds]
    return {"n": len(ms), "p50_ms": _r(pct(ms, 50)), "p95_ms": _r(pct(ms, 95)), "p99_ms": _r(pct(ms, 99)),
            "max_ms": _r(max(ms) if ms else None)}


def _r(x: float | None, nd: int = 1) -> float | None:
    return None if x is None else round(x, nd)


def machine() -> dict:
    import fastapi
    import sqlalchemy

    with sa.create_engine(PG_ADMIN).connect() as conn:
        pg = conn.execute(sa.text("SHOW server_version")).scalar()
    return {
        "cores": len(os.sched_getaffinity(0)),
        "cpu": _cpu_model(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "load_1m_at_start": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "postgresql": pg,
        "sqlalchemy": sqlalchemy.__version__,
        "fastapi": fastapi.__version__,
        "seaweedfs": _weed_version(),
        "os": platform.platform(),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def _weed_version() -> str:
    try:
        out = subprocess.run([str(VENV_BIN / "weed"), "version"], capture_output=True, text=True, timeout=10).stdout
        return out.strip().splitlines()[0] if out.strip() else "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def fresh_database(name: str) -> str:
    """(Re)create a PostgreSQL database; only names starting with `bench` are ever dropped."""
    assert name.startswith("bench"), name
    engine = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 60.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f}s")


def app_env(database_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWARD_")}
    env.update({
        "AWARD_ENV": "production",
        "AWARD_SECRET_KEY": "bench-" + "x" * 40,
        "AWARD_DATABASE_URL": database_url,
        "AWARD_DATA_DIR": str(data_dir),
        "AWARD_NOW": BENCH_NOW,
        # this tree's code, not whichever checkout the venv's `award` script was installed from
        "PYTHONPATH": str(ROOT),
    })
    env.update(extra)
    return env


def migrate(env: dict[str, str]) -> None:
    subprocess.run([str(VENV_BIN / "award"), "migrate"], env=env, check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)


class AppServer:
    """`award serve --workers N` as a child process, as production runs it."""

    def __init__(self, env: dict[str, str], workers: int = 2):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(env, AWARD_PUBLIC_URL=self.url)
        self.log = open(Path(env["AWARD_DATA_DIR"]) / "server.log", "ab")
        self.proc = subprocess.Popen(
            [str(VENV_BIN / "award"), "serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers)],
            env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        wait_http(self.url + "/readyz")

    def pids(self) -> list[int]:
        try:
            parent = psutil.Process(self.proc.pid)
            return [parent.pid] + [c.pid for c in parent.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


class RssSampler:
    """Peak resident memory of each process in a set, sampled every 50 ms from /proc (via psutil).
    Processes are found again on every sample, so workers that start late are seen too."""

    def __init__(self, pids_fn, interval: float = 0.05):
        self.pids_fn, self.interval = pids_fn, interval
        self.peak: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for pid in self.pids_fn():
                try:
                    rss = psutil.Process(pid).memory_info().rss
                except psutil.NoSuchProcess:
                    continue
                self.peak[pid] = max(self.peak.get(pid, 0), rss)
            self._stop.wait(self.interval)

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def peaks_mib(self) -> list[float]:
        return [round(v / MiB, 1) for _, v in sorted(self.peak.items())]


def disk_free_gib(path: Path) -> float:
    return psutil.disk_usage(str(path)).free / 2**30
