"""A real server (`award demo` + `award serve`) on a free port, and Chromium driven by Playwright.

On a failing test the page is saved as a screenshot under test-artifacts/.
"""

import os

import pytest

from tests.support.browser import launch_chromium
from tests.support.databases import fresh_database_url
from tests.support.liveserver import ROOT, run_cli, start_server, stop_server

ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def live_server(tmp_root):
    env = {**os.environ, "AWARD_DATA_DIR": str(tmp_root / "browser-data"), "AWARD_ENV": "test",
           "AWARD_DATABASE_URL": fresh_database_url(tmp_root, "browser"),
           "AWARD_NOW": "2024-09-20T09:00:00+07:00"}
    run_cli(env, "demo")
    proc, base = start_server(env, tmp_root / "browser-server.log")
    yield base
    stop_server(proc)


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
