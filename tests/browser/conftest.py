"""A real server (`award demo` + `award serve`) on a free port, and Chromium driven by Playwright.

On a failing test the page is saved as a screenshot under test-artifacts/.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.browser import launch_chromium
from tests.support.databases import fresh_database_url

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AWARD = [sys.executable, "-m", "api.cli"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_root):
    data_dir = tmp_root / "browser-data"
    env = {**os.environ, "AWARD_DATA_DIR": str(data_dir), "AWARD_ENV": "test",
           "AWARD_DATABASE_URL": fresh_database_url(tmp_root, "browser"),
           "AWARD_NOW": "2024-09-20T09:00:00+07:00"}
    subprocess.run([*AWARD, "demo"], env=env, cwd=ROOT, check=True, capture_output=True, timeout=180)
    port = _free_port()
    log = open(tmp_root / "browser-server.log", "wb")
    proc = subprocess.Popen([*AWARD, "serve", "--port", str(port)], env=env, cwd=ROOT, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError((tmp_root / "browser-server.log").read_text()[-3000:])
        time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def page(browser, request):
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = errors
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
