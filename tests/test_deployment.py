"""Deployment files: the compose file and Dockerfile are accepted by Docker Compose's own parser, every
variable compose gives the app is one the app reads, the public address is set once, and TLS ends in the
proxy."""

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from api.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
# What an operator sets (deploy/env.example), as a real deployment would.
OPERATOR_ENV = {"AWARD_PUBLIC_HOST": "giai.example.vn", "AWARD_SECRET_KEY": "s" * 48,
                "AWARD_S3_SECRET_KEY": "k" * 32, "AWARD_METRICS_TOKEN": "m" * 32, "AWARD_SMTP_HOST": "relay.example.vn"}
# Read by scripts/docker-entrypoint.sh, not by api/settings.py.
ENTRYPOINT_VARS = {"AWARD_WORKERS", "AWARD_MIGRATE"}
APP_SERVICES = ("migrate", "app", "tagger", "worker", "reminders")


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?error} (enough for this file)."""
    def one(match: re.Match) -> str:
        name, op, arg = match.group(1), match.group(2), match.group(3) or ""
        if env.get(name):
            return env[name]
        if op == ":?":
            raise KeyError(f"{name}: {arg}")
        return arg if op == ":-" else ""
    return re.sub(r"\$\{(\w+)(?:(:[-?])([^}]*))?\}", one, value)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def service_env(compose: dict, name: str, env: dict[str, str] = OPERATOR_ENV) -> dict[str, str]:
    return {key: interpolate(str(value), env) for key, value in compose["services"][name]["environment"].items()}


def test_compose_config_accepts_the_production_stack():
    result = subprocess.run([str(ROOT / "scripts/check-compose.sh")], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "services: app migrate postgres proxy reminders s3 tagger worker" in result.stdout
    assert "refused without: AWARD_PUBLIC_HOST AWARD_SECRET_KEY" in result.stdout
    assert "check-compose: OK" in result.stdout


def test_every_variable_compose_gives_the_app_is_one_the_app_reads(compose):
    read = {f"AWARD_{name.upper()}" for name in Settings.model_fields}
    entrypoint = (ROOT / "scripts/docker-entrypoint.sh").read_text()
    for var in ENTRYPOINT_VARS:
        assert f"${{{var}" in entrypoint
    for name in APP_SERVICES:
        unknown = {k for k in service_env(compose, name) if k.startswith("AWARD_")} - read - ENTRYPOINT_VARS
        assert unknown == set(), f"{name} sets variables nothing reads: {unknown}"


def test_every_app_process_accepts_its_settings_and_sees_one_public_address(compose, monkeypatch):
    for name in APP_SERVICES:
        env = service_env(compose, name)
        for key in list(os.environ):
            if key.startswith("AWARD_"):
                monkeypatch.delenv(key)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        settings = Settings(_env_file=None)
        assert settings.env == "production" and settings.secure_cookies
        assert settings.public_url == "https://giai.example.vn", name  # reset links, reminders, CORS
        assert settings.s3_public_endpoint == "https://giai.example.vn:8333", name  # presigned URLs
        assert settings.metrics_token == OPERATOR_ENV["AWARD_METRICS_TOKEN"], name
        assert settings.smtp_host == "relay.example.vn", name
        assert settings.storage == "s3" and settings.database_url.startswith("postgresql+psycopg://")


def test_compose_refuses_to_guess_what_only_the_operator_knows(compose):
    for var in OPERATOR_ENV:
        with pytest.raises(KeyError, match=var):
            service_env(compose, "app", {k: v for k, v in OPERATOR_ENV.items() if k != var})
    services = set(compose["services"])
    for name in APP_SERVICES:  # a host name that is a compose service must be one that exists
        for key, value in service_env(compose, name).items():
            host = re.match(r"(?:\w[\w+]*://)?(?:[^@/]*@)?([a-z][\w-]*)(?::\d+)?(?:/|$)", value)
            if key.endswith(("_HOST", "_ENDPOINT", "_URL")) and host and "." not in host.group(1):
                assert host.group(1) in services, f"{name}: {key}={value}"
    env_example = (ROOT / "deploy/env.example").read_text()
    for var in OPERATOR_ENV:
        assert re.search(rf"^{var}=", env_example, re.M), var


def test_tls_ends_in_the_proxy_with_a_redirect_and_hsts(compose):
    proxy = compose["services"]["proxy"]
    assert {p.split(":")[-1] for p in proxy["ports"]} == {"80", "443", "8333"}
    assert any(v.endswith(":/etc/nginx/tls:ro") for v in proxy["volumes"])
    assert "ports" not in compose["services"]["s3"] and "ports" not in compose["services"]["app"]
    assert "ports" not in compose["services"]["tagger"]  # no authentication: the compose network only
    conf = (ROOT / "deploy/nginx.conf").read_text()
    assert "ssl_certificate     /etc/nginx/tls/fullchain.pem;" in conf
    assert "ssl_certificate_key /etc/nginx/tls/privkey.pem;" in conf
    plain = conf[conf.index("listen 80;"):conf.index("listen 443 ssl;")]
    assert "return 301 https://$host$request_uri;" in plain and "proxy_pass" not in plain
    for port in ("443", "8333"):
        server = conf[conf.index(f"listen {port} ssl;"):]
        assert 'add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;' in server[:600]
    s3 = conf[conf.index("listen 8333 ssl;"):]
    assert "proxy_set_header Host $http_host;" in s3  # SigV4 signed the Host the browser used
    assert "deploy/tls" in (ROOT / ".dockerignore").read_text()  # the key never goes into the image


def test_dockerfile_runs_as_non_root_and_migrates_before_serving():
    dockerfile = (ROOT / "Dockerfile").read_text()
    entrypoint = (ROOT / "scripts/docker-entrypoint.sh").read_text()
    assert "\nUSER award\n" in dockerfile
    assert "FROM python:3.11-slim" in dockerfile
    assert entrypoint.index("award migrate") < entrypoint.index("award serve")
