"""The suite cleans up after itself and runs Starlette's TestClient on the HTTP client it expects."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_test_client_runs_on_httpx2_without_a_deprecation_warning():
    result = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", "-c",
                             "import starlette.testclient as t; print(t.httpx.__name__)"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "httpx2"


def test_a_passing_run_leaves_nothing_in_the_temporary_directory(tmp_path):
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    env = {**os.environ, "TMPDIR": str(tmpdir), "PYTHONPATH": str(ROOT)}
    env.pop("AWARD_KEEP_TEST_TMP", None)
    # One test that writes with tmp_path, one that uses the session's own directory (tests/conftest.py).
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
                             "tests/test_settings.py::test_embedded_defaults",
                             "tests/test_backup.py::test_round_trip_restores_every_row_and_file"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    left = [str(p.relative_to(tmpdir)) for p in tmpdir.rglob("*") if not p.is_dir()]
    assert left == [], left
    assert not any(p.name.startswith("award-tests-") for p in tmpdir.iterdir())
