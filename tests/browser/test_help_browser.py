"""In a real browser, with no way out of this machine: the API docs and the role guides work offline and
under the app's Content-Security-Policy."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def offline(page) -> list[str]:
    """Abort every request that would leave the machine (a CDN, the Swagger validator) and list them."""
    left: list[str] = []

    def route(r):
        if urlsplit(r.request.url).hostname in ("127.0.0.1", "localhost"):
            return r.continue_()
        left.append(r.request.url)
        return r.abort()

    page.route("**/*", route)
    return left


def test_api_docs_show_the_operations_offline_under_the_csp(page, live_server):
    left = offline(page)
    response = page.goto(f"{live_server}/api/docs")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.get_by_role("heading", name="Giải Búa liềm vàng – hệ thống quản lý tác phẩm")).to_be_visible()
    operation = page.locator(".opblock-summary-path", has_text="/api/v1/auth/token").first
    expect(operation).to_be_visible()
    document = page.request.get(f"{live_server}/openapi.json").json()
    operations = sum(1 for item in document["paths"].values() for method in item
                     if method in ("get", "post", "put", "patch", "delete"))
    expect(page.locator(".opblock")).to_have_count(operations)  # every operation of the document is listed
    operation.click()  # an operation opens with its parameters and responses
    expect(page.locator(".opblock.is-open .responses-wrapper").first).to_be_visible()
    assert left == []
    assert page.console_errors == []  # no CSP violation, nothing missing


# --- role guides ----------------------------------------------------------------------------------------

import os  # noqa: E402
import struct  # noqa: E402

from api.pages.help import GUIDES, ROLE_GUIDES  # noqa: E402
from tests.support.browser import login  # noqa: E402
from tests.support.liveserver import ROOT  # noqa: E402

GUIDE_DIR = ROOT / "static" / "guide"
# AWARD_UPDATE_GUIDE_SCREENSHOTS=1 rewrites the committed screenshots; otherwise they go to test-artifacts/.
SHOTS_OUT = GUIDE_DIR if os.environ.get("AWARD_UPDATE_GUIDE_SCREENSHOTS") == "1" else ROOT / "test-artifacts" / "guide"
WIDTH = 375

DEMO = {"journalist": "nhabao@demo.bualiemvang.vn", "unit_manager": "donvi.hatinh@demo.bualiemvang.vn",
        "local_judge": "giamkhao.hatinh@demo.bualiemvang.vn", "judge": "giamkhao@demo.bualiemvang.vn",
        "secretariat": "bithu@demo.bualiemvang.vn", "approver": "bcd@demo.bualiemvang.vn"}


def round_ix(page, base) -> int:
    return next(r["id"] for r in page.request.get(f"{base}/api/v1/rounds").json() if r["number"] == "IX")


def shot(page, name: str) -> None:
    SHOTS_OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS_OUT / f"{name}.png"))  # the viewport only: small files


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="vi-VN", viewport={"width": WIDTH, "height": 720})
    yield context.new_page()
    context.close()


# What each screenshot shows: (login as, page to open or None for the dashboard).
SHOTS = {
    "nha-bao-trang-lam-viec": ("journalist", None),
    "nha-bao-tao-tac-pham": ("journalist", lambda base, rid: f"{base}/entries/new?round_id={rid}"),
    "don-vi-trang-lam-viec": ("unit_manager", None),
    "don-vi-xet-chon": ("unit_manager", lambda base, rid: f"{base}/unit/contest"),
    "giam-khao-danh-sach": ("local_judge", lambda base, rid: f"{base}/judging"),
    "hoi-dong-bo-phieu": ("judge", lambda base, rid: f"{base}/ballots/{rid}"),
    "thu-ky-trang-lam-viec": ("secretariat", None),
    "thu-ky-dieu-hanh": ("secretariat", lambda base, rid: f"{base}/central/{rid}"),
    "ban-chi-dao-trang-lam-viec": ("approver", None),
}


def test_every_guide_screenshot_is_taken_from_the_real_pages(phone, live_server):
    named = {s.screenshot for g in GUIDES.values() for s in g.steps if s.screenshot}
    assert named == set(SHOTS)
    rid = round_ix(phone, live_server)
    for role in DEMO:
        wanted = {name: target for name, (who, target) in SHOTS.items() if who == role}
        if not wanted:
            continue
        phone.context.clear_cookies()
        login(phone, live_server, DEMO[role])
        expect(phone.get_by_role("heading", name="Xin chào", exact=False)).to_be_visible()
        for name, target in wanted.items():
            url = target(live_server, rid) if target else f"{live_server}/dashboard"
            response = phone.goto(url)
            assert response.status == 200, (name, response.status)
            shot(phone, name)
            assert (SHOTS_OUT / f"{name}.png").stat().st_size > 5_000


def png_size(path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", head[16:24])


def test_each_role_opens_its_guide_from_the_dashboard_and_sees_the_screenshots(page, live_server):
    for name in SHOTS:  # committed, phone-width, small
        path = GUIDE_DIR / f"{name}.png"
        assert path.is_file(), f"{path} missing: run with AWARD_UPDATE_GUIDE_SCREENSHOTS=1"
        assert png_size(path)[0] in (WIDTH, 2 * WIDTH) and path.stat().st_size < 250_000
    for role, email in DEMO.items():
        page.context.clear_cookies()
        login(page, live_server, email)
        for slug in ROLE_GUIDES[role]:
            guide = GUIDES[slug]
            page.goto(f"{live_server}/dashboard")
            page.get_by_role("link", name=guide.title, exact=True).click()
            expect(page.get_by_role("heading", name=guide.title, exact=True)).to_be_visible()
            assert page.locator(".guide-steps > li").count() == len(guide.steps)
            for img in page.locator("img.guide-shot").all():
                img.scroll_into_view_if_needed()
                # decode() settles once the image has loaded (a lazy one starts when scrolled to): read then, not
                # at once (a busy CI machine checked `complete` before the file had arrived); a broken one rejects
                assert img.evaluate("i => i.decode().then(() => i.naturalWidth > 0, () => false)"), \
                    img.get_attribute("src")
            assert page.locator("img.guide-shot").count() == sum(1 for s in guide.steps if s.screenshot)
    assert page.console_errors == []
