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


def test_the_postgresql_pass_leaves_out_only_the_modules_that_never_reach_a_database():
    """tests/conftest.py's ENGINE_FREE_MODULES run once, in the SQLite pass; every other test runs on both
    engines. Collected as this run's engine: on PostgreSQL the engine-free module's tests are deselected."""
    from tests.conftest import ENGINE_FREE_MODULES
    from tests.support.databases import engine_kind

    assert all((ROOT / module).is_file() for module in ENGINE_FREE_MODULES)
    result = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                             "tests/award/test_text.py", "tests/award/test_jobs.py"],
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    collected = [line for line in result.stdout.splitlines() if "::" in line]
    assert any(line.startswith("tests/award/test_jobs.py::") for line in collected)
    text_tests = [line for line in collected if line.startswith("tests/award/test_text.py::")]
    if engine_kind() == "postgresql":
        assert text_tests == [] and "deselected" in result.stdout
    else:
        assert len(text_tests) >= 9
