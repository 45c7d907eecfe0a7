"""Deployment files: the compose file and Dockerfile are accepted by Docker Compose's own parser."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_compose_config_accepts_the_production_stack():
    result = subprocess.run([str(ROOT / "scripts/check-compose.sh")], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "services: app migrate outbox postgres proxy reminders s3" in result.stdout
    assert "check-compose: OK" in result.stdout


def test_dockerfile_runs_as_non_root_and_migrates_before_serving():
    dockerfile = (ROOT / "Dockerfile").read_text()
    entrypoint = (ROOT / "scripts/docker-entrypoint.sh").read_text()
    assert "\nUSER award\n" in dockerfile
    assert "FROM python:3.11-slim" in dockerfile
    assert entrypoint.index("award migrate") < entrypoint.index("award serve")
