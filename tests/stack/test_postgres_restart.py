"""PostgreSQL restarted under load: the app answers 503 (never 500) while it is down and recovers
by itself. Runs on a PRIVATE cluster that the test creates (initdb + pg_ctl in a temporary directory on
a free port): the machine's shared PostgreSQL is never touched. Part of the PostgreSQL run."""

import glob
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.support.databases import engine_kind
from tests.support.liveserver import free_port, run_cli, start_server, stop_server

BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
pytestmark = [
    pytest.mark.skipif(engine_kind() != "postgresql", reason="PostgreSQL faults run in the PostgreSQL suite"),
    pytest.mark.skipif(not BIN, reason="no PostgreSQL server binaries (initdb, pg_ctl)"),
]
PASSWORD = "KiemThu2024ab"


def as_postgres(args: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the `postgres` system user then."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class PrivateCluster:
    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="award-pg-"))
        self.data, self.log = self.root / "data", self.root / "server.log"
        self.port = free_port()
        self.bin = BIN[-1]
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        subprocess.run(as_postgres([f"{self.bin}/initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                                    "-E", "UTF8", "--no-sync"]), check=True, capture_output=True, timeout=120)
        self.pg_ctl("start")
        subprocess.run(as_postgres([f"{self.bin}/createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                                    "award"]), check=True, capture_output=True, timeout=60)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/award"

    def pg_ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(as_postgres([f"{self.bin}/pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w",
                                    "-o", options, action, *extra]), check=True, capture_output=True, timeout=120)

    def destroy(self) -> None:
        try:
            self.pg_ctl("stop", "-m", "immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def cluster():
    c = PrivateCluster()
    yield c
    c.destroy()


def test_the_app_recovers_by_itself_after_postgresql_restarts_under_load(cluster, tmp_path):
    env = {**os.environ, "AWARD_ENV": "test", "AWARD_DATA_DIR": str(tmp_path / "data"),
           "AWARD_DATABASE_URL": cluster.url, "AWARD_NOW": "2024-09-20T09:00:00+07:00"}
    run_cli(env, "migrate", timeout=120)
    run_cli(env, "user", "create", "--email", "bt@x.vn", "--password", PASSWORD, "--role", "secretariat")
    proc, base = start_server(env, tmp_path / "serve.log", "--workers", "2")
    answers: list[tuple[float, float, str]] = []  # sent, answered, status
    stop = threading.Event()
    refusals = []

    def load():
        with httpx.Client(base_url=base, timeout=15) as http:
            while not stop.is_set():
                for call in (lambda: http.get("/api/v1/rounds"),
                             lambda: http.post("/api/v1/auth/token", data={"username": "bt@x.vn", "password": PASSWORD})):
                    sent = time.monotonic()
                    try:
                        response = call()
                        status = str(response.status_code)
                        if status == "503":
                            refusals.append(response.json()["detail"])
                    except httpx.HTTPError as exc:
                        status = type(exc).__name__
                    answers.append((sent, time.monotonic(), status))

    workers = [threading.Thread(target=load) for _ in range(3)]
    try:
        for w in workers:
            w.start()
        time.sleep(2)
        stopping_at = time.monotonic()
        cluster.pg_ctl("stop", "-m", "fast")
        down_at = time.monotonic()
        time.sleep(2)
        starting_at = time.monotonic()
        cluster.pg_ctl("start")
        up_at = time.monotonic()
        time.sleep(5)
    finally:
        stop.set()
        for w in workers:
            w.join(30)
    try:
        assert proc.poll() is None, "the app must not have died"
        before = {s for _, done, s in answers if done < stopping_at}
        during = {s for sent, done, s in answers if sent > down_at and done < starting_at}
        after = [s for sent, _, s in answers if sent > up_at + 2]
        assert before == {"200"}
        assert during and during <= {"503"}, during  # answered, in Vietnamese JSON, never a 500
        assert refusals[0] == {"code": "database_unavailable", "message": "Cơ sở dữ liệu tạm thời không phản hồi. "
                               "Chưa có gì thay đổi; vui lòng thử lại sau ít phút."}
        assert after and set(after) == {"200"}, [(round(t - up_at, 2), s) for t, _, s in answers if t > up_at]
        body = httpx.get(f"{base}/readyz").json()
        assert body["checks"]["database"] == "ok"
    finally:
        stop_server(proc)
