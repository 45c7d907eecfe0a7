"""The README's set-up commands tell a newcomer what is wrong instead of failing obscurely."""

import shutil
import socket
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def make(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "-s", "--no-print-directory", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)


def test_install_with_the_wrong_python_says_which_one_is_needed(tmp_path):
    fake = tmp_path / "python3"
    fake.write_text('#!/bin/sh\n[ "$1" = "--version" ] && { echo "Python 3.12.1"; exit 0; }\nexit 1\n')
    fake.chmod(0o755)
    result = make("check-python", f"PY={fake}")
    assert result.returncode != 0
    assert "needs Python 3.11, but" in result.stderr and "is Python 3.12.1" in result.stderr
    assert "PY=python3.11" in result.stderr
    assert make("check-python").returncode == 0  # the interpreter running this suite is 3.11


def test_demo_on_a_busy_port_says_how_to_choose_another():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = make("check-port", f"PORT={port}")
    assert result.returncode != 0
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "make demo PORT=8001" in result.stderr
    assert make("check-port", f"PORT={port}").returncode == 0  # free again
