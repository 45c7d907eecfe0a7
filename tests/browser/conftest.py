"""A real server (`award demo` + `award serve`) on a free port, and Chromium driven by Playwright.

On a failing test the page is saved as a screenshot under test-artifacts/.
"""

import os
import re
from contextlib import contextmanager

import pytest

from tests.support.browser import launch_chromium
from tests.support.databases import fresh_database_url
from tests.support.liveserver import ROOT, run_cli, start_server, stop_server

ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def live_env(tmp_root):
    """The demo's data, loaded once; servers over it run at the demo's clock unless a test moves it."""
    env = {**os.environ, "AWARD_DATA_DIR": str(tmp_root / "browser-data"), "AWARD_ENV": "test",
           "AWARD_DATABASE_URL": fresh_database_url(tmp_root, "browser"),
           "AWARD_NOW": "2024-09-20T09:00:00+07:00"}
    run_cli(env, "demo")
    return env


@pytest.fixture(scope="session")
def live_server(live_env, tmp_root):
    proc, base = start_server(live_env, tmp_root / "browser-server.log")
    yield base
    stop_server(proc)


@pytest.fixture(scope="session")
def quiet_server(tmp_root):
    """The demo's data served with no background worker (AWARD_WORKER=external, none started): what a
    journalist sees while the worker is late — the files not yet read, the themes not yet ranked. Its own
    database, so that the other servers' workers cannot finish the jobs it leaves waiting."""
    env = {**os.environ, "AWARD_DATA_DIR": str(tmp_root / "quiet-data"), "AWARD_ENV": "test",
           "AWARD_DATABASE_URL": fresh_database_url(tmp_root, "quiet"), "AWARD_WORKER": "external",
           "AWARD_NOW": "2024-09-20T09:00:00+07:00"}
    run_cli(env, "demo")
    proc, base = start_server(env, tmp_root / "quiet-server.log")
    yield base
    stop_server(proc)


# The Makefile's clock: the world `make demo` shows (round XI taking entries, 2026).
DEMO_NOW = re.search(r"^DEMO_NOW \?= (\S+)$", (ROOT / "Makefile").read_text(), re.M).group(1)


@pytest.fixture(scope="session")
def demo_env(tmp_root):
    """The demo exactly as `make demo` builds it, on its own database."""
    env = {**os.environ, "AWARD_DATA_DIR": str(tmp_root / "demo-data"), "AWARD_ENV": "test",
           "AWARD_DATABASE_URL": fresh_database_url(tmp_root, "demo"), "AWARD_NOW": DEMO_NOW}
    run_cli(env, "demo")
    return env


@pytest.fixture(scope="session")
def demo_server(demo_env, tmp_root):
    proc, base = start_server(demo_env, tmp_root / "demo-server.log")
    yield base
    stop_server(proc)


@pytest.fixture
def server_at(live_env, tmp_root):
    """`with server_at("2024-11-20T09:00:00+07:00") as base:` the same data seen by a server whose clock is
    at that instant: a later phase of the round, as the process would reach it."""
    @contextmanager
    def at(now: str):
        proc, base = start_server({**live_env, "AWARD_NOW": now}, tmp_root / "browser-server-later.log")
        try:
            yield base
        finally:
            stop_server(proc)
    return at


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
    # Irreversible actions ask first (data-confirm): the person agrees; the questions are kept for asserts.
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.accept())
            if dialog.type == "confirm" else None)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
