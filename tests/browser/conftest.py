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
def server_at(live_env, tmp_root, request):
    """`with server_at("2024-11-20T09:00:00+07:00") as base:` the same data seen by a server whose clock is
    at that instant: a later phase of the round, as the process would reach it.

    The test's page leaves the server (about:blank) before it stops: a page still loading from it (the
    redirect after "Đăng xuất", its stylesheet) would otherwise log the stopped server's refusals as the
    page's own console errors (a CI failure on a busy machine)."""
    @contextmanager
    def at(now: str):
        proc, base = start_server({**live_env, "AWARD_NOW": now}, tmp_root / "browser-server-later.log")
        try:
            yield base
        finally:
            if "page" in request.fixturenames:
                request.getfixturevalue("page").goto("about:blank")
            stop_server(proc)
    return at


def hold_still(route):
    """static/js/refresh.js served empty: the page does not look again by itself."""
    route.fulfill(status=200, content_type="text/javascript", body="/* held still for a test */")


class StillBrowser:
    """Chromium whose pages never reload by themselves unless a context asks (refresh_by_itself=True).

    A page that waits for the worker looks again every few seconds (static/js/refresh.js) unless the reader
    has clicked, focused or changed something on it. A test drives the page faster than a person and sets
    files without a click, so a reload timed by the page races the test's own steps: a file set on a page
    already reloading is lost (a CI failure, twice). So every context created here holds the page still, at
    one place; the tests of the reload itself (@pytest.mark.refreshes_by_itself) drive it by the clock."""

    def __init__(self, chromium):
        self._chromium = chromium

    def new_context(self, *args, refresh_by_itself: bool = False, **kwargs):
        context = self._chromium.new_context(*args, **kwargs)
        if not refresh_by_itself:
            context.route("**/static/js/refresh.js", hold_still)
        return context

    def __getattr__(self, name):
        return getattr(self._chromium, name)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = launch_chromium(pw)
        yield StillBrowser(chromium)
        chromium.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def page(browser, request):
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844},
                                  refresh_by_itself=request.node.get_closest_marker("refreshes_by_itself") is not None)
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
